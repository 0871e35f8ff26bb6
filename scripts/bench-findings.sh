#!/usr/bin/env bash
# The findings list under load beside the health and readiness probes (issue 22): starts cairnd
# on SQLite (or Postgres, below), loads the corpus's OSV advisories, scans the corpus lockfiles as PROJECTS projects
# (real findings, a few dozen per scan: the corpus's advisories cover Go, PyPI and crates.io),
# then multiplies each latest scan's findings over its other components with sqlite3 until the
# tenant holds FINDINGS open findings (generated rows for the load, never committed), then runs wrk:
#   1. /api/v1/findings?limit=100 at 16 connections while /readyz is polled by one connection;
#   2. /api/health alone at 16 connections (the ceiling the list is compared with).
# Prints the total findings, requests/s and latency percentiles of each run.
# Copies on SQLite run through sqlite3, on Postgres through psql (same statements, each dialect's spelling).
#
# Usage: scripts/bench-findings.sh [FINDINGS] [SECONDS] [PROJECTS]   (defaults: 100000, 20 s, 4)
# CAIRN_BENCH_KEEP=1 keeps the work directory (the database) for a look at query plans, or for
# CAIRN_BENCH_REUSE=DIR: a kept work directory's database (and API key) served again, without
# importing, scanning or copying (another binary against the same data, or one more run).
# CAIRN_BENCH_PERF=1 adds a run of the list alone under `perf stat -e task-clock` on the daemon
# and prints its CPU per request (the figure a loaded machine does not move much), and the same
# for health. With it, CAIRN_BENCH_RECORD=FILE adds a list run under `perf record -g` on the daemon,
# written to FILE (read it with `perf report -i FILE --no-children`).
# CAIRN_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB runs on Postgres instead: a database of its own
# is created on that server (psql) and dropped afterwards.
# Needs curl, jq, sqlite3 (or psql) and wrk (Debian); the release build of cairnd if there is one,
# else the debug build. Reaches only loopback (and the Postgres server named).
set -euo pipefail

