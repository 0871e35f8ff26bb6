//! The VEX reader on hand-made statements of each shape and on real documents
//! (`engine/tests/fixtures/vex/`, README there).

use super::*;
use crate::vuln::severity::Severity;

fn finding(id: &str, aliases: &[&str], purl: &str) -> Finding {
    Finding {
        id: id.into(),
        ids: vec![id.into()],
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        purl: purl.into(),
        ecosystem: crate::inventory::Ecosystem::Cargo,
        name: "time".into(),
        version: "0.1.45".into(),
        summary: None,
        severity: Severity::unknown(),
        ranges: Vec::new(),
        listed_in: Vec::new(),
        fixed: Vec::new(),
        nearest_fixed: None,
    }
}

fn fixture(name: &str) -> Vex {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vex").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Vex::from_json(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// The shape of the OpenVEX 0.2.0 specification's example statement.
const OPENVEX: &str = r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"ci","timestamp":"2024-01-01T00:00:00Z","version":1,
  "statements":[
    {"vulnerability":{"name":"CVE-2020-26235"},"products":[{"@id":"pkg:cargo/time@0.1.45"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path","impact_statement":"only UTC is used"},
    {"vulnerability":{"name":"RUSTSEC-2020-0159"},"products":[{"@id":"pkg:cargo/chrono"}],"status":"fixed"},
    {"vulnerability":{"name":"RUSTSEC-2021-0139"},"products":[{"@id":"pkg:cargo/ansi_term@0.12.1"}],"status":"affected","action_statement":"replace it"}]}"#;

#[test]
fn openvex_not_affected_and_fixed_suppress_by_alias_and_versionless_purl() {
    let vex = Vex::from_json(OPENVEX.as_bytes()).expect("reads");
    assert_eq!(vex.format, VexFormat::OpenVex);
    assert_eq!(vex.id.as_deref(), Some("https://example.com/vex/1"));
    assert_eq!(vex.statements.len(), 3, "every statement is kept, the affected one too");
    assert_eq!(vex.statements[2].state, VexState::Affected);
    assert_eq!(vex.statements[2].note.as_deref(), Some("replace it"));
    let mut m = Matches {
        findings: vec![
            finding("RUSTSEC-2020-0071", &["CVE-2020-26235"], "pkg:cargo/time@0.1.45"),
            finding("RUSTSEC-2020-0071", &["CVE-2020-26235"], "pkg:cargo/time@0.1.44"),
            finding("RUSTSEC-2020-0159", &[], "pkg:cargo/chrono@0.4.19"),
            finding("RUSTSEC-2021-0139", &[], "pkg:cargo/ansi_term@0.12.1"),
        ],
        ..Matches::default()
    };
    m.suppress(&vex);
    let kept: Vec<&str> = m.findings.iter().map(|f| f.purl.as_str()).collect();
    assert_eq!(
        kept,
        ["pkg:cargo/time@0.1.44", "pkg:cargo/ansi_term@0.12.1"],
        "an affected statement suppresses nothing"
    );
    let gone: Vec<(&str, VexState)> =
        m.suppressed.iter().map(|s| (s.finding.purl.as_str(), s.statement.state)).collect();
    assert_eq!(
        gone,
        [("pkg:cargo/time@0.1.45", VexState::NotAffected), ("pkg:cargo/chrono@0.4.19", VexState::Fixed)]
    );
    let s = &m.suppressed[0].statement;
    assert_eq!(s.justification.as_deref(), Some("vulnerable_code_not_in_execute_path"));
    assert_eq!(s.justification_kind(), Some(VexJustification::VulnerableCodeNotInExecutePath));
    assert_eq!(s.note.as_deref(), Some("only UTC is used"));
}

#[test]
fn cyclonedx_vex_resolves_bom_refs_and_version_ranges() {
    let doc = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
      "components":[{"type":"library","bom-ref":"time-ref","name":"time","purl":"pkg:cargo/time@0.1.45"}],
      "vulnerabilities":[
        {"id":"RUSTSEC-2020-0071","analysis":{"state":"false_positive","response":["will_not_fix","update"]},"affects":[{"ref":"time-ref"}]},
        {"id":"RUSTSEC-2021-0139","analysis":{"state":"exploitable"},"affects":[{"ref":"pkg:cargo/ansi_term@0.12.1"}]},
        {"id":"RUSTSEC-2020-0159","analysis":{"state":"resolved"},"affects":[{"ref":"pkg:cargo/chrono@0.4.19","versions":[{"range":"vers:cargo/>=0.4.0|<0.4.20"},{"version":"0.3.1"},{"version":"0.4.20","status":"unaffected"}]}]}]}"#;
    let vex = Vex::from_json(doc.as_bytes()).expect("reads");
    assert_eq!(vex.statements.len(), 3);
    let fp = &vex.statements[0];
    assert_eq!(
        (fp.state, fp.products.as_slice()),
        (VexState::FalsePositive, &["pkg:cargo/time@0.1.45".to_owned()][..])
    );
    assert_eq!(fp.response, Some(VexResponse::WillNotFix), "the first response word");
    assert!(vex.suppressing(&finding("RUSTSEC-2020-0071", &[], "pkg:cargo/time@0.1.45")).is_some());
    let fixed = &vex.statements[2];
    assert_eq!(fixed.products, ["pkg:cargo/chrono@0.3.1"]);
    assert!(fixed.applies_to(&["RUSTSEC-2020-0159"], "pkg:cargo/chrono@0.4.19"), "in the range");
    assert!(
        !fixed.applies_to(&["RUSTSEC-2020-0159"], "pkg:cargo/chrono@0.4.20"),
        "the unaffected version is out"
    );
    assert!(fixed.applies_to(&["RUSTSEC-2020-0159"], "pkg:cargo/chrono@0.3.1"));
}

#[test]
fn bad_documents_say_where() {
    assert!(matches!(Vex::from_json(b"{}"), Err(VexError::UnknownFormat)));
    assert!(matches!(Vex::from_json(b"not json"), Err(VexError::Json(_))));
    let e = Vex::from_json(br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"X"},"products":[{"@id":"pkg:npm/a"}],"status":"maybe"}]}"#)
        .expect_err("unknown status");
    assert_eq!(e.to_string(), "statements[0]: unknown status \"maybe\"");
}

