"""Go and JVM manifests, read from their documentation:

go.mod (https://go.dev/ref/mod#go-mod-file): since Go 1.17 the `require` directives list every module
of the build graph. A `replace` whose target is a module version substitutes that module (the
replacement is what is built); one whose target is a directory (starts with ./ ../ or /) makes the
module the project's own code (local, left out). `exclude`/`retract` add nothing. The main module is
local. go.sum is not an inventory of its own.

gradle.lockfile (https://docs.gradle.org/current/userguide/dependency_locking.html): each non-comment
line `group:module:version=configurations`; `empty=...` lists configurations without dependencies.
Legacy gradle/dependency-locks/<conf>.lockfile: same lines without `=...`.

pom.xml: see pom section below."""

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


if __name__ == "__main__":
    for rel in fixtures("go.mod"):
        go_mod(rel)
    for rel in fixtures("gradle.lockfile") + [
        r for r in fixtures("*.lockfile") if "/gradle/dependency-locks/" in "/" + r
    ]:
        gradle_lock(rel)
