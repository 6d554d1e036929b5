#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests (Debian's postgresql, installed
# here if missing) and prints its URL on stdout. The cluster lives in a fresh temporary directory
# and trusts only local TCP connections; `pg_ctl -D DIR stop` or the end of the machine ends it.
set -euo pipefail
port="${GARRISON_PG_PORT:-54329}"
log() { echo "$*" >&2; }
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
# initdb and postgres refuse to run as root: run them as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  log "PostgreSQL already answers on 127.0.0.1:$port"
else
  dir="$(mktemp -d /tmp/garrison-pg.XXXXXX)"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >&2
  log "PostgreSQL started on 127.0.0.1:$port (data in $dir/data, log in $dir/log)"
fi
"$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'garrison') THEN
    CREATE ROLE garrison LOGIN SUPERUSER;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE garrison OWNER garrison'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'garrison') \gexec
SQL
echo "postgres://garrison@127.0.0.1:$port/garrison"
