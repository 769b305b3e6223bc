# Sourced by the PostgreSQL source tests: the fixture server's environment (the file SLUICE_PG_ENV
# names: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), SHOP_DB_PASSWORD for the projects'
# password_env, a schema name of this run in $schema (prefix: $schema_prefix), fail and sql.
: "${SLUICE_PG_ENV:?run through ctest: the pg_server fixture writes the env file}"
set -a
# shellcheck disable=SC1090
. "$SLUICE_PG_ENV"
set +a
export SHOP_DB_PASSWORD=$PGPASSWORD
schema=${schema_prefix:-s}$(date +%s%N)_$$
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
sql() { psql -qAtc "$1"; }
