#!/usr/bin/env bash
# DuckDB reads every Parquet file sluice writes here — every type, every codec, dictionary pages,
# the fallback to PLAIN and several row groups — and must return the same rows and types.
#
#   tests/interop/duckdb_reads_sluice.sh SLUICE_BINARY
#
# Needs Node 20+ and @duckdb/node-api in tests/interop/.node (scripts/test.sh installs both).
set -euo pipefail
sluice="${1:?usage: duckdb_reads_sluice.sh SLUICE_BINARY}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
check=(node "$here/duckdb_check.mjs")

# 1. Every type, with nulls, empty strings, unicode and extremes, under every codec.
schema='b:bool,i32:int32,i64:int64,f64:float64,d9:decimal(9,2),d18:decimal(18,4),d38:decimal(38,10),s:string,bin:binary,dt:date,tm:time,ts:timestamp,j:json'
types='BOOLEAN|INTEGER|BIGINT|DOUBLE|DECIMAL(9,2)|DECIMAL(18,4)|DECIMAL(38,10)|VARCHAR|BLOB|DATE|TIME|TIMESTAMP WITH TIME ZONE|JSON'
"$sluice" cat "$here/all_types.csv" --schema "$schema" --to ndjson > "$work/all_types.ndjson"
for codec in snappy zstd gzip none lz4_raw brotli; do
  "$sluice" convert "$here/all_types.csv" "$work/all_types.$codec.parquet" --schema "$schema" \
    --compression "$codec" --quiet
  "${check[@]}" "$work/all_types.$codec.parquet" "$work/all_types.ndjson" "$types"
done

# 2. 150k rows: low-cardinality columns stay dictionary-encoded; unique ones go PLAIN from the
#    first page; `code` repeats 10k values, then turns unique and outgrows the 1 MiB dictionary,
#    so its chunk falls back from dictionary to PLAIN pages; small row groups give several groups.
awk 'BEGIN {
  print "id,name,category,amount,flag,day,code";
  split("books,games,garden,music,tools", categories, ",");
  for (i = 0; i < 150000; i++) {
    printf "%d,customer-%08d@example.com,%s,%d.%02d,%s,%04d-%02d-%02d,code-%025d\n", i * 7919 - 400000000,
           i, categories[i % 5 + 1], (i * 37) % 100000, i % 100, (i % 3 == 0) ? "true" : "false",
           2000 + i % 25, i % 12 + 1, i % 28 + 1, (i < 100000) ? i % 10000 : i;
  }
}' > "$work/large.csv"
large_schema='id:int64,name:string,category:string,amount:decimal(12,2),flag:bool,day:date,code:string'
large_types='BIGINT|VARCHAR|VARCHAR|DECIMAL(12,2)|BOOLEAN|DATE|VARCHAR'
"$sluice" cat "$work/large.csv" --schema "$large_schema" --to ndjson > "$work/large.ndjson"
"$sluice" convert "$work/large.csv" "$work/large.parquet" --schema "$large_schema" \
  --row-group-size 2MiB --quiet
"$sluice" inspect "$work/large.parquet" > "$work/large.inspect"
groups="$(grep -c '^row group' "$work/large.inspect")"
if ((groups < 2)); then
  echo "duckdb_reads_sluice: expected several row groups, got $groups" >&2
  exit 1
fi
"${check[@]}" "$work/large.parquet" "$work/large.ndjson" "$large_types"
"$sluice" convert "$work/large.csv" "$work/large.zstd.parquet" --schema "$large_schema" \
  --compression zstd --compression-level 9 --quiet
"$sluice" inspect "$work/large.zstd.parquet" > "$work/large.zstd.inspect"
expect_chunk() {  # NAME PATTERN WHAT: the column chunk line of NAME must match PATTERN
  if ! grep "^  $1: " "$work/large.zstd.inspect" | grep -q -- "$2"; then
    echo "duckdb_reads_sluice: column $1: expected $3:" >&2
    cat "$work/large.zstd.inspect" >&2
    exit 1
  fi
}
expect_chunk code 'pages: dictionary/PLAIN=1 data/RLE_DICTIONARY=[0-9]* data/PLAIN=' \
  'dictionary pages, then PLAIN after the fallback'
expect_chunk category 'pages: dictionary/PLAIN=1 data/RLE_DICTIONARY=[0-9]*,' 'dictionary pages only'
expect_chunk name 'pages: data/PLAIN=' 'PLAIN pages only'
"${check[@]}" "$work/large.zstd.parquet" "$work/large.ndjson" "$large_types"

# 3. A file with no rows still has its schema.
head -1 "$here/all_types.csv" > "$work/empty.csv"
"$sluice" convert "$work/empty.csv" "$work/empty.parquet" --schema "$schema" --quiet
: > "$work/empty.ndjson"
"${check[@]}" "$work/empty.parquet" "$work/empty.ndjson" "$types"
echo "duckdb_reads_sluice: all files read back identically by DuckDB"
