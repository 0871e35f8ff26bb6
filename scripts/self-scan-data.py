#!/usr/bin/env python3
"""Refresh tests/fixtures/self-scan/rustsec: the RustSec OSV records (from the shared corpus,
github.com/rustsec/advisory-db branch `osv`) whose package is named in Cairn's own Cargo.lock.

Chosen by package name only, never by whether a version matches, so Cairn's self-scan against this
subset gives the same findings as against the whole set. Run it after Cargo.lock gains a package:
  scripts/self-scan-data.py [../shared/corpus/osv/rustsec/crates]
"""
import json
import os
import shutil
import sys
import tomllib

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus", "osv", "rustsec", "crates")
target = os.path.join(root, "tests", "fixtures", "self-scan", "rustsec", "crates")

with open(os.path.join(root, "Cargo.lock"), "rb") as f:
    names = {p["name"] for p in tomllib.load(f)["package"]}

shutil.rmtree(target, ignore_errors=True)
os.makedirs(target)
kept = 0
for file in sorted(os.listdir(source)):
    with open(os.path.join(source, file)) as f:
        record = json.load(f)
    if any(a.get("package", {}).get("name") in names for a in record.get("affected", [])):
        shutil.copy2(os.path.join(source, file), os.path.join(target, file))
        kept += 1
print(f"{kept} records for {len(names)} package names", file=sys.stderr)
