"""Go and JVM manifests, read from their documentation:

go.mod (https://go.dev/ref/mod#go-mod-file): since Go 1.17 the `require` directives list every module
of the build graph. A `replace` whose target is a module version substitutes that module (the
replacement is what is built); one whose target is a directory (starts with ./ ../ or /) makes the
module the project's own code (local, left out). `exclude`/`retract` add nothing. The main module is
local. go.sum is not an inventory of its own.

gradle.lockfile (https://docs.gradle.org/current/userguide/dependency_locking.html): each non-comment
line `group:module:version=configurations`; `empty=...` lists configurations without dependencies.
Legacy gradle/dependency-locks/<conf>.lockfile: same lines without `=...`.

pom.xml (https://maven.apache.org/pom.html, "Introduction to the POM", "Dependency Mechanism"):
packages are project/dependencies/dependency plus the `import`-scoped BOMs of
project/dependencyManagement. A dependency without <version> takes it from dependencyManagement (the
POM's own, then its parents'). ${...} are resolved from <properties> (own, then parents') and the
project.* model values. Parents are looked for in the tree only (relativePath, default ../pom.xml, then
any pom.xml with the parent's coordinates). A version that stays unresolved gives no package (a warning).
The project itself and modules whose pom.xml is in the tree are local."""

import re
import sys
from common import fixtures, read, write_expected


# ---------------------------------------------------------------- go.mod
def go_lines(text):
    """(verb, args) per directive, with block forms flattened."""
    verb_of_block = None
    for raw in text.splitlines():
        code = raw.split("//", 1)[0].strip()
        if not code:
            continue
        if verb_of_block:
            if code == ")":
                verb_of_block = None
                continue
            yield verb_of_block, code.split()
            continue
        parts = code.split()
        if len(parts) >= 2 and parts[1] == "(":
            verb_of_block = parts[0]
            continue
        yield parts[0], parts[1:]


def unquote(s):
    return s[1:-1] if len(s) >= 2 and s[0] in "\"`" and s[-1] == s[0] else s


def go_mod(rel):
    requires, replaces = [], []
    for verb, args in go_lines(read(rel)):
        args = [unquote(a) for a in args]
        if verb == "require":
            assert len(args) == 2, (rel, args)
            requires.append(tuple(args))
        elif verb == "replace":
            i = args.index("=>")
            old, new = args[:i], args[i + 1:]
            replaces.append((old[0], old[1] if len(old) > 1 else None, new[0], new[1] if len(new) > 1 else None))
    pairs = []
    for path, version in requires:
        hit = [r for r in replaces if r[0] == path and r[1] in (None, version)]
        if hit:
            _, _, new, new_version = hit[-1]
            if new_version is None:  # directory replacement: local
                continue
            pairs.append((new, new_version))
        else:
            pairs.append((path, version))
    write_expected(rel, pairs, "gojvm.py")


# ---------------------------------------------------------------- gradle
def gradle_lock(rel):
    pairs = []
    for line in read(rel).splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("empty="):
            continue
        coords = line.split("=", 1)[0]
        group, artifact, version = coords.split(":")
        pairs.append((f"{group}:{artifact}", version))
    write_expected(rel, pairs, "gojvm.py")


# ---------------------------------------------------------------- pom.xml
import pathlib
import xml.etree.ElementTree as ET
from common import CORPUS, EXPECTED


def strip_ns(root):
    for el in root.iter():
        if "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def pom_of(rel):
    root = strip_ns(ET.fromstring(read(rel)))
    t = lambda el, name: (el.findtext(name) or "").strip() if el is not None else ""
    par = root.find("parent")
    pom = {
        "rel": rel,
        "group": t(root, "groupId") or t(par, "groupId"),
        "artifact": t(root, "artifactId"),
        "version": t(root, "version") or t(par, "version"),
        "parent": None,
        "props": {c.tag: (c.text or "").strip() for c in (root.find("properties") or [])},
        "managed": [],
        "deps": [],
    }
    if par is not None:
        rp = par.find("relativePath")
        pom["parent"] = {
            "group": t(par, "groupId"), "artifact": t(par, "artifactId"), "version": t(par, "version"),
            "relativePath": "../pom.xml" if rp is None else (rp.text or "").strip(),
        }
    for key, path in (("managed", "dependencyManagement/dependencies/dependency"), ("deps", "dependencies/dependency")):
        for d in root.findall(path):
            pom[key].append({k: t(d, k) for k in ("groupId", "artifactId", "version", "scope", "optional")})
    return pom