#[test]
fn real_openvex_vexctl_demo() {
    let vex = fixture("vexctl-demo.openvex.json");
    assert_eq!(vex.statements.len(), 1);
    let s = &vex.statements[0];
    assert_eq!(s.vulnerability, ["CVE-2014-123456"]);
    assert_eq!(s.state, VexState::Fixed);
    assert_eq!(
        s.products,
        ["pkg:apk/distro/git@2.39.0-r1?arch=armv7", "pkg:apk/distro/git@2.39.0-r1?arch=x86_64"]
    );
    assert!(s.applies_to(&["CVE-2014-123456"], "pkg:apk/distro/git@2.39.0-r1"), "qualifiers do not count");
}

#[test]
fn real_cyclonedx_bom_link_and_single_word_response() {
    let vex = fixture("bom-examples-vex.cdx.json");
    let s = &vex.statements[0];
    assert_eq!(s.vulnerability, ["CVE-2020-25649", "SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]);
    assert_eq!(s.state, VexState::NotAffected);
    assert_eq!(s.products, ["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"]);
    assert_eq!(
        s.justification_kind(),
        Some(VexJustification::VulnerableCodeNotInExecutePath),
        "code_not_reachable"
    );
    assert_eq!(s.response, Some(VexResponse::WillNotFix));
    assert!(s.note.as_deref().is_some_and(|n| n.starts_with("Automated dataflow analysis")));
    assert!(s.applies_to(
        &["GHSA-288c-cq4h-88gq", "CVE-2020-25649"],
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"
    ));
}

#[test]
fn real_cyclonedx_product_without_purl_is_kept_unresolved() {
    let vex = fixture("bom-examples-cisa-case1-not-affected.cdx.json");
    let s = &vex.statements[0];
    assert!(s.products.is_empty());
    assert_eq!(s.unresolved, ["product-ABC"]);
    assert_eq!(s.justification_kind(), Some(VexJustification::VulnerableCodeNotPresent));
    assert_eq!(vex.without_purls().count(), 1);
}

#[test]
fn real_csaf_product_tree_to_purls_with_threats_as_notes() {
    let vex = fixture("vexctl-example.csaf.json");
    assert_eq!(vex.format, VexFormat::Csaf);
    assert_eq!(vex.id.as_deref(), Some("2022-EVD-UC-01-NA-001"));
    let s = &vex.statements[0];
    assert_eq!(s.vulnerability, ["CVE-2009-4487"]);
    assert_eq!(s.state, VexState::NotAffected);
    assert_eq!(s.products, ["pkg:generic/component1@1.3.4"]);
    assert_eq!(s.note.as_deref(), Some("Class with vulnerable code was removed before shipping."));
    assert_eq!(s.at, "vulnerabilities[0].product_status.known_not_affected[0]");
    let oasis = fixture("oasis-2022-evd-uc-01-na-001.csaf.json");
    assert_eq!(oasis.statements[0].unresolved, ["CSAFPID-0001 (Example Company ABC 4.2)"]);
}

#[test]
fn csaf_relationships_flags_and_remediations() {
    let doc = r#"{"document":{"category":"csaf_vex","csaf_version":"2.0","tracking":{"id":"T-1"}},
      "product_tree":{"full_product_names":[{"product_id":"app","name":"App 1"},{"product_id":"lib","name":"minimist 1.2.5","product_identification_helper":{"purl":"pkg:npm/minimist@1.2.5"}}],
        "relationships":[{"category":"default_component_of","product_reference":"lib","relates_to_product_reference":"app","full_product_name":{"product_id":"app:lib","name":"minimist in App"}}]},
      "vulnerabilities":[{"cve":"CVE-2021-44906","ids":[{"system_name":"GitHub","text":"GHSA-xvch-5gv4-984h"}],
        "product_status":{"known_not_affected":["app:lib"],"known_affected":["app"]},
        "flags":[{"label":"vulnerable_code_not_in_execute_path","product_ids":["app:lib"]}],
        "remediations":[{"category":"no_fix_planned","details":"App 1 is end of life.","product_ids":["app"]}]}]}"#;
    let vex = Vex::from_json(doc.as_bytes()).expect("reads");
    let na = &vex.statements[0];
    assert_eq!(
        (na.state, na.products.as_slice()),
        (VexState::NotAffected, &["pkg:npm/minimist@1.2.5".to_owned()][..])
    );
    assert_eq!(na.justification.as_deref(), Some("vulnerable_code_not_in_execute_path"));
    assert!(na.applies_to(&["GHSA-xvch-5gv4-984h"], "pkg:npm/minimist@1.2.5"));
    let aff = &vex.statements[1];
    assert_eq!(aff.state, VexState::Affected);
    assert_eq!(aff.unresolved, ["app (App 1)"]);
    assert_eq!(aff.response, Some(VexResponse::WillNotFix));
    assert_eq!(aff.note.as_deref(), Some("App 1 is end of life."));
}
