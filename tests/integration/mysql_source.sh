#!/usr/bin/env bash
# The mysql source against a real MariaDB 10.11: every type read into bronze exactly (each value
# compared with what the server returns for it), values that do not fit (zero dates, a TINYINT(1)
# holding 2, a TIME past 24 hours) quarantined with their reasons, full snapshots replacing the
# table, incremental runs by a DATETIME(6) cursor — rows sharing the last cursor value, an update,
# a row committed late inside the lookback, each taken exactly once — and a run with nothing new
# committing nothing. The password stays out of the project file and out of errors.
#   mysql_source.sh SLUICE_BINARY WORK_DIR     (SLUICE_MARIADB_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
: "${SLUICE_MARIADB_ENV:?run through ctest: the mariadb_server fixture writes the env file}"
# shellcheck disable=SC1090
. "$SLUICE_MARIADB_ENV"
export CRM_DB_PASSWORD=$MARIADB_PASSWORD
db=m$(date +%s%N)_$$
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
sql() {
  mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" \
    -p"$MARIADB_PASSWORD" --batch --raw --skip-column-names "$db" -e "$1"
}
mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" \
  -p"$MARIADB_PASSWORD" -e "CREATE DATABASE $db"

sql "
CREATE TABLE every_type (
  id int PRIMARY KEY, flag tinyint(1), tiny tinyint, small smallint, medium mediumint, i int,
  iu int unsigned, big bigint, bigu bigint unsigned, n decimal(12,2), nwide decimal(65,10),
  f float, d double, day date, dt datetime(6), ts timestamp(6) NULL, tm time, yr year,
  bits bit(10), j json, c char(5), vc varchar(20), t text, e enum('sad','ok','happy'),
  s set('a','b','c'), bin binary(3), vb varbinary(10), bl blob);
