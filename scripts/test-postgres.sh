#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test suite and prints its URL on stdout.
#
#   export CAIRN_TEST_POSTGRES_URL=$(scripts/test-postgres.sh)
#   ... tests ...
#   scripts/test-postgres.sh stop
#
# Runs as root (initdb refuses root, so the cluster belongs to the postgres user); installs the
# postgresql package with apt-get when the binaries are missing. Port: $CAIRN_TEST_PG_PORT or 55432.
# The cluster lives in a temp directory recorded in /tmp/cairn-test-postgres.dir; fsync is off.
set -euo pipefail

PORT="${CAIRN_TEST_PG_PORT:-55432}"
STATE=/tmp/cairn-test-postgres.dir
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$STATE" ] && BIN=$(bindir); then
    D=$(cat "$STATE")
    runuser -u postgres -- "$BIN/pg_ctl" -D "$D/data" -m fast stop >&2 || true
    rm -rf "$D" "$STATE"
  fi
  exit 0
fi

if ! BIN=$(bindir); then
  echo "test-postgres: installing postgresql" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN=$(bindir)
fi

# Already running (an earlier call): reuse it.
if [ -f "$STATE" ] && "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q; then
  echo "$URL"
  exit 0
fi

D=$(mktemp -d /tmp/cairn-pg.XXXXXX)
chown postgres:postgres "$D"
runuser -u postgres -- "$BIN/initdb" -D "$D/data" --auth=trust -U postgres >"$D/initdb.log" 2>&1 \
  || { cat "$D/initdb.log" >&2; exit 1; }
runuser -u postgres -- "$BIN/pg_ctl" -D "$D/data" -l "$D/log" \
  -o "-k $D -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  -w start >&2 || { cat "$D/log" >&2; exit 1; }
echo "$D" > "$STATE"
echo "$URL"
