//! Readers: peer tools' SBOMs read back with the components they declare and re-emit valid;
//! Cairn's CycloneDX survives a round trip; XML and tag-value; bad input is an error, never a panic.

use super::emit::{TIMESTAMP, input_for, projects};
use super::schema::validate;
use super::testdata::with_findings;
use cairn_engine::bom::read::{DocumentKind, ReadBom, read_document};
use cairn_engine::bom::{self, BomInput, CdxVersion, Format};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn sboms() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sboms");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("sboms")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// What a document declares, counted straight from its JSON: (packages with a purl, distinct by
/// purl text; packages without one; whether the described root is among the packages without one).
fn declared(doc: &Value) -> (BTreeSet<String>, usize) {
    let mut purls = BTreeSet::new();
    let mut without = 0;
    let mut count = |purl: Option<&str>| match purl.filter(|p| !p.is_empty()) {
        Some(p) => {
            purls.insert(p.split(['?', '#']).next().unwrap_or(p).to_lowercase());
        }
        None => without += 1,
    };
    if let Some(components) = doc.get("components").and_then(Value::as_array) {
        for c in components {
            count(c.get("purl").and_then(Value::as_str));
        }
    } else if let Some(packages) = doc.get("packages").and_then(Value::as_array) {
        for p in packages {
            let purl = p.get("externalRefs").and_then(Value::as_array).and_then(|refs| {
                refs.iter()
                    .find(|r| r["referenceType"] == "purl")
                    .and_then(|r| r["referenceLocator"].as_str())
            });
            count(purl);
        }
    } else if let Some(graph) = doc.get("@graph").and_then(Value::as_array) {
        for e in graph.iter().filter(|e| e["type"] == "software_Package") {
            count(e.get("software_packageUrl").and_then(Value::as_str));
        }
    }
    (purls, without)
}

fn input_from(read: &ReadBom) -> BomInput {
    let mut input = BomInput::new(
        read.name.clone().unwrap_or_else(|| "project".into()),
        read.version.clone(),
        TIMESTAMP,
        read.inventory.clone(),
    );
    input.licenses = read.licenses.clone();
    input
}

