#!/usr/bin/env bash
# Crash test of the whole pipeline, bronze to the warehouse: SIGKILL `sluice run` at random
# instants (SLUICE_CRASH_RUNS times, default 40; SLUICE_CRASH_SEED picks the instants) while order and customer files keep arriving,
# then run it to completion. Whatever instant the kills hit (a silver, gold or quarantine commit, a
# dimension's merge, a warehouse transaction), every order must be in the gold fact and in the
# warehouse exactly once with its amount, every dimension member must have exactly one current
# version and no overlapping ones, surrogate keys must be unique, and a last run must find
# nothing to do.
# With SLUICE_CRASH_MEMORY_LIMIT (e.g. 16MiB) every run gets --memory-limit, so silver spills its
# rows to temporary files while the kills land; the spill folder must be empty afterwards, and a
# last --full-refresh (which must spill) must give the same rows.
#   tests/e2e/crash_pipeline.sh SLUICE_BINARY
set -uo pipefail
sluice=$1
runs=${SLUICE_CRASH_RUNS:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mkdir -p drops/orders drops/customers
RANDOM=${SLUICE_CRASH_SEED:-20261203}
limit_flags=()
if [ -n "${SLUICE_CRASH_MEMORY_LIMIT:-}" ]; then
  limit_flags=(--memory-limit "$SLUICE_CRASH_MEMORY_LIMIT")
  export SLUICE_SPILL_DIR=$work/spill
  mkdir -p "$SLUICE_SPILL_DIR"
fi

files=16
orders_per_file=20000
customers=200
# orders_NN.csv: unique ids; customers 1..200; amounts in cents known to the test.
make_orders() {
  local n=$1
  awk -v n="$n" -v rows="$orders_per_file" -v customers="$customers" 'BEGIN {
    print "order_id,customer_id,order_ts,amount";
    for (i = 1; i <= rows; i++) {
      id = n * 100000 + i;
      printf "%d,%d,2026-11-%02dT%02d:%02d:00Z,%d.%02d\n", id, 1 + (id * 7) % customers,
        1 + n, i % 24, i % 60, i % 300, i % 100;
    }
  }' > "drops/orders/.o_$n.tmp"
  mv "drops/orders/.o_$n.tmp" "drops/orders/orders_$(printf %02d "$n").csv"
}
# customers_NN.csv: file 1 has every customer; later files move a tenth of them (one row each).
make_customers() {
  local n=$1
  awk -v n="$n" -v customers="$customers" 'BEGIN {
    print "customer_id,city,updated_at";
    for (c = 1; c <= customers; c++) {
      if (n > 1 && (c + n) % 10 != 0) continue;
      printf "%d,city_%d_%d,2026-11-%02dT00:00:00Z\n", c, c, n, n;
    }
  }' > "drops/customers/.c_$n.tmp"
  mv "drops/customers/.c_$n.tmp" "drops/customers/customers_$(printf %02d "$n").csv"
}

