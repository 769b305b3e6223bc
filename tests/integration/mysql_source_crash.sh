#!/usr/bin/env bash
# Crash test of the mysql source against MariaDB: `sluice run` SIGKILLed at random instants
# (SLUICE_MYSQL_CRASH_RUNS times, default 30) — during the snapshot, the streamed result, the data
# files, the quarantine and the bronze commit — while a writer keeps inserting rows. Then the
# writer stops, one run completes, and every row of the server's tables must be in bronze exactly
# once: the incremental table (cursor updated_at, set at insert) and the full snapshot.
#   mysql_source_crash.sh SLUICE_BINARY WORK_DIR  (SLUICE_MARIADB_ENV names the server's env file)
set -uo pipefail
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

# The writer: 200 rows every 20 ms, each statement one transaction.
(
  while [ ! -e "$work/stop" ]; do
    sql "INSERT INTO clicks (page) SELECT CONCAT('w', seq) FROM seq_1_to_200" > /dev/null
    sleep 0.02
  done
) &
writer=$!

RANDOM=20261205
completed=0
for _ in $(seq 1 "$runs"); do
  "$sluice" run . --quiet > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 150)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
  else
    wait "$pid" 2>/dev/null && completed=$((completed + 1))
  fi
done
touch "$work/stop"
wait "$writer"
echo "mysql_source_crash: $runs runs killed at random instants ($completed finished before the kill)"

failed=0
if ! "$sluice" run . --no-progress > "$work/final.out" 2>&1; then
  echo "FAILED: the final run failed:"; cat "$work/final.out"; failed=1
fi
check() {  # name, server ids, bronze ids
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
check bronze.clicks "$(sql "SELECT id FROM clicks" | sort)" \
  "$("$sluice" cat lake/bronze/clicks --columns id --to csv | tail -n +2 | sort)"
check bronze.pages "$(sql "SELECT CONCAT(page, ',', weight) FROM pages" | sort)" \
  "$("$sluice" cat lake/bronze/pages --columns page,weight --to csv | tail -n +2 | sort)"
exit $failed
