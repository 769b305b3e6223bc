#!/usr/bin/env bash
# The main job: install what is missing, build the release binary, and run the retail demo project
# (examples/retail) end to end on embedded defaults — raw file drops into bronze Delta tables in a
# local lake folder, bad records into quarantine — then run it again to show that a rerun ingests
# nothing, and show where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh build
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Relative paths in the cache key: fresh clones in other folders (CI) reuse earlier compiles.
export CCACHE_BASEDIR=$PWD
cmake --preset release > /dev/null
cmake --build --preset release --target sluice
sluice=build/release/apps/sluice/sluice
project=examples/retail
# A fresh start each time: the lake and the run reports are outputs of the demo.
rm -rf "$project/lake" "$project/runs"
# The silver tables mask PII with keys from the environment. These are demo keys, printed here on
# purpose; a real project keeps its own keys secret (openssl rand -hex 32).
export SLUICE_MASKING_KEY=${SLUICE_MASKING_KEY:-retail-demo-masking-key}
export SLUICE_TOKEN_KEY=${SLUICE_TOKEN_KEY:-000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}

step() { echo; echo "\$ sluice $*"; }

step validate $project
"$sluice" validate $project
step plan $project
"$sluice" plan $project
step run $project
"$sluice" run $project --no-progress
step "run $project   (again: every file was ingested once already)"
"$sluice" run $project --no-progress
step "cat $project/lake/bronze/orders --limit 5 --columns order_id,order_ts,quantity,unit_price,status,_sluice_file"
"$sluice" cat $project/lake/bronze/orders --limit 5 \
  --columns order_id,order_ts,quantity,unit_price,status,_sluice_file
step "cat $project/lake/quarantine/orders --columns file,line,field,error_kind,message --limit 8"
"$sluice" cat $project/lake/quarantine/orders --columns file,line,field,error_kind,message --limit 8
step "schema $project/lake/bronze/customers   (loyalty_tier arrived with drop 3: schema drift, evolved)"
"$sluice" schema $project/lake/bronze/customers
step "cat $project/lake/silver/customers --limit 3   (latest row per customer; email hmac, phone masked, name tokenized)"
"$sluice" cat $project/lake/silver/customers --limit 3 --columns customer_id,name,email,phone,city,updated_at
step "cat $project/lake/silver/orders --limit 3 --columns order_id,status,channel,amount,order_date,sku,category"
"$sluice" cat $project/lake/silver/orders --limit 3 --columns order_id,status,channel,amount,order_date,sku,category
step "cat $project/lake/quarantine/silver.orders --columns error_kind,message --limit 4   (rows silver's checks set aside)"
"$sluice" cat $project/lake/quarantine/silver.orders --columns error_kind,message --limit 4
step "quality $project/lake/silver/orders   (each run's check results, kept in the lake)"
"$sluice" quality $project/lake/silver/orders --limit 5
echo
echo "Look further:"
echo "  $sluice cat $project/lake/bronze/customers --limit 10"
echo "  $sluice table history $project/lake/bronze/orders     (each commit lists the files it took)"
echo "  $sluice profile $project/lake/bronze/customers --suggest   (columns, and masks for PII)"
echo "  $project/runs/*/report.json                            (each run's report)"
