//! Validators for the official schemas in `fixtures/schemas` (offline: referenced schemas are
//! registered from the same folder, nothing is fetched).

use cairn_engine::bom::{CdxVersion, Format};
use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas")
}

fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(rel)).expect("schema file");
    serde_json::from_str(&text).expect("schema JSON")
}

fn build(rel: &str, formats: bool) -> Validator {
    let schema = load(rel);
    let registry = Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", load("cyclonedx/spdx.schema.json"))
        .expect("spdx schema")
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", load("cyclonedx/jsf-0.82.schema.json"))
        .expect("jsf schema")
        .add(
            "http://cyclonedx.org/schema/cryptography-defs.schema.json",
            load("cyclonedx/cryptography-defs.schema.json"),
        )
        .expect("cryptography-defs schema")
        .prepare()
        .expect("registry");
    jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(formats)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

struct Validators {
    cdx15: Validator,
    cdx16: Validator,
    cdx17: Validator,
    spdx23: Validator,
    spdx3: Validator,
    openvex: Validator,
    sarif: Validator,
}

fn validators() -> &'static Validators {
    static V: OnceLock<Validators> = OnceLock::new();
    V.get_or_init(|| Validators {
        cdx15: build("cyclonedx/bom-1.5.schema.json", true),
        cdx16: build("cyclonedx/bom-1.6.schema.json", true),
        cdx17: build("cyclonedx/bom-1.7.schema.json", true),
        spdx23: build("spdx2/spdx-2.3-schema.json", true),
        spdx3: build("spdx3/schema.json", true),
        openvex: build("openvex/openvex_json_schema.json", true),
        sarif: build("sarif/sarif-schema-2.1.0.json", true),
    })
}

/// Validates a document of `format`; the error lists the first problems with their paths.
pub fn validate(format: Format, doc: &str) -> Result<(), String> {
    let v = validators();
    let validator = match format {
        Format::CycloneDx(CdxVersion::V1_5) => &v.cdx15,
        Format::CycloneDx(CdxVersion::V1_6) => &v.cdx16,
        Format::CycloneDx(CdxVersion::V1_7) => &v.cdx17,
        Format::Spdx23 => &v.spdx23,
        Format::Spdx3 => &v.spdx3,
        Format::OpenVex => &v.openvex,
        Format::Sarif => &v.sarif,
    };
    let value: Value = serde_json::from_str(doc).map_err(|e| format!("not JSON: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(&value).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
}

#[test]
fn the_validators_reject_a_broken_document() {
    let broken = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library"}]}"#;
    assert!(validate(Format::CycloneDx(CdxVersion::V1_6), broken).is_err());
    assert!(validate(Format::Spdx23, r#"{"spdxVersion":"SPDX-2.3"}"#).is_err());
    assert!(validate(Format::Spdx3, r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package"}]}"#).is_err());
    assert!(validate(Format::OpenVex, r#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#).is_err());
    assert!(validate(Format::Sarif, r#"{"version":"2.1.0"}"#).is_err());
}
