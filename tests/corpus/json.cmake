# JSON reader conformance over ${SLUICE_CORPUS_DIR}/json (skips, saying so, when it is absent).
# Included by tests/corpus/CMakeLists.txt. nlohmann/json (Debian nlohmann-json3-dev) is the
# independent parser the references are read and compared with.
find_package(nlohmann_json 3 CONFIG REQUIRED)
sluice_add_test(json_corpus_test SOURCES json_corpus_test.cc DEPS sluice_json LABELS corpus)
target_link_libraries(json_corpus_test PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(json_corpus_test PRIVATE SLUICE_CORPUS_DIR="${SLUICE_CORPUS_DIR}")
