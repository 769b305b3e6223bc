#!/usr/bin/env bash
# Loading a real PostgreSQL 15: every mode (merge for a dimension and a fact, replace for an
# aggregate, append for a silver table), a new upstream column (ALTER TABLE), SQL models (a
# materialized view refreshed, a view on it) and model tests, faithful types, an idempotent rerun,
# a row the server refuses (to quarantine with its reason), a load whose connection is killed in
# the middle of its COPY (the table holds all of the load or none of it), and a wrong password
# (a clear error; the password never shown).
#   pg_warehouse.sh SLUICE_BINARY WORK_DIR     (SLUICE_PG_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
: "${SLUICE_PG_ENV:?run through ctest: the pg_server fixture writes the env file}"
set -a
# shellcheck disable=SC1090
. "$SLUICE_PG_ENV"
set +a
export WAREHOUSE_PASSWORD=$PGPASSWORD
# Every run of this test in its own schema.
schema=t$(date +%s%N)_$$
psql -qAtc "CREATE SCHEMA $schema" > /dev/null
export PGOPTIONS="-c search_path=$schema"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
sql() { psql -qAtc "$1"; }

rm -rf "$work" && mkdir -p "$work/p/drops/customers" "$work/p/drops/orders" "$work/p/drops/notes" \
  "$work/p/models"
