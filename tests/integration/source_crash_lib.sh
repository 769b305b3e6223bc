# Shared by the database-source crash tests (sourced, not run): SIGKILL `sluice run` at random
# instants while a writer inserts, then check every row landed in bronze exactly once.
# The sourcing script sets sluice, work and runs, defines insert_rows (one writer statement) and
# sql (a query printing one value per line), and has the project in the current folder.

# crash_runs NAME MAX_DELAY_MS: the writer (200 rows every 20 ms) runs while `runs` runs are killed
# at random instants up to MAX_DELAY_MS after their start; then the writer stops.
crash_runs() {
  local name=$1 max_delay=$2 completed=0 pid writer
  (
    while [ ! -e "$work/stop" ]; do
      insert_rows > /dev/null
      sleep 0.02
    done
  ) &
  writer=$!
  RANDOM=20261205
  for _ in $(seq 1 "$runs"); do
    "$sluice" run . --quiet > /dev/null 2>&1 &
    pid=$!
    sleep "$(printf "0.%03d" $((RANDOM % max_delay)))"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null
    else
      wait "$pid" 2>/dev/null && completed=$((completed + 1))
    fi
  done
  touch "$work/stop"
  wait "$writer"
  echo "$name: $runs runs killed at random instants ($completed finished before the kill)"
  if ! "$sluice" run . --no-progress > "$work/final.out" 2>&1; then
    echo "FAILED: the final run failed:"; cat "$work/final.out"; failed=1
  fi
}

# check NAME SERVER_ROWS BRONZE_ROWS (each sorted, one per line): the same rows, none twice.
check() {
  local expected got duplicated
  expected=$(echo "$2" | grep -c .)
  got=$(echo "$3" | grep -c .)
  duplicated=$(echo "$3" | uniq -d | grep -c .)
  if [ "$2" != "$(echo "$3" | uniq)" ] || [ "$duplicated" != 0 ]; then
    echo "FAILED: $1: bronze has $got rows ($duplicated duplicated), the server $expected"
    diff <(echo "$2") <(echo "$3" | uniq) | head -5
    failed=1
  else
    echo "ok: $1: $got rows, each exactly once"
  fi
}
