#!/usr/bin/env bash
# CDC from a real PostgreSQL 15 (logical replication, pgoutput): the first run takes the slot's
# snapshot; later runs append inserts, updates and deletes as change rows (_op, _lsn, _commit_ts,
# the key of a deleted row); silver with dedupe {latest_by: _lsn, apply_deletes: true} equals the
# server's table after every run. Exactly once: a run killed between the Delta commit and the
# slot's acknowledgement (SLUICE_FAULT=pgcdc_before_ack) is followed by a run that applies
# nothing twice; then SIGKILLs at random instants while a writer inserts, updates and deletes,
# and every change is in bronze exactly once (by its WAL position) with silver equal to the table.
#   pg_cdc.sh SLUICE_BINARY WORK_DIR     (SLUICE_PG_ENV names the server's env file)
set -euo pipefail
sluice=$1
work=$2
schema_prefix=c
# shellcheck source=tests/integration/pg_test_env.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg_test_env.sh"
slot=sluice_${schema}
cleanup() { psql -qAtc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name IN ('$slot', 'keep_$schema') AND NOT active" > /dev/null 2>&1 || true; }
trap cleanup EXIT
sql "CREATE SCHEMA $schema;
CREATE TABLE $schema.orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2),
  tags text[], note text, updated_at timestamptz DEFAULT now());
INSERT INTO $schema.orders (id, customer, amount, tags) VALUES
  (1, 'ann', 10.00, '{a,b}'), (2, 'bob', 20.50, NULL), (3, 'cy', 30.00, '{}');
CREATE PUBLICATION pub_$schema FOR TABLE $schema.orders;
CREATE TABLE $schema.audit (seq bigserial, op text);
CREATE FUNCTION $schema.log_change() RETURNS trigger LANGUAGE plpgsql AS
  \$\$BEGIN INSERT INTO $schema.audit (op) VALUES (lower(TG_OP)); RETURN NULL; END\$\$;
CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON $schema.orders
  FOR EACH ROW EXECUTE FUNCTION $schema.log_change();" > /dev/null

rm -rf "$work" && mkdir -p "$work/p"
cd "$work/p"
cat > sluice.yml <<EOF
name: pg_cdc
retries: {attempts: 1}
sources:
  orders:
    type: postgres
    connection: "postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE?sslmode=disable"
    password_env: SHOP_DB_PASSWORD
    table: $schema.orders
    incremental: {mode: cdc, slot: $slot, publication: pub_$schema}
    batch_rows: 3
tables:
  silver.orders:
    from: bronze.orders
    dedupe: {key: [id], latest_by: _lsn, apply_deletes: true}
