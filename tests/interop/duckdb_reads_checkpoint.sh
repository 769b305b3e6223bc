#!/usr/bin/env bash
# DuckDB reads a Delta checkpoint sluice writes — nested structs, maps (with null and empty ones),
# lists — and must return the add paths, sizes and partition values, the protocol versions and the
# metaData the checkpoint was written from.
#
#   tests/interop/duckdb_reads_checkpoint.sh CHECKPOINT_WRITER_TEST_BINARY
#
# The checkpoint and the values it must hold come from checkpoint_writer_test's InteropFixture.
# Needs Node 20+ and @duckdb/node-api in tests/interop/.node (scripts/test.sh installs both); exits
# 77 (ctest: skipped) without them.
set -euo pipefail
writer_test="${1:?usage: duckdb_reads_checkpoint.sh CHECKPOINT_WRITER_TEST_BINARY}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v node >/dev/null || [[ ! -d "$here/.node/node_modules/@duckdb/node-api" ]]; then
  echo "duckdb_reads_checkpoint: node or @duckdb/node-api missing; skipped" >&2
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

SLUICE_CHECKPOINT_FIXTURE_DIR="$work" "$writer_test" \
  --gtest_filter=CheckpointWriterTest.InteropFixture > "$work/gtest.log" ||
  { cat "$work/gtest.log" >&2; exit 1; }
node "$here/duckdb_checkpoint_check.mjs" "$work/00000000000000000007.checkpoint.parquet" \
  "$work/expected.json"
