#!/usr/bin/env bash
# Loading PostgreSQL: `sluice run --select load.fact` — read a silver Delta table of N fact rows
# (default 10M), COPY them into a PostgreSQL 15 table in one transaction with the load's ledger
# row — against `psql \copy` of the same rows from a CSV file into an identical table, on the same
# server in the same run. Both tables must hold the same rows (count and sums); the ratio is psql
# seconds / sluice seconds (the rows/s of sluice over those of psql; the target is 0.9 or more).
# The server is started here (tests/integration/services/postgres.sh) and stopped at the end.
#
#   bench/warehouse_benchmark.sh [--rows N] [--build-dir DIR] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
data_dir="$bench_dir/.data"
build_dir="$repo_root/build/release"
rows=10000000
runs=3
while (($#)); do
  case "$1" in
    --rows) rows="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --runs) runs="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$build_dir" == /* ]] || build_dir="$PWD/$build_dir"
log() { echo "warehouse_benchmark: $*" >&2; }
sluice="$build_dir/apps/sluice/sluice"
[[ -x "$sluice" ]] || {
  log "build first: cmake --preset release && cmake --build --preset release --target sluice"
  exit 2
}
command -v psql > /dev/null || { log "psql is required (scripts/install_deps.sh test)"; exit 2; }
[[ -x /usr/bin/time ]] || { log "GNU time is required (apt-get install time)"; exit 2; }
# The server's folder must be one the postgres user can enter.
work_dir="$(mktemp -d /tmp/sluice-warehouse-bench.XXXXXX)"
chmod 755 "$work_dir"
cleanup() {
  [[ -n "${KEEP_SERVER:-}" ]] && return 0
  bash "$repo_root/tests/integration/services/postgres.sh" stop "$work_dir/server" > /dev/null 2>&1 || true
  rm -rf "$work_dir"
}
trap cleanup EXIT

# The fact rows, as CSV (cached).
mkdir -p "$data_dir"
csv="$data_dir/fact_${rows}.csv"
if [[ ! -f "$csv" ]]; then
  log "generating $rows fact rows into $csv"
  awk -v n="$rows" 'BEGIN {
    print "order_id,customer_key,product_key,date_key,order_ts,quantity,amount,status";
    split("placed shipped delivered cancelled returned", status, " ");
    for (i = 1; i <= n; i++) {
      day = 1 + i % 28; second = (i * 7919) % 86400;
      printf "%d,%d,%d,202611%02d,2026-11-%02dT%02d:%02d:%02dZ,%d,%d.%02d,%s\n",
        i, 1 + (i * 31) % 50000, 1 + (i * 17) % 2000, day, day, second / 3600, (second / 60) % 60,
        second % 60, 1 + i % 9, (i * 13) % 5000, i % 100, status[1 + i % 5];
    }
  }' > "$csv.tmp"
  mv "$csv.tmp" "$csv"
fi

bash "$repo_root/tests/integration/services/postgres.sh" start "$work_dir/server" > /dev/null
set -a
# shellcheck disable=SC1091
. "$work_dir/server/pg.env"
set +a
export WAREHOUSE_PASSWORD=$PGPASSWORD

project="$work_dir/project"
mkdir -p "$project"
cat > "$project/sluice.yml" <<YAML
name: warehouse_bench
sources:
  fact:
    path: $csv
    min_age: 0s
    schema: {order_id: int64, customer_key: int64, product_key: int64, date_key: int32, order_ts: timestamp, quantity: int32, amount: "decimal(12,2)", status: string}
tables:
  silver.fact:
    from: bronze.fact
warehouse:
  type: postgres
  host: \${PGHOST}
  port: \${PGPORT}
  database: \${PGDATABASE}
  user: \${PGUSER}
  password: \${WAREHOUSE_PASSWORD}
  sslmode: disable
load:
  silver.fact: {mode: append, as: fact_sluice}
YAML
log "lake: ingesting $rows rows into bronze and silver (not timed)"
"$sluice" run "$project" --select bronze.fact,silver.fact --quiet

table_sql() {
  echo "CREATE TABLE $1 (order_id BIGINT, customer_key BIGINT, product_key BIGINT, date_key INTEGER,
        order_ts TIMESTAMPTZ, quantity INTEGER, amount NUMERIC(12,2), status TEXT)"
}
timed() {
  local start end
  start="$EPOCHREALTIME"
  /usr/bin/time -f '%M' -o "$work_dir/rss" "$@" > "$work_dir/out" 2> "$work_dir/err" || {
    log "failed: $*"; cat "$work_dir/out" "$work_dir/err" >&2; exit 1
  }
  end="$EPOCHREALTIME"
  seconds="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')"
  rss_kib="$(tail -n 1 "$work_dir/rss")"
}
best() { if [[ -z "$1" ]] || awk -v a="$2" -v b="$1" 'BEGIN { exit !(a < b) }'; then echo "$2"; else echo "$1"; fi; }

psql_best="" sluice_best="" sluice_rss=0
for ((run = 1; run <= runs; run++)); do
  psql -qc "DROP TABLE IF EXISTS fact_psql; DROP TABLE IF EXISTS fact_sluice; DROP TABLE IF EXISTS _sluice_loads" > /dev/null
  psql -qc "$(table_sql fact_psql)" > /dev/null
  psql -qc "CHECKPOINT" > /dev/null
  timed psql -qc "\\copy fact_psql FROM '$csv' WITH (FORMAT csv, HEADER true)"
  psql_best=$(best "$psql_best" "$seconds")
  psql -qc "CHECKPOINT" > /dev/null
  timed "$sluice" run "$project" --select load.fact_sluice --quiet
  sluice_best=$(best "$sluice_best" "$seconds")
  ((rss_kib > sluice_rss)) && sluice_rss=$rss_kib
  log "run $run: psql \\copy $(printf %.2f "${psql_best}") s best, sluice $(printf %.2f "$seconds") s"
done
summary() { psql -qAtc "SELECT count(*), sum(amount), sum(quantity), count(DISTINCT status), min(order_ts), max(order_ts) FROM $1"; }
psql_summary=$(summary fact_psql)
sluice_summary=$(summary fact_sluice)
if [[ "$psql_summary" != "$sluice_summary" ]]; then
  log "the tables differ: psql $psql_summary; sluice $sluice_summary"
  exit 1
fi
ratio=$(awk -v p="$psql_best" -v s="$sluice_best" 'BEGIN { printf "%.2f", p / s }')
printf 'rows           %s (both tables: count, sum(amount), sum(quantity), statuses, first and last order_ts equal)\n' "$rows"
printf 'psql \\copy     %.3f s  %.0f rows/s (CSV file, best of %s)\n' "$psql_best" "$(awk -v r="$rows" -v s="$psql_best" 'BEGIN{print r/s}')" "$runs"
printf 'sluice load    %.3f s  %.0f rows/s  peak RSS %.1f MB (Delta table, one transaction with its ledger row)\n' "$sluice_best" "$(awk -v r="$rows" -v s="$sluice_best" 'BEGIN{print r/s}')" "$(awk -v k="$sluice_rss" 'BEGIN{print k*1024/1e6}')"
printf 'ratio          %s (psql seconds / sluice seconds; target >= 0.9)\n' "$ratio"
