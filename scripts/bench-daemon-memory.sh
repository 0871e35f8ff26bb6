#!/usr/bin/env bash
# The daemon's memory over repeated scans (issue 22): starts cairnd on SQLite in a scratch
# directory, reads its resident memory idle, imports the corpus's OSV advisories (as
# scripts/bench-findings.sh does, before the daemon starts, so the daemon loads them like any
# start), then submits SCANS path scans of the corpus lockfiles (11k components) one after the
# other, each awaited through the API (its status polled until completed or failed), and samples
# VmRSS and VmHWM (the peak) from /proc/PID/status after each.
# Prints: idle (empty database), idle with the advisories, each scan's RSS and peak, and the
# difference between RSS after the last scan and idle with the advisories.
#
# Usage: scripts/bench-daemon-memory.sh [SCANS]   (default 20)
# CAIRND_BIN=path picks the binary (default: the release build, else the debug one);
# CAIRND_ENV="MALLOC_ARENA_MAX=2 …" sets variables for the daemon only (allocator experiments);
# CAIRN_BENCH_WORKERS sets [scans] workers (default 1: the scans run one after the other anyway).
# CAIRN_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB runs on a new database of that server
# (created and dropped with psql) instead of SQLite.
# CAIRN_BENCH_BREAKDOWN=1 prints where the resident memory is (scripts/rss-breakdown.py) idle and
# after scans 1, 5 and the last.
# Needs curl and jq (and psql for Postgres). Reaches only loopback.
set -euo pipefail

scans=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="${CAIRN_CORPUS:-$root/../shared/corpus}"
[ -d "$corpus/lockfiles" ] || corpus=/work/shared/corpus
[ -d "$corpus/lockfiles" ] || { echo "no shared corpus (set CAIRN_CORPUS)" >&2; exit 1; }
corpus=$(realpath "$corpus")
bin="${CAIRND_BIN:-$root/target/release/cairnd}"
[ -x "$bin" ] || bin="$root/target/debug/cairnd"
[ -x "$bin" ] || { echo "build cairnd first (cargo build --release --locked --bin cairnd)" >&2; exit 1; }
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done

work=$(mktemp -d)
daemon=
pg_db=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [ -n "$pg_db" ]; then psql -q "$CAIRN_BENCH_POSTGRES" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true; fi
    if [ -n "${CAIRN_BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

database_url="sqlite://$work/cairnd.db"
if [ -n "${CAIRN_BENCH_POSTGRES:-}" ]; then
    pg_db="cairn_bench_mem_$$"
    psql -q "$CAIRN_BENCH_POSTGRES" -c "CREATE DATABASE $pg_db" >/dev/null
    database_url="${CAIRN_BENCH_POSTGRES%/*}/$pg_db"
fi

cat > "$work/cairnd.toml" <<TOML
listen = "127.0.0.1:0"
database_url = "$database_url"
address_file = "$work/addr"
jwt_secret_file = "$work/jwt"
[rate_limits]
reads_per_minute = 1000000000
[scans]
workers = ${CAIRN_BENCH_WORKERS:-1}
[sources]
work_dir = "$work/work"
single_tenant = true
path_roots = ["$corpus/lockfiles"]
TOML
head -c 48 /dev/urandom | base64 > "$work/jwt"

cairnd() { env ${CAIRND_ENV:-} "$bin" --config "$work/cairnd.toml" "$@"; }
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$daemon/status"; }
start() {
    rm -f "$work/addr"
    # Not through the function: env execs the daemon, so $! is the daemon's own pid.
    env ${CAIRND_ENV:-} "$bin" --config "$work/cairnd.toml" serve >> "$work/out.log" 2>&1 &
    daemon=$!
    # The address file is written once the daemon listens (its advisories loaded).
    for _ in $(seq 1 600); do [ -s "$work/addr" ] && break; kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
    [ -s "$work/addr" ] || { cat "$work/out.log" >&2; exit 1; }
    [ "$(readlink "/proc/$daemon/exe")" = "$(realpath "$bin")" ] || { echo "pid $daemon is not $bin" >&2; exit 1; }
    base="http://$(cat "$work/addr")/api/v1"
}
stop() { kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=; }
breakdown() {
    [ -n "${CAIRN_BENCH_BREAKDOWN:-}" ] || return 0
    echo "  where it is, $1:"
    python3 "$root/scripts/rss-breakdown.py" "$daemon"
}

password='correct horse battery staple'
echo "$password" | cairnd admin create-user --email bench@example.com --super-admin --tenant bench \
    --password-stdin >/dev/null 2>&1

start
idle_empty=$(kib VmRSS)
stop

echo "importing the corpus's OSV advisories…" >&2
cairnd vulndb import "$corpus/osv" >/dev/null 2>&1
start
idle=$(kib VmRSS)

token=$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$password\"}" | jq -r .access_token)
key=$(curl -sf "$base/api-keys" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"bench","scopes":["scan:read","scan:write","project:read","project:write"]}' | jq -r .secret)
auth="authorization: Bearer $key"
project=$(curl -sS --fail-with-body "$base/projects" -H "$auth" -H 'content-type: application/json' \
    -d '{"name":"bench-memory","kind":"repo"}' | jq -r .id)

printf 'cairnd %s (%s)\n' "$bin" "${database_url%%:*}"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'idle, empty database:      %7.1f MiB\n' "$(echo "$idle_empty / 1024" | bc -l)"
printf 'idle, advisories loaded:   %7.1f MiB\n' "$(echo "$idle / 1024" | bc -l)"
breakdown "idle"
components=
for i in $(seq 1 "$scans"); do
    scan=$(curl -sS --fail-with-body "$base/scans" -H "$auth" -H 'content-type: application/json' \
        -d "{\"source\":{\"kind\":\"path\",\"path\":\"$corpus/lockfiles\"},\"project\":\"$project\",\"crypto\":false}" |
        jq -r .id)
    started=$(date +%s.%N)
    # Awaited through the API: the scan's status, polled until it ends.
    while :; do
        body=$(curl -sf "$base/scans/$scan" -H "$auth")
        status=$(jq -r .status <<<"$body")
        case "$status" in completed|failed|cancelled) break ;; esac
        sleep 0.1
    done
    took=$(echo "$(date +%s.%N) - $started" | bc -l)
    [ "$status" = completed ] || { echo "scan $i ended $status: $(jq -c . <<<"$body")" >&2; exit 1; }
    components=$(jq -r .counts.components <<<"$body")
    printf 'scan %2d: %5.1f s  RSS %7.1f MiB  peak %7.1f MiB\n' "$i" "$took" \
        "$(echo "$(kib VmRSS) / 1024" | bc -l)" "$(echo "$(kib VmHWM) / 1024" | bc -l)"
    if [ "$i" = 1 ] || [ "$i" = 5 ] || [ "$i" = "$scans" ]; then breakdown "after scan $i"; fi
done
after=$(kib VmRSS)
peak=$(kib VmHWM)
printf 'components per scan:       %7s\n' "$components"
printf 'peak (VmHWM):              %7.1f MiB\n' "$(echo "$peak / 1024" | bc -l)"
printf 'after %2d scans:            %7.1f MiB (%+.1f MiB over idle with advisories)\n' "$scans" \
    "$(echo "$after / 1024" | bc -l)" "$(echo "($after - $idle) / 1024" | bc -l)"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
