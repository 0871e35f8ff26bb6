//! OSV matching on real data: the advisory subset in tests/fixtures/osv (see SOURCE.md) against
//! the corpus lockfiles. Cargo.lock findings are compared with cargo-audit's own output (committed
//! in tests/fixtures/expected/cargo-audit, see README.md there), every difference named with its
//! reason; PyPA and Go findings are checked by hand against the advisory text.

use cairn_engine::vuln::{Database, Finding, Matches, Rating, SeveritySource, load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| load_paths(&[fixtures().join("osv")]).expect("fixture advisories load"))
}

fn matches(dir: &str) -> Matches {
    let scan =
        scan_path(&fixtures().join("corpus").join(dir), &ScanOptions::default(), &NoProgress).expect("scan");
    match_inventory(&scan.inventory, db())
}

#[test]
fn the_fixture_advisories_all_load() {
    let info = db().info();
    assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
    // 201 RustSec + 135 PyPA + 84 Go records.
    assert_eq!(info.sources[0].records, 201 + 135 + 84, "{info:?}");
    assert_eq!(info.withdrawn, 10);
    assert_eq!(info.advisories + info.withdrawn, info.sources[0].records);
    assert_eq!(info.by_ecosystem.keys().collect::<Vec<_>>(), ["Go", "PyPI", "crates.io"]);
    assert_eq!(info.newest_modified.as_deref(), Some("2026-08-21T06:28:40Z"));
}

// ---------------------------------------------------------------------------------------------
// Cargo.lock: Cairn against cargo-audit.

/// (kind, advisory id, crate, version) as cargo-audit reports it: `vulnerability` for its
/// vulnerabilities list, else the warning kind of its informational advisories (unmaintained,
/// unsound, notice).
///
/// Named difference, by kind: cargo-audit's `yanked` warnings are not advisories — it reads them
/// from the crates.io index (network or the local cache), which is not OSV data, so Cairn does not
/// report yanked crates. They are checked to carry no advisory and left out of the comparison.
fn cargo_audit(name: &str) -> BTreeSet<(String, String, String, String)> {
    let path = fixtures().join("expected/cargo-audit").join(format!("{name}.json"));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("expectation file")).expect("cargo-audit JSON");
    let mut out = BTreeSet::new();
    let mut add = |kind: &str, item: &serde_json::Value| {
        let id = item["advisory"]["id"].as_str();
        let (Some(id), Some(n), Some(ver)) =
            (id, item["package"]["name"].as_str(), item["package"]["version"].as_str())
        else {
            return;
        };
        out.insert((kind.to_owned(), id.to_owned(), n.to_owned(), ver.to_owned()));
    };
    for item in v["vulnerabilities"]["list"].as_array().expect("vulnerabilities.list") {
        add("vulnerability", item);
    }
    if let Some(warnings) = v["warnings"].as_object() {
        for (kind, list) in warnings {
            let list = list.as_array().expect("warning list");
            match kind.as_str() {
                "unmaintained" | "unsound" | "notice" => list.iter().for_each(|i| add(kind, i)),
                "yanked" => {
                    assert!(list.iter().all(|w| w["advisory"].is_null()), "{name}: yanked with an advisory")
                }
                other => panic!("{name}: unknown cargo-audit warning kind {other}"),
            }
        }
    }
    out
}

/// The same as [`cargo_audit`], from Cairn: findings are vulnerabilities, warnings keep their kind.
fn cairn_cargo(name: &str) -> BTreeSet<(String, String, String, String)> {
    let m = matches(&format!("cargo/{name}"));
    assert!(m.not_evaluated.is_empty(), "{:?}", m.not_evaluated);
    let findings = m.findings.iter().flat_map(|f| {
        f.ids
            .iter()
            .map(move |id| ("vulnerability".to_owned(), id.clone(), f.name.clone(), f.version.clone()))
    });
    let warnings = m
        .warnings
        .iter()
        .map(|w| (w.kind.to_string(), w.advisory.clone(), w.name.clone(), w.version.clone()));
    findings.chain(warnings).collect()
}

