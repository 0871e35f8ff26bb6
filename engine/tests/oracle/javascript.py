"""JavaScript lockfiles, read from the npm, yarn and pnpm documentation.

package-lock.json / npm-shrinkwrap.json (docs.npmjs.com, "package-lock.json"):
  v2/v3: `packages` maps install paths to entries. The "" entry is the project; paths outside
  node_modules are workspace members or linked folders (local); `link: true` entries are symlinks to
  them (local). Every other entry is a package: its name is the entry's `name` (set for aliases) or
  the path after the last `node_modules/`, its version `version`. `resolved: file:` is local.
  v1: `dependencies` nested by name, `version` may be `npm:<real>@<version>` (alias), a git URL
  (version = the commit after `#`) or `file:` (local).
yarn.lock classic (yarnpkg.com v1 docs): one entry per resolved package, headed by its specifiers;
  `version` is the version; alias specifiers `alias@npm:real@range` name the real package;
  `file:`/`link:` specifiers are local.
yarn.lock berry (yarnpkg.com, lockfile): YAML, one key per entry (comma-joined descriptors) with
  `resolution: name@protocol:ref`; `workspace:`, `link:`, `portal:`, `file:` are local; `patch:`
  entries are the patched package itself (same name and version).
pnpm-lock.yaml (pnpm lockfile docs): `packages` keys are `/name/version[_peers]` (v5),
  `/name@version(peers)` (v6), `name@version` (v9); peer suffixes are not part of the version.
  Entries may carry `name`/`version` fields (tarball and git dependencies), which win.
Installed node_modules/**/package.json: none in the corpus.
"""

import json
import re

import yaml

from common import fixtures, read, write_expected

ORACLE = "javascript.py"


# ---------- npm ----------

def npm_v1(deps, out):
    for key, e in (deps or {}).items():
        v = e.get("version", "")
        if v.startswith("npm:"):
            spec = v[4:]
            at = spec.index("@", 1)
            out.append((spec[:at], spec[at + 1:]))
        elif v.startswith("file:"):
            pass
        elif re.match(r"^(git\+|git://|github:|gitlab:|bitbucket:|ssh://)", v):
            out.append((key, v.split("#", 1)[1] if "#" in v else v))
        elif v:
            out.append((key, v))
        npm_v1(e.get("dependencies"), out)


def npm(rel):
    lock = json.loads(read(rel))
    out = []
    if "packages" in lock:
        for path, e in lock["packages"].items():
            if "node_modules/" not in path or e.get("link"):
                continue
            if e.get("resolved", "").startswith("file:"):
                continue
            name = e.get("name") or path.rsplit("node_modules/", 1)[1]
            out.append((name, e["version"]))
    else:
        npm_v1(lock.get("dependencies"), out)
    return out


for rel in fixtures("package-lock.json") + fixtures("npm-shrinkwrap.json"):
    write_expected(rel, npm(rel), ORACLE)


# ---------- yarn ----------

def spec_name_range(spec):
    at = spec.index("@", 1)
    return spec[:at], spec[at + 1:]


def yarn_classic(text):
    out = []
    header = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            header = line.rstrip().rstrip(":")
            continue
        m = re.match(r'^  version "?([^"]+)"?$', line.rstrip())
        if m and header is not None:
            first = header.split(", ")[0].strip('"')
            name, rng = spec_name_range(first)
            if rng.startswith("npm:") and "@" in rng[5:]:
                name, _ = spec_name_range(rng[4:])
            if not (rng.startswith("file:") or rng.startswith("link:")):
                out.append((name, m.group(1)))
            header = None
    return out


def yarn_berry(text):
    out = []
    for key, e in yaml.safe_load(text).items():
        if key == "__metadata":
            continue
        name, ref = spec_name_range(e["resolution"])
        if ref.split(":", 1)[0] in ("workspace", "link", "portal", "file", "exec"):
            continue
        out.append((name, str(e["version"])))
    return out


for rel in fixtures("yarn.lock"):
    text = read(rel)
    berry = any(l.rstrip() == "__metadata:" for l in text.splitlines())
    write_expected(rel, yarn_berry(text) if berry else yarn_classic(text), ORACLE)


# ---------- pnpm ----------

def pnpm(text):
    lock = yaml.safe_load(text)
    major = int(str(lock["lockfileVersion"]).split(".")[0])
    out = []
    for key, e in (lock.get("packages") or {}).items():
        e = e or {}
        if "directory" in (e.get("resolution") or {}):
            continue
        if major < 6:
            path, ver = key.lstrip("/").rsplit("/", 1)
            name, ver = path, ver.split("_")[0]
        else:
            k = key.lstrip("/").split("(")[0]
            at = k.index("@", 1)
            name, ver = k[:at], k[at + 1:]
        out.append((e.get("name", name), str(e.get("version", ver))))
    return out


for rel in fixtures("pnpm-lock.yaml"):
    write_expected(rel, pnpm(read(rel)), ORACLE)
