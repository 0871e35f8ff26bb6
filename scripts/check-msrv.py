#!/usr/bin/env python3
"""Check the workspace's declared MSRV (`rust-version` in Cargo.toml) against what it builds with.

No second toolchain can be installed offline, so the MSRV is checked in three ways that need none:
  1. every package in Cargo.lock declares a rust-version at or below ours (or none);
  2. `cargo clippy` (run by .ci/run with -D warnings) fails on std APIs newer than our rust-version
     (clippy's `incompatible_msrv` lint reads the same field);
  3. the toolchain CI builds with is not older than the declared MSRV.
Language features newer than the MSRV are not caught here; building with that exact toolchain would.
"""
import json
import subprocess
import sys


def version(text):
    return tuple(int(part) for part in text.split(".")[:3]) + (0,) * (3 - len(text.split(".")[:3]))


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--offline"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
members = set(metadata["workspace_members"])
declared = {p["rust_version"] for p in metadata["packages"] if p["id"] in members}
if len(declared) != 1 or None in declared:
    sys.exit(f"check-msrv: workspace members must share one rust-version, found {sorted(map(str, declared))}")
msrv = declared.pop()

too_new = [
    f"{p['name']} {p['version']} needs Rust {p['rust_version']}"
    for p in metadata["packages"]
    if p["id"] not in members and p.get("rust_version") and version(p["rust_version"]) > version(msrv)
]
if too_new:
    sys.exit(f"check-msrv: dependencies newer than the declared MSRV {msrv}:\n  " + "\n  ".join(too_new))

rustc = subprocess.run(["rustc", "--version"], check=True, capture_output=True, text=True).stdout.split()[1]
if version(rustc.split("-")[0]) < version(msrv):
    sys.exit(f"check-msrv: rustc {rustc} is older than the declared MSRV {msrv}")
print(f"check-msrv: rust-version {msrv}; {len(metadata['packages']) - len(members)} dependencies fit; built with rustc {rustc}")
