"""Manifests read when no lockfile resolved them (pyproject.toml, package.json, Cargo.toml), from
their documentation:

- A lockfile covers a manifest when it sits in the manifest's directory or any directory above it
  (workspaces keep one lockfile at their root): poetry.lock, uv.lock, pdm.lock or Pipfile.lock for
  pyproject.toml; package-lock.json, npm-shrinkwrap.json, yarn.lock or pnpm-lock.yaml (or an
  installed node_modules/ beside it) for package.json; Cargo.lock for Cargo.toml. A covered
  manifest adds nothing: the lockfile's packages are the inventory.
- pyproject.toml without a lockfile (PEP 621 "Declaring project metadata", PEP 735 "Dependency
  Groups", PEP 508 "Dependency specification"): every requirement string of [project] dependencies,
  [project.optional-dependencies] and [dependency-groups]; its name is the leading distribution
  name; its version is the one `==`/`===` pins, else none (written as an empty version). A
  warning says no lockfile was found.
- Uncovered package.json and Cargo.toml files are not in the corpus: this oracle refuses them
  rather than guess.
"""

import pathlib
import re
import tomllib
from common import CORPUS, EXPECTED, fixtures, read, write_expected

NAME = re.compile(r"^\s*([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)")
LOCKS = {
    "pyproject.toml": ["poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"],
    "package.json": ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"],
    "Cargo.toml": ["Cargo.lock"],
}


def write_warnings(rel, fragments):
    out = EXPECTED / (rel + ".warnings")
    if fragments:
        out.write_text("".join(f + "\n" for f in sorted(set(fragments))))
    elif out.exists():
        out.unlink()


def covered(rel):
    path = pathlib.PurePosixPath(rel)
    name = path.name
    if name == "package.json" and (CORPUS / path.parent / "node_modules").is_dir():
        return True
    for d in [path.parent, *path.parent.parents]:
        if any((CORPUS / d / lock).is_file() for lock in LOCKS[name]):
            return True
    return False


def pep508_pair(req):
    m = NAME.match(req)
    name = m.group(1)
    rest = req[m.end():].split(";")[0].strip()
    if rest.startswith("["):
        rest = rest.split("]", 1)[1].strip()
    rest = rest.strip("()").strip()
    version = ""
    for op in ("===", "=="):
        if rest.startswith(op):
            v = rest[len(op):].strip()
            if v and not any(c in v for c in ",*<>!~ "):
                version = v
            break
    return name, version


def pyproject(rel):
    doc = tomllib.loads(read(rel))
    reqs = list(doc.get("project", {}).get("dependencies", []))
    for extra in doc.get("project", {}).get("optional-dependencies", {}).values():
        reqs += extra
    for group in doc.get("dependency-groups", {}).values():
        reqs += [r for r in group if isinstance(r, str)]
    if "poetry" in doc.get("tool", {}):
        raise SystemExit(f"{rel}: Poetry tables without a lockfile are not read by this oracle")
    return {pep508_pair(r) for r in reqs}


for manifest in LOCKS:
    for rel in fixtures(manifest):
        if "node_modules/" in rel:
            continue
        if covered(rel):
            write_expected(rel, [], "manifests.py")
            write_warnings(rel, [])
        elif manifest == "pyproject.toml":
            pairs = pyproject(rel)
            write_expected(rel, pairs, "manifests.py")
            write_warnings(rel, ["no lockfile"] if pairs else [])
        else:
            raise SystemExit(f"{rel}: no lockfile covers it and this oracle does not read {manifest}")
