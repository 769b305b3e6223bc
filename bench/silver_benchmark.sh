#!/usr/bin/env bash
# The retail silver step for orders: `sluice run --select silver.orders` over a bronze table of the
# retail generator's orders (default 10M) — read bronze, trim, derive, default, filter, dedupe by
# order_id (latest by order_ts), check (quarantine the failures), mask the customer id (HMAC),
# write one Delta commit with its ledger and the check history — against DuckDB running the
# equivalent SQL over the same bronze Parquet files (bench/duckdb_silver.mjs). Rows written and
# quarantined must agree; the ratio is DuckDB seconds / sluice seconds (above 1: sluice is faster).
#
#   bench/silver_benchmark.sh [--orders N] [--build-dir DIR] [--threads N] [--runs N]
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
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "silver_benchmark: $*" >&2; }
source "$bench_dir/harness.sh"
ensure_retail
ensure_tools
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
project="$work_dir/project"
mkdir -p "$project"
cat > "$project/sluice.yml" <<YAML
name: bench
parallelism: 1
sources:
  orders:
    path: $drops/orders/*.csv
    min_age: 0s
    schema: {order_id: int64, order_ts: timestamp, customer_id: int64, product_id: int64, quantity: int32, unit_price: "decimal(10,2)"}
tables:
  silver.orders:
    from: bronze.orders
    trim: true
    empty_as_null: true
    derive:
      status: lower(status)
      amount: quantity * unit_price
      order_date: CAST(order_ts AS date)
    nulls: {channel: "default 'unknown'"}
    filter: status <> 'test'
    dedupe: {key: [order_id], latest_by: order_ts}
    checks:
      status_known: {check: accepted_values, column: status, values: [placed, shipped, delivered, cancelled, returned], severity: quarantine}
      quantity_sane: {check: range, column: quantity, min: 1, max: 50, severity: quarantine}
      order_id_present: {check: not_null, columns: [order_id], severity: quarantine}
    mask: {customer_id: hmac}
YAML
export SLUICE_MASKING_KEY=bench-masking-key
log "bronze: ingesting $orders orders (not timed)"
"$sluice" --threads "$threads" run "$project" --select bronze.orders --quiet
bronze_rows=$(node -p "require('$(ls "$project"/runs/*/report.json)').tasks[0].rows_out")

sluice_best="" duckdb_best=""
for ((run = 1; run <= runs; run++)); do
  rm -rf "$project/lake/silver" "$project/lake/quality" "$project/lake/quarantine/silver.orders"
  rm -rf "$project/runs"
  run_timed "$sluice" --threads "$threads" run "$project" --select silver.orders --quiet
  best_seconds="$sluice_best"; peak_rss_kib=0; record_run "$run_seconds"; sluice_best="$best_seconds"
  sluice_rss="$run_rss_kib"
  report=$(ls "$project"/runs/*/report.json)
  sluice_rows=$(node -p "require('$report').tasks[0].rows_out")
  sluice_quarantined=$(node -p "require('$report').tasks[0].rows_quarantined")
  rm -rf "$work_dir/duck" && mkdir -p "$work_dir/duck"
  run_timed node "$bench_dir/duckdb_silver.mjs" "$project/lake/bronze/orders/**/*.parquet" \
    "$work_dir/duck" "$threads"
  read -r duck_rows duck_quarantined duck_seconds <<< "$run_output"
  best_seconds="$duckdb_best"; record_run "$duck_seconds"; duckdb_best="$best_seconds"
  duck_rss="$run_rss_kib"
done
if ((sluice_rows != duck_rows || sluice_quarantined != duck_quarantined)); then
  log "the tools disagree: sluice wrote $sluice_rows rows and quarantined $sluice_quarantined; DuckDB $duck_rows and $duck_quarantined"
  exit 1
fi
ratio=$(awk -v d="$duckdb_best" -v s="$sluice_best" 'BEGIN { printf "%.2f", d / s }')
printf 'input          %s bronze rows (%s orders generated)\n' "$bronze_rows" "$orders"
printf 'rows           %s written, %s quarantined (both tools)\n' "$sluice_rows" "$sluice_quarantined"
printf 'sluice run     %.3f s  %.0f rows/s  peak RSS %s MB (best of %s)\n' "$sluice_best" "$(awk -v r="$bronze_rows" -v s="$sluice_best" 'BEGIN{print r/s}')" "$(rss_megabytes "$sluice_rss")" "$runs"
printf 'duckdb SQL     %.3f s  %.0f rows/s  peak RSS %s MB (query only)\n' "$duckdb_best" "$(awk -v r="$bronze_rows" -v s="$duckdb_best" 'BEGIN{print r/s}')" "$(rss_megabytes "$duck_rss")"
printf 'ratio          %s (DuckDB seconds / sluice seconds)\n' "$ratio"
