#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's, in a temporary directory, on a port of its own, trust auth
# on 127.0.0.1 only), runs `npm run test:postgres` against it, and removes it. Needs the `postgresql`
# package; .ci/run installs it. As root the server runs as the `postgres` user (it refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[[ -x "$bin/initdb" ]] || { echo "PostgreSQL's initdb not found: apt-get install postgresql"; exit 1; }

dir=$(mktemp -d)
as_server() {
  if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
[[ $(id -u) == 0 ]] && chown postgres "$dir"
# A port below the kernel's ephemeral range, so no outgoing connection holds it; the next one if taken.
port=$((21000 + RANDOM % 4000))
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

as_server "'$bin/initdb' -D '$dir/data' -A trust -U anxin --no-instructions >'$dir/initdb.log'"
stop() {
  as_server "'$bin/pg_ctl' -D '$dir/data' -m fast stop >/dev/null 2>&1" || true
  rm -rf "$dir"
}
trap stop EXIT
as_server "'$bin/pg_ctl' -D '$dir/data' -w -l '$dir/server.log' \
  -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" start >/dev/null" ||
  { cat "$dir/server.log"; exit 1; }
"$bin/createdb" -h 127.0.0.1 -p "$port" -U anxin anxin_test

echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
ANXIN_TEST_DATABASE_URL="postgres://anxin@127.0.0.1:$port/anxin_test" npm run test:postgres -- "$@"