cd "$work/p"
cat > sluice.yml <<EOF
name: pg_warehouse
retries: {attempts: 1}
sources:
  customers: {path: drops/customers/*.csv, min_age: 0s, schema: {customer_id: int64, updated_at: timestamp}}
  orders: {path: drops/orders/*.csv, min_age: 0s, schema: {order_id: int64, customer_id: int64, order_ts: timestamp, amount: "decimal(12,2)"}}
  notes: {path: drops/notes/*.csv, min_age: 0s, schema: {note_id: int64}}
tables:
  silver.notes:
    from: bronze.notes
  silver.customers:
    from: bronze.customers
    dedupe: {key: [customer_id], latest_by: updated_at}
  silver.orders:
    from: bronze.orders
  gold.dim_customer:
    kind: dimension
    from: silver.customers
    key: customer_id
    valid_from: updated_at
  gold.fact_orders:
    kind: fact
    from: silver.orders
    grain: [order_id]
    dimensions:
      customer: {table: gold.dim_customer, on: customer_id, as_of: order_ts}
  gold.revenue_by_customer:
    kind: aggregate
    from: gold.fact_orders
    group_by: [customer_key]
    measures: {orders: count(*), revenue: sum(amount)}
warehouse:
  type: postgres
  host: \${PGHOST}
  port: \${PGPORT}
  database: \${PGDATABASE}
  user: \${PGUSER}
  password: \${WAREHOUSE_PASSWORD}
  sslmode: disable
  schema: $schema
  foreign_keys: true
  tests:
    fact_customer_known: {model: fact_orders, test: relationships, column: customer_key, to: dim_customer.customer_key}
    city_present: {model: city_revenue, test: not_null, column: city}
load:
  gold.*: {}
  silver.orders: {mode: append, as: orders_log}
  silver.notes: {mode: append, key: [note_id]}
EOF
cat > models/city_revenue.sql <<'EOF'
{{ config(materialized='materialized_view') }}
select c.city, count(*) as orders, sum(f.amount) as revenue
from {{ ref('fact_orders') }} f join {{ ref('dim_customer') }} c on c.customer_key = f.customer_key
group by c.city
EOF
cat > models/top_city.sql <<'EOF'
select city from {{ ref('city_revenue') }} order by revenue desc limit 1
EOF
cat > drops/customers/c1.csv <<'EOF'
customer_id,name,city,updated_at
1,Ann,Oslo,2026-11-01T00:00:00Z
2,Bob,Rome,2026-11-01T00:00:00Z
EOF
cat > drops/notes/n1.csv <<'EOF'
note_id,text
1,first
EOF
cat > drops/orders/o1.csv <<'EOF'
order_id,customer_id,order_ts,amount
10,1,2026-11-02T10:00:00Z,10.50
11,2,2026-11-02T11:00:00Z,20.25
12,2,2026-11-02T12:00:00Z,1.00
EOF

run() {
  "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"
}
run || fail "run 1: $(cat "$work/run.out" "$work/run.err")"
[ "$(sql "select count(*) from dim_customer")" = 3 ] || fail "dim_customer: $(sql "select * from dim_customer")"
[ "$(sql "select count(*) from fact_orders")" = 3 ] || fail "fact_orders"
[ "$(sql "select count(*) from orders_log")" = 3 ] || fail "orders_log"
[ "$(sql "select revenue from revenue_by_customer order by customer_key" | tr '\n' ' ')" = "10.50 21.25 " ] ||
  fail "revenue_by_customer: $(sql "select * from revenue_by_customer")"
[ "$(sql "select * from top_city")" = Rome ] || fail "top_city: $(sql "select * from top_city")"
# Types as declared: decimal → NUMERIC(p,s), timestamp → TIMESTAMPTZ, keys BIGINT.
types=$(sql "select column_name || ' ' || data_type || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') from information_schema.columns where table_schema = '$schema' and table_name = 'fact_orders' order by ordinal_position" | tr '\n' ';')
[ "$types" = "customer_key bigint(64,0);order_id bigint(64,0);order_ts timestamp with time zone;amount numeric(12,2);" ] ||
  fail "fact_orders types: $types"
[ "$(sql "select count(*) from pg_constraint where contype = 'f' and conrelid = '$schema.fact_orders'::regclass")" = 1 ] ||
  fail "no foreign key from fact_orders to dim_customer"
[ "$(sql "select count(*) from pg_matviews where schemaname = '$schema' and matviewname = 'city_revenue'")" = 1 ] ||
  fail "city_revenue is not a materialized view"
matview_oid=$(sql "select 'city_revenue'::regclass::oid")
echo "ok: first load (merge, replace, append), types, foreign key, models"

# Day 2: customer 1 moves, new orders arrive with a new column.
cat > drops/customers/c2.csv <<'EOF'
customer_id,name,city,updated_at
1,Ann,Bergen,2026-11-05T00:00:00Z
EOF
cat > drops/orders/o2.csv <<'EOF'
order_id,customer_id,order_ts,amount,channel
13,1,2026-11-06T10:00:00Z,100.00,web
14,1,2026-11-01T10:00:00Z,2.00,store
EOF
run || fail "run 2: $(cat "$work/run.out" "$work/run.err")"
[ "$(sql "select count(*) from dim_customer where customer_id = 1")" = 2 ] || fail "customer 1 has no second version"
[ "$(sql "select c.city from fact_orders f join dim_customer c using (customer_key) where order_id = 13")" = Bergen ] ||
  fail "order 13 is not Bergen's"
[ "$(sql "select count(*) from orders_log")" = 5 ] || fail "orders_log after append: $(sql "select count(*) from orders_log")"
[ "$(sql "select coalesce(channel, '-') from orders_log order by order_id" | tr '\n' ' ')" = "- - - web store " ] ||
  fail "orders_log.channel: $(sql "select * from orders_log")"
[ "$(sql "select channel from fact_orders where order_id = 13")" = web ] || fail "fact_orders.channel"
[ "$(sql "select city || ':' || revenue from city_revenue order by city" | tr '\n' ' ')" = "Bergen:100.00 Oslo:12.50 Rome:21.25 " ] ||
  fail "the materialized view was not refreshed: $(sql "select * from city_revenue")"
[ "$(sql "select * from top_city")" = Bergen ] || fail "top_city after day 2"
[ "$(sql "select 'city_revenue'::regclass::oid")" = "$matview_oid" ] ||
  fail "the materialized view was created again, not refreshed in place"
grep -q "warehouse.models: 1 models built, 1 refreshed" "$work/run.out" ||
  fail "no refresh reported: $(cat "$work/run.out")"
echo "ok: second load (new version, new column, append, refreshed models)"

# A rerun: nothing new, nothing loaded, the ledger unchanged.
ledger=$(sql "select target || ':' || lake_version from _sluice_loads order by target")
counts=$(sql "select (select count(*) from fact_orders) || ',' || (select count(*) from orders_log) || ',' || (select count(*) from dim_customer)")
run || fail "rerun: $(cat "$work/run.out" "$work/run.err")"
[ "$(sql "select target || ':' || lake_version from _sluice_loads order by target")" = "$ledger" ] ||
  fail "the rerun changed the ledger"
[ "$(sql "select (select count(*) from fact_orders) || ',' || (select count(*) from orders_log) || ',' || (select count(*) from dim_customer)")" = "$counts" ] ||
  fail "the rerun changed the rows"
grep -Eq 'load\.fact_orders +ok +0 +0 +0' "$work/run.out" || fail "the rerun loaded again: $(cat "$work/run.out")"
echo "ok: rerun idempotent ($ledger)" | tr '\n' ' '; echo

# A row the server refuses (a null primary key) goes to quarantine with its reason; the rest
# loads.
cat > drops/notes/n2.csv <<'EOF'
note_id,text
2,second
,no key
3,third
EOF
run || fail "run 3: $(cat "$work/run.out" "$work/run.err")"
[ "$(sql "select string_agg(note_id::text, ',' order by note_id) from notes")" = "1,2,3" ] ||
  fail "notes: $(sql "select * from notes")"
"$sluice" cat lake/quarantine/load.notes --columns message,raw --to csv > "$work/quarantine.csv"
grep -q 'null value in column ""note_id"" of relation' "$work/quarantine.csv" ||
  fail "quarantine: $(cat "$work/quarantine.csv")"
grep -q 'no key' "$work/quarantine.csv" || fail "the refused row is not in quarantine: $(cat "$work/quarantine.csv")"
grep -Eq 'load\.notes +ok +3 +2 +1' "$work/run.out" || fail "load.notes counts: $(cat "$work/run.out")"
echo "ok: a refused row went to quarantine: $(sed -n 2p "$work/quarantine.csv" | cut -c1-100)"

# A load killed in the middle of its COPY: the table holds all of it or none of it.
before=$(sql "select count(*) from fact_orders")
awk 'BEGIN { print "order_id,customer_id,order_ts,amount,channel";
             for (i = 1000; i < 401000; i++) printf "%d,%d,2026-11-08T%02d:%02d:00Z,%d.%02d,web\n", i, 1 + i % 2, (i / 60) % 24, i % 60, i % 500, i % 100 }' \
  > drops/orders/o4.csv
"$sluice" run . --no-progress > "$work/killed.out" 2> "$work/killed.err" &
runner=$!
killed=0
for _ in $(seq 1 1200); do
  if [ "$(sql "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sluice' and query like 'COPY \"fact_orders%'" | head -n 1)" = t ]; then
    killed=1
    break
  fi
  kill -0 $runner 2> /dev/null || break
  sleep 0.02
done
status=0
wait $runner || status=$?
[ $killed = 1 ] || fail "never caught the COPY of fact_orders to kill it: $(cat "$work/killed.out")"
[ $status -ne 0 ] || fail "the run whose connection was killed succeeded"
grep -q "connection" "$work/killed.out" "$work/killed.err" || fail "no word of the lost connection: $(cat "$work/killed.out")"
after=$(sql "select count(*) from fact_orders")
[ "$after" = "$before" ] || fail "a killed load left $after rows, expected $before (all or nothing)"
run || fail "the run after the kill: $(cat "$work/run.out" "$work/run.err")"
[ "$(sql "select count(*) from fact_orders")" = $((before + 400000)) ] || fail "the retried load is incomplete"
echo "ok: killed load left $before rows (none of it); the next run loaded all $((before + 400000))"

# A wrong password: a clear error, and the password appears nowhere.
canary="canary-$$-wrong-password"
status=0
WAREHOUSE_PASSWORD=$canary "$sluice" run . --no-progress > "$work/wrong.out" 2>&1 || status=$?
[ $status -ne 0 ] || fail "a run with a wrong password succeeded"
WAREHOUSE_PASSWORD=$canary "$sluice" query . "select 1" > "$work/wrong-query.out" 2>&1 && fail "query with a wrong password"
grep -q "password authentication failed" "$work/wrong-query.out" || fail "no clear error: $(cat "$work/wrong-query.out")"
if grep -rq -- "$canary" "$work"/*.out runs; then fail "the password leaked"; fi
if grep -rqF -- "$PGPASSWORD" "$work"/*.out "$work"/*.err runs; then fail "the real password leaked"; fi
psql -qc "DROP SCHEMA $schema CASCADE" > /dev/null
echo "ok: PostgreSQL warehouse: modes, new column, models, rerun, refusals, killed load, wrong password"
