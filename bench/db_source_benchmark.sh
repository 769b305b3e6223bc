#!/usr/bin/env bash
# Extracting a database table: `sluice run` with a postgres or mysql source (a full snapshot of N
# rows, default 10M, into a bronze Delta table of Parquet files) against what a user would script
# — `psql -c "\copy (select ...) to FILE csv"`, `mariadb --batch -e "select ..." > FILE` — on the
# same server in the same run. Both outputs must hold every row; the ratio is the tool's seconds /
# sluice's (the target is 1.0 or more: we write Parquet + Delta in no more time than they write
# text), and sluice's peak RSS must stay under 500 MB. The servers are started here
# (tests/integration/services/postgres.sh and mariadb.sh).
#
#   bench/db_source_benchmark.sh [--rows N] [--db postgres|mariadb|both] [--build-dir DIR] [--runs N]
set -euo pipefail
export LC_ALL=C
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
build_dir="$repo_root/build/release"
rows=10000000
runs=3
db=both
while (($#)); do
  case "$1" in
    --rows) rows="${2:?}"; shift 2 ;;
    --db) db="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    --runs) runs="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
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
for tool in psql mariadb python3 bc; do
  command -v "$tool" > /dev/null || { log "$tool is required (scripts/install_deps.sh test)"; exit 2; }
done
[[ -x /usr/bin/time ]] || { log "GNU time is required (apt-get install time)"; exit 2; }
# The servers' folders must be ones their users (postgres, mysql) can enter.
work_dir="$(mktemp -d /tmp/sluice-db-source-bench.XXXXXX)"
chmod 755 "$work_dir"
cleanup() {
  bash "$repo_root/tests/integration/services/postgres.sh" stop "$work_dir/pg-server" > /dev/null 2>&1 || true
  bash "$repo_root/tests/integration/services/mariadb.sh" stop "$work_dir/mariadb-server" > /dev/null 2>&1 || true
  rm -rf "$work_dir"
}
trap cleanup EXIT

