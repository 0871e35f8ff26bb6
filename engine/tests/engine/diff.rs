//! Comparison (`cairn_engine::diff`) on two dated versions of one real lockfile: python-poetry's
//! `poetry.lock` at commit 5f51951f5f and at the corpus snapshot (both already fixtures, from
//! /work/shared/corpus/lockfiles/poetry/python-poetry__poetry, MANIFEST.md section 2). The expected
//! counts come from an independent reading of both files with the `toml` crate and PEP 503 names,
//! not from the engine's catalogers or its diff.

use cairn_engine::bom::BomInput;
use cairn_engine::diff::{Direction, Section, Side, compare};
use cairn_engine::vuln::{Advisory, Database, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn lockfile(history: bool) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/poetry/python-poetry__poetry");
    if history { dir.join("history-5f51951f5f/poetry.lock") } else { dir.join("poetry.lock") }
}

/// PEP 503 name → version, read straight from the TOML.
fn independent(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).expect("read lockfile");
    let doc: toml::Table = text.parse().expect("poetry.lock is TOML");
    let mut out = BTreeMap::new();
    for p in doc["package"].as_array().expect("[[package]]") {
        let name = p["name"].as_str().expect("name").to_lowercase().replace(['_', '.'], "-");
        let version = p["version"].as_str().expect("version").to_string();
        assert!(out.insert(name, version).is_none(), "one version per name in a poetry.lock");
    }
    out
}

fn advisory(id: &str, package: &str, introduced: &str, fixed: Option<&str>) -> Advisory {
    let mut events = vec![serde_json::json!({"introduced": introduced})];
    if let Some(f) = fixed {
        events.push(serde_json::json!({"fixed": f}));
    }
    let record = serde_json::json!({
        "schema_version": "1.7.0",
        "id": id,
        "modified": "2026-01-01T00:00:00Z",
        "summary": format!("planted advisory for {package}"),
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": events}]
        }]
    });
    Advisory::from_json(record.to_string().as_bytes()).expect("planted advisory is valid OSV")
}

/// Planted advisories: one fixed by the upgrade of requests (2.25.1 → 2.33.1), one introduced by
/// the upgrade of cryptography (3.4.7 → 47.0.0), one on pyyaml open before and after its upgrade.
fn planted() -> Database {
    Database::new(
        [
            advisory("PLANT-FIXED-1", "requests", "0", Some("2.30.0")),
            advisory("PLANT-NEW-1", "cryptography", "40.0.0", None),
            advisory("PLANT-OPEN-1", "pyyaml", "0", Some("99.0")),
        ],
        Vec::new(),
        Vec::new(),
    )
}

fn input(history: bool, db: &Database) -> BomInput {
    let scan = scan_path(&lockfile(history), &ScanOptions::default(), &NoProgress).expect("scan");
    let matches = match_inventory(&scan.inventory, db);
    BomInput::from_scan("poetry", None, "2026-01-01T00:00:00Z", &scan, Some(&matches))
}

#[test]
fn two_dated_poetry_locks_compare_as_an_independent_reading_says() {
    let (old, new) = (independent(&lockfile(true)), independent(&lockfile(false)));
    let added: BTreeSet<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let removed: BTreeSet<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let changed: BTreeSet<&String> =
        old.keys().filter(|k| new.get(*k).is_some_and(|v| *v != old[*k])).collect();
    let unchanged = old.keys().filter(|k| new.get(*k) == Some(&old[*k])).count();
    let upgrades = changed
        .iter()
        .filter(|k| {
            let a = pep440_rs::Version::from_str(&old[**k]).expect("PEP 440");
            let b = pep440_rs::Version::from_str(&new[**k]).expect("PEP 440");
            a < b
        })
        .count();
    assert!(!added.is_empty() && !removed.is_empty() && !changed.is_empty(), "a pair worth comparing");

    let db = planted();
    let (from, to) = (input(true, &db), input(false, &db));
    let cmp = compare(&Side::complete(&from), &Side::complete(&to));
    let names = |v: Vec<&String>| {
        v.into_iter().map(|n| n.to_lowercase().replace(['_', '.'], "-")).collect::<BTreeSet<_>>()
    };
    assert_eq!(
        names(cmp.components.added.iter().map(|c| &c.name).collect()),
        added.into_iter().cloned().collect()
    );
    assert_eq!(
        names(cmp.components.removed.iter().map(|c| &c.name).collect()),
        removed.into_iter().cloned().collect()
    );
    assert_eq!(
        names(cmp.components.changed.iter().map(|c| &c.name).collect()),
        changed.iter().map(|s| (*s).clone()).collect()
    );
    assert_eq!(cmp.summary.components_unchanged, unchanged);
    assert_eq!(cmp.summary.upgrades, upgrades);
    assert_eq!(cmp.summary.upgrades + cmp.summary.downgrades, changed.len(), "PEP 440 orders every pair");
    let requests = cmp.components.changed.iter().find(|c| c.name == "requests").expect("requests changed");
    assert_eq!((requests.from_version.as_str(), requests.to_version.as_str()), ("2.25.1", "2.33.1"));
    assert_eq!(requests.direction, Direction::Upgrade);

    let findings = cmp.findings.expect("both sides matched");
    let ids = |v: &[cairn_engine::diff::FindingChange]| {
        v.iter().map(|f| (f.id.clone(), f.name.clone())).collect::<Vec<_>>()
    };
    assert_eq!(ids(&findings.fixed), [("PLANT-FIXED-1".to_string(), "requests".to_string())]);
    assert_eq!(ids(&findings.new), [("PLANT-NEW-1".to_string(), "cryptography".to_string())]);
    assert_eq!(ids(&findings.still_open), [("PLANT-OPEN-1".to_string(), "pyyaml".to_string())]);
    let open = &findings.still_open[0];
    assert_eq!((open.from_version.as_deref(), open.to_version.as_deref()), (Some("5.4.1"), Some("6.0.3")));
    assert_eq!((cmp.summary.findings_new, cmp.summary.findings_fixed), (Some(1), Some(1)));
}

