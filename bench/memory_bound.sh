#!/usr/bin/env bash
# Streams GB gigabytes of generated CSV (and NDJSON) through `sluice count -` on standard input and
# checks that peak RSS stays under LIMIT_MB — the "a 10 GB file streams in well under 1 GB RSS"
# guarantee. Long-running, so it is not part of scripts/test.sh; run it by hand:
#   bench/memory_bound.sh [--gb 10] [--limit-mb 1024] [--build-dir build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
gb=10
limit_mb=1024
build=build/release
while [ $# -gt 0 ]; do
  case $1 in
    --gb) gb=$2; shift 2 ;;
    --limit-mb) limit_mb=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    *) echo "usage: $0 [--gb N] [--limit-mb N] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
sluice=$build/apps/sluice/sluice
generator=$build/bench/sales_orders_generator
[ -x "$sluice" ] && [ -x "$generator" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time > /dev/null
data=bench/.data
mkdir -p "$data"
failed=0
for format in csv ndjson; do
  file=$data/memory_bound_1024mb.$format
  [ -f "$file" ] || "$generator" --format "$format" --size-mb 1024 --out "$file" 2> /dev/null
  rows=$(cat "$file.rows")
  # The file repeated GB times; for CSV the repeated header lines become (counted) rejects.
  for _ in $(seq "$gb"); do cat "$file"; done |
    /usr/bin/time -o "$data/memory_bound.time" -f '%M %e' \
      "$sluice" count - --format "$format" --on-error skip > "$data/memory_bound.count" 2> /dev/null
  stats=$(tail -1 "$data/memory_bound.time")
  rss_kb=${stats%% *}
  seconds=${stats##* }
  count=$(cat "$data/memory_bound.count")
  expected=$((rows * gb))
  verdict=ok
  if [ "$count" != "$expected" ]; then verdict="WRONG COUNT (expected $expected)"; failed=1; fi
  if [ "$rss_kb" -gt $((limit_mb * 1024)) ]; then verdict="OVER LIMIT"; failed=1; fi
  printf '%-6s %3s GB  %10s rows  peak RSS %5d MB  %6.1f s  %s\n' "$format" "$gb" "$count" \
    $((rss_kb / 1024)) "$seconds" "$verdict"
done
exit $failed
