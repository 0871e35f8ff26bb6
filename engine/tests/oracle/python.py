"""Python lockfiles, read from their documentation:

- requirements files (pip "Requirements File Format"): lines joined on a trailing backslash,
  comments stripped (`#` at line start or after whitespace); a package is a requirement pinned with
  `==` or `===` to one exact version; options (`-i`, `--hash`, ...) are not packages; `-r`/`-c`
  includes name other files, whose packages are attributed to those files (none in the corpus).
  Unpinned, URL, path and editable lines are warnings by design (written to .warnings).
- Pipfile.lock (pipenv): every key of `default` and `develop`, version `==X`.
- poetry.lock: every [[package]]; those with a `directory` or `file` source are the project's own.
- uv.lock: every [[package]]; `editable`, `virtual`, `directory` and `path` sources are local.
"""

import json
import re
import tomllib
from common import CORPUS, EXPECTED, fixtures, read, write_expected

NAME = re.compile(r"^\s*([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)")


def requirement_pairs(text):
    pairs, warnings = [], []
    joined, buf = [], ""
    for line in text.splitlines():
        if line.endswith("\\") and not line.lstrip().startswith("#"):
            buf += line[:-1]
            continue
        if buf and line.lstrip().startswith("#"):
            joined.append(buf)
            buf = ""
        joined.append(buf + line)
        buf = ""
    if buf:
        joined.append(buf)
    for line in joined:
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        if line.startswith("-"):
            if re.match(r"^(-e|--editable)\b", line):
                warnings.append("editable requirement")
            continue
        req = re.split(r"\s--?[a-z]", line)[0]
        m = NAME.match(req)
        if not m:
            warnings.append("path requirement")
            continue
        rest = req[m.end():].strip()
        rest = re.sub(r"^\[[^\]]*\]", "", rest).strip()
        rest = rest.split(";")[0].strip().strip("()").strip()
        pin = re.fullmatch(r"===?\s*([^\s,*<>=!~]+)", rest)
        if pin:
            pairs.append((m.group(1), pin.group(1)))
        else:
            warnings.append("unpinned requirement")
    return pairs, warnings


def write_warnings(rel, fragments):
    out = EXPECTED / (rel + ".warnings")
    if fragments:
        out.write_text("".join(f + "\n" for f in sorted(set(fragments))))
    elif out.exists():
        out.unlink()


for rel in fixtures("*.txt"):
    parts = rel.split("/")
    stem = parts[-1].lower()[:-4]
    if not ("requirements" in stem or stem.startswith("constraints") or parts[-2].lower() == "requirements"):
        continue
    pairs, warnings = requirement_pairs(read(rel))
    write_expected(rel, pairs, "python.py")
    write_warnings(rel, warnings)

for rel in fixtures("Pipfile.lock"):
    lock = json.loads(read(rel))
    pairs = []
    for section in ("default", "develop"):
        for name, entry in lock.get(section, {}).items():
            v = entry.get("version", "")
            if "path" in entry or "editable" in entry and "git" not in entry:
                continue
            pairs.append((name, v[2:] if v.startswith("==") else v))
    write_expected(rel, pairs, "python.py")

for rel in fixtures("poetry.lock"):
    lock = tomllib.loads(read(rel))
    pairs = [
        (p["name"], p["version"])
        for p in lock.get("package", [])
        if p.get("source", {}).get("type") not in ("directory", "file")
    ]
    write_expected(rel, pairs, "python.py")

for rel in fixtures("uv.lock"):
    lock = tomllib.loads(read(rel))
    local = ("editable", "virtual", "directory", "path")
    pairs = [
        (p["name"], p.get("version", ""))
        for p in lock.get("package", [])
        if not any(k in p.get("source", {}) for k in local)
    ]
    write_expected(rel, pairs, "python.py")
