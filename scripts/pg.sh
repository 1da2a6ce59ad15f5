#!/usr/bin/env bash
# pg.sh — a throw-away PostgreSQL 15 for tests and benchmarks. Owns nothing
# but the directory it is given; it never touches a system cluster.
#
#   scripts/pg.sh start DIR   initdb into DIR/data, start on 127.0.0.1 at a free
#                             port (socket in DIR), create database "wlportal",
#                             print postgres://postgres@127.0.0.1:PORT/wlportal
#                             (also written to DIR/url)
#   scripts/pg.sh stop DIR    pg_ctl stop -m fast; safe to call twice
#
# Authentication is "trust": the server listens on loopback only and lives as
# long as one test run. fsync stays on: benchmarks measure real commits.
# Run as root, the server runs as the `postgres` system user (initdb refuses
# root). Every wait is bounded.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
START_TIMEOUT=${PG_START_TIMEOUT:-60}

die() { echo "pg.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
data="$dir/data"

[ -x "$PGBIN/pg_ctl" ] || die "no PostgreSQL binaries in $PGBIN (apt-get install postgresql)"

# as_pg CMD…: runs a command as the server's user.
if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || die "running as root needs the 'postgres' system user"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    # Without python: a random high port; start() retries if it is taken.
    echo $(( 20000 + RANDOM % 30000 ))
  fi
}

is_running() {
  [ -f "$data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" status -D "$data" >/dev/null 2>&1
}

start() {
  local port url attempt
  if is_running; then
    [ -f "$dir/url" ] || die "a server runs in $data but $dir/url is missing"
    cat "$dir/url"
    return 0
  fi
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    chmod 700 "$dir"
    as_pg test -w "$dir" || die "user postgres cannot write $dir (a parent directory is closed to it)"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    # The last settings win: only loopback, socket in DIR, durability kept.
    if as_pg "$PGBIN/pg_ctl" start -D "$data" -l "$dir/server.log" -w -t "$START_TIMEOUT" \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200" \
      >/dev/null 2>&1; then
      break
    fi
    port=
    # A port taken between the probe and the bind: try another one.
    as_pg "$PGBIN/pg_ctl" stop -D "$data" -m immediate >/dev/null 2>&1 || true
  done
  [ -n "$port" ] || { tail -n 30 "$dir/server.log" >&2 || true; die "the server did not start"; }
  as_pg "$PGBIN/pg_isready" -h "$dir" -p "$port" -t 30 >/dev/null \
    || die "the server does not accept connections"
  if ! as_pg "$PGBIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -Atq \
      -c "SELECT 1 FROM pg_database WHERE datname = 'wlportal'" | grep -q 1; then
    as_pg "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres wlportal \
      || die "cannot create the database wlportal"
  fi
  url="postgres://postgres@127.0.0.1:$port/wlportal"
  echo "$url" >"$dir/url"
  echo "$url"
}

stop() {
  if [ ! -d "$data" ] || [ ! -f "$data/postmaster.pid" ]; then
    return 0
  fi
  as_pg "$PGBIN/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null 2>&1 \
    || as_pg "$PGBIN/pg_ctl" stop -D "$data" -m immediate -w -t 30 >/dev/null 2>&1 \
    || true
  if is_running; then
    die "the server in $data did not stop"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
