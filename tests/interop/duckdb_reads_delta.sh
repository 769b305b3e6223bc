#!/usr/bin/env bash
# DuckDB reads the Delta tables sluice writes: after every kind of commit (create, append,
# partitioned write, overwrite, DELETE, MERGE, OPTIMIZE, a checkpoint, deletion vectors) the live
# files — found by an independent replay of the JSON log in duckdb_check.mjs, which also decodes
# deletion vectors itself — hold exactly the rows `sluice cat` returns for the table.
#
#   tests/interop/duckdb_reads_delta.sh SLUICE_BINARY
set -euo pipefail
sluice="${1:?usage: duckdb_reads_delta.sh SLUICE_BINARY}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
check() {  # TABLE TYPES
  "$sluice" cat "$1" --to ndjson > "$work/expected.ndjson"
  node "$here/duckdb_check.mjs" "$1" "$work/expected.ndjson" "$2"
}

# 1. Every Delta-native type, unpartitioned, several appends and an overwrite.
schema='b:bool,i32:int32,i64:int64,f64:float64,d9:decimal(9,2),d18:decimal(18,4),d38:decimal(38,10),s:string,bin:binary,dt:date,tm:time,ts:timestamp,j:json'
columns='b,i32,i64,f64,d9,d18,d38,s,bin,dt,ts'
types='BOOLEAN|INTEGER|BIGINT|DOUBLE|DECIMAL(9,2)|DECIMAL(18,4)|DECIMAL(38,10)|VARCHAR|BLOB|DATE|TIMESTAMP WITH TIME ZONE'
"$sluice" convert "$here/all_types.csv" "$work/types" --to delta --schema "$schema" \
  --columns "$columns" --quiet
check "$work/types" "$types"
"$sluice" convert "$here/all_types.csv" "$work/types" --mode append --schema "$schema" \
  --columns "$columns" --quiet
check "$work/types" "$types"

# 2. A partitioned table through appends, DELETE, MERGE, OPTIMIZE and a checkpoint.
awk 'BEGIN {
  print "id,name,category,amount,day";
  split("books,games,garden,music,tools", categories, ",");
  for (i = 0; i < 20000; i++) {
    printf "%d,customer-%06d,%s,%d.%02d,%04d-%02d-%02d\n", i, i, categories[i % 5 + 1],
           (i * 37) % 1000, i % 100, 2024, i % 12 + 1, i % 28 + 1;
  }
}' > "$work/orders.csv"
orders_types='BIGINT|VARCHAR|VARCHAR|DECIMAL(18,2)|DATE'
"$sluice" convert "$work/orders.csv" "$work/orders/" --partition-by category --quiet
check "$work/orders" "$orders_types"
"$sluice" table delete "$work/orders" --where "id < 5000 AND amount > 500" 2> /dev/null
check "$work/orders" "$orders_types"
{ echo "id,name,category,amount,day"
  for i in 10 11 12 30000 30001; do echo "$i,changed-$i,music,1.25,2025-01-01"; done
} > "$work/changes.csv"
"$sluice" table merge "$work/orders" "$work/changes.csv" --key id 2> /dev/null
check "$work/orders" "$orders_types"
for round in 1 2 3 4 5 6 7; do
  "$sluice" convert "$work/changes.csv" "$work/orders" --mode overwrite --quiet
  "$sluice" convert "$work/orders.csv" "$work/orders" --mode append --quiet
done
test -f "$work/orders/_delta_log/00000000000000000010.checkpoint.parquet"
check "$work/orders" "$orders_types"
"$sluice" table optimize "$work/orders" 2> /dev/null
check "$work/orders" "$orders_types"
# 3. Deletion vectors (merge-on-read): DELETE and MERGE mark rows instead of rewriting files, a
#    second DELETE grows a vector, OPTIMIZE purges them; partitioned and not.
#    The change data feed is on: the change files DuckDB reads hold exactly the changes
#    `sluice table changes` reports for those versions.
for partition in "" "--partition-by category"; do
  rm -rf "$work/dv"
  # shellcheck disable=SC2086
  "$sluice" convert "$work/orders.csv" "$work/dv/" $partition --property delta.enableDeletionVectors=true \
    --property delta.enableChangeDataFeed=true --target-file-size 200KiB --quiet
  "$sluice" table delete "$work/dv" --where "amount > 900" 2> /dev/null
  check "$work/dv" "$orders_types"
  "$sluice" table merge "$work/dv" "$work/changes.csv" --key id 2> /dev/null
  "$sluice" table delete "$work/dv" --where "id < 3000" 2> /dev/null
  ls "$work/dv" | grep -q '^deletion_vector_' || { echo "no deletion vector file written"; exit 1; }
  check "$work/dv" "$orders_types"
  if [ -z "$partition" ]; then
    "$sluice" table changes "$work/dv" --from-version 1 --to ndjson |
      sed -E 's/,"_commit_version":[0-9]+,"_commit_timestamp":"[^"]*"\}$/}/' > "$work/changes.ndjson"
    test -s "$work/changes.ndjson"
    node "$here/duckdb_check.mjs" "$work/dv/_change_data/*.parquet" "$work/changes.ndjson" \
      "$orders_types|VARCHAR"
  fi
  "$sluice" table optimize "$work/dv" 2> /dev/null
  check "$work/dv" "$orders_types"
done
# 4. Column mapping (by name and by id): files use physical names and field ids; rename and drop
#    column change only the schema; a column added again under a dropped name starts empty.
for mode in name id; do
  rm -rf "$work/mapped"
  "$sluice" convert "$work/orders.csv" "$work/mapped/" --partition-by category \
    --property delta.columnMapping.mode=$mode --property delta.enableDeletionVectors=true --quiet
  check "$work/mapped" "$orders_types"
  "$sluice" table alter "$work/mapped" --rename-column amount=amount_eur 2> /dev/null
  "$sluice" table alter "$work/mapped" --rename-column category=shelf 2> /dev/null
  "$sluice" table delete "$work/mapped" --where "amount_eur > 900 AND shelf = 'books'" 2> /dev/null
  sed '1s/amount/amount_eur/; 1s/category/shelf/' "$work/changes.csv" > "$work/mapped_changes.csv"
  "$sluice" table merge "$work/mapped" "$work/mapped_changes.csv" --key id 2> /dev/null
  check "$work/mapped" "$orders_types"
  "$sluice" table alter "$work/mapped" --drop-column name 2> /dev/null
  check "$work/mapped" "BIGINT|VARCHAR|DECIMAL(18,2)|DATE"
  "$sluice" convert "$work/mapped_changes.csv" "$work/mapped" --mode append --quiet
  check "$work/mapped" "BIGINT|VARCHAR|DECIMAL(18,2)|DATE|VARCHAR"
  test "$("$sluice" cat "$work/mapped" --to csv | grep -c ',changed-')" = 5
done
echo "duckdb_reads_delta: every table state read back identically by DuckDB"
