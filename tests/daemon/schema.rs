//! Validates downloaded documents against the official schemas the engine's tests use
//! (engine/tests/fixtures/schemas), offline, with the same registry of referenced schemas.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::{Registry, Validator};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/schemas")
}

fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(rel)).expect("schema file");
    serde_json::from_str(&text).expect("schema JSON")
}

fn build(rel: &str) -> Validator {
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
        .should_validate_formats(true)
        .build(&load(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The schema of a `BomFormat` name.
fn validator(format: &str) -> &'static Validator {
    static V: OnceLock<Vec<(&'static str, Validator)>> = OnceLock::new();
    let all = V.get_or_init(|| {
        vec![
            ("cyclonedx", build("cyclonedx/bom-1.6.schema.json")),
            ("cyclonedx-1.5", build("cyclonedx/bom-1.5.schema.json")),
            ("cyclonedx-1.7", build("cyclonedx/bom-1.7.schema.json")),
            ("cbom", build("cyclonedx/bom-1.6.schema.json")),
            ("spdx", build("spdx3/schema.json")),
            ("spdx-2.3", build("spdx2/spdx-2.3-schema.json")),
            ("openvex", build("openvex/openvex_json_schema.json")),
            ("sarif", build("sarif/sarif-schema-2.1.0.json")),
        ]
    });
    &all.iter().find(|(n, _)| *n == format).unwrap_or_else(|| panic!("no schema for {format}")).1
}

/// Errors of `doc` against the schema of `format` (empty = valid).
pub fn validate(format: &str, doc: &Value) -> Vec<String> {
    validator(format).iter_errors(doc).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

#[test]
fn the_validators_reject_a_broken_document() {
    let broken: Value = serde_json::from_str(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library"}]}"#,
    )
    .expect("json");
    assert!(!validate("cyclonedx", &broken).is_empty());
    assert!(!validate("spdx-2.3", &serde_json::json!({"spdxVersion": "SPDX-2.3"})).is_empty());
}
