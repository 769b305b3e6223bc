#!/usr/bin/env bash
# The main job: install what is missing, build the release binary, and run the retail demo project
# (examples/retail) end to end on embedded defaults — three days of raw file drops into bronze
# Delta tables in a local lake folder (bad records into quarantine), silver tables cleaned,
# masked and checked, a gold star schema with customer history (SCD2), loaded into a SQLite
# warehouse with SQL models — then run it again to show that a rerun changes nothing, and answer a
# business question from the warehouse.
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
# A fresh start each time: the inbox, the lake, the warehouse and the run reports are outputs of
# the demo.
rm -rf "$project/inbox" "$project/lake" "$project/runs" "$project"/warehouse.db*
# The silver tables mask PII with keys from the environment. These are demo keys, printed here on
# purpose; a real project keeps its own keys secret (openssl rand -hex 32).
export SLUICE_MASKING_KEY=${SLUICE_MASKING_KEY:-retail-demo-masking-key}
export SLUICE_TOKEN_KEY=${SLUICE_TOKEN_KEY:-000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}

step() { echo; echo "\$ sluice $*"; }

step validate $project
"$sluice" validate $project
step plan $project
"$sluice" plan $project
for day in 1 2 3; do
  echo
  echo "# day $day: the shop's files arrive (examples/retail/deliver.sh $day)"
  bash "$project/deliver.sh" "$day"
  step "run $project"
  "$sluice" run $project --no-progress
done
step "run $project   (again: nothing new arrived, so nothing changes)"
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
step "cat $project/lake/gold/dim_customer   (customer 3 moved from Vienna to Madrid: two versions)"
"$sluice" cat $project/lake/gold/dim_customer --where "customer_id = 3" \
  --columns customer_key,customer_id,city,country,valid_from,valid_to,is_current
step "query $project \"select * from daily_sales\"   (the warehouse: SQLite, $project/warehouse.db)"
"$sluice" query $project "select * from daily_sales"
echo
echo "# The question: which countries bring the revenue, counting each order in the country the"
echo "# customer lived in when they ordered (models/revenue_by_country.sql, a view)?"
step "query $project \"select * from revenue_by_country\""
"$sluice" query $project "select * from revenue_by_country"
echo
echo "Look further:"
echo "  $sluice plan $project                              (every task, what it reads and writes)"
echo "  $sluice query $project \"select * from _sluice_loads\"   (which lake version each table holds)"
echo "  $sluice cat $project/lake/gold/fact_sales --limit 10"
echo "  $sluice table history $project/lake/bronze/orders     (each commit lists the files it took)"
echo "  $sluice profile $project/lake/bronze/customers --suggest   (columns, and masks for PII)"
echo "  $project/runs/*/report.json                            (each run's report)"
