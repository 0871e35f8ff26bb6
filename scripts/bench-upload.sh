#!/usr/bin/env bash
# Peak memory of one 200 MB upload (issue 16 point 6): starts cairnd on SQLite (the release build
# if there is one, else the debug build), uploads a tar.gz of random files (incompressible, so
# the archive is the full size) and prints the daemon's peak RSS (VmHWM) before and after.
# Workers are off, so the number is the request's (streaming to the file and storing the row),
# not the scan's.
#
# Usage: scripts/bench-upload.sh [MB] [files|database]   (defaults: 200 files)
# Needs curl and jq; reaches only loopback.
set -euo pipefail

mb=${1:-200}
store=${2:-files}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/cairnd"
[ -x "$bin" ] || bin="$root/target/debug/cairnd"
[ -x "$bin" ] || { echo "build cairnd first (cargo build --workspace --locked [--release])" >&2; exit 1; }

work=$(mktemp -d)
daemon=
cleanup() {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/cairnd.toml" <<TOML
listen = "127.0.0.1:0"
database_url = "sqlite://$work/cairnd.db"
address_file = "$work/addr"
[scans]
workers = 0
upload_max_bytes = $(( (mb + 16) * 1024 * 1024 ))
[sources]
work_dir = "$work/work"
[uploads]
store = "$store"
TOML

echo "making a ${mb} MB tar.gz of random files…" >&2
mkdir -p "$work/tree"
for i in $(seq 1 "$mb"); do head -c 1048576 /dev/urandom > "$work/tree/f$i.bin"; done
tar -czf "$work/upload.tar.gz" -C "$work" tree
rm -rf "$work/tree"

# Open registration is mail-verified: the bench user is made from the shell, as an operator would.
echo 'correct horse battery staple' | "$bin" --config "$work/cairnd.toml" admin create-user \
    --email bench@example.com --tenant bench --password-stdin >&2
"$bin" --config "$work/cairnd.toml" serve > "$work/out.log" 2>&1 &
daemon=$!
for _ in $(seq 1 300); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { cat "$work/out.log" >&2; exit 1; }
base="http://$(cat "$work/addr")/api/v1"

hwm() { awk '/VmHWM/ {print $2}' "/proc/$daemon/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$daemon/status"; }

token=$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"correct horse battery staple"}' | jq -r .access_token)
idle=$(rss)
startup_peak=$(hwm)
# Reset the peak to the current RSS (Linux: 5 > clear_refs), so the peak after is the upload's
# and not start-up's (migrations); where that is refused the peak includes start-up.
reset=yes
echo 5 > "/proc/$daemon/clear_refs" 2>/dev/null || reset=no
start=$(date +%s.%N)
status=$(curl -s -o "$work/resp.json" -w '%{http_code}' -H "authorization: Bearer $token" \
    -F "file=@$work/upload.tar.gz;filename=upload.tar.gz" "$base/scans/upload")
end=$(date +%s.%N)
after=$(hwm)
[ "$status" = 202 ] || { echo "upload answered $status: $(cat "$work/resp.json")" >&2; exit 1; }

size=$(stat -c %s "$work/upload.tar.gz")
printf 'binary: %s\nstore: %s\nupload: %d bytes in %.1f s\n' "$bin" "$store" "$size" "$(echo "$end - $start" | bc)"
printf 'RSS idle %d KiB (start-up peak %d KiB); peak during the upload (VmHWM, reset: %s) %d KiB: %d KiB (%.1f MiB) above idle\n' \
    "$idle" "$startup_peak" "$reset" "$after" $((after - idle)) "$(echo "($after - $idle) / 1024" | bc -l)"
