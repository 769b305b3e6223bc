#!/usr/bin/env bash
# Crash test of the postgres source: `sluice run` SIGKILLed at random instants
# (SLUICE_PG_CRASH_RUNS times, default 30) — during the snapshot, the COPY, the data files, the
# quarantine and the bronze commit — while a writer keeps inserting rows. Then the writer stops,
# one run completes, and every row of the server's tables must be in bronze exactly once: the
# incremental table (cursor updated_at, set at insert) and the full snapshot (replaced whole).
#   pg_source_crash.sh SLUICE_BINARY WORK_DIR     (SLUICE_PG_ENV names the server's env file)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sluice=$1
work=$2
runs=${SLUICE_PG_CRASH_RUNS:-30}
: "${SLUICE_PG_ENV:?run through ctest: the pg_server fixture writes the env file}"
set -a
# shellcheck disable=SC1090
. "$SLUICE_PG_ENV"
set +a
export SHOP_DB_PASSWORD=$PGPASSWORD
schema=c$(date +%s%N)_$$
sql() { psql -qAtc "$1"; }
sql "CREATE SCHEMA $schema" > /dev/null || exit 1
export PGOPTIONS="-c search_path=$schema"
sql "CREATE TABLE clicks (id bigserial PRIMARY KEY, page text,
       updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
     INSERT INTO clicks (page) SELECT 'p' || g FROM generate_series(1, 20000) g;
     CREATE TABLE pages (page text PRIMARY KEY, weight numeric(6,2));
     INSERT INTO pages SELECT 'p' || g, g / 100.0 FROM generate_series(1, 5000) g;" > /dev/null ||
  exit 1

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p" || exit 1
connection="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable"
cat > sluice.yml <<EOF
name: pg_crash
retries: {attempts: 1}
sources:
  clicks:
    type: postgres
    connection: "$connection"
    password_env: SHOP_DB_PASSWORD
    table: $schema.clicks
    incremental: {cursor: updated_at, lookback: 1m}
    batch_rows: 3000
  pages:
    type: postgres
    connection: "$connection"
    password_env: SHOP_DB_PASSWORD
    table: $schema.pages
EOF

# The writer's statement: 200 rows, one transaction.
insert_rows() { sql "INSERT INTO clicks (page) SELECT 'w' || g FROM generate_series(1, 200) g"; }
# shellcheck source=tests/integration/source_crash_lib.sh
. "$here/source_crash_lib.sh"
failed=0
crash_runs pg_source_crash 350
check bronze.clicks "$(sql "SELECT id FROM clicks" | sort)" \
  "$("$sluice" cat lake/bronze/clicks --columns id --to csv | tail -n +2 | sort)"
check bronze.pages "$(sql "SELECT page || ',' || weight FROM pages" | sort)" \
  "$("$sluice" cat lake/bronze/pages --columns page,weight --to csv | tail -n +2 | sort)"
exit $failed
