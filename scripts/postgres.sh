#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests (the postgres connector's tests start one).
#
#   scripts/postgres.sh start DIR [DATABASE]   installs Debian's postgresql package if missing, creates a cluster in
#                                              DIR (once), starts it on 127.0.0.1 on a free port, creates DATABASE
#                                              (default pyfn_test), and prints PGHOST, PGPORT, PGUSER, PGPASSWORD and
#                                              PGDATABASE lines. Running it again while the server runs just prints
#                                              them again.
#   scripts/postgres.sh stop DIR [--remove]     stops the server (and with --remove deletes DIR).
#
# The superuser is `pyfn` with password `pyfn` over TCP (scram-sha-256); the Unix socket lives in DIR. As root, the
# cluster is run by the `postgres` user (initdb refuses root). Exit status 3 means the package could not be
# installed (no apt or no network); anything else non-zero is a real failure.
set -euo pipefail

# Close every inherited descriptor but stdin/stdout/stderr, so the server daemon does not hold on to the caller's
# pipes or sockets (a test runner waiting for them to close would wait forever).
for fd in $(ls /proc/$$/fd 2>/dev/null); do
  if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

usage() { echo "usage: $0 start DIR [DATABASE] | stop DIR [--remove]" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
user=pyfn
password=pyfn

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

install_postgres() {
  if [ -n "$(find_bin)" ]; then return; fi
  if ! command -v apt-get >/dev/null 2>&1; then echo "postgres.sh: postgresql is not installed and there is no apt-get" >&2; exit 3; fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "postgres.sh: installing postgresql" >&2
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql; } >&2; then
    echo "postgres.sh: apt-get could not install postgresql" >&2
    exit 3
  fi
  [ -n "$(find_bin)" ] || { echo "postgres.sh: postgresql installed but initdb not found" >&2; exit 1; }
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "postgres.sh: no free port found" >&2; exit 1
}

print_environment() {
  echo "PGHOST=127.0.0.1"
  echo "PGPORT=$(cat "$dir/port")"
  echo "PGUSER=$user"
  echo "PGPASSWORD=$password"
  echo "PGDATABASE=$(cat "$dir/database")"
}

case "$command" in
start)
  database=${3:-pyfn_test}
  install_postgres
  bin=$(find_bin)
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    printf '%s\n' "$password" > "$dir/pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pwfile"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start </dev/null >/dev/null 2>>"$dir/pg_ctl.log" \
      || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
  fi
  port=$(cat "$dir/port")
  exists=$(as_owner "$bin/psql" -h "$dir" -p "$port" -U "$user" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$database'")
  if [ "$exists" != 1 ]; then as_owner "$bin/createdb" -h "$dir" -p "$port" -U "$user" "$database"; fi
  echo "$database" > "$dir/database"
  print_environment
  ;;
stop)
  bin=$(find_bin)
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  if [ "${3:-}" = "--remove" ]; then rm -rf "$dir"; fi
  ;;
*)
  usage
  ;;
esac
