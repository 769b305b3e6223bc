#!/usr/bin/env bash
# The postgres source against a real PostgreSQL 15: every type read into bronze exactly (each
# value compared with what the server returns for it), a value that does not fit (an infinite
# date) quarantined with its reason, full snapshots replacing the table (a deleted row goes),
# incremental runs by a timestamptz cursor — rows sharing the last cursor value, an updated row,
# a row committed late inside the lookback, each taken exactly once — a run with nothing new
# committing nothing, and the password kept out of the project file and out of errors.
#   pg_source.sh SLUICE_BINARY WORK_DIR     (SLUICE_PG_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
schema_prefix=s
# shellcheck source=tests/integration/pg_test_env.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg_test_env.sh"
sql "CREATE SCHEMA $schema" > /dev/null
export PGOPTIONS="-c search_path=$schema"

sql "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE every_type (
  id bigint PRIMARY KEY, small smallint, i integer, big bigint, r real, d double precision,
  n numeric(12,2), nwide numeric(50,10), nfree numeric, flag boolean, t text, vc varchar(20),
  c char(5), b bytea, day date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid,
  j json, jb jsonb, arr integer[], m mood, p positive_int);
INSERT INTO every_type VALUES
  (1, -32768, -2147483648, -9223372036854775808, 1.5, -0.1, -1234567890.12,
   '12345678901234567890123456789012345678.1234567890', 3.14159265358979323846264338327950288419716939937510,
   true, 'Zoë, \"quoted\"', 'varchar', 'ab', '\\x00ff10'::bytea, '1970-01-01', '13:45:07',
   '2024-02-29 23:59:59.123456', '1969-12-31 23:00:00+00', '1 year 2 mons 3 days 04:05:06',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": {\"c\": null}}',
   '{1,NULL,3}', 'happy', 7),
  (2, 32767, 2147483647, 9223372036854775807, 3.4028235e38, 1e300, 9999999999.99, 0, -5,
   false, '', 'x', 'abcde', '', '2262-04-11', '00:00:00.5', '1900-01-01 00:00:00',
   '2026-12-05 10:00:00.5+01', '-2 days', '00000000-0000-0000-0000-000000000000', '[]', '[]',
   '{}', 'sad', 1),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE products (sku text PRIMARY KEY, price numeric(8,2), valid_until date);
INSERT INTO products VALUES ('p1', 1.00, '2030-01-01'), ('p2', 2.00, NULL), ('p3', 3.00, 'infinity');
CREATE TABLE events (id int PRIMARY KEY, v text, updated_at timestamptz NOT NULL);
INSERT INTO events VALUES (1, 'a', '2026-12-01 10:00:00+00'), (2, 'b', '2026-12-01 11:00:00+00'),
  (3, 'c', '2026-12-01 11:00:00+00');
" > /dev/null

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p"
connection="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable"
cat > sluice.yml <<EOF
name: pg_source
retries: {attempts: 1}
sources:
  every_type:
    type: postgres
    connection: "$connection"
    password_env: SHOP_DB_PASSWORD
    table: $schema.every_type
  products:
    type: postgres
    connection: "$connection"
    password_env: SHOP_DB_PASSWORD
    table: $schema.products
  events:
    type: postgres
    connection: "$connection"
    password_env: SHOP_DB_PASSWORD
    table: $schema.events
    incremental: {cursor: updated_at, lookback: 1h}
    batch_rows: 2
EOF
run() {
  "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"
}
# The plan says what each source reads, without the password.
"$sluice" plan . > "$work/plan.out" || fail "plan: $(cat "$work/plan.out")"
grep -q "reads  postgres $PGUSER@$PGHOST:$PGPORT/$PGDATABASE: table $schema.every_type (full snapshot, replaces the table)" "$work/plan.out" ||
  fail "plan of every_type: $(cat "$work/plan.out")"
grep -q "table $schema.events (incremental on updated_at, lookback 3600s)" "$work/plan.out" ||
  fail "plan of events: $(cat "$work/plan.out")"
