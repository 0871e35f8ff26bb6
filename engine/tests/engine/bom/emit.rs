//! Every format from every corpus project: valid, deterministic, sealed.

use super::schema::validate;
use super::testdata::with_findings;
use cairn_engine::bom::{self, BomError, BomInput, Format};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::path::{Path, PathBuf};

pub const TIMESTAMP: &str = "2025-01-02T03:04:05Z";

/// Every project directory in the corpus fixtures (`<ecosystem>/<project>`).
pub fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut out = Vec::new();
    for eco in std::fs::read_dir(&root).expect("corpus").flatten().filter(|e| e.path().is_dir()) {
        for p in std::fs::read_dir(eco.path()).expect("ecosystem dir").flatten().filter(|e| e.path().is_dir())
        {
            out.push(p.path());
        }
    }
    out.sort();
    out
}

pub fn input_for(dir: &Path) -> BomInput {
    let scan = scan_path(dir, &ScanOptions::default(), &NoProgress).expect("scan");
    let name = dir.file_name().expect("name").to_string_lossy().into_owned();
    BomInput::new(name, Some("1.0.0".into()), TIMESTAMP, scan.inventory)
}

#[test]
fn every_format_from_every_corpus_project_validates() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in projects() {
        let input = input_for(&dir);
        assert!(!input.inventory.components.is_empty(), "{}: no components", dir.display());
        for (name, format) in Format::ALL {
            match bom::render(format, &input) {
                Ok(doc) => {
                    checked += 1;
                    if let Err(e) = validate(format, &doc) {
                        failures.push(format!("{} as {name}:\n{e}", dir.display()));
                    }
                }
                // No findings: OpenVEX has nothing to state, and says so instead of writing an invalid document.
                Err(BomError::NothingToState) if format == Format::OpenVex => {}
                Err(e) => failures.push(format!("{} as {name}: {e}", dir.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 6 * 25, "only {checked} documents checked");
}

#[test]
fn findings_and_licenses_validate_in_every_format() {
    let dir = projects().into_iter().find(|p| p.ends_with("cargo/atuinsh__atuin")).expect("atuin");
    let input = with_findings(input_for(&dir));
    for (name, format) in Format::ALL {
        let doc = bom::render(format, &input).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Err(e) = validate(format, &doc) {
            panic!("{name}:\n{e}");
        }
        // .ci/run collects these for ../shared/tools/validate-bom (SHACL for SPDX 3).
        if let Some(out) = std::env::var_os("CAIRN_BOM_OUT") {
            std::fs::write(Path::new(&out).join(format!("findings.{name}.json")), &doc).expect("write");
        }
        match format {
            Format::Sarif => {
                let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
                let run = &v["runs"][0];
                assert_eq!(
                    run["tool"]["driver"]["rules"].as_array().map(Vec::len),
                    Some(2),
                    "one rule per advisory"
                );
                assert_eq!(run["tool"]["driver"]["rules"][0]["properties"]["security-severity"], "9.8");
                assert_eq!(run["tool"]["driver"]["rules"][1]["properties"]["security-severity"], "4.0");
                let results = run["results"].as_array().expect("results");
                assert!(results.iter().any(|r| r["level"] == "error"
                    && r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some()));
                assert!(results.iter().all(|r| {
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("Cargo.lock"))
                }));
            }
            Format::OpenVex => {
                let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
                let statuses: Vec<&str> = v["statements"]
                    .as_array()
                    .expect("statements")
                    .iter()
                    .filter_map(|s| s["status"].as_str())
                    .collect();
                assert_eq!(
                    statuses,
                    ["affected", "not_affected", "affected", "fixed", "under_investigation"]
                );
            }
            Format::Spdx3 => {
                for kind in [
                    "security_Vulnerability",
                    "security_VexAffectedVulnAssessmentRelationship",
                    "security_VexNotAffectedVulnAssessmentRelationship",
                    "security_VexFixedVulnAssessmentRelationship",
                    "security_CvssV3VulnAssessmentRelationship",
                    "simplelicensing_LicenseExpression",
                ] {
                    assert!(doc.contains(&format!("\"{kind}\"")), "SPDX 3 lacks {kind}");
                }
            }
            Format::CycloneDx(_) => {
                let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
                let vulns = v["vulnerabilities"].as_array().expect("vulnerabilities");
                assert!(vulns.iter().any(|x| x["analysis"]["state"] == "not_affected"));
                assert!(vulns.iter().any(|x| x["ratings"][0]["score"] == 9.8));
                assert!(doc.contains("\"expression\": \"MIT\""));
                if format == Format::CycloneDx(bom::CdxVersion::V1_6) {
                    let listed = v["components"].as_array().expect("components").iter().any(|c| {
                        c["licenses"]
                            == serde_json::json!([
                                { "license": { "id": "Apache-2.0", "acknowledgement": "declared" } },
                                { "license": { "id": "BSD-3-Clause", "acknowledgement": "concluded" } }
                            ])
                    });
                    assert!(listed, "1.6 lists declared and concluded single ids");
                }
            }
            Format::Spdx23 => {
                assert!(doc.contains("\"referenceType\": \"advisory\""));
                assert!(doc.contains("\"licenseDeclared\": \"MIT OR Apache-2.0\""));
                let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
                let defined: Vec<&str> = v["hasExtractedLicensingInfos"]
                    .as_array()
                    .expect("LicenseRef-test is defined")
                    .iter()
                    .filter_map(|e| e["licenseId"].as_str())
                    .collect();
                assert_eq!(defined, ["LicenseRef-test"]);
            }
        }
    }
}

#[test]
fn no_findings_means_no_vulnerabilities_anywhere() {
    let dir = projects().into_iter().find(|p| p.ends_with("pipenv/pypa__pipenv")).expect("pipenv");
    let input = input_for(&dir);
    for format in [Format::CycloneDx(bom::CdxVersion::V1_6), Format::Spdx3, Format::Spdx23] {
        let doc = bom::render(format, &input).expect("render");
        assert!(!doc.contains("vulnerabilit") && !doc.contains("security_"), "{format}");
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&bom::render(Format::Sarif, &input).expect("sarif")).expect("json");
    assert_eq!(sarif["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(bom::render(Format::OpenVex, &input), Err(BomError::NothingToState));
}

#[test]
fn two_runs_give_identical_bytes_and_the_seal_recomputes() {
    let dir =
        projects().into_iter().find(|p| p.ends_with("composer/BookStackApp__BookStack")).expect("bookstack");
    for (name, format) in Format::ALL {
        let a = bom::render(format, &with_findings(input_for(&dir))).expect("first");
        let b = bom::render(format, &with_findings(input_for(&dir))).expect("second");
        assert!(a == b, "{name}: two runs differ");
        if matches!(format, Format::CycloneDx(_) | Format::Spdx3 | Format::Spdx23) {
            let seal = bom::verify(&a).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(seal.methodology_version.as_deref(), Some(bom::canonical::METHODOLOGY_VERSION));
            // Any change to the content breaks the seal.
            let tampered = a.replacen("\"name\": \"", "\"name\": \"x", 1);
            assert!(
                matches!(bom::verify(&tampered), Err(bom::SealError::Mismatch { .. })),
                "{name}: tampering unnoticed"
            );
        }
    }
}

#[test]
fn ids_follow_the_content() {
    let dir = projects().into_iter().find(|p| p.ends_with("pipenv/pypa__pipenv")).expect("pipenv");
    let serial = |input: &BomInput| {
        let doc = bom::render(Format::CycloneDx(bom::CdxVersion::V1_6), input).expect("cdx");
        let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
        v["serialNumber"].as_str().expect("serial").to_string()
    };
    let base = input_for(&dir);
    let mut other_version = base.clone();
    other_version.version = Some("2.0.0".into());
    let mut fewer = base.clone();
    fewer.inventory.components.pop();
    assert_eq!(serial(&base), serial(&input_for(&dir)));
    assert_ne!(serial(&base), serial(&other_version));
    assert_ne!(serial(&base), serial(&fewer));
}

/// A package whose license file is a known text without an SPDX id (oasis-tcs/odata's LICENSE.md,
/// the OASIS IPR Policy terms) carries `LicenseRef-OASIS-IPR-Policy` in every format, every
/// document validates, and SPDX 2.3 defines the LicenseRef by the text's name, passage and source
/// (clause 10 wants the text, not only where it was found).
#[test]
fn a_known_non_spdx_text_is_a_defined_license_ref() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("node_modules/x");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(pkg.join("package.json"), r#"{"name": "x", "version": "1.0.0"}"#).expect("write");
    let oasis = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/licenses-heldout/oasis-tcs__odata__LICENSE.md");
    std::fs::copy(oasis, pkg.join("LICENSE.md")).expect("copy");
    let mut input = input_for(dir.path());
    // The concluded license mapped in as the CLI and the daemon map it (`BomInput.licenses`).
    let x = input.inventory.components.iter().find(|c| c.name == "x").expect("x");
    let concluded = x.licenses.concluded.as_ref().expect("concluded").expression.clone();
    assert_eq!(concluded, "LicenseRef-OASIS-IPR-Policy");
    let purl = x.purl.clone();
    input
        .licenses
        .insert(purl, vec![bom::BomLicense { kind: bom::LicenseKind::Concluded, expression: concluded }]);
    for (name, format) in Format::ALL {
        let doc = match bom::render(format, &input) {
            Ok(doc) => doc,
            Err(BomError::NothingToState) if format == Format::OpenVex => continue,
            Err(e) => panic!("{name}: {e}"),
        };
        if let Err(e) = validate(format, &doc) {
            panic!("{name}: {e}");
        }
        if matches!(format, Format::CycloneDx(_) | Format::Spdx23 | Format::Spdx3) {
            assert!(doc.contains("LicenseRef-OASIS-IPR-Policy"), "{name} carries the LicenseRef");
        }
        if format == Format::Spdx23 {
            let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
            let def = v["hasExtractedLicensingInfos"]
                .as_array()
                .and_then(|a| a.iter().find(|e| e["licenseId"] == "LicenseRef-OASIS-IPR-Policy"))
                .expect("defined");
            assert_eq!(def["name"], "OASIS Intellectual Property Rights (IPR) Policy");
            let text = def["extractedText"].as_str().expect("text");
            assert!(text.contains("governed by the OASIS policies"), "{text}");
            assert!(text.contains("https://www.oasis-open.org/policies-guidelines/ipr/"), "{text}");
        }
    }
}

/// `render_to` (the CLI's streamed output) writes the bytes `render` returns, in every format,
/// and an input OpenVEX refuses writes nothing.
#[test]
fn streamed_documents_are_the_rendered_bytes() {
    let dir = projects().into_iter().find(|p| p.ends_with("cargo/atuinsh__atuin")).expect("atuin");
    let input = with_findings(input_for(&dir));
    for (name, format) in Format::ALL {
        let rendered = bom::render(format, &input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut streamed = Vec::new();
        bom::render_to(format, &input, &mut streamed).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(rendered.as_bytes() == streamed.as_slice(), "{name}: streamed bytes differ");
    }
    let bare = input_for(&dir);
    let mut out = Vec::new();
    let refused = bom::render_to(Format::OpenVex, &bare, &mut out);
    assert!(matches!(refused, Err(bom::RenderError::Bom(BomError::NothingToState))), "{refused:?}");
    assert!(out.is_empty(), "a refused document writes nothing");
}

/// A failing output is an error, not a panic or a silent short document.
#[test]
fn a_failing_output_is_an_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = projects().into_iter().find(|p| p.ends_with("pipenv/pypa__pipenv")).expect("pipenv");
    let input = input_for(&dir);
    let r = bom::render_to(Format::CycloneDx(bom::CdxVersion::V1_6), &input, &mut Full);
    assert!(
        matches!(&r, Err(bom::RenderError::Write(e)) if e.kind() == std::io::ErrorKind::StorageFull),
        "{r:?}"
    );
}

/// The CLI's input, built from the scan it is done with, is the daemon's, built from a borrowed
/// scan: same documents.
#[test]
fn an_owned_scan_gives_the_same_input() {
    let dir = projects().into_iter().find(|p| p.ends_with("cargo/atuinsh__atuin")).expect("atuin");
    let scan =
        scan_path(&dir, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    let borrowed = BomInput::from_scan("atuin", None, TIMESTAMP, &scan, None);
    let owned = BomInput::from_owned_scan("atuin", None, TIMESTAMP, scan, None);
    for (name, format) in Format::ALL {
        assert_eq!(bom::render(format, &borrowed), bom::render(format, &owned), "{name}");
    }
}
