//! Every corpus lockfile against an independent expectation.
//!
//! For each fixture under `fixtures/corpus` that a cataloger wants, `fixtures/expected/<path>.txt`
//! holds the set of `name version` pairs the file pins (non-local packages), derived by the Python
//! oracles in `oracle/` that read each format from its documentation, never from Cairn's output.
//! The cataloger must produce exactly that set, with no error diagnostic. Warnings are allowed only
//! where `fixtures/expected/<path>.warnings` lists a fragment of their message (by design: an
//! unpinned requirement, a parent POM outside the tree).

use cairn_engine::catalog::{self, Catalog};
use cairn_engine::tree::FsTree;
use cairn_engine::{Severity, walk};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn check(root: &Path, tree: &FsTree, rel: &str) -> Result<usize, String> {
    let expected_path = fixtures().join("expected").join(format!("{rel}.txt"));
    let expected_text = std::fs::read_to_string(&expected_path)
        .map_err(|_| format!("{rel}: no expectation at {}", expected_path.display()))?;
    let expected: BTreeSet<String> =
        expected_text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(str::to_string).collect();
    let allowed: Vec<String> =
        std::fs::read_to_string(fixtures().join("expected").join(format!("{rel}.warnings")))
            .map(|t| t.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();

    let text = std::fs::read(root.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
    let text = cairn_engine::tree::decode(&text).map_err(|e| format!("{rel}: {e}"))?;
    let Catalog { packages, diagnostics, .. } = catalog::catalog_file(rel, &text, tree);

    let mut problems = Vec::new();
    for d in &diagnostics {
        let ok = d.severity == Severity::Info
            || (d.severity == Severity::Warning && allowed.iter().any(|a| d.message.contains(a.as_str())));
        if !ok {
            problems.push(format!("unexpected {:?} at line {:?}: {}", d.severity, d.line, d.message));
        }
    }
    let got: BTreeSet<String> = packages
        .iter()
        .filter(|p| !p.source.is_local())
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    for missing in expected.difference(&got).take(15) {
        problems.push(format!("missing: {missing}"));
    }
    for extra in got.difference(&expected).take(15) {
        problems.push(format!("extra: {extra}"));
    }
    if problems.is_empty() {
        Ok(got.len())
    } else {
        Err(format!("{rel} (expected {}, got {}):\n  {}", expected.len(), got.len(), problems.join("\n  ")))
    }
}

#[test]
fn every_corpus_lockfile_matches_its_independent_expectation() {
    let root = fixtures().join("corpus");
    let mut all = Vec::new();
    files_under(&root, &root, &mut all);
    all.sort();
    let wanted: Vec<String> = all.into_iter().filter(|rel| catalog::wanted(rel)).collect();
    assert!(!wanted.is_empty(), "no fixture is wanted by any cataloger");
    let tree =
        FsTree::new(root.canonicalize().expect("fixture root"), walk::DEFAULT_MAX_FILE_SIZE, wanted.clone());
    let mut failures = Vec::new();
    for rel in &wanted {
        match check(&root, &tree, rel) {
            Ok(n) => eprintln!("ok {rel}: {n} packages"),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files differ:\n{}",
        failures.len(),
        wanted.len(),
        failures.join("\n")
    );
}
