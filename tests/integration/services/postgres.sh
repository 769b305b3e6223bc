#!/usr/bin/env bash
# A real PostgreSQL 15 server for the integration tests and the load benchmark: a throwaway
# cluster (initdb) on 127.0.0.1 with a free port, password authentication (scram-sha-256) over
# TCP. Package: postgresql-15 (scripts/install_deps.sh test). The server refuses to run as root,
# so as root it runs as the `postgres` user and DIR must be a folder that user can enter.
#
#   postgres.sh start DIR   writes DIR/pg.env (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)
#                           once the server answers; ~1-2 s
#   postgres.sh stop DIR    stops it (safe to call twice)
#
# Env (optional): PG_PORT, PG_PASSWORD (default: a random one), PG_DB (default: sluice).
# Test-only speed settings: fsync, synchronous_commit and full_page_writes are off. wal_level is
# logical, for the CDC tests' replication slots.
set -euo pipefail

command=${1:?usage: postgres.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: postgres.sh start|stop DIR}" && cd "$2" && pwd)
bin=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case $command in
  start)
    [ -x "$bin/initdb" ] || { echo "postgres.sh: install postgresql-15 (scripts/install_deps.sh test)" >&2; exit 1; }
    "$0" stop "$dir" > /dev/null 2>&1 || true
    port=${PG_PORT:-$(free_port)}
    password=${PG_PASSWORD:-pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
    database=${PG_DB:-sluice}
    rm -rf "$dir/pg" && mkdir -p "$dir/pg"
    chmod 755 "$dir"
    printf '%s\n' "$password" > "$dir/pg/.pw"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir/pg"; fi
    as_postgres "$bin/initdb" -D "$dir/pg/data" -U postgres --pwfile="$dir/pg/.pw" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
      > "$dir/pg/initdb.log" 2>&1 || { cat "$dir/pg/initdb.log" >&2; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c wal_level=logical -c max_replication_slots=32 -c max_wal_senders=32" \
      > /dev/null || { cat "$dir/pg/server.log" >&2; exit 1; }
    PGPASSWORD=$password psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtc \
      "CREATE DATABASE $database" > /dev/null
    cat > "$dir/pg.env" <<EOT
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=postgres
PGPASSWORD=$password
PGDATABASE=$database
EOT
    echo "postgres: ready on 127.0.0.1:$port (database $database)"
    ;;
  stop)
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop > /dev/null || true
    fi
    echo "postgres: stopped"
    ;;
  *)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
