#!/usr/bin/env bash
# Incremental runs give what one run over everything gives. The retail project (examples/retail)
# is fed by examples/retail_generator one day at a time — duplicate and re-sent orders, a late
# orders file (day 4), customer drops with address changes (SCD2) and new customers whose orders
# came first (days 1, 3, 5) — with one `sluice run` per day. After every day, a fresh project
# given the same files in one run must hold the same warehouse: every order of fact_sales with the
# same measures, date, product and customer (the business key of the version it points to), the
# same daily aggregates, the same current customer and product rows; and the incremental lake's
# fact must hold as many rows as its warehouse table. On day 2 the loads and the aggregate are
# held back (as when the warehouse was down), so on day 3 they catch up over two merges of the
# fact — the second rewriting files the first added.
#   tests/e2e/incremental_equivalence.sh SLUICE_BINARY RETAIL_GENERATOR [sqlite|postgres]
# With postgres, every project loads its own schema of the server $SLUICE_PG_ENV describes (the
# pg_server ctest fixture starts one).
set -uo pipefail
sluice=$1
generator=$2
warehouse=${3:-sqlite}
if [[ $warehouse == postgres ]]; then
  : "${SLUICE_PG_ENV:?run through ctest: the pg_server fixture writes the env file}"
  set -a
  # shellcheck disable=SC1090
  . "$SLUICE_PG_ENV"
  set +a
  export WAREHOUSE_PASSWORD=$PGPASSWORD
  run_tag=eq$(date +%s%N)_$$
fi
here=$(cd "$(dirname "$0")" && pwd)
retail="$here/../../examples/retail"
work=$(mktemp -d)
trap 'drop_project "$work/incremental"; rm -rf "$work"' EXIT
days=6
"$generator" --out "$work/drops" --orders 9000 --customers 900 --products 60 --order-files "$days" \
  --seed 7 > /dev/null || { echo "FAIL: the generator failed"; exit 1; }
mapfile -t order_files < <(cd "$work/drops/orders" && ls | grep -v _late)
late_file=$(cd "$work/drops/orders" && ls | grep _late)
export SLUICE_MASKING_KEY=equivalence-test-masking-key SLUICE_TOKEN_KEY=$(printf '%064d' 3)

new_project() {  # new_project DIR: the retail project with an empty inbox
  mkdir -p "$1"/inbox/{orders,customers,products}
  cp "$retail/sluice.yml" "$1/"
  cp -r "$retail/models" "$1/"
  if [[ $warehouse == postgres ]]; then
    local schema="${run_tag}_$(basename "$1")"
    psql -qAtc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" > /dev/null 2>&1 ||
      { echo "FAIL: cannot create schema $schema"; exit 1; }
    python3 - "$1/sluice.yml" "$schema" <<'PY'
import sys
path, schema = sys.argv[1], sys.argv[2]
text = open(path).read()
sqlite = "  type: sqlite\n  path: ./warehouse.db\n"
assert sqlite in text, "the retail project's warehouse is no longer the SQLite block this test replaces"
text = text.replace(sqlite, "  type: postgres\n  host: ${PGHOST}\n  port: ${PGPORT}\n"
                    "  database: ${PGDATABASE}\n  user: ${PGUSER}\n"
                    "  password: ${WAREHOUSE_PASSWORD}\n  sslmode: disable\n"
                    "  schema: " + schema + "\n")
open(path, "w").write(text)
PY
  fi
}
drop_project() {  # drop_project DIR
  rm -rf "$1"
  if [[ $warehouse == postgres ]]; then
    psql -qAtc "DROP SCHEMA IF EXISTS ${run_tag}_$(basename "$1") CASCADE" > /dev/null 2>&1
  fi
  return 0
}
deliver() {  # deliver DAY DIR: that day's files into DIR's inbox
  local day=$1 dir=$2
  cp "$work/drops/orders/${order_files[day - 1]}" "$dir/inbox/orders/"
  if ((day == 1)); then cp "$work/drops/products/"*.csv "$dir/inbox/products/"; fi
  if ((day == 4)); then cp "$work/drops/orders/$late_file" "$dir/inbox/orders/"; fi
  case "$day" in
    1) cp "$work/drops/customers/customers_1.jsonl" "$dir/inbox/customers/" ;;
    3) cp "$work/drops/customers/customers_2.jsonl" "$dir/inbox/customers/" ;;
    5) cp "$work/drops/customers/customers_3.jsonl" "$dir/inbox/customers/" ;;
  esac
}
# What must agree, as sorted CSV.
queries=(
  "select f.order_id, f.status, f.channel, f.quantity, f.unit_price, f.amount, f.date_key,
          p.product_id, case when f.customer_key = 0 then null else c.customer_id end
   from fact_sales f join dim_product p on p.product_key = f.product_key
   join dim_customer c on c.customer_key = f.customer_key order by f.order_id"
  "select date_key, orders, units, revenue, largest_order from daily_sales order by date_key"
  "select customer_id, street, city, postcode, country, email, phone from dim_customer
   where is_current and customer_key <> 0 order by customer_id"
  "select product_id, sku, name, category, active from dim_product where product_key <> 0
   order by product_id"
)
names=(fact_sales daily_sales dim_customer dim_product)