EOF
run() { "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"; }
# The server's table and silver's, as sorted CSV lines of the same columns.
server() { psql -qAt -F, -c "SELECT id, customer, amount, coalesce(tags::text, 'NULL'), coalesce(note, 'NULL') FROM $schema.orders ORDER BY id"; }
silver() {
  "$sluice" cat lake/silver/orders --to ndjson --columns id,customer,amount,tags,note |
    python3 -c '
import json, sys
rows = [json.loads(line, parse_float=str) for line in sys.stdin]
for r in sorted(rows, key=lambda r: r["id"]):
    print(",".join([str(r["id"]), r["customer"], r["amount"], "NULL" if r["tags"] is None else r["tags"], "NULL" if r["note"] is None else r["note"]]))'
}
same() { [ "$(server)" = "$(silver)" ] || fail "$1: silver differs from the server
--- server ---
$(server)
--- silver ---
$(silver)"; }
ops() { "$sluice" cat lake/bronze/orders --to csv --columns _op | tail -n +2 | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '; }

"$sluice" plan . > "$work/plan.out" || fail "plan: $(cat "$work/plan.out")"
grep -q "table $schema.orders (cdc: slot $slot, publication pub_$schema" "$work/plan.out" || fail "plan: $(cat "$work/plan.out")"

# A slot of another name that exists without a position in bronze may be another consumer's: the
# run refuses it and leaves it alone.
sql "SELECT pg_create_logical_replication_slot('keep_$schema', 'pgoutput')" > /dev/null
mkdir -p "$work/other"
sed "s/slot: $slot/slot: keep_$schema/" sluice.yml > "$work/other/sluice.yml"
"$sluice" run "$work/other" --no-progress > "$work/other.out" 2>&1 && fail "a foreign slot was taken"
grep -q "replication slot keep_$schema exists, but bronze.orders holds no position read from it" "$work/other.out" ||
  fail "foreign slot: $(cat "$work/other.out")"
[ "$(sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'keep_$schema'")" = 1 ] || fail "the foreign slot was dropped"

# Run 1: the snapshot — after first runs killed before their commit (the slot made, or not):
# each next first run makes the slot again.
for delay in 0.15 0.3 0.45; do
  "$sluice" run . --no-progress > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  rm -rf lake
done
run || fail "run 1: $(cat "$work/run.out" "$work/run.err")"
[ "$(ops)" = "snapshot=3 " ] || fail "run 1 bronze ops: $(ops)"
same "run 1"
[ "$(sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot'")" = 1 ] || fail "no slot after run 1"

# Run 2: inserts, updates (one key twice in a transaction), deletes, a key inserted and deleted.
sql "INSERT INTO $schema.orders (id, customer, amount) VALUES (4, 'dee', 40.00);
UPDATE $schema.orders SET amount = 11.00, note = 'changed' WHERE id = 1;
DELETE FROM $schema.orders WHERE id = 2;
BEGIN; UPDATE $schema.orders SET amount = 31.00 WHERE id = 3; UPDATE $schema.orders SET amount = 32.00, tags = '{x,\"y z\"}' WHERE id = 3; COMMIT;
BEGIN; INSERT INTO $schema.orders (id, customer) VALUES (5, 'eve'); DELETE FROM $schema.orders WHERE id = 5; COMMIT;"
run || fail "run 2: $(cat "$work/run.out" "$work/run.err")"
[ "$(ops)" = "delete=2 insert=2 snapshot=3 update=3 " ] || fail "run 2 bronze ops: $(ops)"
same "run 2"
# A delete carries the key, nulls elsewhere, and the commit time.
"$sluice" cat lake/bronze/orders --to ndjson --columns id,customer,_op,_commit_ts | grep '"_op":"delete"' | grep -q '"id":2,"customer":null' ||
  fail "delete row: $("$sluice" cat lake/bronze/orders --to ndjson --columns id,customer,_op,_commit_ts)"
"$sluice" cat lake/bronze/orders --to ndjson --columns _op,_commit_ts | grep '"_op":"update"' | grep -q '"_commit_ts":"20' ||
  fail "commit time: $("$sluice" cat lake/bronze/orders --to ndjson --columns _op,_commit_ts)"

# Run 3: nothing changed; a quiet run adds no change rows.
run || fail "run 3: $(cat "$work/run.out" "$work/run.err")"
[ "$(ops)" = "delete=2 insert=2 snapshot=3 update=3 " ] || fail "run 3 bronze ops: $(ops)"

# Run 4 dies after its Delta commit, before acknowledging the position to the server; run 5
# gets those changes from the server again and must not apply them twice.
sql "INSERT INTO $schema.orders (id, customer, amount) VALUES (6, 'fay', 60.00); UPDATE $schema.orders SET note = 'again' WHERE id = 4; DELETE FROM $schema.orders WHERE id = 1;"
set +e
SLUICE_FAULT=pgcdc_before_ack "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err"
code=$?
set -e
[ "$code" = 86 ] || fail "the fault did not fire (exit $code): $(cat "$work/run.out" "$work/run.err")"
[ "$(ops)" = "delete=3 insert=3 snapshot=3 update=4 " ] || fail "run 4 bronze ops: $(ops)"
confirmed=$(sql "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$slot'")
run || fail "run 5: $(cat "$work/run.out" "$work/run.err")"
[ "$(ops)" = "delete=3 insert=3 snapshot=3 update=4 " ] || fail "run 5 applied changes twice: $(ops)"
same "run 5"
[ "$(sql "SELECT confirmed_flush_lsn > '$confirmed' FROM pg_replication_slots WHERE slot_name = '$slot'")" = t ] ||
  fail "run 5 did not acknowledge the position (still $confirmed)"

# SIGKILLs at random instants while a writer changes rows; every change exactly once.
writer() {
  local i=100
  while [ ! -f "$work/stop" ]; do
    psql -qAtc "INSERT INTO $schema.orders (id, customer, amount) VALUES ($i, 'w$i', $i.00);
      UPDATE $schema.orders SET amount = amount + 1 WHERE id = $((i - 1));
      DELETE FROM $schema.orders WHERE id = $((i - 3)) AND id % 2 = 0;" > /dev/null 2>&1 || true
    i=$((i + 1))
    sleep 0.02
  done
}
rm -f "$work/stop"
writer &
writer_pid=$!
finished=0
for attempt in $(seq 1 30); do
  "$sluice" run . --no-progress > "$work/run.out" 2> "$work/run.err" &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 350)))"
  if kill -9 "$pid" 2> /dev/null; then :; else finished=$((finished + 1)); fi
  wait "$pid" 2> /dev/null || true
done
touch "$work/stop"
wait "$writer_pid"
# The slot may still be held by a killed run's walsender for a moment.
for _ in $(seq 1 50); do
  [ "$(sql "SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'")" = f ] && break
  sleep 0.1
done
run || fail "the run after the kills: $(cat "$work/run.out" "$work/run.err")"
same "after 30 kills ($finished runs finished first)"
dups=$("$sluice" cat lake/bronze/orders --to csv --columns _op,_lsn,id | tail -n +2 | grep -v '^snapshot' | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "changes in bronze twice: $dups"
# Every change the server made since the snapshot, and no other: each kind of change as often
# as the server's trigger logged it.
audited=$(sql "SELECT op || '=' || count(*) FROM $schema.audit GROUP BY op ORDER BY op" | tr '\n' ' ')
changes=$(ops | sed 's/snapshot=3 //')
[ "$changes" = "$audited" ] || fail "bronze holds the changes $changes, the server made $audited"
echo "pg_cdc: ok ($finished of 30 runs finished before their kill; changes: $changes)"