ALL_POMS = None


def all_poms():
    global ALL_POMS
    if ALL_POMS is None:
        ALL_POMS = {}
        for r in fixtures("pom.xml"):
            try:
                ALL_POMS[r] = pom_of(r)
            except ET.ParseError:
                pass
    return ALL_POMS


def find_parent(rel, ref):
    def ok(p):
        return p["group"] == ref["group"] and p["artifact"] == ref["artifact"] and (
            "${" in p["version"] or p["version"] == ref["version"])
    if ref["relativePath"]:
        rp = ref["relativePath"] if ref["relativePath"].endswith(".xml") else ref["relativePath"].rstrip("/") + "/pom.xml"
        cand = (pathlib.PurePosixPath(rel).parent / rp).as_posix()
        parts = []
        for part in cand.split("/"):
            if part == "..":
                parts and parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        cand = "/".join(parts)
        if cand in all_poms() and ok(all_poms()[cand]):
            return all_poms()[cand]
    for r, p in all_poms().items():
        if r != rel and ok(p):
            return p
    return None


def interpolate(s, props, depth=0):
    if depth > 32:
        return None
    def sub(m):
        v = props.get(m.group(1).strip())
        if v is None:
            raise KeyError(m.group(1))
        r = interpolate(v, props, depth + 1)
        if r is None:
            raise KeyError(m.group(1))
        return r
    try:
        return re.sub(r"\$\{([^}]*)\}", sub, s)
    except KeyError:
        return None


def pom(rel):
    me = all_poms()[rel]
    chain, ref, at, missing_parent = [], me["parent"], rel, False
    while ref:
        p = find_parent(at, ref)
        if p is None or p in chain:
            missing_parent = p is None
            break
        chain.append(p)
        ref, at = p["parent"], p["rel"]
    props = {}
    for p in reversed([me] + chain):
        props.update(p["props"])
    props.update({"project.groupId": me["group"], "project.artifactId": me["artifact"], "project.version": me["version"]})
    if me["parent"]:
        props.update({"project.parent.version": me["parent"]["version"], "project.parent.groupId": me["parent"]["group"]})
    managed = {}
    for p in [me] + chain:
        for d in p["managed"]:
            if d["scope"] != "import":
                managed.setdefault((interpolate(d["groupId"], props), interpolate(d["artifactId"], props)), d["version"])
    own = {(p["group"], p["artifact"]) for p in all_poms().values()}
    pairs, warnings = [], set()
    if missing_parent:
        warnings.add("is not in the scanned tree")
    boms = [d for d in me["managed"] if d["scope"] == "import"]
    for d in boms + me["deps"]:
        g, a = interpolate(d["groupId"], props), interpolate(d["artifactId"], props)
        v = d["version"] or managed.get((g, a), "")
        v = interpolate(v, props) if v else None
        if not v or v[0] in "[(":
            warnings.add("version unresolved")
            continue
        if (g, a) in own:
            continue  # a module of this build, in the tree: local
        pairs.append((f"{g}:{a}", v))
    write_expected(rel, pairs, "gojvm.py")
    w = EXPECTED / (rel + ".warnings")
    if warnings:
        w.write_text("".join(x + "\n" for x in sorted(warnings)))
    elif w.exists():
        w.unlink()


if __name__ == "__main__":
    for rel in fixtures("pom.xml"):
        pom(rel)
    for rel in fixtures("go.mod"):
        go_mod(rel)
    for rel in fixtures("gradle.lockfile") + [
        r for r in fixtures("*.lockfile") if "/gradle/dependency-locks/" in "/" + r
    ]:
        gradle_lock(rel)
