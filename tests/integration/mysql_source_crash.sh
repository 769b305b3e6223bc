#!/usr/bin/env bash
# Crash test of the mysql source against MariaDB: `sluice run` SIGKILLed at random instants
# (SLUICE_MYSQL_CRASH_RUNS times, default 30) — during the snapshot, the streamed result, the data
# files, the quarantine and the bronze commit — while a writer keeps inserting rows. Then the
# writer stops, one run completes, and every row of the server's tables must be in bronze exactly
# once: the incremental table (cursor updated_at, set at insert) and the full snapshot.
#   mysql_source_crash.sh SLUICE_BINARY WORK_DIR  (SLUICE_MARIADB_ENV names the server's env file)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sluice=$1
work=$2
runs=${SLUICE_MYSQL_CRASH_RUNS:-30}
: "${SLUICE_MARIADB_ENV:?run through ctest: the mariadb_server fixture writes the env file}"
# shellcheck disable=SC1090
. "$SLUICE_MARIADB_ENV"
export CRM_DB_PASSWORD=$MARIADB_PASSWORD
db=c$(date +%s%N)_$$
sql() {
  MYSQL_PWD=$MARIADB_PASSWORD mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" \
    -u "$MARIADB_USER" --batch --raw --skip-column-names "$db" -e "$1"
}
MYSQL_PWD=$MARIADB_PASSWORD mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" \
  -u "$MARIADB_USER" -e "CREATE DATABASE $db" || exit 1
sql "CREATE TABLE clicks (id bigint AUTO_INCREMENT PRIMARY KEY, page varchar(16),
       updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6));
     INSERT INTO clicks (page) SELECT CONCAT('p', seq) FROM seq_1_to_20000;
     CREATE TABLE pages (page varchar(16) PRIMARY KEY, weight decimal(6,2));
     INSERT INTO pages SELECT CONCAT('p', seq), seq / 100 FROM seq_1_to_5000;" || exit 1

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p" || exit 1
connection="mysql://$MARIADB_USER@$MARIADB_HOST:$MARIADB_PORT/$db?sslmode=disable"
cat > sluice.yml <<EOF
name: mysql_crash
retries: {attempts: 1}
sources:
  clicks:
    type: mysql
    connection: "$connection"
    password_env: CRM_DB_PASSWORD
    table: clicks
    incremental: {cursor: updated_at, lookback: 1m}
    batch_rows: 3000
  pages:
    type: mysql
    connection: "$connection"
    password_env: CRM_DB_PASSWORD
    table: pages
EOF

# The writer's statement: 200 rows, one transaction.
insert_rows() { sql "INSERT INTO clicks (page) SELECT CONCAT('w', seq) FROM seq_1_to_200"; }
# shellcheck source=tests/integration/source_crash_lib.sh
. "$here/source_crash_lib.sh"
failed=0
crash_runs mysql_source_crash 150
check bronze.clicks "$(sql "SELECT id FROM clicks" | sort)" \
  "$("$sluice" cat lake/bronze/clicks --columns id --to csv | tail -n +2 | sort)"
check bronze.pages "$(sql "SELECT CONCAT(page, ',', weight) FROM pages" | sort)" \
  "$("$sluice" cat lake/bronze/pages --columns page,weight --to csv | tail -n +2 | sort)"
exit $failed
