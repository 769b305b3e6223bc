#!/usr/bin/env bash
# Extracting a database table: `sluice run` with a postgres source (a full snapshot of N rows,
# default 10M, into a bronze Delta table of Parquet files) against what a user would script —
# `psql -c "\copy (select ...) to FILE csv"` — on the same server in the same run. Both outputs
# must hold every row; the ratio is psql seconds / sluice seconds (the target is 1.0 or more: we
# write Parquet + Delta in no more time than psql writes CSV), and sluice's peak RSS must stay
# under 500 MB. The server is started here (tests/integration/services/postgres.sh).
#
#   bench/db_source_benchmark.sh [--rows N] [--build-dir DIR] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
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
log() { echo "db_source_benchmark: $*" >&2; }
sluice="$build_dir/apps/sluice/sluice"
[[ -x "$sluice" ]] || {
  log "build first: cmake --preset release && cmake --build --preset release --target sluice"
  exit 2
}
command -v psql > /dev/null || { log "psql is required (scripts/install_deps.sh test)"; exit 2; }
[[ -x /usr/bin/time ]] || { log "GNU time is required (apt-get install time)"; exit 2; }
work_dir="$(mktemp -d /tmp/sluice-db-source-bench.XXXXXX)"
chmod 755 "$work_dir"
cleanup() {
  bash "$repo_root/tests/integration/services/postgres.sh" stop "$work_dir/server" > /dev/null 2>&1 || true
  rm -rf "$work_dir"
}
trap cleanup EXIT

bash "$repo_root/tests/integration/services/postgres.sh" start "$work_dir/server" > /dev/null
set -a
# shellcheck disable=SC1091
. "$work_dir/server/pg.env"
set +a
log "filling a table of $rows rows"
psql -qAtc "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id integer NOT NULL,
    product_id integer NOT NULL, quantity smallint NOT NULL, amount numeric(12,2) NOT NULL,
    status text NOT NULL, created_at timestamptz NOT NULL, note text);
  INSERT INTO orders SELECT g, 1 + (g * 31) % 200000, 1 + (g * 17) % 2000, 1 + g % 9,
    ((g * 13) % 500000) / 100.0, (ARRAY['placed','shipped','delivered','cancelled'])[1 + g % 4],
    timestamptz '2026-01-01' + (g % 31536000) * interval '1 second',
    CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || (g % 1000) END
  FROM generate_series(1, $rows) g" > /dev/null
psql -qAtc "VACUUM ANALYZE orders" > /dev/null

mkdir -p "$work_dir/p"
cat > "$work_dir/p/sluice.yml" <<EOF
name: db_source_bench
sources:
  orders:
    type: postgres
    connection: "postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable"
    table: public.orders
EOF

best_psql=""
best_sluice=""
peak_rss=0
for run in $(seq 1 "$runs"); do
  rm -f "$work_dir/orders.csv"
  start=$(date +%s.%N)
  psql -qc "\\copy (select * from orders) to '$work_dir/orders.csv' csv"
  psql_seconds=$(echo "$(date +%s.%N) - $start" | bc)
  csv_rows=$(wc -l < "$work_dir/orders.csv")
  [[ "$csv_rows" == "$rows" ]] || { log "psql wrote $csv_rows rows, expected $rows"; exit 1; }

  rm -rf "$work_dir/p/lake" "$work_dir/p/runs"
  /usr/bin/time -f "%e %M" -o "$work_dir/time.txt" "$sluice" run "$work_dir/p" --quiet
  read -r sluice_seconds rss_kb < "$work_dir/time.txt"
  bronze_rows=$(python3 -c 'import json,sys; print(sum(t["rows_out"] for t in json.load(open(sys.argv[1]))["tasks"]))' "$work_dir"/p/runs/*/report.json)
  [[ "$bronze_rows" == "$rows" ]] || { log "sluice wrote $bronze_rows rows, expected $rows"; exit 1; }
  log "run $run: psql \\copy ${psql_seconds}s, sluice ${sluice_seconds}s (peak RSS $((rss_kb / 1024)) MB)"
  if [[ -z "$best_psql" ]] || (($(echo "$psql_seconds < $best_psql" | bc))); then best_psql=$psql_seconds; fi
  if [[ -z "$best_sluice" ]] || (($(echo "$sluice_seconds < $best_sluice" | bc))); then best_sluice=$sluice_seconds; fi
  ((rss_kb > peak_rss)) && peak_rss=$rss_kb
done
csv_mb=$(($(stat -c %s "$work_dir/orders.csv") / 1048576))
lake_mb=$(($(du -sb "$work_dir/p/lake/bronze/orders" | cut -f1) / 1048576))
ratio=$(echo "scale=2; $best_psql / $best_sluice" | bc)
echo "db_source_benchmark: postgres, $rows rows, best of $runs"
printf '  %-38s %8.2f s  %6d MB out\n' "psql \\copy (select *) to csv" "$best_psql" "$csv_mb"
printf '  %-38s %8.2f s  %6d MB out  peak RSS %d MB\n' "sluice run (postgres → bronze)" "$best_sluice" "$lake_mb" "$((peak_rss / 1024))"
echo "  ratio (psql / sluice): $ratio (target ≥ 1.0); peak RSS target < 500 MB"
