#!/usr/bin/env python3
"""OSV data at OSV scale for the daemon's advisory benchmark (issue 22): every real OSV record of
the shared corpus (RustSec JSON, PyPA YAML, Go JSON; see the corpus's MANIFEST.md) and of the
engine's GHSA fixtures, multiplied synthetically until there are at least TARGET records.

Copy 0 is each record as published. Copy k (k >= 1) renames what identifies it: the id, aliases
and related ids get a `-SCALEk` suffix (so a copy's aliases still point at the same copy's
records) and every affected package name a `-scalek` suffix (so copies never share a package and
each lookup finds one copy's entries); a package's purl, which would name the original, is
dropped. Ranges, versions, severities and texts are kept: range evaluation costs what real data
costs.

Writes one zip in the layout of OSV's per-ecosystem `all.zip` (one `<id>.json` per record) and,
with --names, a tab-separated list `ecosystem<TAB>name<TAB>version` of packages the records name
(for a match benchmark of components that do hit). Generated data: under /tmp, never committed.

Usage: scripts/gen-osv-scale.py [--target 250000] [--out /tmp/osv-scale/all.zip] [--names FILE]
"""

import argparse
import json
import math
import os
import sys
import zipfile
from pathlib import Path

import yaml


class _StringTimestamps(yaml.SafeLoader):
    """YAML with timestamps kept as the strings OSV wrote (PyYAML would make them datetimes)."""


_StringTimestamps.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def real_records(corpus: Path, fixtures: Path):
    """Every real OSV record, parsed, in a stable order."""
    osv = corpus / "osv"
    files = sorted((osv / "rustsec" / "crates").glob("*.json"))
    files += sorted((osv / "pypa" / "vulns").glob("*/*.yaml"))
    files += sorted((osv / "go").glob("GO-*.json"))
    files += sorted((fixtures / "osv-ghsa").glob("GHSA-*.json"))
    records = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        rec = yaml.load(text, Loader=_StringTimestamps) if f.suffix == ".yaml" else json.loads(text)
        if isinstance(rec, dict) and "id" in rec:
            records.append(rec)
    return records


def renamed(rec: dict, k: int) -> dict:
    """Copy `k` of `rec`: identifiers and package names suffixed, everything else kept."""
    if k == 0:
        return rec
    out = json.loads(json.dumps(rec))
    out["id"] = f"{rec['id']}-SCALE{k}"
    for field in ("aliases", "related", "upstream"):
        if isinstance(out.get(field), list):
            out[field] = [f"{a}-SCALE{k}" for a in out[field]]
    for aff in out.get("affected") or []:
        pkg = aff.get("package")
        if isinstance(pkg, dict) and "name" in pkg:
            pkg["name"] = f"{pkg['name']}-scale{k}"
            pkg.pop("purl", None)
    return out


def package_versions(rec: dict):
    """(ecosystem, name, version) for every version a record lists, or its first `introduced`."""
    for aff in rec.get("affected") or []:
        pkg = aff.get("package") or {}
        eco, name = pkg.get("ecosystem"), pkg.get("name")
        if not eco or not name:
            continue
        versions = [v for v in aff.get("versions") or [] if isinstance(v, str)]
        if not versions:
            for r in aff.get("ranges") or []:
                for e in r.get("events") or []:
                    v = e.get("introduced")
                    if isinstance(v, str) and v not in ("0", "0.0.0-0"):
                        versions.append(v)
        if versions:
            yield eco, name, versions[0]


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", type=int, default=250_000, help="at least this many records")
    ap.add_argument("--out", type=Path, default=Path("/tmp/osv-scale/all.zip"))
    ap.add_argument("--names", type=Path, help="also write matching (ecosystem, name, version) lines here")
    ap.add_argument("--corpus", type=Path,
                    default=Path(os.environ.get("CAIRN_CORPUS", root.parent / "shared" / "corpus")))
    args = ap.parse_args()
    corpus = args.corpus if (args.corpus / "osv").is_dir() else Path("/work/shared/corpus")
    if not (corpus / "osv").is_dir():
        print("no shared corpus (set CAIRN_CORPUS)", file=sys.stderr)
        return 1
    base = real_records(corpus, root / "engine" / "tests" / "fixtures")
    if not base:
        print(f"no OSV records under {corpus}/osv", file=sys.stderr)
        return 1
    copies = math.ceil(args.target / len(base))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".part")
    names = open(args.names, "w", encoding="utf-8") if args.names else None
    written = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for k in range(copies):
            for rec in base:
                out = renamed(rec, k)
                z.writestr(f"{out['id']}.json", json.dumps(out, separators=(",", ":")))
                written += 1
                if names:
                    for eco, name, version in package_versions(out):
                        names.write(f"{eco}\t{name}\t{version}\n")
    if names:
        names.close()
    tmp.replace(args.out)
    print(f"{written} records ({len(base)} real x {copies}) -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