#[test]
fn peer_sboms_read_back_with_what_they_declare_and_re_emit_valid() {
    let all = sboms();
    assert_eq!(all.len(), 18, "six documents per peer tool");
    for (name, text) in all {
        let read = read_document(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: Value = serde_json::from_str(&text).expect("json");
        let (purls, without) = declared(&raw);
        // Every declared purl became a component (several tools repeat a purl with a different
        // qualifier; Cairn keeps one component per package)…
        let ours: BTreeSet<String> = read
            .inventory
            .components
            .iter()
            .map(|c| c.purl.split(['?', '#']).next().unwrap_or(&c.purl).to_lowercase())
            .collect();
        assert_eq!(ours, purls, "{name}: components differ from the declared purls");
        // …and every package without one is either the described project or kept as unidentified.
        let root_without_purl = usize::from(
            !matches!(read.kind, DocumentKind::CycloneDxJson(_)) && without > read.unidentified.len(),
        );
        assert_eq!(read.unidentified.len() + root_without_purl, without, "{name}: packages without purl");
        assert_eq!(
            read.inventory.diagnostics.iter().filter(|d| d.message.contains("kept out")).count(),
            read.unidentified.len()
        );
        let input = input_from(&read);
        for format in [Format::CycloneDx(CdxVersion::V1_6), Format::Spdx3] {
            let doc = bom::render(format, &input).expect("render");
            validate(format, &doc).unwrap_or_else(|e| panic!("{name} as {format}:\n{e}"));
        }
    }
}

#[test]
fn peer_sboms_keep_their_dependency_graph() {
    for (name, text) in sboms() {
        let raw: Value = serde_json::from_str(&text).expect("json");
        let read = read_document(&text, &name).expect("read");
        // Documents that state dependencies between packages with purls give Cairn edges.
        let states_edges = package_edges(&raw) > 0;
        assert_eq!(!read.inventory.edges.is_empty(), states_edges, "{name}");
    }
}

#[test]
fn cyclonedx_round_trip_keeps_components_purls_licenses_and_edges() {
    for dir in projects() {
        let mut input = input_for(&dir);
        if input.inventory.components.len() >= 4 {
            input = with_findings(input);
        }
        for version in [CdxVersion::V1_5, CdxVersion::V1_6, CdxVersion::V1_7] {
            let doc = bom::to_cyclonedx(&input, version);
            let read = read_document(&doc, "bom.json").unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let purls = |inv: &cairn_engine::Inventory| {
                inv.components.iter().map(|c| c.purl.clone()).collect::<Vec<_>>()
            };
            assert_eq!(purls(&read.inventory), purls(&input.inventory), "{}", dir.display());
            assert_eq!(read.inventory.edges, input.inventory.edges, "{}", dir.display());
            assert_eq!(read.licenses, input.licenses, "{}", dir.display());
            assert!(read.unidentified.is_empty());
            assert_eq!(read.name.as_deref(), Some(input.name.as_str()));
            // Cairn's own properties bring back scope, locality, locations and hashes too.
            for (a, b) in read.inventory.components.iter().zip(&input.inventory.components) {
                assert_eq!(
                    (a.scope, a.local, &a.locations, &a.hashes),
                    (b.scope, b.local, &b.locations, &b.hashes),
                    "{}",
                    a.purl
                );
            }
            // Written again, the document is the same bytes.
            let mut again = input_from(&read);
            again.vulnerabilities = input.vulnerabilities.clone();
            again.version = input.version.clone();
            again.inventory.diagnostics = input.inventory.diagnostics.clone();
            if version == CdxVersion::V1_6 && input.inventory.components.iter().all(|c| c.direct.is_some()) {
                assert!(bom::to_cyclonedx(&again, version) == doc, "{}: second write differs", dir.display());
            }
        }
    }
}

#[test]
fn spdx_documents_cairn_writes_read_back() {
    let dir = projects().into_iter().find(|p| p.ends_with("cargo/atuinsh__atuin")).expect("atuin");
    let input = with_findings(input_for(&dir));
    for format in [Format::Spdx3, Format::Spdx23] {
        let doc = bom::render(format, &input).expect("render");
        let read = read_document(&doc, "doc.json").unwrap_or_else(|e| panic!("{format}: {e}"));
        let purls: Vec<&str> = read.inventory.components.iter().map(|c| c.purl.as_str()).collect();
        let want: Vec<&str> = input.inventory.components.iter().map(|c| c.purl.as_str()).collect();
        assert_eq!(purls, want, "{format}");
        assert_eq!(read.inventory.edges, input.inventory.edges, "{format}");
        assert_eq!(read.licenses, input.licenses, "{format}");
        assert_eq!(read.name.as_deref(), Some(input.name.as_str()), "{format}");
        assert!(read.unidentified.is_empty(), "{format}: {:?}", read.unidentified);
    }
}

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata><component type="application" bom-ref="app"><name>demo &amp; co</name><version>2.0</version></component></metadata>
  <components>
    <component type="library" bom-ref="a">
      <group>org.example</group><name>alpha</name><version>1.0</version><scope>required</scope>
      <hashes><hash alg="SHA-256">ABCDEF01</hash></hashes>
      <licenses><license><id>Apache-2.0</id></license></licenses>
      <purl>pkg:maven/org.example/alpha@1.0</purl>
      <components>
        <component type="library" bom-ref="n"><name>nested</name><version>3</version><purl>pkg:npm/nested@3</purl></component>
      </components>
    </component>
    <component type="library" bom-ref="b"><name>beta</name><version>0.1</version>
      <licenses><expression>MIT OR Apache-2.0</expression></licenses>
      <purl>pkg:cargo/beta@0.1</purl></component>
    <component type="library" bom-ref="c"><name>no-purl</name><version>9</version></component>
  </components>
  <dependencies>
    <dependency ref="app"><dependency ref="a"/></dependency>
    <dependency ref="a"><dependency ref="b"/></dependency>
  </dependencies>
</bom>"#;

#[test]
fn cyclonedx_xml_reads() {
    let read = read_document(XML, "bom.xml").expect("read");
    assert_eq!(read.kind, DocumentKind::CycloneDxXml("1.5".into()));
    assert_eq!(read.name.as_deref(), Some("demo & co"));
    let purls: Vec<&str> = read.inventory.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(purls, ["pkg:cargo/beta@0.1", "pkg:maven/org.example/alpha@1.0", "pkg:npm/nested@3"]);
    let alpha = read.inventory.component("pkg:maven/org.example/alpha@1.0").expect("alpha");
    assert_eq!(alpha.name, "org.example:alpha");
    assert_eq!(alpha.direct, Some(true));
    assert_eq!(alpha.hashes[0].value, "abcdef01");
    assert_eq!(read.inventory.edges.len(), 2, "{:?}", read.inventory.edges);
    assert_eq!(read.licenses["pkg:cargo/beta@0.1"][0].expression, "MIT OR Apache-2.0");
    assert_eq!(read.unidentified.len(), 1);
    assert_eq!(read.unidentified[0].name, "no-purl");
}

const TAG: &str = "SPDXVersion: SPDX-2.2
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
DocumentNamespace: https://example.com/demo
Creator: Tool: hand
Created: 2024-01-01T00:00:00Z
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-root

PackageName: demo
SPDXID: SPDXRef-root
PackageVersion: 1.2.3
PackageDownloadLocation: NOASSERTION

PackageName: requests
SPDXID: SPDXRef-requests
PackageVersion: 2.31.0
PackageDownloadLocation: NOASSERTION
PackageChecksum: SHA256: AA11
PackageLicenseDeclared: Apache-2.0
PackageComment: <text>spans
two lines</text>
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/requests@2.31.0

PackageName: urllib3
SPDXID: SPDXRef-urllib3
PackageVersion: 2.0.0
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/urllib3@2.0.0

Relationship: SPDXRef-root DEPENDS_ON SPDXRef-requests
Relationship: SPDXRef-urllib3 DEPENDENCY_OF SPDXRef-requests
";

#[test]
fn spdx_tag_value_reads() {
    let read = read_document(TAG, "demo.spdx").expect("read");
    assert_eq!(read.kind, DocumentKind::Spdx2Tag("SPDX-2.2".into()));
    assert_eq!((read.name.as_deref(), read.version.as_deref()), (Some("demo"), Some("1.2.3")));
    let requests = read.inventory.component("pkg:pypi/requests@2.31.0").expect("requests");
    assert_eq!((requests.direct, requests.hashes[0].algorithm.as_str()), (Some(true), "SHA-256"));
    assert_eq!(read.inventory.component("pkg:pypi/urllib3@2.0.0").map(|c| c.direct), Some(Some(false)));
    assert_eq!(read.inventory.edges.len(), 1);
    assert_eq!(read.inventory.edges[0].from, "pkg:pypi/requests@2.31.0");
    assert_eq!(read.licenses["pkg:pypi/requests@2.31.0"][0].expression, "Apache-2.0");
    assert!(read.unidentified.is_empty());
}

#[test]
fn bad_documents_are_errors_never_panics() {
    for text in [
        "",
        "{",
        "[]",
        "{}",
        "<bom/>",
        "<x>",
        "SPDXVersion: SPDX-9",
        r#"{"bomFormat":"CycloneDX","specVersion":"9.9"}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}"#,
        r#"{"spdxVersion":"SPDX-2.3","packages":3}"#,
        r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}"#,
    ] {
        assert!(read_document(text, "x").is_err(), "{text:?} was accepted");
    }
    // Every prefix of every small document: an error or a document, never a panic.
    let small = bom::to_cyclonedx(
        &with_findings(input_for(
            &projects().into_iter().find(|p| p.ends_with("pipenv/pypa__pipenv")).expect("pipenv"),
        )),
        CdxVersion::V1_6,
    );
    for doc in [XML, TAG, small.as_str()] {
        let step = (doc.len() / 300).max(1);
        for cut in (0..doc.len()).step_by(step).filter(|i| doc.is_char_boundary(*i)) {
            let _ = read_document(&doc[..cut], "cut");
        }
    }
    // Wrongly typed fields are skipped, not fatal.
    let odd = r#"{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"name":5},{"purl":"pkg:npm/a@1","hashes":"x","licenses":[1],"properties":[{}]}],"dependencies":[{"ref":3}]}"#;
    let read = read_document(odd, "odd.json").expect("odd");
    assert_eq!(read.inventory.components.len(), 1);
}

