#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on 127.0.0.1 for the test suite's PostgreSQL run (trust
# authentication, no durability: fsync off). Debian's postgresql-15 package provides the binaries.
#
#   scripts/pg.sh start DIR [PORT]   initdb DIR, start the server, print the URL to use as
#                                    CALLSTORE_TEST_POSTGRES (PORT defaults to 55433)
#   scripts/pg.sh stop DIR           stop it (the directory stays; remove it yourself)
# As root the server runs as the postgres user, which must be able to reach DIR's parent.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: apt-get install postgresql-15" >&2; exit 1; }
# PostgreSQL refuses to run as root: as root, run it as the postgres user.
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n 2,8p "$0" >&2; exit 2; }
case "$cmd" in
start)
  port=${3:-55433}
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  "${as[@]}" "$bin/initdb" -D "$dir" -A trust -U postgres >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; exit 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir" -w -t 60 -l "$dir/server.log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  "${as[@]}" "$bin/pg_ctl" -D "$dir" -w -t 60 -m fast stop >/dev/null
  ;;
*) sed -n 2,8p "$0" >&2; exit 2 ;;
esac