#[test]
fn what_a_side_did_not_look_at_is_named_not_counted_as_zero() {
    let db = planted();
    let (from, to) = (input(true, &db), input(false, &db));
    let cmp = compare(&Side::inventory_only(&from), &Side::complete(&to));
    assert_eq!(cmp.findings, None);
    assert_eq!(cmp.summary.findings_new, None);
    assert_eq!(cmp.crypto, None);
    assert_eq!(cmp.readiness, None);
    let sections: Vec<Section> = cmp.not_compared.iter().map(|n| n.section).collect();
    assert_eq!(sections, [Section::Findings, Section::Crypto, Section::Readiness, Section::Gate]);
    assert!(cmp.not_compared[0].reason.contains("`from` side"), "{:?}", cmp.not_compared[0]);
}

#[test]
fn a_comparison_with_itself_changes_nothing() {
    let db = planted();
    let side = input(false, &db);
    let cmp = compare(&Side::complete(&side), &Side::complete(&side));
    assert!(
        cmp.components.added.is_empty()
            && cmp.components.removed.is_empty()
            && cmp.components.changed.is_empty()
    );
    assert_eq!(cmp.summary.components_unchanged, side.inventory.components.len());
    let f = cmp.findings.expect("matched");
    assert!(f.new.is_empty() && f.fixed.is_empty());
    assert_eq!(f.still_open.len(), 2);
    assert!(cmp.licenses.changed.is_empty());
}

#[test]
fn a_gate_on_one_side_only_is_named_not_compared_and_two_gates_compare() {
    use cairn_engine::policy::{GateStatus, Policy, PolicyInput, ProjectFacts, evaluate};
    let db = planted();
    let (from, to) = (input(true, &db), input(false, &db));
    let gate_of = |i: &BomInput| {
        evaluate(
            &Policy::builtin_default(),
            &PolicyInput {
                project: ProjectFacts { name: "poetry".into(), tags: Vec::new() },
                now: time::macros::datetime!(2026-12-07 00:00 UTC),
                components: &i.inventory.components,
                vulnerabilities: None,
                crypto: None,
            },
        )
    };
    let (gf, gt) = (gate_of(&from), gate_of(&to));
    let one = compare(&Side::complete(&from), &Side::complete(&to).with_gate(&gt));
    assert_eq!(one.gate, None);
    assert_eq!(one.summary.gate_violations_added, None);
    let gate = one.not_compared.iter().find(|n| n.section == Section::Gate).expect("gate not compared");
    assert!(gate.reason.contains("`from` side"), "{gate:?}");

    let both = compare(&Side::complete(&from).with_gate(&gf), &Side::complete(&to).with_gate(&gt));
    assert!(both.not_compared.iter().all(|n| n.section != Section::Gate));
    let change = both.gate.expect("both gated");
    assert_eq!((change.from_status, change.to_status), (gf.status, gt.status));
    // Without vulnerability facts no finding rule fires: nothing fails on either side.
    assert_ne!(change.to_status, GateStatus::Fail);
    assert_eq!(change.violations_unchanged + change.violations_added.len(), gt.violations.len());
    assert_eq!(change.violations_unchanged + change.violations_removed.len(), gf.violations.len());
}
