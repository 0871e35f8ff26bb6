//! Real results in documents: corpus lockfiles matched against real OSV advisories, with their
//! licenses, mapped through `BomInput::with_findings` / `with_inventory_licenses` (what the CLI
//! and the daemon use), in every format, valid and carrying exactly the findings.

use super::emit::TIMESTAMP;
use super::schema::validate;
use cairn_engine::bom::{self, BomInput, Format};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn real_findings_and_licenses_reach_every_format() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let db = load_paths(&[fixtures.join("osv/rustsec")]).expect("advisories");
    let scan = scan_path(&fixtures.join("corpus/cargo/atuinsh__atuin"), &ScanOptions::default(), &NoProgress)
        .expect("scan");
    let matches = match_inventory(&scan.inventory, &db);
    assert!(!matches.findings.is_empty(), "atuin's Cargo.lock has known advisories");
    let ids: BTreeSet<&str> = matches.findings.iter().map(|f| f.id.as_str()).collect();

    let input = BomInput::new("atuin", Some("18.0.0".into()), TIMESTAMP, scan.inventory.clone())
        .with_inventory_licenses()
        .with_findings(&matches);
    assert_eq!(input.vulnerabilities.iter().map(|v| v.id.as_str()).collect::<BTreeSet<_>>(), ids);
    for (name, format) in Format::ALL {
        let doc = bom::render(format, &input).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Err(e) = validate(format, &doc) {
            panic!("{name} with real findings is invalid: {e}");
        }
        for id in &ids {
            assert!(doc.contains(id), "{name} lacks {id}");
        }
    }
    // CycloneDX: one vulnerability per advisory, each affecting the matched components.
    let cdx: serde_json::Value =
        serde_json::from_str(&bom::render(Format::ALL[0].1, &input).expect("cyclonedx")).expect("json");
    let vulns = cdx["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), ids.len());
    for f in &matches.findings {
        let v = vulns.iter().find(|v| v["id"] == f.id.as_str()).expect("the finding's advisory");
        assert!(
            v["affects"].as_array().expect("affects").iter().any(|a| a["ref"] == f.purl.as_str()),
            "{} does not name {}",
            f.id,
            f.purl
        );
    }
}
