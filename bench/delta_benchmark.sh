#!/usr/bin/env bash
# DELETE and MERGE on a Delta table of ~10M generated sales orders, copy-on-write and with
# deletion vectors (merge-on-read): seconds, peak RSS, how many data files each operation had to
# read (the point of file pruning), and what a full scan costs afterwards (the price of
# merge-on-read).
#
#   MERGE   1% of the rows changed: updates of the most recent orders (the usual shape of a
#           change feed) plus new orders, upserted by order_id
#   DELETE  0.1% of the rows: an order_id range
#
# The peer is DuckDB doing the same change the way a plain Parquet dataset needs it: rewriting the
# whole dataset (COPY ... WHERE NOT ... / ANTI JOIN ... UNION ALL). The ratio (DuckDB seconds /
# sluice seconds) shows what the transaction log and per-file statistics buy. Row counts after each
# operation are checked with both tools; a mismatch fails the run.
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'USAGE'
usage: bench/delta_benchmark.sh [--size-mb N] [--build-dir DIR] [--threads N]

  --size-mb N       generated CSV size in MB; default 1100 (about 10.3M rows)
  --build-dir DIR   sluice build directory; default build/release
  --threads N       threads for both tools; default 2
USAGE
}

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
data_dir="$bench_dir/.data"
node_dir="$bench_dir/.node"
size_mb=1100
build_dir="$repo_root/build/release"
threads=2
while (($#)); do
  case "$1" in
    --size-mb) size_mb="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --threads) threads="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "delta_benchmark: $*" >&2; }
source "$bench_dir/harness.sh"
sluice="$build_dir/apps/sluice/sluice"
[[ -x "$sluice" ]] || { log "no sluice binary at $sluice (cmake --preset release && cmake --build build/release)"; exit 2; }
ensure_tools
ensure_data csv
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
rows="${expected_rows[csv]}"
schema='order_id:int64,customer_id:int64,email:string,phone:string,order_ts:timestamp,product_id:string,quantity:int64,unit_price:decimal(18,2),status:string,country:string'

log "building the table: $rows rows"
table="$work_dir/orders"
run_timed "$sluice" --threads "$threads" convert "${data_file[csv]}" "$table/" --schema "$schema" \
  --target-file-size 64MiB --quiet
build_seconds="$run_seconds"
files_total="$(ls "$table"/*.parquet | wc -l)"
log "table built in ${build_seconds}s: $files_total data files"
# The same rows as one Parquet dataset for DuckDB.
ls "$table"/*.parquet > "$work_dir/files"
# A copy of the table with deletion vectors enabled.
table_dv="$work_dir/orders_dv"
cp -r "$table" "$table_dv"
"$sluice" table properties "$table_dv" delta.enableDeletionVectors=true > /dev/null 2>&1

# The change set: the newest 0.9% of orders get a new status, plus 0.1% new orders.
updates=$((rows * 9 / 1000))
inserts=$((rows / 1000))
{
  head -1 "${data_file[csv]}"
  tail -n "$updates" "${data_file[csv]}" | awk -F, 'BEGIN { OFS = "," } { $9 = "returned"; print }'
  tail -n "$inserts" "${data_file[csv]}" |
    awk -F, -v offset="$rows" 'BEGIN { OFS = "," } { $1 = $1 + offset; print }'
} > "$work_dir/changes.csv"

run_timed "$sluice" --threads "$threads" table merge "$table" "$work_dir/changes.csv" \
  --key order_id --schema "$schema"
merge_seconds="$run_seconds"
merge_rss="$run_rss_kib"
merge_line="$(grep 'merged into' "$work_dir/stderr")"
merge_read="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\1/' <<<"$merge_line")"
merge_total="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\2/' <<<"$merge_line")"
log "$merge_line"
count="$("$sluice" count "$table" 2>/dev/null)"
check_rows sluice "$count" "$((rows + inserts))" "$table after MERGE"

# DELETE 0.1%: an order_id range in the middle of the table.
low=$((rows / 2))
high=$((low + rows / 1000))
run_timed "$sluice" --threads "$threads" table delete "$table" \
  --where "order_id >= $low AND order_id < $high"
delete_seconds="$run_seconds"
delete_rss="$run_rss_kib"
delete_line="$(grep 'deleted' "$work_dir/stderr")"
delete_read="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\1/' <<<"$delete_line")"
delete_total="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\2/' <<<"$delete_line")"
log "$delete_line"
count="$("$sluice" count "$table" 2>/dev/null)"
check_rows sluice "$count" "$((rows + inserts - (high - low)))" "$table after DELETE"

# The same MERGE and DELETE with deletion vectors.
run_timed "$sluice" --threads "$threads" table merge "$table_dv" "$work_dir/changes.csv" \
  --key order_id --schema "$schema"
dv_merge_seconds="$run_seconds"
dv_merge_rss="$run_rss_kib"
dv_merge_line="$(grep 'merged into' "$work_dir/stderr")"
dv_merge_read="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\1/' <<<"$dv_merge_line")"
log "$dv_merge_line"
run_timed "$sluice" --threads "$threads" table delete "$table_dv" \
  --where "order_id >= $low AND order_id < $high"
dv_delete_seconds="$run_seconds"
dv_delete_rss="$run_rss_kib"
dv_delete_line="$(grep 'deleted' "$work_dir/stderr")"
dv_delete_read="$(sed -E 's/.*read ([0-9]+) of ([0-9]+) files.*/\1/' <<<"$dv_delete_line")"
log "$dv_delete_line"
# Reading afterwards: a full scan of each table (merge-on-read pays here).
run_timed "$sluice" --threads "$threads" count "$table"
scan_seconds="$run_seconds"
check_rows sluice "$run_output" "$((rows + inserts - (high - low)))" "$table scan"
run_timed "$sluice" --threads "$threads" count "$table_dv"
dv_scan_seconds="$run_seconds"
check_rows sluice "$run_output" "$((rows + inserts - (high - low)))" "$table_dv scan"