incremental="$work/incremental"
new_project "$incremental"
failures=0
for ((day = 1; day <= days; day++)); do
  deliver "$day" "$incremental"
  if ((day == 2)); then  # loads and the aggregate held back until day 3
    "$sluice" run "$incremental" --quiet --select bronze.orders bronze.customers bronze.products \
      silver.orders silver.customers silver.products gold.dim_customer gold.dim_product \
      gold.dim_date gold.fact_sales > "$work/run.out" 2>&1 || {
      echo "FAIL: day $day: the incremental run without loads failed:"; cat "$work/run.out"; exit 1
    }
    echo "day $day: loads held back"
    continue
  fi
  "$sluice" run "$incremental" --quiet > "$work/run.out" 2>&1 || {
    echo "FAIL: day $day: the incremental run failed:"; cat "$work/run.out"; exit 1
  }
  # From the second load on, a model test of the fact reads the rows changed since it passed
  # (warehouse/changes.h) — in this warehouse's SQL, and passing as it should. (The relationship
  # test reads every row on the days dim_customer is reloaded whole.)
  if ((day >= 4)); then
    report="$(ls -t "$incremental"/runs/*/report.json | head -1)"
    scope=$(node -e '
      const r = require(process.argv[1]);
      const m = r.tasks.find(t => t.name === "warehouse.models");
      const t = m.details.tests.find(t => t.test === "sales_status_known");
      console.log(t.passed ? t.rows_read : "failed");' "$report")
    if [[ $scope != "changed after lake version "* ]]; then
      echo "FAIL: day $day: sales_status_known read $scope rows, not the changed ones ($report)"
      failures=$((failures + 1))
    fi
  fi
  whole="$work/whole_$day"
  new_project "$whole"
  for ((d = 1; d <= day; d++)); do deliver "$d" "$whole"; done
  "$sluice" run "$whole" --quiet > "$work/run.out" 2>&1 || {
    echo "FAIL: day $day: the run over every file failed:"; cat "$work/run.out"; exit 1
  }
  for i in "${!queries[@]}"; do
    "$sluice" query "$incremental" "${queries[$i]}" --csv > "$work/a.csv" 2>&1
    "$sluice" query "$whole" "${queries[$i]}" --csv > "$work/b.csv" 2>&1
    if ! cmp -s "$work/a.csv" "$work/b.csv"; then
      echo "FAIL: day $day: ${names[$i]} differs between the incremental runs (<) and one run (>):"
      diff "$work/a.csv" "$work/b.csv" | head -20
      failures=$((failures + 1))
    elif [[ $(wc -l < "$work/a.csv") -lt 2 ]]; then
      echo "FAIL: day $day: ${names[$i]} is empty"
      failures=$((failures + 1))
    fi
  done
  lake_rows=$("$sluice" count "$incremental/lake/gold/fact_sales" 2>/dev/null | tr -dc 0-9)
  warehouse_rows=$("$sluice" query "$incremental" "select count(*) from fact_sales" --csv | tail -1)
  if [[ "$lake_rows" != "$warehouse_rows" ]]; then
    echo "FAIL: day $day: the lake's fact has $lake_rows rows, the warehouse's $warehouse_rows"
    failures=$((failures + 1))
  fi
  drop_project "$whole"
  echo "day $day: $warehouse_rows facts agree ($warehouse)"
done
((failures == 0)) || exit 1
echo "PASS: $days days of incremental runs equal one run over the same files ($warehouse)"
