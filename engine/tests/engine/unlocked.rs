//! Trees without a lockfile (issue 14, point 8): a project that only declares its dependencies
//! reports them as direct components with their requirements, says that nothing pinned them, and
//! names every advisory it could not decide as "not evaluated: no pinned version".
//!
//! The tree is pyjwt's real `pyproject.toml` (tests/fixtures/corpus/pyproject, see SOURCE.md there);
//! the advisories are the PyPA subset in tests/fixtures/osv.

use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, Severity, scan_path};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn pyjwt_without_a_lockfile_reports_its_declared_dependencies() {
    let root = fixtures().join("corpus/pyproject/jpadilla__pyjwt");
    let scan = scan_path(&root, &ScanOptions::default(), &NoProgress).expect("scan");
    let inv = &scan.inventory;
    let crypto = inv.components.iter().find(|c| c.name == "cryptography").expect("cryptography is declared");
    assert_eq!(crypto.version, "");
    assert_eq!(crypto.constraint.as_deref(), Some(">=3.4.0"));
    assert_eq!(crypto.direct, Some(true));
    let coverage = inv.components.iter().find(|c| c.name == "coverage").expect("coverage");
    assert_eq!(coverage.version, "7.10.7", "an == pin is an exact version");
    assert_eq!(inv.components.len(), 8, "{:?}", inv.components.iter().map(|c| &c.purl).collect::<Vec<_>>());
    assert!(
        inv.diagnostics.iter().any(|d| d.severity == Severity::Warning
            && d.path == "pyproject.toml"
            && d.message.contains("no lockfile")),
        "{:?}",
        inv.diagnostics
    );

    let db = load_paths(&[fixtures().join("osv/pypa")]).expect("advisories");
    let m = match_inventory(inv, &db);
    let unpinned: Vec<_> =
        m.not_evaluated.iter().filter(|n| n.purl == crypto.purl).map(|n| n.reason.as_str()).collect();
    assert!(!unpinned.is_empty(), "cryptography has PyPA advisories; none may vanish silently");
    assert!(
        unpinned.iter().all(|r| r.contains("no pinned version") && r.contains(">=3.4.0")),
        "{unpinned:?}"
    );
    assert!(m.findings.iter().all(|f| f.purl != crypto.purl), "a range is never matched as if installed");
}
