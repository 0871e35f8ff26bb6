"""Shared helpers for the oracles: independent readers of lockfile formats, written in Python from
each format's documentation, used only to derive the expected package sets the Rust catalogers are
tested against (engine/tests/engine/corpus.rs). They never look at Cairn's output.

Each oracle script writes engine/tests/fixtures/expected/<fixture path>.txt: a header comment, then
one `name version` line per non-local package the file pins, sorted and unique."""

import pathlib

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent / "fixtures" / "corpus"
EXPECTED = HERE.parent / "fixtures" / "expected"


def fixtures(pattern):
    """Fixture files (relative paths) whose name matches the glob `pattern`, at any depth."""
    return sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob(pattern) if p.is_file())


def read(rel):
    return (CORPUS / rel).read_text(encoding="utf-8-sig")


def write_expected(rel, pairs, oracle):
    """Writes the expectation for fixture `rel`: `pairs` is an iterable of (name, version)."""
    out = EXPECTED / (rel + ".txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = sorted({f"{n} {v}" for n, v in pairs})
    out.write_text(f"# derived by engine/tests/oracle/{oracle} from {rel}\n" + "".join(l + "\n" for l in lines))
    print(f"{rel}: {len(lines)} packages")
