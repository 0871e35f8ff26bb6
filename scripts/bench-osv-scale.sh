#!/usr/bin/env bash
# Advisories at OSV scale in the daemon (issue 22): the corpus's real OSV records multiplied to
# >= 250k (scripts/gen-osv-scale.py, under /tmp, never committed), then
#   1. `cairnd vulndb import` of them into an empty database: wall time, records/s, peak RSS;
#   2. `cairnd serve` on that database: RSS once it listens (the data is loaded before it does);
#   3. the vulndb_scale example: the load again in-process, and 10,000 components matched: all
#      hits (packages the records name), then the corpus lockfiles' components (few hits).
# Prints one line per measurement and the machine's load average beside them.
#
# Usage: scripts/bench-osv-scale.sh [sqlite|postgres]   (default sqlite)
# Postgres: CAIRN_BENCH_POSTGRES_URL (default $CAIRN_TEST_POSTGRES_URL) names a server whose
# database `cairn_osv_scale` is dropped and created for the run.
# CAIRN_BENCH_PROFILE=release uses target/release (build it first:
#   cargo build --release --workspace --locked --bin cairnd --example vulndb_scale); default debug.
# CAIRND_BIN and CAIRN_SCALE_EXAMPLE run other builds (an older commit's, for a baseline).
# Reaches only loopback.
set -euo pipefail

kind=${1:-sqlite}
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${CAIRN_BENCH_PROFILE:-debug}
bin="${CAIRND_BIN:-$root/target/$profile/cairnd}"
example="${CAIRN_SCALE_EXAMPLE:-$root/target/$profile/examples/vulndb_scale}"
[ -x "$bin" ] && [ -x "$example" ] || {
    echo "build first: cargo build $([ "$profile" = release ] && echo --release) --workspace --locked --bin cairnd --example vulndb_scale" >&2
    exit 1
}
data=/tmp/osv-scale
[ -s "$data/all.zip" ] && [ -s "$data/names.tsv" ] ||
    python3 "$root/scripts/gen-osv-scale.py" --out "$data/all.zip" --names "$data/names.tsv"

work=$(mktemp -d)
daemon=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

case "$kind" in
sqlite) db="sqlite://$work/cairnd.db" ;;
postgres)
    base=${CAIRN_BENCH_POSTGRES_URL:-${CAIRN_TEST_POSTGRES_URL:?set CAIRN_BENCH_POSTGRES_URL}}
    psql -q "$base" -c 'DROP DATABASE IF EXISTS cairn_osv_scale' -c 'CREATE DATABASE cairn_osv_scale'
    db="${base%/*}/cairn_osv_scale"
    ;;
*) echo "sqlite or postgres" >&2; exit 1 ;;
esac
cat > "$work/cairnd.toml" <<TOML
listen = "127.0.0.1:0"
database_url = "$db"
address_file = "$work/addr"
jwt_secret_file = "$work/jwt"
[sources]
work_dir = "$work/work"
TOML
head -c 48 /dev/urandom | base64 > "$work/jwt"

echo "profile $profile, $kind, $(unzip -Z1 "$data/all.zip" | wc -l) records; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
/usr/bin/time -f '%e s wall, %M KiB peak RSS' -o "$work/import.time" \
    "$bin" --config "$work/cairnd.toml" vulndb import --name osv-scale "$data/all.zip" > "$work/import.log"
end=$(date +%s.%N)
records=$(grep -o '[0-9]* advisories, generation' "$work/import.log" | head -1 | cut -d' ' -f1)
echo "import: $(cat "$work/import.time"); $records advisories, $(echo "$records / ($end - $start)" | bc) records/s"

"$bin" --config "$work/cairnd.toml" serve > "$work/serve.log" 2>&1 &
daemon=$!
started=$(date +%s.%N)
while [ ! -s "$work/addr" ]; do
    kill -0 "$daemon" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.2
done
echo "serve: listening after $(echo "$(date +%s.%N) - $started" | bc) s;" \
    "$(grep -E '^(VmRSS|VmHWM)' /proc/$daemon/status | tr -s ' \t' ' ' | paste -sd, -)"
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=

"$example" "$db" "$data/names.tsv" 10000
corpus="${CAIRN_CORPUS:-$root/../shared/corpus}"
[ -d "$corpus/lockfiles" ] || corpus=/work/shared/corpus
[ -d "$corpus/lockfiles" ] && "$example" "$db" "$corpus/lockfiles" 10000
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