/// Dependency edges between two packages that both have a purl, counted from the raw JSON.
fn package_edges(raw: &Value) -> usize {
    let mut with_purl = BTreeSet::new();
    let mut edges = Vec::new();
    for c in raw["components"].as_array().into_iter().flatten() {
        if c["purl"].is_string() {
            with_purl.extend(c["bom-ref"].as_str());
        }
    }
    for d in raw["dependencies"].as_array().into_iter().flatten() {
        for t in d["dependsOn"].as_array().into_iter().flatten() {
            edges.push((d["ref"].as_str(), t.as_str()));
        }
    }
    for p in raw["packages"].as_array().into_iter().flatten() {
        if p["externalRefs"].as_array().is_some_and(|r| r.iter().any(|x| x["referenceType"] == "purl")) {
            with_purl.extend(p["SPDXID"].as_str());
        }
    }
    for r in raw["relationships"].as_array().into_iter().flatten() {
        let t = r["relationshipType"].as_str().unwrap_or_default();
        if t == "DEPENDS_ON" || t.ends_with("DEPENDENCY_OF") {
            edges.push((r["spdxElementId"].as_str(), r["relatedSpdxElement"].as_str()));
        }
    }
    for e in raw["@graph"].as_array().into_iter().flatten() {
        if e["software_packageUrl"].is_string() {
            with_purl.extend(e["spdxId"].as_str());
        }
        if e["relationshipType"] == "dependsOn" {
            for t in e["to"].as_array().into_iter().flatten() {
                edges.push((e["from"].as_str(), t.as_str()));
            }
        }
    }
    edges
        .into_iter()
        .filter(|(a, b)| a.is_some_and(|a| with_purl.contains(a)) && b.is_some_and(|b| with_purl.contains(b)))
        .count()
}
