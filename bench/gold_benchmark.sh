#!/usr/bin/env bash
# The retail sales fact: `sluice run --select gold.fact_sales` — read the silver orders, look up
# each order's customer version valid at its time (scd2, point in time), its product and its
# date key, check the grain (order_id) unique, write the Delta table with its ledger — against
# DuckDB running the same as SQL over the same Parquet files (bench/duckdb_gold.mjs: an ASOF join).
# The silver tables and the dimensions are built first, not timed, from the retail generator's
# drops (default 10M orders). Both outputs must agree (rows and the sums of every key column); the
# ratio is DuckDB seconds / sluice seconds (above 1: sluice is faster).
#
#   bench/gold_benchmark.sh [--orders N] [--build-dir DIR] [--threads N] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
node_dir="$bench_dir/.node"
data_dir="$bench_dir/.data"
build_dir="$repo_root/build/release"
orders=10000000
threads=2
runs=3
while (($#)); do
  case "$1" in
    --orders) orders="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --threads) threads="${2:?}"; shift 2 ;;
    --runs) runs="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "gold_benchmark: $*" >&2; }
source "$bench_dir/harness.sh"
ensure_retail
ensure_tools
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
project="$work_dir/project"
mkdir -p "$project"
# The retail example's tables, on the generated drops, without masks (no keys needed here).
cat > "$project/sluice.yml" <<YAML
name: gold_bench
sources:
  orders: {path: $drops/orders/*.csv, min_age: 0s, schema: {order_id: int64, order_ts: timestamp, customer_id: int64, product_id: int64, quantity: int32, unit_price: "decimal(10,2)"}}
  customers: {format: ndjson, path: $drops/customers/*.jsonl, min_age: 0s, schema: {customer_id: int64, updated_at: timestamp}}
  products: {path: $drops/products/*.csv, min_age: 0s, schema: {product_id: int64, unit_price: "decimal(10,2)"}}
tables:
  silver.products: {from: bronze.products}
  silver.customers: {from: bronze.customers, dedupe: {key: [customer_id], latest_by: updated_at}}
  silver.orders:
    from: bronze.orders
    trim: true
    derive: {status: lower(status), amount: quantity * unit_price, order_date: CAST(order_ts AS date)}
    dedupe: {key: [order_id], latest_by: order_ts}
  gold.dim_customer: {kind: dimension, from: silver.customers, key: customer_id, valid_from: updated_at}
  gold.dim_product: {kind: dimension, from: silver.products, key: product_id, history: scd1}
  gold.dim_date: {kind: date_dimension, start: 2026-01-01, end: 2027-12-31}
  gold.fact_sales:
    kind: fact
    from: silver.orders
    grain: [order_id]
    dimensions:
      customer: {table: gold.dim_customer, on: customer_id, as_of: order_ts}
      product: {table: gold.dim_product, on: product_id}
      date: {table: gold.dim_date, on: order_date}
    degenerate: [order_id, order_ts, status, channel]
    measures: [quantity, unit_price, amount]
YAML
log "bronze, silver and dimensions: $orders orders (not timed)"
"$sluice" --threads "$threads" run "$project" --quiet \
  --select bronze.orders,bronze.customers,bronze.products,silver.orders,silver.customers,silver.products,gold.dim_customer,gold.dim_product,gold.dim_date

sums() {
  "$sluice" cat "$1" --columns customer_key,product_key,date_key --to csv |
    awk -F, 'NR > 1 { n++; c += $1; p += $2; d += $3 } END { printf "%.0f %.0f %.0f %.0f", n, c, p, d }'
}
sluice_best="" duckdb_best=""
for ((run = 1; run <= runs; run++)); do
  rm -rf "$project/lake/gold/fact_sales" "$project/runs"
  run_timed "$sluice" --threads "$threads" run "$project" --select gold.fact_sales --quiet
  best_seconds="$sluice_best"; peak_rss_kib=0; record_run "$run_seconds"; sluice_best="$best_seconds"
  sluice_rss="$run_rss_kib"
  rm -rf "$work_dir/duck" && mkdir -p "$work_dir/duck"
  run_timed node "$bench_dir/duckdb_gold.mjs" "$project/lake" "$work_dir/duck" "$threads"
  read -r duck_rows duck_customers duck_products duck_dates duck_seconds <<< "$run_output"
  best_seconds="$duckdb_best"; record_run "$duck_seconds"; duckdb_best="$best_seconds"
  duck_rss="$run_rss_kib"
  log "run $run: sluice $(printf %.2f "$sluice_best") s best, DuckDB $(printf %.2f "$duckdb_best") s best"
done
read -r rows customers products dates <<< "$(sums "$project/lake/gold/fact_sales")"
if [[ "$rows $customers $products $dates" != "$duck_rows $duck_customers $duck_products $duck_dates" ]]; then
  log "the tools disagree: sluice $rows rows, key sums $customers $products $dates; DuckDB $duck_rows, $duck_customers $duck_products $duck_dates"
  exit 1
fi
ratio=$(awk -v d="$duckdb_best" -v s="$sluice_best" 'BEGIN { printf "%.2f", d / s }')
printf 'rows           %s facts (both tools; the sums of customer_key, product_key, date_key agree)\n' "$rows"
printf 'sluice run     %.3f s  %.0f rows/s  peak RSS %s MB (best of %s)\n' "$sluice_best" "$(awk -v r="$rows" -v s="$sluice_best" 'BEGIN{print r/s}')" "$(rss_megabytes "$sluice_rss")" "$runs"
printf 'duckdb SQL     %.3f s  %.0f rows/s  peak RSS %s MB (query only)\n' "$duckdb_best" "$(awk -v r="$rows" -v s="$duckdb_best" 'BEGIN{print r/s}')" "$(rss_megabytes "$duck_rss")"
printf 'ratio          %s (DuckDB seconds / sluice seconds)\n' "$ratio"