want=${1:-100000}
secs=${2:-20}
projects=${3:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="${CAIRN_CORPUS:-$root/../shared/corpus}"
[ -d "$corpus/lockfiles" ] || corpus=/work/shared/corpus
[ -d "$corpus/lockfiles" ] || { echo "no shared corpus (set CAIRN_CORPUS)" >&2; exit 1; }
corpus=$(realpath "$corpus")
bin="${CAIRND_BIN:-$root/target/release/cairnd}"
[ -x "$bin" ] || bin="$root/target/debug/cairnd"
[ -x "$bin" ] || { echo "build cairnd first (cargo build --release --locked --bin cairnd)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

reuse="${CAIRN_BENCH_REUSE:-}"
if [ -n "$reuse" ]; then
    work=$(realpath "$reuse")
    [ -s "$work/key" ] && [ -s "$work/cairnd.toml" ] || { echo "$work is not a kept bench directory" >&2; exit 1; }
else
    work=$(mktemp -d)
fi
daemon=
pg_server="${CAIRN_BENCH_POSTGRES:-}"
pg_name="cairn_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [ -n "$reuse" ]; then return; fi
    if [ -n "$pg_server" ] && [ -z "${CAIRN_BENCH_KEEP:-}" ]; then
        psql -q "$pg_server" -c "DROP DATABASE IF EXISTS $pg_name" >/dev/null 2>&1 || true
    fi
    if [ -n "${CAIRN_BENCH_KEEP:-}" ]; then echo "kept $work${pg_server:+ and database $pg_name}" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [ -z "$reuse" ]; then
if [ -n "$pg_server" ]; then
    psql -q "$pg_server" -c "CREATE DATABASE $pg_name" >/dev/null
    db="${pg_server%/*}/$pg_name"
else
    db="sqlite://$work/cairnd.db"
fi
cat > "$work/cairnd.toml" <<TOML
listen = "127.0.0.1:0"
database_url = "$db"
address_file = "$work/addr"
jwt_secret_file = "$work/jwt"
[rate_limits]
reads_per_minute = 1000000000
health_per_minute = 1000000000
[scans]
workers = 2
[sources]
work_dir = "$work/work"
single_tenant = true
path_roots = ["$corpus/lockfiles"]
TOML
head -c 48 /dev/urandom | base64 > "$work/jwt"

cairnd() { "$bin" --config "$work/cairnd.toml" "$@"; }
echo "loading the corpus's OSV advisories…" >&2
cairnd vulndb import "$corpus/osv" >&2
password='correct horse battery staple'
echo "$password" | cairnd admin create-user --email bench@example.com --super-admin --tenant bench --password-stdin >&2
echo "$db" > "$work/db"
fi
rm -f "$work/addr"

"$bin" --config "$work/cairnd.toml" serve > "$work/out.log" 2>&1 &
daemon=$!
for _ in $(seq 1 300); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { cat "$work/out.log" >&2; exit 1; }
host="http://$(cat "$work/addr")"
base="$host/api/v1"

if [ -z "$reuse" ]; then
token=$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"bench@example.com\",\"password\":\"$password\"}" | jq -r .access_token)
key=$(curl -sf "$base/api-keys" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"bench","scopes":["scan:read","scan:write","project:read","project:write"]}' | jq -r .secret)
echo "$key" > "$work/key"
fi
key=$(cat "$work/key")
auth="authorization: Bearer $key"

if [ -z "$reuse" ]; then
echo "scanning $corpus/lockfiles as $projects projects…" >&2
for i in $(seq 1 "$projects"); do
    pid=$(curl -sS --fail-with-body "$base/projects" -H "$auth" -H 'content-type: application/json' \
        -d "{\"name\":\"bench-$i\",\"kind\":\"repo\"}" | jq -r .id)
    curl -sS --fail-with-body "$base/scans" -H "$auth" -H 'content-type: application/json' \
        -d "{\"source\":{\"kind\":\"path\",\"path\":\"$corpus/lockfiles\"},\"project\":\"$pid\",\"crypto\":false}" >/dev/null
done
while :; do
    left=$(curl -sf "$base/scans?limit=1000" -H "$auth" |
        jq '[.items[] | select(.status != "completed" and .status != "failed")] | length')
    [ "$left" = 0 ] && break
    sleep 2
done
failed=$(curl -sf "$base/scans?limit=1000" -H "$auth" | jq '[.items[] | select(.status == "failed")] | length')
real=$(curl -sf "$base/findings?limit=1" -H "$auth" | jq .total)
echo "real findings: $real ($failed failed scans)"
[ "$real" -gt 0 ] || { echo "no findings to multiply" >&2; exit 1; }
# Each finding copied onto the first N components of its scan (same advisory and severity), and
# the kept per-scan counts recomputed as the store does.
per=$(( (want + real - 1) / real ))
if [ -n "$pg_server" ]; then
psql -q -v ON_ERROR_STOP=1 "$db" >/dev/null <<SQL
INSERT INTO findings (id, tenant_id, scan_id, project_id, component_id, vulnerability_id, severity,
    fixed_version, created_at, purl, ord, vulndb_generation)
SELECT md5(random()::text || c.id || f.id), f.tenant_id, f.scan_id, f.project_id, c.id, f.vulnerability_id,
    f.severity, f.fixed_version, f.created_at, c.purl, c.ord, f.vulndb_generation
FROM findings f JOIN components c ON c.scan_id = f.scan_id AND c.ord < $per
ON CONFLICT DO NOTHING;
DELETE FROM scan_finding_counts;
INSERT INTO scan_finding_counts (scan_id, tenant_id, severity, open)
SELECT scan_id, tenant_id, severity, COUNT(*) FROM findings WHERE resolved_at IS NULL GROUP BY 1, 2, 3;
ANALYZE;
SQL
else
sqlite3 "$work/cairnd.db" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
INSERT OR IGNORE INTO findings (id, tenant_id, scan_id, project_id, component_id, vulnerability_id, severity,
    fixed_version, created_at, purl, ord, vulndb_generation)
SELECT lower(hex(randomblob(16))), f.tenant_id, f.scan_id, f.project_id, c.id, f.vulnerability_id, f.severity,
    f.fixed_version, f.created_at, c.purl, c.ord, f.vulndb_generation
FROM findings f JOIN components c ON c.scan_id = f.scan_id AND c.ord < $per;
DELETE FROM scan_finding_counts;
INSERT INTO scan_finding_counts (scan_id, tenant_id, severity, open)
SELECT scan_id, tenant_id, severity, COUNT(*) FROM findings WHERE resolved_at IS NULL GROUP BY 1, 2, 3;
ANALYZE;
SQL
fi
fi
total=$(curl -sf "$base/findings?limit=1" -H "$auth" | jq .total)
echo "findings in the tenant: $total"

# wrk prints requests/s and, with --latency, the 50/75/90/99th percentiles.
summary() { grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx' "$1" | sed 's/^ */  /'; }
wrk -t1 -c1 -d"$((secs + 2))s" --latency "$host/readyz" > "$work/readyz.txt" &
probe=$!
wrk -t2 -c16 -d"${secs}s" --latency -H "$auth" "$base/findings?limit=100" > "$work/list.txt"
wait "$probe"
wrk -t2 -c16 -d"${secs}s" --latency "$host/api/health" > "$work/health.txt"
echo "GET /api/v1/findings?limit=100, 16 connections:"
summary "$work/list.txt"
echo "GET /readyz, 1 connection, during the list run:"
summary "$work/readyz.txt"
echo "GET /api/health, 16 connections, alone:"
summary "$work/health.txt"
if [ -n "${CAIRN_BENCH_PERF:-}" ]; then
    # CPU of the daemon per request: task-clock over the requests wrk counted in the same window.
    per_request() {
        local ms n
        ms=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' "$1")
        n=$(awk '/requests in/ {print $1}' "$2")
        awk -v ms="$ms" -v n="$n" 'BEGIN { printf "%.1f ms CPU over %d requests: %.3f ms per request\n", ms, n, ms / n }'
    }
    perf stat -e task-clock -p "$daemon" -o "$work/perf-list.txt" -- sleep "$secs" &
    counting=$!
    wrk -t2 -c16 -d"${secs}s" --latency -H "$auth" "$base/findings?limit=100" > "$work/list-alone.txt"
    wait "$counting"
    perf stat -e task-clock -p "$daemon" -o "$work/perf-health.txt" -- sleep "$secs" &
    counting=$!
    wrk -t2 -c16 -d"${secs}s" --latency "$host/api/health" > "$work/health-alone.txt"
    wait "$counting"
    if [ -n "${CAIRN_BENCH_RECORD:-}" ]; then
        perf record -q -g -o "$CAIRN_BENCH_RECORD" -p "$daemon" -- sleep "$secs" 2>/dev/null &
        counting=$!
        wrk -t2 -c16 -d"${secs}s" -H "$auth" "$base/findings?limit=100" > "$work/list-recorded.txt"
        wait "$counting"
    fi
    echo "daemon CPU, the list alone (16 connections): $(per_request "$work/perf-list.txt" "$work/list-alone.txt")"
    echo "daemon CPU, health alone (16 connections): $(per_request "$work/perf-health.txt" "$work/health-alone.txt")"
fi
echo "daemon RSS after the runs: $(awk '/VmRSS/ {print $2}' "/proc/$daemon/status") KiB"
