#!/usr/bin/env bash
# Fuzz every cataloger: `engine/fuzz/run.sh [SECONDS] [TARGET...]` (default 60 s each, all targets,
# two at a time). Seeds come from the test fixtures matching the name or pattern in targets.txt. Needs a nightly
# toolchain and `cargo install cargo-fuzz`. A crash leaves its input in artifacts/<target>/ and
# makes the script exit non-zero; turn each one into a regression test in the cataloger.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"; shift || true
mapfile -t all < <(cut -d' ' -f1 targets.txt)
targets=("${@:-${all[@]}}")
cargo +nightly fuzz build -O
fixtures=../tests/fixtures
run_one() {
  local t="$1" name; name="$(grep "^$t " targets.txt | cut -d' ' -f2)"
  local seeds="corpus/$t"; mkdir -p "$seeds" "artifacts/$t"
  find "$fixtures" -type f -name "$(basename "$name")" -exec cp {} "$seeds/" \; 2>/dev/null || true
  if cargo +nightly fuzz run -O "$t" "$seeds" -- -max_total_time="$secs" -max_len=16384 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"artifacts/$t.log" 2>&1; then
    echo "ok   $t: $(grep -m1 'stat::number_of_executed_units' "artifacts/$t.log" | awk '{print $2}') runs"
  else
    echo "FAIL $t: see engine/fuzz/artifacts/$t.log"; return 1
  fi
}
export -f run_one; export secs fixtures
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one {}'
