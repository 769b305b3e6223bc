#!/usr/bin/env bash
# Crash test of `sluice run`: SIGKILL it at random instants (SLUICE_CRASH_RUNS times, default 50)
# while new files keep arriving, then run it to completion, then race four runs over new drops. Every file's rows must be in bronze
# exactly once and every rejected record in quarantine exactly once — whatever instant the kills
# hit (reading, writing data files, between the quarantine and the bronze commit, checkpointing).
#   tests/e2e/crash_run.sh SLUICE_BINARY
set -uo pipefail
sluice=$1
runs=${SLUICE_CRASH_RUNS:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
mkdir -p drops/orders drops/events
RANDOM=20261122

files=24
rows_per_file=20000
# orders_NN.csv: ids unique across files; row 7 of every file has a quantity that does not fit.
make_orders() {
  local n=$1
  awk -v n="$n" -v rows="$rows_per_file" 'BEGIN {
    print "id,customer,qty,amount";
    for (i = 1; i <= rows; i++) {
      id = n * 100000 + i;
      if (i == 7) { print id ",c" (i % 97) ",lots," i ".50"; continue }
      print id ",c" (i % 97) "," (i % 9) + 1 "," i ".50";
    }
  }' > "drops/orders/.orders_$n.csv.tmp"
  mv "drops/orders/.orders_$n.csv.tmp" "drops/orders/orders_$(printf %02d "$n").csv"
}
make_events() {
  local n=$1
  awk -v n="$n" -v rows="$rows_per_file" 'BEGIN {
    for (i = 1; i <= rows; i++) printf "{\"event_id\": %d, \"kind\": \"k%d\", \"value\": %d}\n", n * 100000 + i, i % 5, i;
  }' > "drops/events/.events_$n.jsonl.tmp"
  mv "drops/events/.events_$n.jsonl.tmp" "drops/events/events_$(printf %02d "$n").jsonl"
}

cat > sluice.yml <<'YAML'
name: crash
parallelism: 2
retries: {attempts: 3, delay: 0s}
sources:
  orders:
    path: drops/orders/*.csv
    min_age: 0s
    schema: {id: int64, qty: int32}
  events:
    path: drops/events/*.jsonl
    min_age: 0s
YAML

made=0
completed=0
for i in $(seq 1 "$runs"); do
  # New files keep arriving: two every other run until all are there.
  if [ $((i % 2)) -eq 1 ] && [ $made -lt $files ]; then
    made=$((made + 1)); make_orders $made; make_events $made
    made=$((made + 1)); make_orders $made; make_events $made
  fi
  "$sluice" run . --quiet > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 400)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
  else
    wait "$pid" 2>/dev/null && completed=$((completed + 1))
  fi
done
while [ $made -lt $files ]; do
  made=$((made + 1)); make_orders $made; make_events $made
done
echo "crash_run: $runs runs killed at random instants ($completed finished before the kill)"

failed=0
if ! "$sluice" run . --quiet; then
  echo "the final run failed"; failed=1
fi
expected_orders=$((files * (rows_per_file - 1)))
expected_events=$((files * rows_per_file))
orders=$("$sluice" cat lake/bronze/orders --columns id --to csv | tail -n +2 | sort)
events=$("$sluice" cat lake/bronze/events --columns event_id --to csv | tail -n +2 | sort)
quarantined=$("$sluice" cat lake/quarantine/orders --columns file,line --to csv | tail -n +2 | sort)
check() {  # name, actual count, expected count, duplicates
  if [ "$2" != "$3" ] || [ "$4" != 0 ]; then
    echo "FAILED: $1: $2 rows (expected $3), $4 duplicated"; failed=1
  else
    echo "ok: $1: $2 rows, each exactly once"
  fi
}
check bronze.orders "$(echo "$orders" | grep -c .)" "$expected_orders" \
  "$(echo "$orders" | uniq -d | grep -c .)"
check bronze.events "$(echo "$events" | grep -c .)" "$expected_events" \
  "$(echo "$events" | uniq -d | grep -c .)"
check quarantine.orders "$(echo "$quarantined" | grep -c .)" "$files" \
  "$(echo "$quarantined" | uniq -d | grep -c .)"
# Four runs racing over new drops: the ledger entries conflict, the losers retry and find the files
# taken, every run succeeds and every new row lands once.
for n in 1 2 3; do make_orders $((files + n)); make_events $((files + n)); done
pids=()
for racer in 1 2 3 4; do
  "$sluice" run . --quiet > "racer_$racer.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  if ! wait "$pid"; then
    echo "FAILED: a racing run failed:"; cat racer_*.log; failed=1
  fi
done
orders=$("$sluice" cat lake/bronze/orders --columns id --to csv | tail -n +2 | sort)
events=$("$sluice" cat lake/bronze/events --columns event_id --to csv | tail -n +2 | sort)
check "bronze.orders after 4 racing runs" "$(echo "$orders" | grep -c .)" \
  "$(((files + 3) * (rows_per_file - 1)))" "$(echo "$orders" | uniq -d | grep -c .)"
check "bronze.events after 4 racing runs" "$(echo "$events" | grep -c .)" \
  "$(((files + 3) * rows_per_file))" "$(echo "$events" | uniq -d | grep -c .)"
# A rerun changes nothing.
before=$(ls lake/bronze/orders/_delta_log | grep -c 'json$')
"$sluice" run . --quiet || failed=1
after=$(ls lake/bronze/orders/_delta_log | grep -c 'json$')
if [ "$before" != "$after" ]; then
  echo "FAILED: a rerun committed to bronze.orders ($before → $after commits)"; failed=1
fi
exit $failed