/// Every difference between Cairn and cargo-audit: (lockfile, kind, advisory, crate, version,
/// which side has it, why). Each must still occur, so the list cannot go stale. Today there is
/// none: the OSV export (7fa931cb) and the native database cargo-audit read (bf5c0d24) agree for
/// these lockfiles, and RustSec's informational advisories are warnings in both (issue 14: they
/// were findings in Cairn).
const DIFFERENCES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[];

#[test]
fn cargo_lock_findings_and_warnings_equal_cargo_audit() {
    let mut warned = 0;
    for name in ["atuinsh__atuin", "localsend__localsend", "rust-lang__cargo"] {
        let theirs = cargo_audit(name);
        let ours = cairn_cargo(name);
        warned += ours.iter().filter(|o| o.0 != "vulnerability").count();
        let mut unexplained = Vec::new();
        let mut explained = BTreeSet::new();
        for (side, only) in [("cairn", ours.difference(&theirs)), ("cargo-audit", theirs.difference(&ours))] {
            for (kind, id, krate, ver) in only {
                match DIFFERENCES
                    .iter()
                    .position(|d| (d.0, d.1, d.2, d.3, d.4, d.5) == (name, kind, id, krate, ver, side))
                {
                    Some(i) => {
                        explained.insert(i);
                    }
                    None => unexplained.push(format!("{name}: only {side}: {kind} {id} {krate} {ver}")),
                }
            }
        }
        assert!(unexplained.is_empty(), "unexplained differences:\n{}", unexplained.join("\n"));
        for (i, d) in DIFFERENCES.iter().enumerate().filter(|(_, d)| d.0 == name) {
            assert!(explained.contains(&i), "listed difference no longer occurs: {d:?}");
        }
        assert!(!ours.is_empty(), "{name}: the comparison compares something");
    }
    assert!(warned > 0, "the lockfiles carry informational advisories, so the warnings are compared");
}

// ---------------------------------------------------------------------------------------------
// PyPA (YAML) and Go: findings checked by hand against the advisory text.

fn find<'a>(m: &'a Matches, id: &str, purl: &str) -> &'a Finding {
    m.findings.iter().find(|f| f.purl == purl && f.ids.iter().any(|i| i == id)).unwrap_or_else(|| {
        panic!(
            "no finding {id} for {purl}; findings: {:#?}",
            m.findings.iter().map(|f| (&f.id, &f.purl)).collect::<Vec<_>>()
        )
    })
}

fn absent(m: &Matches, id: &str, purl: &str) {
    assert!(
        !m.findings.iter().any(|f| f.purl == purl && f.ids.iter().any(|i| i == id)),
        "{id} must not match {purl}"
    );
}

