//! CBOMs from the labelled crypto corpus validate against the CycloneDX 1.6 schema (and the
//! cryptographic assets against 1.7), one test per language, through a real scan of a tree.

use cairn_engine::bom::{BomInput, CdxVersion, to_cbom, to_cyclonedx};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn validator(version: &str) -> jsonschema::Validator {
    let dir = fixtures().join("schemas/cyclonedx");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("schema")).expect("json")
    };
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", read("spdx.schema.json"))
        .expect("spdx schema")
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", read("jsf-0.82.schema.json"))
        .expect("jsf schema")
        .add(
            "http://cyclonedx.org/schema/cryptography-defs.schema.json",
            read("cryptography-defs.schema.json"),
        )
        .expect("cryptography-defs schema")
        .prepare()
        .expect("registry");
    jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&read(&format!("bom-{version}.schema.json")))
        .expect("validator")
}

fn scan_lang(lang: &str) -> BomInput {
    let dir = fixtures().join("crypto").join(lang);
    let scan =
        scan_path(&dir, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    assert!(!scan.crypto.is_empty(), "{lang}: nothing found");
    let mut input = BomInput::new(lang, Some("1.0.0".into()), "2026-01-01T00:00:00Z", scan.inventory);
    input.crypto = scan.crypto;
    input.crypto_material = scan.crypto_material;
    input
}

fn check(lang: &str) {
    let input = scan_lang(lang);
    let cbom: Value = serde_json::from_str(&to_cbom(&input)).expect("json");
    let errors: Vec<String> = validator("1.6")
        .iter_errors(&cbom)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{lang} CBOM 1.6:\n{}", errors.join("\n"));
    let assets: Vec<&Value> = cbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .collect();
    assert!(!assets.is_empty(), "{lang}: no cryptographic assets");
    for a in &assets {
        if a["cryptoProperties"]["assetType"] == "algorithm" {
            assert!(a["cryptoProperties"]["algorithmProperties"]["primitive"].is_string(), "{a}");
        }
        let occ = a["evidence"]["occurrences"].as_array().expect("occurrences");
        assert!(
            occ.iter().all(
                |o| o["location"].as_str().is_some_and(|l| !l.is_empty()) && o["line"].as_u64().is_some()
            )
        );
    }
    let props = cbom["metadata"]["properties"].as_array().expect("properties");
    assert!(props.iter().any(|p| p["name"] == "cairn:cbom:methodology" && p["value"] == "cairn-cbom-v1"));
    for (v, name) in [(CdxVersion::V1_6, "1.6"), (CdxVersion::V1_7, "1.7")] {
        let doc: Value = serde_json::from_str(&to_cyclonedx(&input, v)).expect("json");
        let errors: Vec<String> = validator(name)
            .iter_errors(&doc)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{lang} CycloneDX {name}:\n{}", errors.join("\n"));
    }
    // 1.5 has no cryptographic assets: they are left out, and the document stays valid.
    let v15: Value = serde_json::from_str(&to_cyclonedx(&input, CdxVersion::V1_5)).expect("json");
    assert!(!v15.to_string().contains("cryptographic-asset"));
    assert!(validator("1.5").is_valid(&v15));
}

#[test]
fn python() {
    check("python");
}

#[test]
fn java() {
    check("java");
}

#[test]
fn go() {
    check("go");
}

#[test]
fn javascript() {
    check("javascript");
}

#[test]
fn rust() {
    check("rust");
}

#[test]
fn c() {
    check("c");
}

#[test]
fn pem_certificates_and_keys() {
    check("pem");
    let cbom: Value = serde_json::from_str(&to_cbom(&scan_lang("pem"))).expect("json");
    let kinds: Vec<&str> = cbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["cryptoProperties"]["assetType"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "certificate").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "related-crypto-material").count(), 4, "{kinds:?}");
}

#[test]
fn private_key_is_a_secret_exposure_diagnostic() {
    let dir = fixtures().join("crypto/pem");
    let scan =
        scan_path(&dir, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    let d: Vec<_> =
        scan.inventory.diagnostics.iter().filter(|d| d.message.contains("secret exposure")).collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].path.as_str(), d[0].line), ("Keats__jsonwebtoken__private_ed448_key.pem", Some(1)));
}

#[test]
fn weak_rsa_keygen_is_flagged_with_its_replacement() {
    let input = scan_lang("java");
    let cbom: Value = serde_json::from_str(&to_cbom(&input)).expect("json");
    let rsa = cbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == "RSA-1024 (key generation)")
        .expect("RSA-1024 keygen from RsaKeyHelper.java");
    let ap = &rsa["cryptoProperties"]["algorithmProperties"];
    assert_eq!(
        (ap["nistQuantumSecurityLevel"].as_u64(), ap["classicalSecurityLevel"].as_u64()),
        (Some(0), Some(80))
    );
    let props = rsa["properties"].as_array().expect("properties");
    assert!(props.iter().any(|p| p["name"] == "cairn:crypto:classically-broken" && p["value"] == "true"));
    assert!(props.iter().any(|p| p["name"] == "cairn:crypto:replacement"));
}

#[test]
fn tls_configuration_is_a_valid_protocol_asset() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("nginx.conf"),
        "server {\n  ssl_protocols TLSv1.1 TLSv1.3;\n  ssl_ciphers 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA';\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("Client.java"), "SSLContext c = SSLContext.getInstance(\"TLSv1\");\n")
        .expect("write");
    let scan = scan_path(dir.path(), &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress)
        .expect("scan");
    let mut input = BomInput::new("tls", None, "2026-01-01T00:00:00Z", scan.inventory);
    input.crypto_protocols = scan.crypto_protocols;
    let cbom: Value = serde_json::from_str(&to_cbom(&input)).expect("json");
    let errors: Vec<String> = validator("1.6")
        .iter_errors(&cbom)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let names: Vec<&str> = cbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["cryptoProperties"]["assetType"] == "protocol")
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["TLS 1.0", "TLS 1.1", "TLS 1.3", "TLS cipher suites"], "{names:?}");
}
