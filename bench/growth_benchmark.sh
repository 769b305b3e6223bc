#!/usr/bin/env bash
# Day 1000: does a daily run cost what the day brings, or what all the days before it hold?
# The retail project (examples/retail/sluice.yml and its models) fed one order file per day by
# examples/retail_generator — customer drops on days 1, 4 and 8, the late orders file on day 6 —
# with one `sluice run` per day, each timed alone. Prints, per day, the wall time, the peak RSS and
# the seconds of the heaviest tasks, then the ratio of the last day's wall time to day 2's (day 1
# also builds the calendar and the first dimensions). A run that costs what is new keeps the ratio
# near 1.
#
#   bench/growth_benchmark.sh [--orders N] [--days D] [--customers N] [--products N]
#                             [--build-dir DIR] [--threads N] [--keep DIR] [--stop-after DAY]
#
# Defaults: --orders 5000000 --days 10 --customers 200000 --products 2000 (the figures in
# docs/benchmarks.md); --keep DIR leaves the project, its lake and warehouse in DIR;
# --stop-after DAY runs the first DAY days only (with --keep: a state to profile the next day on;
# deliver it with `bench/growth_benchmark.sh --deliver DAY --keep DIR`).
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
data_dir="$bench_dir/.data"
build_dir="$repo_root/build/release"
orders=5000000
days=10
customers=200000
products=2000
threads=2
keep=""
stop_after=""
deliver_only=""
while (($#)); do
  case "$1" in
    --orders) orders="${2:?}"; shift 2 ;;
    --days) days="${2:?}"; shift 2 ;;
    --customers) customers="${2:?}"; shift 2 ;;
    --products) products="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --threads) threads="${2:?}"; shift 2 ;;
    --keep) keep="${2:?}"; shift 2 ;;
    --stop-after) stop_after="${2:?}"; shift 2 ;;
    --deliver) deliver_only="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "growth_benchmark: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
((days >= 2)) || { echo "growth_benchmark: --days must be at least 2" >&2; exit 2; }
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "growth_benchmark: $*" >&2; }
source "$bench_dir/harness.sh"

sluice="$build_dir/apps/sluice/sluice"
generator="$build_dir/examples/retail_generator"
[[ -x "$sluice" && -x "$generator" ]] || {
  log "build first: cmake --preset release && cmake --build --preset release --target sluice retail_generator"
  exit 2
}
[[ -x /usr/bin/time ]] || { log "GNU time is needed (apt-get install time)"; exit 2; }
command -v node >/dev/null || { log "node is needed to read the run reports"; exit 2; }

drops="$data_dir/growth_${orders}_${days}_${customers}_${products}"
if [[ ! -d "$drops/orders" ]]; then
  log "generating $orders orders in $days daily files into $drops"
  rm -rf "$drops.tmp"
  "$generator" --out "$drops.tmp" --orders "$orders" --customers "$customers" \
    --products "$products" --order-files "$days" > /dev/null
  mv "$drops.tmp" "$drops"
fi
mapfile -t order_files < <(cd "$drops/orders" && ls | grep -v _late)
late_file="$(cd "$drops/orders" && ls | grep _late || true)"

if [[ -n "$deliver_only" ]]; then
  [[ -n "$keep" ]] || { log "--deliver needs --keep DIR"; exit 2; }
  work_dir="$keep"
elif [[ -n "$keep" ]]; then
  work_dir="$keep"
  rm -rf "$work_dir"
  mkdir -p "$work_dir"
else
  work_dir="$(mktemp -d)"
  trap 'rm -rf "$work_dir"' EXIT
fi
project="$work_dir/project"
if [[ -z "$deliver_only" ]]; then
  mkdir -p "$project"/inbox/{orders,customers,products}
  cp "$repo_root/examples/retail/sluice.yml" "$project/"
  cp -r "$repo_root/examples/retail/models" "$project/"
fi
export SLUICE_MASKING_KEY="${SLUICE_MASKING_KEY:-growth-benchmark-masking-key}"
export SLUICE_TOKEN_KEY="${SLUICE_TOKEN_KEY:-$(printf '%064d' 7)}"

deliver() {  # deliver DAY: that day's files into the inbox
  local day="$1"
  cp "$drops/orders/${order_files[day - 1]}" "$project/inbox/orders/"
  ((day == 6)) && [[ -n "$late_file" ]] && cp "$drops/orders/$late_file" "$project/inbox/orders/"
  ((day == 1)) && cp "$drops"/products/*.csv "$project/inbox/products/"
  local drop=""
  case "$day" in 1) drop=1 ;; 4) drop=2 ;; 8) drop=3 ;; esac
  if [[ -n "$drop" && -f "$drops/customers/customers_$drop.jsonl" ]]; then
    cp "$drops/customers/customers_$drop.jsonl" "$project/inbox/customers/"
  fi
  return 0
}

if [[ -n "$deliver_only" ]]; then
  deliver "$deliver_only"
  log "day $deliver_only delivered into $project/inbox"
  exit 0
fi

tasks=(silver.orders gold.fact_sales gold.daily_sales load.fact_sales)
printf '| day | wall s | peak RSS MB | %s |\n' "$(IFS='|'; echo "${tasks[*]}" | sed 's/|/ s | /g') s"
printf '|---|---|---|%s\n' "$(printf -- '---|%.0s' "${tasks[@]}")"
declare -a wall
peak_max=0
last_day="${stop_after:-$days}"
for ((day = 1; day <= last_day && day <= ${#order_files[@]}; day++)); do
  deliver "$day"
  run_timed "$sluice" --threads "$threads" run "$project" --quiet || {
    log "day $day failed"
    exit 1
  }
  wall[day]="$run_seconds"
  ((run_rss_kib > peak_max)) && peak_max="$run_rss_kib"
  report="$(ls "$project"/runs/*/report.json | sort | tail -1)"
  seconds="$(node -e '
    const r = require(process.argv[1]);
    const want = process.argv.slice(2);
    const by = Object.fromEntries(r.tasks.map(t => [t.name, t.seconds]));
    console.log(want.map(n => (by[n] ?? 0).toFixed(2)).join(" | "));
  ' "$report" "${tasks[@]}")"
  printf '| %d | %.2f | %s | %s |\n' "$day" "$run_seconds" "$(rss_megabytes "$run_rss_kib")" "$seconds"
done
last=$((day - 1))
ratio="$(awk -v a="${wall[last]}" -v b="${wall[2]}" 'BEGIN { printf "%.2f", a / b }')"
echo
echo "day $last / day 2 wall ratio: $ratio (peak RSS over all days: $(rss_megabytes "$peak_max") MB)"