# DuckDB: the same changes as whole-dataset rewrites of the original data.
original="$work_dir/original.parquet"
"$sluice" --threads "$threads" convert "${data_file[csv]}" "$original" --schema "$schema" --quiet
run_timed node "$bench_dir/duckdb_rewrite.mjs" merge "$original" "$work_dir/changes.csv" \
  "$work_dir/merged.parquet" "$threads"
duck_merge_seconds="$run_seconds"
duck_merge_rss="$run_rss_kib"
check_rows duckdb "$(cut -d' ' -f1 <<<"$run_output")" "$((rows + inserts))" "merged.parquet"
run_timed node "$bench_dir/duckdb_rewrite.mjs" delete "$work_dir/merged.parquet" "$low" "$high" \
  "$work_dir/deleted.parquet" "$threads"
duck_delete_seconds="$run_seconds"
duck_delete_rss="$run_rss_kib"
check_rows duckdb "$(cut -d' ' -f1 <<<"$run_output")" "$((rows + inserts - (high - low)))" \
  "deleted.parquet"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\nDelta copy-on-write, %s rows in %s data files, %s thread(s), DuckDB %s\n' \
  "$rows" "$files_total" "$threads" "$duckdb_version"
printf '%-34s %9s %10s %12s %22s %9s\n' operation sluice_s sluice_MB files_read "duckdb_rewrite_s (MB)" ratio
printf '%-34s %9.2f %10s %12s %15.2f (%s) %9s\n' "MERGE $((updates + inserts)) rows (1%) by key" \
  "$merge_seconds" "$(rss_megabytes "$merge_rss")" "$merge_read/$merge_total" "$duck_merge_seconds" \
  "$(rss_megabytes "$duck_merge_rss")" "$(ratio "$duck_merge_seconds" "$merge_seconds")x"
printf '%-34s %9.2f %10s %12s %15.2f (%s) %9s\n' "DELETE $((high - low)) rows (0.1%)" \
  "$delete_seconds" "$(rss_megabytes "$delete_rss")" "$delete_read/$delete_total" \
  "$duck_delete_seconds" "$(rss_megabytes "$duck_delete_rss")" \
  "$(ratio "$duck_delete_seconds" "$delete_seconds")x"
printf '%-34s %9.2f %10s %12s %15.2f (%s) %9s\n' "MERGE 1% with deletion vectors" \
  "$dv_merge_seconds" "$(rss_megabytes "$dv_merge_rss")" "$dv_merge_read/$merge_total" \
  "$duck_merge_seconds" "$(rss_megabytes "$duck_merge_rss")" \
  "$(ratio "$duck_merge_seconds" "$dv_merge_seconds")x"
printf '%-34s %9.2f %10s %12s %15.2f (%s) %9s\n' "DELETE 0.1% with deletion vectors" \
  "$dv_delete_seconds" "$(rss_megabytes "$dv_delete_rss")" "$dv_delete_read/$delete_total" \
  "$duck_delete_seconds" "$(rss_megabytes "$duck_delete_rss")" \
  "$(ratio "$duck_delete_seconds" "$dv_delete_seconds")x"
printf 'full scan afterwards (sluice count): copy-on-write %.2f s, deletion vectors %.2f s\n' \
  "$scan_seconds" "$dv_scan_seconds"
printf '(table build: %.2f s; ratio = DuckDB whole-dataset rewrite seconds / sluice seconds)\n' \
  "$build_seconds"
