#!/usr/bin/env bash
# Eight `sluice convert --mode append` processes, 25 commits each, race on one s3:// table on a
# real S3 server (conditional PUTs decide each version): the table ends at exactly versions
# 0..200 — the create, then one version per append, none lost, none doubled — and holds every
# appended row exactly once.
#   s3_concurrent_writers.sh SLUICE_BINARY WORK_DIR     (SLUICE_S3_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
writers=${WRITERS:-8}
commits=${COMMITS:-25}
: "${SLUICE_S3_ENV:?run through ctest: the s3_server fixture writes the env file}"
# shellcheck disable=SC1090
. "$SLUICE_S3_ENV"
export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_REGION=$S3_REGION
table="s3://$S3_BUCKET/concurrent-$(date +%s%N)-$$/events"
rm -rf "$work" && mkdir -p "$work"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

printf 'writer,commit\n-1,-1\n' > "$work/create.csv"
"$sluice" convert "$work/create.csv" "$table" --mode create 2> "$work/create.log" ||
  fail "create: $(cat "$work/create.log")"

started=$(date +%s%N)
for w in $(seq 1 "$writers"); do
  (
    for c in $(seq 1 "$commits"); do
      printf 'writer,commit\n%d,%d\n' "$w" "$c" > "$work/w$w-c$c.csv"
      "$sluice" convert "$work/w$w-c$c.csv" "$table" --mode append 2>> "$work/w$w.log" ||
        { echo "writer $w commit $c failed" >> "$work/w$w.log"; exit 1; }
    done
  ) &
done
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[ $status -eq 0 ] || fail "a writer failed: $(cat "$work"/w*.log | grep -v '^sluice: read' | head -5)"

total=$((writers * commits))
"$sluice" table history "$table" > "$work/history.txt"
versions=$(awk 'NR > 1 {print $1}' "$work/history.txt" | sort -n)
expected=$(seq 0 "$total")
[ "$versions" = "$expected" ] ||
  fail "versions are not exactly 0..$total: $(diff <(echo "$versions") <(echo "$expected") | head)"

"$sluice" cat "$table" --to csv > "$work/rows.csv"
rows=$(tail -n +2 "$work/rows.csv" | sort)
[ "$(echo "$rows" | wc -l)" -eq $((total + 1)) ] ||
  fail "expected $((total + 1)) rows, got $(echo "$rows" | wc -l)"
duplicates=$(echo "$rows" | uniq -d)
[ -z "$duplicates" ] || fail "rows landed twice: $duplicates"
for w in $(seq 1 "$writers"); do
  for c in $(seq 1 "$commits"); do
    echo "$w,$c"
  done
done | sort > "$work/expected_rows.txt"
echo "-1,-1" >> "$work/expected_rows.txt"
diff <(sort "$work/expected_rows.txt") <(echo "$rows") > /dev/null ||
  fail "rows differ from what the writers appended"
echo "ok: $writers writers x $commits commits -> versions 0..$total, $((total + 1)) rows, each once ($elapsed_ms ms)"
