//! Matching through the [`PackageIndex`] (only the candidates' records read) decides exactly as
//! matching against a [`Database`] of every record: the real advisories of tests/fixtures/osv and
//! tests/fixtures/osv-ghsa (see their SOURCE.md), stored as JSON and read back as the daemon does,
//! against the corpus lockfiles' components and a component at every version the advisories name.

use cairn_engine::inventory::{Ecosystem, Inventory, Location, Package};
use cairn_engine::vuln::osv::Event;
use cairn_engine::vuln::{Advisory, AdvisoryKeys, Database, PackageIndex, load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The corpus lockfiles' components, and one component per (package, version) every other
/// advisory names in its events or versions: hits, misses, alias groups and unparsable versions
/// alike, while some advisories name no component (so not every record is a candidate).
fn inventory(db: &Database) -> Inventory {
    let scanned = scan_path(&fixtures().join("corpus"), &ScanOptions::default(), &NoProgress).expect("scan");
    let mut packages: Vec<Package> = Vec::new();
    for a in db.advisories().iter().step_by(2) {
        for f in a.affected() {
            let Some(p) = f.package() else { continue };
            let Ok(eco) = serde_json::from_value::<Ecosystem>(serde_json::Value::from(p.ecosystem.as_str()))
            else {
                continue;
            };
            let events = f.ranges().iter().flat_map(|r| r.events.iter().map(Event::version));
            for v in events.chain(f.versions().iter().map(String::as_str)) {
                if let Ok(pkg) = Package::new(eco, p.name.as_str(), v, Location::new("advisory", None)) {
                    packages.push(pkg);
                }
            }
        }
    }
    let mut inv = Inventory::assemble(packages, Vec::new(), Vec::new(), Vec::new());
    inv.components.extend(scanned.inventory.components);
    inv
}

#[test]
fn matching_through_the_package_index_equals_matching_against_every_record() {
    let full = load_paths(&[fixtures().join("osv"), fixtures().join("osv-ghsa")]).expect("fixtures load");
    // The stored form: each usable record as JSON, read back (the daemon stores and reads these).
    let stored: BTreeMap<String, String> = full
        .advisories()
        .iter()
        .map(|a| (a.id().to_owned(), serde_json::to_string(a).expect("serialise")))
        .collect();
    let index =
        PackageIndex::new(stored.values().map(|r| AdvisoryKeys::from_json(r.as_bytes()).expect("keys")));
    let read = |ids: &std::collections::BTreeSet<String>| -> Vec<Advisory> {
        ids.iter()
            .map(|id| Advisory::from_json(stored[id].as_bytes()).expect("stored record reads"))
            .collect()
    };
    let inv = inventory(&full);
    assert!(inv.components.len() > 1_000, "{}", inv.components.len());

    let candidates = index.candidates(&inv);
    let mut advisories = read(&candidates);
    let aliases = index.aliases_to_read(&advisories);
    advisories.extend(read(&aliases));
    // Not every record: otherwise this would compare the full database with itself.
    assert!(
        advisories.len() < full.advisories().len(),
        "{} of {}",
        advisories.len(),
        full.advisories().len()
    );
    let partial = index.database(advisories);

    let expected = match_inventory(&inv, &full);
    assert!(
        expected.findings.len() > 100 && !expected.not_evaluated.is_empty(),
        "{}",
        expected.findings.len()
    );
    assert_eq!(match_inventory(&inv, &partial), expected);
    let (a, b) = (full.info(), partial.info());
    assert_eq!(
        (a.advisories, &a.by_ecosystem, &a.newest_modified),
        (b.advisories, &b.by_ecosystem, &b.newest_modified)
    );
}

/// Issue 22: the index decides from its compact ranges which candidates may affect each
/// component, so only those records are read; matching against them still decides exactly as
/// against every record (findings, warnings, not-evaluated items, coverage).
#[test]
fn only_the_records_that_may_affect_are_read_and_matching_is_unchanged() {
    let full = load_paths(&[fixtures().join("osv"), fixtures().join("osv-ghsa")]).expect("fixtures load");
    let stored: BTreeMap<String, String> = full
        .advisories()
        .iter()
        .map(|a| (a.id().to_owned(), serde_json::to_string(a).expect("serialise")))
        .collect();
    let index =
        PackageIndex::new(stored.values().map(|r| AdvisoryKeys::from_json(r.as_bytes()).expect("keys")));
    let read = |ids: &std::collections::BTreeSet<String>| -> Vec<Advisory> {
        ids.iter()
            .map(|id| Advisory::from_json(stored[id].as_bytes()).expect("stored record reads"))
            .collect()
    };
    let lockfiles =
        scan_path(&fixtures().join("corpus"), &ScanOptions::default(), &NoProgress).expect("scan").inventory;
    for inv in [inventory(&full), lockfiles] {
        let candidates = index.candidates(&inv);
        let needed = index.records_to_read(&inv);
        assert!(needed.is_subset(&candidates));
        assert!(needed.len() < candidates.len(), "{} of {} candidates", needed.len(), candidates.len());
        let mut advisories = read(&needed);
        let aliases = index.aliases_to_read(&advisories);
        advisories.extend(read(&aliases));
        let expected = match_inventory(&inv, &full);
        assert!(!expected.findings.is_empty());
        assert_eq!(match_inventory(&inv, &index.database(advisories)), expected);
    }
}
