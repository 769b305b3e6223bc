#!/usr/bin/env bash
# The whole test suite: install what is missing, then
#   1. unit, corpus conformance and integration tests (S3: radosgw, PostgreSQL) under
#      AddressSanitizer + UndefinedBehaviorSanitizer (preset asan-ubsan)
#   2. libFuzzer smoke runs of every parser (preset fuzz, clang; only the fuzz targets are built)
#   3. the debug build of the sluice binary: end-to-end CLI tests, interop tests (DuckDB reads what
#      sluice writes; @duckdb/node-api is installed into tests/interop/.node), the multi-process
#      stress tests and the integration tests that drive the binary against real services the
#      suite starts itself. Its GoogleTest unit tests are not built again (SLUICE_UNIT_TESTS=OFF):
#      they ran in step 1.
# Builds use -g1 (line tables: stack traces keep file:line) to keep a cold build short.
# The debug ctest runs last, so its summary line closes the output. Exit status is non-zero when
# any step failed. SLUICE_FUZZ_SECONDS (default 20) sets each fuzz smoke run's length.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh test || exit 1
bash scripts/install_node_tools.sh tests/interop || exit 1
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Relative paths in the cache key: fresh clones in other folders (CI) reuse earlier compiles.
export CCACHE_BASEDIR=$PWD
export CTEST_OUTPUT_ON_FAILURE=1
jobs=$(nproc)
failed=0

step() { echo; echo "==== $* ==== (${SECONDS}s)"; }

step "asan-ubsan: build"
if cmake --preset asan-ubsan > /dev/null && cmake --build --preset asan-ubsan -j "$jobs"; then
  step "asan-ubsan: unit, corpus and integration tests"
  # The multi-process stress tests (label stress) run in the debug build below; under the
  # sanitizers the library code they drive is covered by the lake's unit tests.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan-ubsan -j "$jobs" -LE stress || failed=1
else
  failed=1
fi

step "fuzz: build (clang, libFuzzer)"
if cmake --preset fuzz -DSLUICE_FUZZ_SECONDS="${SLUICE_FUZZ_SECONDS:-20}" > /dev/null &&
   cmake --build --preset fuzz -j "$jobs" --target fuzz_targets; then
  step "fuzz: smoke runs"
  ctest --preset fuzz -j "$jobs" || failed=1
else
  failed=1
fi

step "debug: build"
if cmake --preset debug -DSLUICE_UNIT_TESTS=OFF > /dev/null &&
   cmake --build --preset debug -j "$jobs"; then
  step "debug: end-to-end, interop, stress and integration tests"
  ctest --preset debug -j "$jobs" || failed=1
else
  failed=1
  echo "0 passed, 1 failed"
fi
exit $failed
