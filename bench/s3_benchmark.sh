#!/usr/bin/env bash
# The lake on S3: the same bronze ingestion (`sluice run` over the retail generator's orders
# drops, default 1M orders, ~58 MB) into a local lake and into an s3:// lake on radosgw (started
# by this script, objects in RAM, on this machine), then a full read back (`sluice count`) of each.
# The ratios are local seconds / S3 seconds (1.0: the object store costs nothing). No peer reads
# or writes S3 here (DuckDB's httpfs is not a Debian package), so the local lake is the yardstick.
#
#   bench/s3_benchmark.sh [--orders N] [--build-dir DIR] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
data_dir="$bench_dir/.data"
build_dir="$repo_root/build/release"
orders=1000000
runs=3
while (($#)); do
  case "$1" in
    --orders) orders="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --runs) runs="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "s3_benchmark: $*" >&2; }
sluice="$build_dir/apps/sluice/sluice"
generator="$build_dir/examples/retail_generator"
[[ -x "$sluice" && -x "$generator" ]] || {
  log "build first: cmake --preset release && cmake --build --preset release --target sluice retail_generator"
  exit 2
}
work_dir="$(mktemp -d)"
server_dir="$work_dir/s3"
trap 'bash "$repo_root/tests/integration/services/radosgw.sh" stop "$server_dir" > /dev/null; rm -rf "$work_dir"' EXIT
log "starting radosgw"
bash "$repo_root/tests/integration/services/radosgw.sh" start "$server_dir" > /dev/null
# shellcheck disable=SC1091
. "$server_dir/s3.env"
export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_REGION=$S3_REGION
drops="$data_dir/retail_${orders}"
if [[ ! -d "$drops/orders" ]]; then
  log "generating $orders orders into $drops"
  "$generator" --out "$drops" --orders "$orders" > /dev/null
fi
bytes=$(cat "$drops"/orders/*.csv | wc -c)

seconds() { local start=$1; echo "scale=3; ($(date +%s%N) - $start) / 1000000000" | bc; }
best() { if [[ -z "$1" ]] || (($(echo "$2 < $1" | bc))); then echo "$2"; else echo "$1"; fi; }

declare -A run_best count_best rows
for side in local s3; do
  for ((run = 1; run <= runs; run++)); do
    project="$work_dir/$side-$run"
    mkdir -p "$project"
    if [[ $side == local ]]; then lake="$project/lake"; else lake="s3://$S3_BUCKET/bench-$run/lake"; fi
    cat > "$project/sluice.yml" <<YAML
name: bench
parallelism: 1
lake: $lake
sources:
  orders:
    path: $drops/orders/*.csv
    min_age: 0s
    schema: {order_id: int64, order_ts: timestamp, customer_id: int64, product_id: int64, quantity: int32, unit_price: "decimal(10,2)"}
YAML
    start=$(date +%s%N)
    "$sluice" run "$project" --quiet
    run_best[$side]=$(best "${run_best[$side]:-}" "$(seconds "$start")")
    start=$(date +%s%N)
    rows[$side]=$("$sluice" count "$lake/bronze/orders")
    count_best[$side]=$(best "${count_best[$side]:-}" "$(seconds "$start")")
  done
done
[[ "${rows[local]}" == "${rows[s3]}" ]] || { log "row counts differ: ${rows[local]} local, ${rows[s3]} on S3"; exit 1; }
printf 'orders: %d (%.1f MB of CSV), %s rows in bronze on both lakes; best of %d\n' \
  "$orders" "$(echo "$bytes / 1000000" | bc -l)" "${rows[s3]}" "$runs"
printf '%-28s %9s %9s %7s\n' step local s3 ratio
for step in run count; do
  if [[ $step == run ]]; then l=${run_best[local]} s=${run_best[s3]}; name="sluice run (ingest)"; else
    l=${count_best[local]} s=${count_best[s3]}; name="sluice count (read back)"; fi
  printf '%-28s %8.2fs %8.2fs %7.2f\n' "$name" "$l" "$s" "$(echo "$l / $s" | bc -l)"
done