#[test]
fn pypa_findings_checked_by_hand() {
    let poetry = matches("poetry/python-poetry__poetry/history-5f51951f5f");
    let pip = matches("pip/pallets__flask");

    // 1. PYSEC-2023-221: "Werkzeug … versions prior to 2.3.8 and 3.0.1" — ranges [0, 2.3.8) and
    //    [3.0.0, 3.0.1); flask's celery example pins werkzeug 2.3.3; CVSS 3.1 A:H only → 7.5 high.
    let f = find(&pip, "PYSEC-2023-221", "pkg:pypi/werkzeug@2.3.3");
    assert_eq!(f.nearest_fixed.as_deref(), Some("2.3.8"));
    assert_eq!((f.severity.rating, f.severity.score), (Rating::High, Some(7.5)));
    assert!(f.aliases.contains(&"CVE-2023-46136".to_owned()));

    // 2. PYSEC-2022-42986: certifi "2017.11.05 … until 2022.12.07" removed TrustCor roots;
    //    range [2017.11.5, 2022.12.7); 2020.12.5 is inside. No CVSS in the record → unknown.
    let f = find(&poetry, "PYSEC-2022-42986", "pkg:pypi/certifi@2020.12.5");
    assert_eq!(f.nearest_fixed.as_deref(), Some("2022.12.7"));
    assert_eq!((f.severity.rating, f.severity.source), (Rating::Unknown, SeveritySource::None));

    // 3. PYSEC-2023-11: cryptography "introduced in 1.8", fixed 39.0.1; 3.4.7 is inside.
    let f = find(&poetry, "PYSEC-2023-11", "pkg:pypi/cryptography@3.4.7");
    assert_eq!(f.nearest_fixed.as_deref(), Some("39.0.1"));

    // 4. PYSEC-2023-254: cryptography NULL dereference in load_*_pkcs7_certificates, [3.1, 41.0.6).
    let f = find(&poetry, "PYSEC-2023-254", "pkg:pypi/cryptography@3.4.7");
    assert_eq!(f.nearest_fixed.as_deref(), Some("41.0.6"));

    // 5. PYSEC-2024-60: idna "affecting version 3.6", range [0.1, 3.7); 2.10 is inside (PEP 440:
    //    2.10 > 2.9, numeric not lexical).
    let f = find(&poetry, "PYSEC-2024-60", "pkg:pypi/idna@2.10");
    assert_eq!(f.nearest_fixed.as_deref(), Some("3.7"));
    assert_eq!(f.severity.rating, Rating::High);

    // 6. PYSEC-2022-42969: "The py library through 1.11.0" — last_affected 1.11.0, no fix.
    let f = find(&poetry, "PYSEC-2022-42969", "pkg:pypi/py@1.10.0");
    assert!(f.fixed.is_empty() && f.nearest_fixed.is_none(), "{f:?}");

    // 7. PYSEC-2023-74: requests "Since Requests 2.3.0 … patched in version 2.31.0"; 2.25.1 inside.
    let f = find(&poetry, "PYSEC-2023-74", "pkg:pypi/requests@2.25.1");
    assert_eq!(f.nearest_fixed.as_deref(), Some("2.31.0"));

    // 8. PYSEC-2021-108: urllib3 "before 1.26.5"; 1.26.4 is the last version before the fix.
    let f = find(&poetry, "PYSEC-2021-108", "pkg:pypi/urllib3@1.26.4");
    assert_eq!(f.nearest_fixed.as_deref(), Some("1.26.5"));
    // … and PYSEC-2023-192 has two intervals, [0, 1.26.17) and [2.0.0, 2.0.6): the 1.x fix is nearest.
    assert_eq!(
        find(&poetry, "PYSEC-2023-192", "pkg:pypi/urllib3@1.26.4").nearest_fixed.as_deref(),
        Some("1.26.17")
    );
    // Werkzeug 2.3.3's record also lists GIT ranges; they never decide a package version.
    assert!(pip.not_evaluated.is_empty(), "{:?}", pip.not_evaluated);
}

#[test]
fn go_findings_checked_by_hand() {
    let go = matches("go/prometheus__prometheus");
    // 9. GO-2022-0635: "AWS S3 Crypto SDK for GoLang versions prior to V2": introduced 0, no fix in
    //    the v1 module, so v1.55.8 is affected and there is no fixed version to offer.
    let f = find(&go, "GO-2022-0635", "pkg:golang/github.com/aws/aws-sdk-go@v1.55.8");
    assert!(f.fixed.is_empty() && f.nearest_fixed.is_none());
    assert_eq!(f.aliases, ["CVE-2020-8912", "GHSA-7f33-f4f5-xwgw"]);
    // 10. GO-2022-0646: the CBC padding oracle of the same SDK, same range.
    let f = find(&go, "GO-2022-0646", "pkg:golang/github.com/aws/aws-sdk-go@v1.55.8");
    assert!(f.summary.as_deref().is_some_and(|s| s.contains("CBC padding oracle")));
    // Not affected: GO-2024-3333 (x/net/html) is fixed in 0.33.0 and prometheus pins v0.57.0 —
    // the Go `v` prefix against the advisory's bare SemVer.
    absent(&go, "GO-2024-3333", "pkg:golang/golang.org/x/net@v0.57.0");
    assert!(go.not_evaluated.is_empty(), "{:?}", go.not_evaluated);
}

