#!/usr/bin/env bash
# Bronze ingestion: `sluice run` over the retail generator's orders drops (default 1M orders in 5
# files, ~58 MB, ~1.4% bad rows) against DuckDB doing the same read → audit columns → partitioned
# Parquet in one COPY (bench/duckdb_ingest.mjs). sluice also writes the Delta log, the per-file
# ledger and the quarantine table; DuckDB writes plain Parquet. Rows written and rejected are
# checked to agree; the ratio is DuckDB seconds / sluice seconds (above 1: sluice is faster).
#
#   bench/pipeline_benchmark.sh [--orders N] [--build-dir DIR] [--threads N] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
node_dir="$bench_dir/.node"
data_dir="$bench_dir/.data"
build_dir="$repo_root/build/release"
orders=1000000
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
log() { echo "pipeline_benchmark: $*" >&2; }
source "$bench_dir/harness.sh"
ensure_retail
ensure_tools
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
bytes=$(cat "$drops"/orders/*.csv | wc -c)
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
YAML

sluice_best="" duckdb_best=""
for ((run = 1; run <= runs; run++)); do
  rm -rf "$project/lake" "$project/runs"
  run_timed "$sluice" --threads "$threads" run "$project" --quiet
  best_seconds="$sluice_best"; peak_rss_kib=0; record_run "$run_seconds"; sluice_best="$best_seconds"
  sluice_rss="$run_rss_kib"
  report=$(ls "$project"/runs/*/report.json)
  sluice_rows=$(node -p "require('$report').tasks[0].rows_out")
  sluice_rejects=$(node -p "require('$report').tasks[0].rows_quarantined")
  rm -rf "$work_dir/duck"
  run_timed node "$bench_dir/duckdb_ingest.mjs" "$drops/orders/*.csv" "$work_dir/duck" "$threads"
  read -r duck_rows duck_rejects duck_nulls duck_seconds <<< "$run_output"
  best_seconds="$duckdb_best"; record_run "$duck_seconds"; duckdb_best="$best_seconds"
  duck_rss="$run_rss_kib"
done
# Both tools must account for the same records; the only allowed difference is the impossible
# timestamps DuckDB writes as NULL where sluice quarantines them.
if ((sluice_rows + sluice_rejects != duck_rows + duck_rejects)) ||
   ((sluice_rejects - duck_rejects != duck_nulls)); then
  log "the tools disagree: sluice wrote $sluice_rows rows ($sluice_rejects rejected), DuckDB $duck_rows ($duck_rejects rejected, $duck_nulls null timestamps)"
  exit 1
fi
ratio=$(awk -v d="$duckdb_best" -v s="$sluice_best" 'BEGIN { printf "%.2f", d / s }')
printf 'input          %s orders in %s files, %s MB\n' "$orders" "$(ls "$drops"/orders/*.csv | wc -l)" "$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')"
printf 'rows           sluice %s written, %s quarantined; DuckDB %s written (%s of them with the\n' "$sluice_rows" "$sluice_rejects" "$duck_rows" "$duck_nulls"
printf '               impossible timestamp silently NULL), %s rejected\n' "$duck_rejects"
printf 'sluice run     %.3f s  %s MB/s  peak RSS %s MB (best of %s)\n' "$sluice_best" "$(megabytes_per_second "$bytes" "$sluice_best")" "$(rss_megabytes "$sluice_rss")" "$runs"
printf 'duckdb COPY    %.3f s  %s MB/s  peak RSS %s MB (query only)\n' "$duckdb_best" "$(megabytes_per_second "$bytes" "$duckdb_best")" "$(rss_megabytes "$duck_rss")"
printf 'ratio          %s (DuckDB seconds / sluice seconds)\n' "$ratio"