cat > sluice.yml <<'YAML'
name: crash_pipeline
parallelism: 2
retries: {attempts: 3, delay: 0s}
sources:
  orders: {path: drops/orders/*.csv, min_age: 0s, schema: {order_id: int64, customer_id: int64, order_ts: timestamp, amount: "decimal(10,2)"}}
  customers: {path: drops/customers/*.csv, min_age: 0s, schema: {customer_id: int64, updated_at: timestamp}}
tables:
  silver.customers:
    from: bronze.customers
    dedupe: {key: [customer_id], latest_by: updated_at}
  silver.orders:
    from: bronze.orders
    dedupe: {key: [order_id], latest_by: order_ts}
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
warehouse: {type: sqlite, path: ./warehouse.db, foreign_keys: true}
load:
  gold.*: {}
YAML

made=0
completed=0
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ] && [ $made -lt $files ]; then
    made=$((made + 1)); make_orders $made; make_customers $made
  fi
  "$sluice" run . --quiet "${limit_flags[@]}" > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 400)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
  else
    wait "$pid" 2>/dev/null && completed=$((completed + 1))
  fi
done
while [ $made -lt $files ]; do
  made=$((made + 1)); make_orders $made; make_customers $made
done
echo "crash_pipeline: $runs runs killed at random instants ($completed finished before the kill)"

failed=0
fail() { echo "FAIL: $*"; failed=1; }
"$sluice" run . --quiet "${limit_flags[@]}" || fail "the final run failed"
q() { "$sluice" query . "$1" --csv | tail -n +2; }

expected_orders=$((files * orders_per_file))
expected_amount=$(cat drops/orders/*.csv | awk -F, 'NR > 1 && $1 != "order_id" { split($4, p, "."); cents += p[1] * 100 + p[2] } END { printf "%d.%02d", cents / 100, cents % 100 }')
lake_orders=$("$sluice" count lake/gold/fact_orders)
[ "$lake_orders" = "$expected_orders" ] || fail "gold.fact_orders has $lake_orders rows, expected $expected_orders"
[ "$(q "select count(*), count(distinct order_id) from fact_orders")" = "$expected_orders,$expected_orders" ] ||
  fail "warehouse fact_orders: $(q "select count(*), count(distinct order_id) from fact_orders")"
[ "$(q "select printf('%.2f', sum(amount)) from fact_orders")" = "$expected_amount" ] ||
  fail "warehouse amounts: $(q "select sum(amount) from fact_orders"), expected $expected_amount"
[ "$(q "select count(*) from fact_orders where customer_key = 0")" = 0 ] ||
  fail "orders without their customer: $(q "select count(*) from fact_orders where customer_key = 0")"
[ "$(q "select sum(orders) from revenue_by_customer")" = "$expected_orders" ] ||
  fail "revenue_by_customer counts $(q "select sum(orders) from revenue_by_customer") orders"
# Dimension invariants, in the lake (through the warehouse copy) and in the warehouse.
[ "$(q "select count(*) from (select customer_id from dim_customer where customer_key <> 0 group by customer_id having sum(is_current) <> 1)")" = 0 ] ||
  fail "members without exactly one current version"
[ "$(q "select count(*) from dim_customer a join dim_customer b on a.customer_id = b.customer_id and a.customer_key < b.customer_key and a.valid_from < coalesce(b.valid_to, '9999') and b.valid_from < coalesce(a.valid_to, '9999')")" = 0 ] ||
  fail "overlapping versions"
[ "$(q "select count(distinct customer_id) from dim_customer where customer_key <> 0")" = "$customers" ] ||
  fail "dim_customer has $(q "select count(distinct customer_id) from dim_customer where customer_key <> 0") members"
[ "$("$sluice" count lake/gold/dim_customer)" = "$(q "select count(*) from dim_customer")" ] ||
  fail "the warehouse's dim_customer differs from the lake's"
lake_keys=$("$sluice" cat lake/gold/dim_customer --columns customer_key --to csv | tail -n +2 | sort | uniq -d | wc -l)
[ "$lake_keys" = 0 ] || fail "$lake_keys surrogate keys used twice in the lake"
# Nothing left to do.
"$sluice" run . --no-progress > last.out 2>&1 || fail "the last run failed"
if grep -E '^(silver|gold|load)\.' last.out | grep -vEq ' ok +0 +0 +0 '; then
  fail "the last run still did work: $(cat last.out)"
fi
if [ ${#limit_flags[@]} -gt 0 ]; then
  left=$(find "$SLUICE_SPILL_DIR" -mindepth 1 | wc -l)
  [ "$left" = 0 ] || fail "$left files left in the spill folder"
  # A full rebuild of 320,000 orders in 16 MiB spills, and gives the same rows.
  "$sluice" run . --quiet --full-refresh "${limit_flags[@]}" || fail "the full refresh failed"
  report=$(ls -t runs/*/report.json | head -1)
  grep -q '"spilled_bytes"' "$report" || fail "the full refresh did not spill: $report"
  lake_orders=$("$sluice" count lake/gold/fact_orders)
  [ "$lake_orders" = "$expected_orders" ] || fail "after the spilled rebuild: $lake_orders orders"
  [ "$(q "select printf('%.2f', sum(amount)) from fact_orders")" = "$expected_amount" ] ||
    fail "after the spilled rebuild, warehouse amounts: $(q "select sum(amount) from fact_orders")"
  echo "crash_pipeline: spilling under ${SLUICE_CRASH_MEMORY_LIMIT}; spill folder empty"
fi
[ $failed -eq 0 ] && echo "ok: $expected_orders orders once each in the lake and the warehouse; dimension history consistent; a last run did nothing"
exit $failed