# time_sluice PROJECT_DIR: one run into a fresh lake; sets sluice_seconds and rss_kb.
time_sluice() {
  rm -rf "$1/lake" "$1/runs"
  /usr/bin/time -f "%e %M" -o "$work_dir/time.txt" "$sluice" run "$1" --quiet
  read -r sluice_seconds rss_kb < "$work_dir/time.txt"
  local bronze_rows
  bronze_rows=$(python3 -c 'import json,sys; print(sum(t["rows_out"] for t in json.load(open(sys.argv[1]))["tasks"]))' "$1"/runs/*/report.json)
  [[ "$bronze_rows" == "$rows" ]] || { log "sluice wrote $bronze_rows rows, expected $rows"; exit 1; }
}

# compare NAME PROJECT_DIR LABEL TOOL_FUNCTION: best of $runs for the tool (writing
# $work_dir/out.txt) and for sluice; prints the figures.
compare() {
  local name=$1 project=$2 label=$3 tool=$4 best_tool="" best_sluice="" peak_rss=0
  local start tool_seconds lines
  for run in $(seq 1 "$runs"); do
    rm -f "$work_dir/out.txt"
    start=$(date +%s.%N)
    "$tool"
    tool_seconds=$(echo "$(date +%s.%N) - $start" | bc)
    lines=$(wc -l < "$work_dir/out.txt")
    [[ "$lines" == "$rows" ]] || { log "$label wrote $lines lines, expected $rows"; exit 1; }
    time_sluice "$project"
    log "$name run $run: $label ${tool_seconds}s, sluice ${sluice_seconds}s (peak RSS $((rss_kb / 1024)) MB)"
    if [[ -z "$best_tool" ]] || (($(echo "$tool_seconds < $best_tool" | bc))); then best_tool=$tool_seconds; fi
    if [[ -z "$best_sluice" ]] || (($(echo "$sluice_seconds < $best_sluice" | bc))); then best_sluice=$sluice_seconds; fi
    ((rss_kb > peak_rss)) && peak_rss=$rss_kb
  done
  local out_mb lake_mb
  out_mb=$(($(stat -c %s "$work_dir/out.txt") / 1048576))
  lake_mb=$(($(du -sb "$project/lake/bronze/orders" | cut -f1) / 1048576))
  echo "db_source_benchmark: $name, $rows rows, best of $runs"
  printf '  %-42s %8.2f s  %6d MB out\n' "$label" "$best_tool" "$out_mb"
  printf '  %-42s %8.2f s  %6d MB out  peak RSS %d MB\n' "sluice run ($name → bronze)" \
    "$best_sluice" "$lake_mb" "$((peak_rss / 1024))"
  echo "  ratio ($label / sluice): $(echo "scale=2; $best_tool / $best_sluice" | bc)" \
    "(target ≥ 1.0); peak RSS target < 500 MB"
}

if [[ "$db" == postgres || "$db" == both ]]; then
  bash "$repo_root/tests/integration/services/postgres.sh" start "$work_dir/pg-server" > /dev/null
  set -a
  # shellcheck disable=SC1091
  . "$work_dir/pg-server/pg.env"
  set +a
  log "postgres: filling a table of $rows rows"
  psql -qAtc "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id integer NOT NULL,
      product_id integer NOT NULL, quantity smallint NOT NULL, amount numeric(12,2) NOT NULL,
      status text NOT NULL, created_at timestamptz NOT NULL, note text);
    INSERT INTO orders SELECT g, 1 + (g * 31) % 200000, 1 + (g * 17) % 2000, 1 + g % 9,
      ((g * 13) % 500000) / 100.0, (ARRAY['placed','shipped','delivered','cancelled'])[1 + g % 4],
      timestamptz '2026-01-01' + (g % 31536000) * interval '1 second',
      CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || (g % 1000) END
    FROM generate_series(1, $rows) g" > /dev/null
  psql -qAtc "VACUUM ANALYZE orders" > /dev/null
  mkdir -p "$work_dir/pg"
  printf '%s\n' "name: db_source_bench" "sources:" "  orders:" "    type: postgres" \
    "    connection: \"postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable\"" \
    "    table: public.orders" > "$work_dir/pg/sluice.yml"
  psql_copy() { psql -qc "\\copy (select * from orders) to '$work_dir/out.txt' csv"; }
  compare postgres "$work_dir/pg" "psql \\copy (select *) to csv" psql_copy
fi

if [[ "$db" == mariadb || "$db" == both ]]; then
  bash "$repo_root/tests/integration/services/mariadb.sh" start "$work_dir/mariadb-server" > /dev/null
  # shellcheck disable=SC1091
  . "$work_dir/mariadb-server/mariadb.env"
  export MYSQL_PWD=$MARIADB_PASSWORD
  maria() {
    mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" "$MARIADB_DB" "$@"
  }
  log "mariadb: filling a table of $rows rows"
  maria -e "CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id int NOT NULL,
      product_id int NOT NULL, quantity smallint NOT NULL, amount decimal(12,2) NOT NULL,
      status varchar(16) NOT NULL, created_at datetime(6) NOT NULL, note varchar(32));
    INSERT INTO orders SELECT seq, 1 + (seq * 31) % 200000, 1 + (seq * 17) % 2000, 1 + seq % 9,
      ((seq * 13) % 500000) / 100.0, ELT(1 + seq % 4, 'placed', 'shipped', 'delivered', 'cancelled'),
      TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (seq % 31536000) SECOND,
      IF(seq % 10 = 0, NULL, CONCAT('note ', seq % 1000))
    FROM seq_1_to_$rows"
  mkdir -p "$work_dir/my"
  printf '%s\n' "name: db_source_bench" "sources:" "  orders:" "    type: mysql" \
    "    connection: \"mysql://$MARIADB_USER@$MARIADB_HOST:$MARIADB_PORT/$MARIADB_DB?sslmode=disable\"" \
    "    table: orders" > "$work_dir/my/sluice.yml"
  maria_batch() { maria --batch --quick --skip-column-names -e 'select * from orders' > "$work_dir/out.txt"; }
  compare mariadb "$work_dir/my" "mariadb --batch -e 'select *' > file" maria_batch
fi
