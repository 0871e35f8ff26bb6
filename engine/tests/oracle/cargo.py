"""Cargo.lock: every [[package]] with a `source` is a third-party package; those without one are
workspace members or path dependencies (local, left out)."""

import tomllib
from common import fixtures, read, write_expected

for rel in fixtures("Cargo.lock"):
    lock = tomllib.loads(read(rel))
    pairs = [(p["name"], p["version"]) for p in lock.get("package", []) if "source" in p]
    write_expected(rel, pairs, "cargo.py")
