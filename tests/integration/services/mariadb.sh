#!/usr/bin/env bash
# A real MariaDB 10.11 server for the integration tests and the source benchmark: a throwaway
# data folder (mariadb-install-db) on 127.0.0.1 with a free port and a private unix socket, a
# user with a password. Packages: mariadb-server, mariadb-client (scripts/install_deps.sh test).
# As root the server runs as the `mysql` user, so DIR must be a folder that user can enter.
#
#   mariadb.sh start DIR   writes DIR/mariadb.env (MARIADB_HOST, MARIADB_PORT, MARIADB_SOCKET,
#                          MARIADB_USER, MARIADB_PASSWORD, MARIADB_DB) once the server answers
#   mariadb.sh stop DIR    stops it (safe to call twice)
#
# Test-only speed settings: no binary log, no doublewrite, the redo log flushed once a second.
set -euo pipefail

command=${1:?usage: mariadb.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: mariadb.sh start|stop DIR}" && cd "$2" && pwd)
data=$dir/mariadb

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case $command in
  start)
    [ -x /usr/sbin/mariadbd ] || { echo "mariadb.sh: install mariadb-server (scripts/install_deps.sh test)" >&2; exit 1; }
    "$0" stop "$dir" > /dev/null 2>&1 || true
    port=$(free_port)
    password=pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    user=sluice
    database=sluice
    run_as=$(id -un)
    [ "$(id -u)" = 0 ] && run_as=mysql
    rm -rf "$data" && mkdir -p "$data/db"
    chmod 755 "$dir"
    chown -R "$run_as" "$data"
    mariadb-install-db --no-defaults --user="$run_as" --datadir="$data/db" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      > "$data/install.log" 2>&1 || { cat "$data/install.log" >&2; exit 1; }
    nohup /usr/sbin/mariadbd --no-defaults --user="$run_as" --datadir="$data/db" \
      --socket="$data/mariadb.sock" --pid-file="$data/mariadbd.pid" --log-error="$data/error.log" \
      --bind-address=127.0.0.1 --port="$port" --skip-name-resolve --skip-log-bin \
      --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
      --performance-schema=OFF > "$data/stdout.log" 2>&1 &
    for _ in $(seq 300); do
      mariadb-admin --no-defaults -S "$data/mariadb.sock" -uroot ping > /dev/null 2>&1 && break
      sleep 0.1
    done
    mariadb-admin --no-defaults -S "$data/mariadb.sock" -uroot ping > /dev/null ||
      { echo "mariadb.sh: the server did not start" >&2; tail "$data/error.log" >&2; exit 1; }
    mariadb --no-defaults -S "$data/mariadb.sock" -uroot -e "CREATE DATABASE \`$database\`;
      CREATE USER '$user'@'%' IDENTIFIED BY '$password'; GRANT ALL ON *.* TO '$user'@'%';"
    cat > "$dir/mariadb.env" <<EOT
MARIADB_HOST=127.0.0.1
MARIADB_PORT=$port
MARIADB_SOCKET=$data/mariadb.sock
MARIADB_USER=$user
MARIADB_PASSWORD=$password
MARIADB_DB=$database
EOT
    echo "mariadb: ready on 127.0.0.1:$port (database $database)"
    ;;
  stop)
    if [ -f "$data/mariadbd.pid" ]; then
      pid=$(cat "$data/mariadbd.pid")
      kill "$pid" 2> /dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2> /dev/null || true
      rm -f "$data/mariadbd.pid"
    fi
    echo "mariadb: stopped"
    ;;
  *)
    echo "usage: mariadb.sh start|stop DIR" >&2
    exit 2
    ;;
esac
