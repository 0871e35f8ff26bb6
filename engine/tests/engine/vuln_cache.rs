//! The vulnerability data cache read for one inventory (`open_cached`, then
//! `VulnData::database_for`) against the data parsed whole: the same matches and the same report,
//! on the real advisories of tests/fixtures/osv (RustSec, PyPA YAML, Go; see SOURCE.md there) and
//! the corpus lockfiles, while reading only the records the inventory names.

use cairn_engine::report::Vulnerabilities;
use cairn_engine::vuln::{CacheUse, Database, Matches, load_paths, match_inventory, open_cached};
use cairn_engine::{Inventory, NoProgress, Report, Scan, ScanOptions, scan_path};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn report(target: &str, scan: &Scan, db: &Database, m: &Matches) -> String {
    Report::new(target, scan).with_vulnerabilities(Vulnerabilities::matched(db, m)).to_json()
}

/// Issue 22: a scan with a current cache parses only its packages' advisories (and their ids' and
/// aliases' other records), and decides and reports exactly as with every record parsed.
#[test]
fn a_hit_reads_only_what_the_inventory_names_and_reports_the_same() {
    let data = vec![fixtures().join("osv")];
    let full = load_paths(&data).expect("fixture advisories load");
    let cache = tempfile::tempdir().expect("tempdir");
    let (built, used) =
        open_cached(&data, cache.path()).expect("opens").database_for(&Inventory::default()).expect("reads");
    assert_eq!(used, CacheUse::Built);
    assert_eq!(built.advisories(), full.advisories(), "a miss parses the whole data");
    for dir in [
        "cargo/rust-lang__cargo",
        "cargo/atuinsh__atuin",
        "pip/pallets__flask",
        "go/prometheus__prometheus",
        "poetry/python-poetry__poetry/history-5f51951f5f",
        "npm/mozilla__pdf.js",
    ] {
        let scan = scan_path(&fixtures().join("corpus").join(dir), &ScanOptions::default(), &NoProgress)
            .expect("scan");
        let (db, used) =
            open_cached(&data, cache.path()).expect("opens").database_for(&scan.inventory).expect("reads");
        assert_eq!(used, CacheUse::Hit, "{dir}");
        assert!(
            db.advisories().len() * 2 < full.advisories().len(),
            "{dir}: {} of {} advisories read",
            db.advisories().len(),
            full.advisories().len()
        );
        assert_eq!(db.info(), full.info(), "{dir}: the whole data's totals");
        let (partial, whole) =
            (match_inventory(&scan.inventory, &db), match_inventory(&scan.inventory, &full));
        assert_eq!(partial, whole, "{dir}");
        assert_eq!(
            report(dir, &scan, &db, &partial),
            report(dir, &scan, &full, &whole),
            "{dir}: the same report"
        );
    }
    // The comparison means something: the corpus has findings to agree on.
    let scan =
        scan_path(&fixtures().join("corpus/cargo/rust-lang__cargo"), &ScanOptions::default(), &NoProgress)
            .expect("scan");
    assert!(!match_inventory(&scan.inventory, &full).findings.is_empty());
}
