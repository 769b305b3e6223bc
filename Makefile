# Shortcuts for developers; the README's two commands are the scripts themselves.
.PHONY: demo test build format
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
build:
	cmake --preset debug && cmake --build --preset debug
format:
	clang-format -i $$(git ls-files '*.cc' '*.h')