// ---------------------------------------------------------------------------------------------
// Coverage per ecosystem (issue 14): the fixture data holds RustSec, PyPA and Go advisories only.

#[test]
fn npm_components_without_npm_data_are_counted_not_evaluated() {
    let m = matches("npm/mozilla__pdf.js");
    let npm = m.coverage.iter().find(|c| c.ecosystem.to_string() == "npm").expect("npm coverage");
    assert!(npm.components > 100, "{npm:?}");
    assert_eq!((npm.advisories, npm.evaluated), (0, 0));
    assert_eq!(npm.not_evaluated_count(), npm.components);
    assert_eq!(npm.not_evaluated[0].message, "not evaluated: no data for npm");
    assert!(m.findings.is_empty() && m.warnings.is_empty());

    let cargo = matches("cargo/rust-lang__cargo");
    let c = &cargo.coverage[0];
    assert_eq!(
        (c.ecosystem.to_string().as_str(), c.evaluated, c.not_evaluated_count()),
        ("crates.io", c.components, 0)
    );
    assert_eq!(c.advisories, db().info().by_ecosystem["crates.io"]);
}

// ---------------------------------------------------------------------------------------------
// CVSS 0.0 (issue 15): a real RustSec advisory scored 0.0 is `none` in the report's finding and
// summary and in the CycloneDX rating, never `low` (tests/fixtures/cvss-zero/SOURCE.md).

#[test]
fn cvss_zero_is_none_in_the_report_and_the_cyclonedx_rating() {
    use cairn_engine::bom::{BomInput, CdxVersion, to_cyclonedx};
    use cairn_engine::report::Vulnerabilities;

    let dir = fixtures().join("cvss-zero");
    let db = load_paths(&[dir.join("osv")]).expect("the advisory loads");
    let scan = scan_path(&dir.join("tree"), &ScanOptions::default(), &NoProgress).expect("scan");
    let m = match_inventory(&scan.inventory, &db);
    let f = find(&m, "RUSTSEC-2026-0023", "pkg:cargo/libcrux-ecdh@0.0.5");
    assert_eq!(
        (f.severity.rating, f.severity.score, f.severity.source),
        (Rating::None, Some(0.0), SeveritySource::CvssV4)
    );

    let report: serde_json::Value = serde_json::from_str(
        &cairn_engine::Report::new("cvss-zero", &scan)
            .with_vulnerabilities(Vulnerabilities::matched(&db, &m))
            .to_json(),
    )
    .expect("report JSON");
    let v = &report["vulnerabilities"];
    assert_eq!(v["findings"][0]["severity"]["rating"], "none", "{v}");
    assert_eq!((v["summary"]["none"].as_u64(), v["summary"]["low"].as_u64()), (Some(1), Some(0)), "{v}");

    let input = BomInput::from_scan("cvss-zero", None, "2026-01-01T00:00:00Z", &scan, Some(&m));
    let bom: serde_json::Value =
        serde_json::from_str(&to_cyclonedx(&input, CdxVersion::V1_6)).expect("CycloneDX JSON");
    let ratings = &bom["vulnerabilities"][0]["ratings"];
    assert_eq!(ratings.as_array().map(Vec::len), Some(1), "{bom}");
    assert_eq!(
        (ratings[0]["severity"].as_str(), ratings[0]["score"].as_f64()),
        (Some("none"), Some(0.0)),
        "{bom}"
    );
}