INSERT INTO every_type VALUES
  (1, 1, -128, -32768, -8388608, -2147483648, 4294967295, -9223372036854775808,
   18446744073709551615, -1234567890.12, 12345678901234567890123456789012345678901234567890.1234567890,
   1.5, -0.1, '1970-01-01', '2024-02-29 23:59:59.123456', '2001-09-09 01:46:40.5', '13:45:07',
   2026, b'1010101010', '{\"a\": [1, 2]}', 'ab', 'Zoë, \"quoted\"', 'long text', 'happy', 'a,c',
   x'00ff10', x'', x'010203'),
  (2, 0, 127, 32767, 8388607, 2147483647, 0, 9223372036854775807, 0, 9999999999.99, 0,
   -2.25, 2.5, '9999-12-31', '1000-01-01 00:00:00', '2038-01-19 03:14:07', '00:00:00', 1901,
   b'0', '[]', '', '', '', 'sad', '', x'000000', x'ff', x''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET SESSION sql_mode = '';
CREATE TABLE legacy (id int PRIMARY KEY, d date, dt datetime, flag tinyint(1), tm time);
INSERT INTO legacy VALUES (1, '2024-01-01', '2024-01-01 10:00:00', 1, '10:00:00'),
  (2, '0000-00-00', '2024-01-01 10:00:00', 0, '10:00:00'),
  (3, '2024-01-03', '2024-00-10 10:00:00', 0, '10:00:00'),
  (4, '2024-01-04', '2024-01-04 10:00:00', 2, '10:00:00'),
  (5, '2024-01-05', '2024-01-05 10:00:00', 1, '30:00:00');
CREATE TABLE events (id int PRIMARY KEY, v varchar(10), updated_at datetime(6) NOT NULL);
INSERT INTO events VALUES (1, 'a', '2026-12-01 10:00:00'), (2, 'b', '2026-12-01 11:00:00'),
  (3, 'c', '2026-12-01 11:00:00');"

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p"
connection="mysql://$MARIADB_USER@$MARIADB_HOST:$MARIADB_PORT/$db?sslmode=disable"
cat > sluice.yml <<EOF
name: mysql_source
retries: {attempts: 1}
sources:
  every_type: {type: mysql, connection: "$connection", password_env: CRM_DB_PASSWORD, table: every_type}
  legacy: {type: mysql, connection: "$connection", password_env: CRM_DB_PASSWORD, table: $db.legacy}
  events:
    type: mysql
    connection: "$connection"
    password_env: CRM_DB_PASSWORD
    table: events
    incremental: {cursor: updated_at, lookback: 1h}
    batch_rows: 2
EOF
run() {
  "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"
}
run || fail "run 1: $(cat "$work/run.out" "$work/run.err")"
grep -q "$MARIADB_PASSWORD" "$work/run.out" "$work/run.err" runs/*/report.json && fail "the password was shown"

# Every value as the server renders it, in the text sluice cat --to csv gives for the lake type.
iso() { # a DATETIME/TIMESTAMP expression as ISO 8601 UTC, fractional seconds only when some
  echo "IF($1 IS NULL, NULL, CONCAT(DATE_FORMAT($1, '%Y-%m-%dT%H:%i:%s'), IF(MICROSECOND($1) = 0, '', CONCAT('.', LPAD(MICROSECOND($1), 6, '0'))), 'Z'))"
}
expected=$(sql "SELECT id, IF(flag IS NULL, NULL, IF(flag, 'true', 'false')), tiny, small, medium, i, iu,
  big, bigu, n, nwide, f, d, day, $(iso dt), $(iso ts), tm, yr, CAST(bits AS UNSIGNED), j, c, vc, t,
  e, s, TO_BASE64(bin), TO_BASE64(vb), TO_BASE64(bl) FROM every_type ORDER BY id")
got=$("$sluice" cat lake/bronze/every_type --to csv \
  --columns id,flag,tiny,small,medium,i,iu,big,bigu,n,nwide,f,d,day,dt,ts,tm,yr,bits,j,c,vc,t,e,s,bin,vb,bl)
# Compared as rows of values in id order (NULL and the empty string both empty: checked below).
normalized_server=$(python3 -c 'import sys
for line in sys.stdin.read().splitlines():
    print([("" if v == "NULL" else v) for v in line.split("\t")])' <<< "$expected")
normalized_lake=$(python3 -c 'import csv,sys
rows = list(csv.reader(sys.stdin))[1:]
for r in sorted(rows, key=lambda r: int(r[0])): print(r)' <<< "$got")
[ "$normalized_lake" = "$normalized_server" ] || fail "every_type differs:
--- server ---
$normalized_server
--- bronze ---
$normalized_lake"
"$sluice" cat lake/bronze/every_type --to ndjson --columns id,vc,bl | grep -q '"id":2,"vc":"","bl":""' ||
  fail "empty strings: $("$sluice" cat lake/bronze/every_type --to ndjson --columns id,vc,bl)"
"$sluice" cat lake/bronze/every_type --to ndjson --columns id,vc,bl | grep -q '"id":3,"vc":null,"bl":null' ||
  fail "nulls: $("$sluice" cat lake/bronze/every_type --to ndjson --columns id,vc,bl)"
types=$("$sluice" schema lake/bronze/every_type 2>/dev/null | tr -s ' ' | tr '\n' ';')
for want in "flag bool" "iu int64" "bigu decimal(20,0)" "n decimal(12,2)" "nwide string" "dt timestamp" "ts timestamp" "bits int64" "j json" "bin binary" "yr int32"; do
  case "$types" in *"$want"*) ;; *) fail "every_type: expected column $want in: $types" ;; esac
done

# legacy: zero dates, a TINYINT(1) of 2 and a TIME past a day go to quarantine with the reason.
[ "$("$sluice" cat lake/bronze/legacy --to csv --columns id | tail -n +2 | sort | tr '\n' ' ')" = "1 " ] ||
  fail "legacy: $("$sluice" cat lake/bronze/legacy --to csv)"
reasons=$("$sluice" cat lake/quarantine/legacy --to csv --columns field,message | tail -n +2 | sort)
for want in "d,column 'd' (date): zero date '0000-00-00' is not a date" \
  "dt,column 'dt' (datetime): zero date '2024-00-10 10:00:00' is not a timestamp" \
  "flag,column 'flag' (tinyint): '2' is not 0 or 1" "tm,column 'tm' (time): '30:00:00' is not a time of day"; do
  grep -qF "$want" <<< "$reasons" || fail "legacy quarantine lacks <$want>: $reasons"
done
# The rejected row itself, as the server sent it.
"$sluice" cat lake/quarantine/legacy --to csv --columns raw | grep -qF '{""id"":""4"",""d"":""2024-01-04"",""dt"":""2024-01-04 10:00:00"",""flag"":""2"",""tm"":""10:00:00""}' ||
  fail "legacy quarantine raw: $("$sluice" cat lake/quarantine/legacy --to csv --columns raw)"

# events: a row sharing the last cursor value, and an update; every_type: a row deleted.
sql "INSERT INTO events VALUES (4, 'd', '2026-12-01 11:00:00'); UPDATE events SET v = 'a2', updated_at = '2026-12-01 12:00:00' WHERE id = 1; DELETE FROM every_type WHERE id = 2"
run || fail "run 2: $(cat "$work/run.out" "$work/run.err")"
events() { "$sluice" cat lake/bronze/events --to csv --columns id,v,updated_at | tail -n +2 | sort | tr '\n' ' '; }
[ "$(events)" = "1,a,2026-12-01T10:00:00Z 1,a2,2026-12-01T12:00:00Z 2,b,2026-12-01T11:00:00Z 3,c,2026-12-01T11:00:00Z 4,d,2026-12-01T11:00:00Z " ] ||
  fail "events after run 2: $(events)"
[ "$("$sluice" cat lake/bronze/every_type --to csv --columns id | tail -n +2 | sort | tr '\n' ' ')" = "1 3 " ] ||
  fail "every_type after run 2: $("$sluice" cat lake/bronze/every_type --to csv --columns id)"

# run 3: nothing new in events: no commit.
before=$(ls lake/bronze/events/_delta_log/*.json | wc -l)
run || fail "run 3: $(cat "$work/run.out" "$work/run.err")"
[ "$(ls lake/bronze/events/_delta_log/*.json | wc -l)" = "$before" ] || fail "run 3 committed to events with nothing new"
grep -q "nothing new in events" "$work/run.out" "$work/run.err" || fail "run 3 notes: $(cat "$work/run.out")"

# run 4: a row committed late, inside the lookback.
sql "INSERT INTO events VALUES (5, 'late', '2026-12-01 11:30:00')"
run || fail "run 4: $(cat "$work/run.out" "$work/run.err")"
[ "$(events)" = "1,a,2026-12-01T10:00:00Z 1,a2,2026-12-01T12:00:00Z 2,b,2026-12-01T11:00:00Z 3,c,2026-12-01T11:00:00Z 4,d,2026-12-01T11:00:00Z 5,late,2026-12-01T11:30:00Z " ] ||
  fail "events after run 4: $(events)"

# The password never in the project file; a wrong one is a clear error without it.
mkdir -p bad && sed "s|mysql://$MARIADB_USER@|mysql://$MARIADB_USER:hunter2@|" sluice.yml > bad/sluice.yml
"$sluice" validate bad > "$work/bad.out" 2>&1 && fail "a password in the connection was accepted"
grep -q "literal password\|holds a password" "$work/bad.out" || fail "password in connection: $(cat "$work/bad.out")"
CRM_DB_PASSWORD=wrong-secret-value "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err" && fail "a wrong password passed"
grep -q "Access denied" "$work/run.err" || fail "wrong password: $(cat "$work/run.err")"
grep -q "wrong-secret-value" "$work/run.out" "$work/run.err" && fail "the wrong password was shown"
echo "mysql_source: ok"