run || fail "run 1: $(cat "$work/run.out" "$work/run.err")"
grep -q "$PGPASSWORD" "$work/run.out" "$work/run.err" runs/*/report.json && fail "the password was shown"

# Every value as the server renders it, in the text sluice cat --to csv gives for the lake type.
micros() { # a time-like expression's text: fractional seconds only when there are some
  echo "CASE WHEN extract(microseconds FROM $1)::bigint % 1000000 = 0 THEN to_char($1, '$2') ELSE to_char($1, '$2.US') END"
}
expected=$(psql -qA --csv -c "SELECT id, small, i, big, r::float8, d, n, nwide, nfree,
  flag::text AS flag, t, vc, c, encode(b, 'base64') AS b, day,
  $(micros "('2000-01-01'::date + tm)" 'HH24:MI:SS') AS tm,
  $(micros ts 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN ts IS NULL THEN NULL ELSE 'Z' END AS ts,
  $(micros "(tstz AT TIME ZONE 'UTC')" 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN tstz IS NULL THEN NULL ELSE 'Z' END AS tstz,
  iv::text AS iv, u::text AS u, j::text AS j, jb::text AS jb, to_json(arr)::text AS arr,
  m::text AS m, p FROM every_type ORDER BY id")
got=$("$sluice" cat lake/bronze/every_type --to csv \
  --columns id,small,i,big,r,d,n,nwide,nfree,flag,t,vc,c,b,day,tm,ts,tstz,iv,u,j,jb,arr,m,p)
# Compared as parsed CSV rows in id order (the two writers quote differently).
rows() { python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin)); print(r[0]); [print(x) for x in sorted(r[1:], key=lambda x: int(x[0]))]'; }
[ "$(rows <<< "$got")" = "$(rows <<< "$expected")" ] || fail "every_type differs:
--- server ---
$expected
--- bronze ---
$got"
# psql's CSV cannot tell an empty string from a null; the lake can.
"$sluice" cat lake/bronze/every_type --to ndjson --columns id,t,b | grep -q '"id":2,"t":"","b":""' ||
  fail "empty text and bytea: $("$sluice" cat lake/bronze/every_type --to ndjson --columns id,t,b)"
"$sluice" cat lake/bronze/every_type --to ndjson --columns id,t,b | grep -q '"id":3,"t":null,"b":null' ||
  fail "null text and bytea: $("$sluice" cat lake/bronze/every_type --to ndjson --columns id,t,b)"
types=$("$sluice" schema lake/bronze/every_type 2>/dev/null | tr -s ' ' | tr '\n' ';')
for want in "n decimal(12,2)" "nwide string" "flag bool" "b binary" "tstz timestamp" "jb json" "arr json" "small int32" "big int64"; do
  case "$types" in *"$want"*) ;; *) fail "every_type: expected column $want in: $types" ;; esac
done

# products: the infinite date goes to quarantine with its reason; the rest land.
[ "$("$sluice" cat lake/bronze/products --to csv --columns sku | tail -n +2 | sort | tr '\n' ' ')" = "p1 p2 " ] ||
  fail "products: $("$sluice" cat lake/bronze/products --to csv)"
"$sluice" cat lake/quarantine/products --to csv --columns field,error_kind,message | grep -q "valid_until,cast_error,.*infinity does not fit a date" ||
  fail "products quarantine: $("$sluice" cat lake/quarantine/products --to csv)"
# The rejected row itself, as JSON: the values that fit decoded, the one that does not in hex.
"$sluice" cat lake/quarantine/products --to ndjson --columns raw | grep -qF '{\"sku\":\"p3\",\"price\":3.00,\"valid_until\":\"\\\\x7fffffff\"}' ||
  fail "products quarantine raw: $("$sluice" cat lake/quarantine/products --to ndjson --columns raw)"

# events: run 2 after a row sharing the last cursor value, and an update.
sql "INSERT INTO events VALUES (4, 'd', '2026-12-01 11:00:00+00'); UPDATE events SET v = 'a2', updated_at = '2026-12-01 12:00:00+00' WHERE id = 1"
# products: a row deleted, one changed: a full snapshot replaces the table.
sql "DELETE FROM products WHERE sku = 'p2'; UPDATE products SET price = 1.50 WHERE sku = 'p1'"
run || fail "run 2: $(cat "$work/run.out" "$work/run.err")"
events() { "$sluice" cat lake/bronze/events --to csv --columns id,v,updated_at | tail -n +2 | sort | tr '\n' ' '; }
[ "$(events)" = "1,a,2026-12-01T10:00:00Z 1,a2,2026-12-01T12:00:00Z 2,b,2026-12-01T11:00:00Z 3,c,2026-12-01T11:00:00Z 4,d,2026-12-01T11:00:00Z " ] ||
  fail "events after run 2: $(events)"
[ "$("$sluice" cat lake/bronze/products --to csv --columns sku,price | tail -n +2 | sort | tr '\n' ' ')" = "p1,1.50 " ] ||
  fail "products after run 2: $("$sluice" cat lake/bronze/products --to csv)"

# run 3: nothing new in events: no commit.
before=$(ls lake/bronze/events/_delta_log/*.json | wc -l)
run || fail "run 3: $(cat "$work/run.out" "$work/run.err")"
[ "$(ls lake/bronze/events/_delta_log/*.json | wc -l)" = "$before" ] || fail "run 3 committed to events with nothing new"
grep -q "nothing new in $schema.events" "$work/run.out" "$work/run.err" || fail "run 3 notes: $(cat "$work/run.out")"

# run 4: a row committed late, inside the lookback (nothing newer than the mark).
sql "INSERT INTO events VALUES (5, 'late', '2026-12-01 11:30:00+00')"
run || fail "run 4: $(cat "$work/run.out" "$work/run.err")"
[ "$(events)" = "1,a,2026-12-01T10:00:00Z 1,a2,2026-12-01T12:00:00Z 2,b,2026-12-01T11:00:00Z 3,c,2026-12-01T11:00:00Z 4,d,2026-12-01T11:00:00Z 5,late,2026-12-01T11:30:00Z " ] ||
  fail "events after run 4: $(events)"

# The password never in the project file; a wrong one is a clear error without it.
sed "s|sslmode=disable|sslmode=disable\&password=hunter2|" sluice.yml > bad.yml && mkdir -p bad && mv bad.yml bad/sluice.yml
"$sluice" validate bad > "$work/bad.out" 2>&1 && fail "a password in the connection was accepted"
grep -q "holds a password" "$work/bad.out" || fail "password in connection: $(cat "$work/bad.out")"
SHOP_DB_PASSWORD=wrong-secret-value "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err" && fail "a wrong password passed"
grep -q "password authentication failed" "$work/run.err" || fail "wrong password: $(cat "$work/run.err")"
grep -q "wrong-secret-value" "$work/run.out" "$work/run.err" && fail "the wrong password was shown"
echo "pg_source: ok"
