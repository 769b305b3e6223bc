#!/usr/bin/env bash
# A postgres source of many tables (`tables: ["<schema>.*"]`) against a real PostgreSQL 15: every
# table of the schema lands in bronze.<table name> (a mixed-case name made lower-case), a silver
# table reads one of them after the source's task, a table created later is picked up by the next
# run, a table of another schema is not taken, a value that does not fit goes to that table's
# quarantine, and a silver table reading a table no pattern covers is refused by validate.
#   pg_tables.sh SLUICE_BINARY WORK_DIR     (SLUICE_PG_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
schema_prefix=t
# shellcheck source=tests/integration/pg_test_env.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg_test_env.sh"
sql "CREATE SCHEMA $schema; CREATE SCHEMA ${schema}_other;
CREATE TABLE $schema.\"Customers\" (id int PRIMARY KEY, name text);
INSERT INTO $schema.\"Customers\" VALUES (1, 'ann'), (2, 'bob');
CREATE TABLE $schema.line_items (order_id int, line int, qty int, shipped date, PRIMARY KEY (order_id, line));
INSERT INTO $schema.line_items VALUES (1, 1, 2, '2026-12-01'), (1, 2, 1, 'infinity'), (2, 1, 5, NULL);
CREATE TABLE ${schema}_other.secrets (id int);
INSERT INTO ${schema}_other.secrets VALUES (42);" > /dev/null

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p"
cat > sluice.yml <<EOF
name: pg_tables
retries: {attempts: 1}
sources:
  shop:
    type: postgres
    connection: "postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable"
    password_env: SHOP_DB_PASSWORD
    tables: ["$schema.*"]
tables:
  silver.line_items:
    from: bronze.line_items
    dedupe: {key: [order_id, line]}
EOF
run() { "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"; }
rows() { "$sluice" cat "lake/$1" --to csv --columns "$2" | tail -n +2 | sort | tr '\n' ' '; }

"$sluice" plan . > "$work/plan.out" || fail "plan: $(cat "$work/plan.out")"
grep -q "bronze.shop.\* (bronze)" "$work/plan.out" || fail "plan: $(cat "$work/plan.out")"
grep -q "silver.line_items (silver) after bronze.shop.\*" "$work/plan.out" || fail "plan order: $(cat "$work/plan.out")"
grep -q "tables $schema.\*" "$work/plan.out" || fail "plan reads: $(cat "$work/plan.out")"

run || fail "run 1: $(cat "$work/run.out" "$work/run.err")"
[ "$(rows bronze/customers id,name)" = "1,ann 2,bob " ] || fail "bronze.customers: $(rows bronze/customers id,name)"
[ "$(rows bronze/line_items order_id,line,qty)" = "1,1,2 2,1,5 " ] || fail "bronze.line_items: $(rows bronze/line_items order_id,line,qty)"
[ "$(rows silver/line_items order_id,line,qty)" = "1,1,2 2,1,5 " ] || fail "silver.line_items: $(rows silver/line_items order_id,line,qty)"
[ -d lake/bronze/secrets ] && fail "a table of another schema was taken"
"$sluice" cat lake/quarantine/shop_line_items --to csv --columns field,message | grep -q "shipped,.*infinity does not fit a date" ||
  fail "quarantine of line_items: $(ls lake/quarantine; "$sluice" cat lake/quarantine/shop_line_items --to csv 2>&1)"

# A table created since is picked up; the others are snapshots again.
sql "CREATE TABLE $schema.returns (id int PRIMARY KEY, reason text); INSERT INTO $schema.returns VALUES (7, 'broken');
     INSERT INTO $schema.\"Customers\" VALUES (3, 'cy');"
run || fail "run 2: $(cat "$work/run.out" "$work/run.err")"
[ "$(rows bronze/returns id,reason)" = "7,broken " ] || fail "bronze.returns: $(rows bronze/returns id,reason)"
[ "$(rows bronze/customers id,name)" = "1,ann 2,bob 3,cy " ] || fail "bronze.customers after run 2: $(rows bronze/customers id,name)"

# A silver table reading a table no pattern covers is an error before any run.
sed -i "s/tables: \[\"$schema.\*\"\]/tables: [\"$schema.line*\"]/; s/from: bronze.line_items/from: bronze.customers/" sluice.yml
"$sluice" validate . > "$work/validate.out" 2>&1 && fail "a read no source covers was accepted"
grep -q "reads bronze.customers, which no source or table of the project writes" "$work/validate.out" ||
  fail "validate: $(cat "$work/validate.out")"
echo "pg_tables: ok"
