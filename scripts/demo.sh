#!/usr/bin/env bash
# The main job: install what is missing, build the release binary, and run sluice on the bundled
# sample: schema, a table with one quarantined record, a conversion to Parquet and back, and a
# Delta table with an append, a merge, time travel and its history (the demo pipeline replaces
# this as the pipeline lands).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh build
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Relative paths in the cache key: fresh clones in other folders (CI) reuse earlier compiles.
export CCACHE_BASEDIR=$PWD
cmake --preset release > /dev/null
cmake --build --preset release --target sluice
sluice=build/release/apps/sluice/sluice
echo
echo "\$ sluice schema examples/sample/orders.csv"
"$sluice" schema examples/sample/orders.csv
echo
echo "\$ sluice cat examples/sample/orders.csv --schema 'quantity:int64' --rejects build/orders.rejects.ndjson"
"$sluice" cat examples/sample/orders.csv --schema 'quantity:int64' --rejects build/orders.rejects.ndjson
echo
echo "Rejected records (build/orders.rejects.ndjson):"
cat build/orders.rejects.ndjson
echo
echo "\$ sluice convert examples/sample/orders.csv build/orders.parquet --schema 'quantity:int64' --compression zstd"
"$sluice" convert examples/sample/orders.csv build/orders.parquet --schema 'quantity:int64' \
  --compression zstd
echo
echo "\$ sluice cat build/orders.parquet --limit 3"
"$sluice" cat build/orders.parquet --limit 3
echo
echo "\$ sluice inspect build/orders.parquet"
"$sluice" inspect build/orders.parquet
echo
rm -rf build/lake
echo "\$ sluice convert examples/sample/orders.csv build/lake/orders/ --partition-by country --schema 'quantity:int64'"
"$sluice" convert examples/sample/orders.csv build/lake/orders/ --partition-by country \
  --schema 'quantity:int64'
echo
echo "\$ sluice table merge build/lake/orders examples/sample/order_updates.csv --key order_id"
"$sluice" table merge build/lake/orders examples/sample/order_updates.csv --key order_id
echo
echo "\$ sluice cat build/lake/orders --columns order_id,status,country"
"$sluice" cat build/lake/orders --columns order_id,status,country
echo
echo "\$ sluice cat build/lake/orders --version 0 --columns order_id,status   (time travel)"
"$sluice" cat build/lake/orders --version 0 --columns order_id,status
echo
echo "\$ sluice table history build/lake/orders"
"$sluice" table history build/lake/orders
