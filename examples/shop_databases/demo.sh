#!/usr/bin/env bash
# The shop_databases example with throwaway servers: starts a PostgreSQL 15 and a MariaDB 10.11 on
# loopback (tests/integration/services/), seeds them (seed_*.sql), runs the project, changes some
# rows (an order shipped, a new order, an order deleted, a customer moved), runs it again, and
# prints what the
# warehouse holds. Checks the results, so it doubles as a test. Stops the servers at the end.
#   bash examples/shop_databases/demo.sh [SLUICE_BINARY] [WORK_DIR]
# Packages: postgresql-15, mariadb-server (scripts/install_deps.sh test).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
sluice=${1:-$repo/build/release/apps/sluice/sluice}
work=${2:-$(mktemp -d /tmp/sluice-shop-databases.XXXXXX)}
[ -x "$sluice" ] || { echo "demo.sh: no sluice binary at $sluice (build it, or pass its path)" >&2; exit 2; }
[[ "$sluice" == /* ]] || sluice=$PWD/$sluice
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
services=$repo/tests/integration/services
stop() {
  bash "$services/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true
  bash "$services/mariadb.sh" stop "$work/mariadb" > /dev/null 2>&1 || true
}
trap stop EXIT
fail() {
  echo "demo.sh: FAIL: $*" >&2
  exit 1
}

bash "$services/postgres.sh" start "$work/pg" > /dev/null
bash "$services/mariadb.sh" start "$work/mariadb" > /dev/null
set -a
# shellcheck disable=SC1091
. "$work/pg/pg.env"
# shellcheck disable=SC1091
. "$work/mariadb/mariadb.env"
set +a
export SHOP_PG_HOST=$PGHOST SHOP_PG_PORT=$PGPORT SHOP_PG_USER=$PGUSER SHOP_PG_DB=$PGDATABASE
export SHOP_PG_PASSWORD=$PGPASSWORD
export SHOP_MYSQL_HOST=$MARIADB_HOST SHOP_MYSQL_PORT=$MARIADB_PORT SHOP_MYSQL_USER=$MARIADB_USER
export SHOP_MYSQL_DB=$MARIADB_DB SHOP_MYSQL_PASSWORD=$MARIADB_PASSWORD
maria() {
  MYSQL_PWD=$MARIADB_PASSWORD mariadb --no-defaults -h "$MARIADB_HOST" -P "$MARIADB_PORT" \
    -u "$MARIADB_USER" "$MARIADB_DB" "$@"
}
psql -q -f "$here/seed_postgres.sql" > /dev/null
maria < "$here/seed_mariadb.sql"

mkdir -p "$work/project"
cp "$here/sluice.yml" "$work/project/"
cd "$work/project"
query() { "$sluice" query . "$1" --csv | tail -n +2 | tr '\n' ' '; }

echo "== run 1: everything so far"
"$sluice" run . --no-progress --quiet
[ "$(query "select count(*) from fact_orders")" = "4 " ] || fail "fact_orders after run 1"
[ "$(query "select printf('%s:%.2f', status, revenue) from revenue_by_status order by status")" = "placed:36.90 shipped:44.10 " ] ||
  fail "revenue_by_status after run 1: $(query "select * from revenue_by_status")"

echo "== the databases change: order 1 ships, order 6 arrives, order 2 is deleted, Ann moves to Bergen"
psql -qc "UPDATE orders SET status = 'shipped', updated_at = now() WHERE order_id = 1;
  INSERT INTO orders VALUES (6, 3, 'placed', 7.50, now(), now());
  DELETE FROM orders WHERE order_id = 2"
maria -e "UPDATE customers SET city = 'Bergen', updated_at = '2026-12-03 00:00:00' WHERE customer_id = 1"

echo "== run 2: only what changed"
"$sluice" run . --no-progress --quiet
[ "$(query "select count(*) from fact_orders")" = "4 " ] || fail "fact_orders after run 2: $(query "select * from fact_orders")"
[ "$(query "select printf('%s:%.2f', status, revenue) from revenue_by_status order by status")" = "placed:19.50 shipped:64.00 " ] ||
  fail "revenue_by_status after run 2: $(query "select * from revenue_by_status")"
[ "$(query "select city from dim_customer where customer_id = 1 order by valid_from")" = "Oslo Bergen " ] ||
  fail "dim_customer history: $(query "select * from dim_customer")"
echo
"$sluice" query . "select status, orders, revenue from revenue_by_status order by status"
echo "demo.sh: ok (lake and warehouse in $work/project)"
