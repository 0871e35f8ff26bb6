"""Oracles for the Ruby, PHP, .NET, Dart, Elixir and Swift formats, written from each format's
documentation (Bundler's lockfile layout, Composer's lock schema, NuGet's packages.lock.json and
PackageReference docs, pub's lockfile, mix.lock's Erlang terms, SwiftPM's Package.resolved).
Usage: python3 other.py  (rewrites the expectations of every fixture of these formats)."""

import json
import re
import sys
import xml.etree.ElementTree as ET

import yaml

from common import fixtures, read, write_expected

ORACLE = "other.py"


def gemfile_lock():
    """Specs under GEM and GIT sections (PATH sections are the project's own gems). A spec is a
    4-space `name (version[-platform])` line; the platform suffix is dropped."""
    for rel in fixtures("Gemfile.lock"):
        pairs = set()
        section = None
        for line in read(rel).splitlines():
            if line and not line.startswith(" "):
                section = line.strip()
                continue
            m = re.fullmatch(r"    (\S+) \(([^)]+)\)", line)
            if m and section in ("GEM", "GIT"):
                pairs.add((m.group(1), m.group(2).split("-")[0]))
        write_expected(rel, pairs, ORACLE)


def composer_lock():
    """Every entry of `packages` and `packages-dev`, version as recorded; entries installed from a
    `path` dist are the project's own."""
    for rel in fixtures("composer.lock"):
        lock = json.loads(read(rel))
        pairs = [
            (p["name"], p["version"])
            for key in ("packages", "packages-dev")
            for p in lock.get(key, [])
            if (p.get("dist") or {}).get("type") != "path"
        ]
        write_expected(rel, pairs, ORACLE)


def nuget_lock():
    """Every (name, resolved) under any target framework of `dependencies`, except `Project`
    entries (other projects of the solution)."""
    for rel in fixtures("packages.lock.json"):
        lock = json.loads(read(rel))
        pairs = set()
        for tfm, packages in lock["dependencies"].items():
            for name, entry in packages.items():
                if entry.get("type") != "Project":
                    pairs.add((name, entry["resolved"]))
        write_expected(rel, pairs, ORACLE)


def _nuget_exact(v):
    """NuGet version syntax: `1.2.3` (minimum, resolved to itself) and `[1.2.3]` (exact) pin a
    version; `1.*`, ranges with a comma and MSBuild properties do not."""
    v = (v or "").strip()
    if not v or "$(" in v or "*" in v:
        return None
    if v.startswith("[") and v.endswith("]") and "," not in v:
        return v[1:-1].strip() or None
    if v[0] in "[(" or "," in v:
        return None
    return v


def nuget_proj():
    """`PackageReference` items (Include or Update) with a pinned Version attribute or child
    element; `ProjectReference` items are not packages."""
    for pattern in ("*.csproj", "*.fsproj", "*.vbproj"):
        for rel in fixtures(pattern):
            root = ET.fromstring(read(rel))
            pairs = []
            for el in root.iter():
                if el.tag.rsplit("}", 1)[-1] != "PackageReference":
                    continue
                name = el.get("Include") or el.get("Update")
                version = el.get("VersionOverride") or el.get("Version")
                if version is None:
                    child = el.find("Version")
                    version = child.text if child is not None else None
                exact = _nuget_exact(version)
                if name and exact:
                    pairs.append((name, exact))
            write_expected(rel, pairs, ORACLE)


def pubspec_lock():
    """Entries of `packages` from `hosted` and `git` sources (`sdk` packages ship with Flutter/Dart,
    `path` packages are the project's own)."""
    for rel in fixtures("pubspec.lock"):
        lock = yaml.safe_load(read(rel))
        pairs = [
            (name, str(p["version"]))
            for name, p in (lock.get("packages") or {}).items()
            if p["source"] in ("hosted", "git")
        ]
        write_expected(rel, pairs, ORACLE)


def mix_lock():
    """Top-level entries of the map, one per line as mix writes them: `{:hex, :package, "version", ...}`
    gives (package, version); `{:git, "url", "sha", ...}` gives (key, sha), mix recording no version
    for git dependencies."""
    for rel in fixtures("mix.lock"):
        pairs = []
        for line in read(rel).splitlines():
            m = re.match(r'\s*"([^"]+)":\s*\{:hex,\s*:"?([\w.]+)"?,\s*"([^"]+)"', line)
            if m:
                pairs.append((m.group(2), m.group(3)))
                continue
            m = re.match(r'\s*"([^"]+)":\s*\{:git,\s*"[^"]*",\s*"([^"]+)"', line)
            if m:
                pairs.append((m.group(1), m.group(2)))
        write_expected(rel, pairs, ORACLE)


def _swift_name(url):
    """SwiftURL names: the repository URL without scheme, user and `.git`."""
    url = re.sub(r"^[a-z+]+://", "", url)
    m = re.match(r"^[^/@]+@([^:/]+):(.*)$", url)  # scp-like git@host:path
    if m:
        url = m.group(1) + "/" + m.group(2)
    url = re.sub(r"^[^/]*@", "", url).rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def package_resolved():
    """`object.pins` (version 1) or `pins` (versions 2, 3): remote pins named by repository URL,
    versioned by state.version, else state.revision; local pins are the project's own."""
    for rel in fixtures("Package.resolved"):
        doc = json.loads(read(rel))
        pairs = []
        if "object" in doc:
            for pin in doc["object"]["pins"]:
                st = pin["state"]
                pairs.append((_swift_name(pin["repositoryURL"]), st.get("version") or st["revision"]))
        else:
            for pin in doc["pins"]:
                if pin.get("kind") in ("localSourceControl", "fileSystem"):
                    continue
                st = pin["state"]
                name = pin["identity"] if pin.get("kind") == "registry" else _swift_name(pin["location"])
                pairs.append((name, st.get("version") or st["revision"]))
        write_expected(rel, pairs, ORACLE)


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["gemfile_lock", "composer_lock", "nuget_lock", "nuget_proj", "pubspec_lock", "mix_lock", "package_resolved"]
    for name in wanted:
        if name in globals():
            globals()[name]()
