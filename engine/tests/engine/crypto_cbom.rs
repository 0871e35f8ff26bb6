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
    // Four keys, a CRL and a certification request (the last two added for issue 17).
    assert_eq!(kinds.iter().filter(|k| **k == "related-crypto-material").count(), 6, "{kinds:?}");
    // The CRL's signature is an algorithm in use, and the CRL points at it.
    let crl = components(&cbom)
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with("CRL of")))
        .expect("CRL asset");
    let sig_ref =
        crl["cryptoProperties"]["relatedCryptoMaterialProperties"]["algorithmRef"].as_str().expect("ref");
    assert!(components(&cbom).iter().any(|c| c["bom-ref"] == sig_ref), "{sig_ref}");
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

#[test]
fn tls_in_apache_go_and_python_is_a_valid_protocol_asset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("httpd.conf"),
        "SSLProtocol all -SSLv3 -TLSv1 +TLSv1.2\nSSLCipherSuite HIGH:!aNULL\n",
    )
    .expect("write");
    std::fs::write(p.join("server.go"), "var cfg = &tls.Config{MinVersion: tls.VersionTLS12}\n")
        .expect("write");
    std::fs::write(p.join("client.py"), "ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)\n").expect("write");
    let scan =
        scan_path(p, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    let mut input = BomInput::new("tls", None, "2026-01-01T00:00:00Z", scan.inventory);
    input.crypto_protocols = scan.crypto_protocols;
    for (doc, version) in [(to_cbom(&input), "1.6"), (to_cyclonedx(&input, CdxVersion::V1_7), "1.7")] {
        let doc: Value = serde_json::from_str(&doc).expect("json");
        let errors: Vec<String> =
            validator(version).iter_errors(&doc).take(5).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{version}: {}", errors.join("\n"));
        let mut found: Vec<(String, String, bool)> = components(&doc)
            .iter()
            .filter(|c| c["cryptoProperties"]["assetType"] == "protocol")
            .map(|c| {
                (
                    c["evidence"]["occurrences"][0]["location"].as_str().unwrap_or("").to_owned(),
                    c["name"].as_str().unwrap_or("").to_owned(),
                    prop(c, "cairn:crypto:weak") == Some("true"),
                )
            })
            .collect();
        found.sort();
        let want = [
            ("client.py", "SSL 2/3", true),
            ("httpd.conf", "TLS 1.2", false),
            ("httpd.conf", "TLS cipher suites", false),
            ("server.go", "TLS 1.2", false),
        ];
        let want: Vec<(String, String, bool)> =
            want.iter().map(|(f, n, w)| (f.to_string(), n.to_string(), *w)).collect();
        assert_eq!(found, want, "{version}");
    }
}

#[test]
fn csharp() {
    check("csharp");
}

#[test]
fn php() {
    check("php");
}

#[test]
fn ruby() {
    check("ruby");
}

#[test]
fn kotlin() {
    check("kotlin");
}

#[test]
fn typescript() {
    check("typescript");
}

fn components(doc: &Value) -> &Vec<Value> {
    doc["components"].as_array().expect("components")
}

fn prop<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"].as_array()?.iter().find(|p| p["name"] == name).and_then(|p| p["value"].as_str())
}

#[test]
fn der_certificates_keys_key_stores_and_openssh_keys() {
    check("der");
    let cbom: Value = serde_json::from_str(&to_cbom(&scan_lang("der"))).expect("json");
    let mut found: Vec<(String, String)> = components(&cbom)
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset" && c["cryptoProperties"]["assetType"] != "algorithm")
        .map(|c| {
            (
                c["cryptoProperties"]["assetType"].as_str().unwrap_or("").to_owned(),
                prop(c, "cairn:crypto:format").unwrap_or("").to_owned(),
            )
        })
        .collect();
    found.sort();
    let expect = [
        ("certificate", "DER X.509"),
        ("related-crypto-material", "DER PKCS#1"),
        ("related-crypto-material", "DER PKCS#8"),
        ("related-crypto-material", "DER SPKI"),
        ("related-crypto-material", "JKS"),
        ("related-crypto-material", "OpenSSH"),
        ("related-crypto-material", "OpenSSH"),
        ("related-crypto-material", "PKCS#12"),
    ];
    let expect: Vec<(String, String)> = expect.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(found, expect);
    let cert = components(&cbom)
        .iter()
        .find(|c| c["cryptoProperties"]["assetType"] == "certificate")
        .expect("certificate");
    let cp = &cert["cryptoProperties"]["certificateProperties"];
    assert_eq!(cp["certificateExtension"], "cer");
    assert!(cp["subjectName"].as_str().is_some_and(|s| s.contains("cairn test der")), "{cp}");
    // The certificate's signature algorithm is an asset with its OID.
    let sig_ref = cp["signatureAlgorithmRef"].as_str().expect("signature ref");
    let sig = components(&cbom).iter().find(|c| c["bom-ref"] == sig_ref).expect("signature asset");
    assert_eq!(sig["cryptoProperties"]["oid"], "1.2.840.10045.4.3.2");
    let store =
        components(&cbom).iter().find(|c| prop(c, "cairn:crypto:format") == Some("PKCS#12")).expect("pkcs12");
    assert_eq!(store["cryptoProperties"]["relatedCryptoMaterialProperties"]["type"], "other");
    assert_eq!(store["evidence"]["occurrences"][0]["location"], "store.p12");
    let rsa: Vec<&Value> = components(&cbom)
        .iter()
        .filter(|c| c["cryptoProperties"]["relatedCryptoMaterialProperties"]["size"].as_u64() == Some(3072))
        .collect();
    assert_eq!(rsa.len(), 1, "the 3072-bit OpenSSH RSA key");
}

#[test]
fn libraries_provide_the_algorithms_their_api_is_seen_using() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nring = \"0.17\"\nsha2 = \"0.10\"\nserde = \"1\"\n",
    )
    .expect("write");
    std::fs::write(
        p.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n \"ring\",\n \"serde\",\n \"sha2\",\n]\n\n[[package]]\nname = \"ring\"\nversion = \"0.17.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"sha2\"\nversion = \"0.10.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .expect("write");
    std::fs::create_dir(p.join("src")).expect("mkdir");
    std::fs::write(
        p.join("src/main.rs"),
        "use ring::aead::{self, AES_256_GCM};\nuse ring::digest;\n\nfn main() {\n    let _k = aead::UnboundKey::new(&AES_256_GCM, &[0; 32]);\n    let _d = digest::digest(&digest::SHA256, b\"x\");\n}\n",
    )
    .expect("write");
    // The same algorithm name through a library the inventory does not hold stays unattributed.
    std::fs::write(
        p.join("src/other.rs"),
        "use sha2::{Digest, Sha512};\nfn f() { let _ = Sha512::new(); }\n",
    )
    .expect("write");
    let scan =
        scan_path(p, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    let mut input = BomInput::new("demo", None, "2026-01-01T00:00:00Z", scan.inventory.clone());
    input.crypto = scan.crypto.clone();
    for (doc, what) in [
        (to_cbom(&input), "CBOM"),
        (to_cyclonedx(&input, CdxVersion::V1_6), "CycloneDX 1.6"),
        (to_cyclonedx(&input, CdxVersion::V1_7), "CycloneDX 1.7"),
    ] {
        let doc: Value = serde_json::from_str(&doc).expect("json");
        let version = if what.ends_with("1.7") { "1.7" } else { "1.6" };
        let errors: Vec<String> =
            validator(version).iter_errors(&doc).take(5).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
        let ring = components(&doc)
            .iter()
            .find(|c| c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:cargo/ring@")))
            .unwrap_or_else(|| panic!("{what}: ring library component"));
        assert_eq!(ring["type"], "library");
        assert_eq!(prop(ring, "cairn:crypto:library"), Some("ring"));
        let aes = components(&doc).iter().find(|c| c["name"] == "AES-256-GCM").expect("AES-256-GCM asset");
        let sha256 = components(&doc).iter().find(|c| c["name"] == "SHA-2-256").expect("SHA-256 asset");
        let deps = doc["dependencies"].as_array().expect("dependencies");
        let entry = deps.iter().find(|d| d["ref"] == ring["bom-ref"]).expect("ring's dependency entry");
        let provides: Vec<&str> =
            entry["provides"].as_array().expect("provides").iter().filter_map(Value::as_str).collect();
        let mut want = vec![aes["bom-ref"].as_str().expect("ref"), sha256["bom-ref"].as_str().expect("ref")];
        want.sort();
        assert_eq!(provides, want, "{what}");
        // sha2 provides SHA-512 (its API, its import); serde is no crypto library.
        let sha2 = components(&doc)
            .iter()
            .find(|c| c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:cargo/sha2@")))
            .expect("sha2");
        let sha512 = components(&doc).iter().find(|c| c["name"] == "SHA-2-512").expect("SHA-512 asset");
        let entry = deps.iter().find(|d| d["ref"] == sha2["bom-ref"]).expect("sha2 entry");
        assert_eq!(entry["provides"], serde_json::json!([sha512["bom-ref"]]));
        let serde_in = components(&doc).iter().any(|c| c["name"] == "serde");
        assert_eq!(serde_in, what != "CBOM", "{what}: the CBOM keeps only crypto libraries");
        assert_eq!(aes["cryptoProperties"]["oid"], "2.16.840.1.101.3.4.1.46");
        if version == "1.7" {
            assert_eq!(aes["cryptoProperties"]["algorithmProperties"]["algorithmFamily"], "AES");
        } else {
            assert!(aes["cryptoProperties"]["algorithmProperties"].get("algorithmFamily").is_none());
        }
    }
}

#[test]
fn cyclonedx_1_7_names_curves_from_its_enumeration() {
    let input = scan_lang("csharp");
    let doc: Value = serde_json::from_str(&to_cyclonedx(&input, CdxVersion::V1_7)).expect("json");
    let ecdsa = components(&doc).iter().find(|c| c["name"] == "ECDSA-P-256").expect("ECDSA-P-256");
    let ap = &ecdsa["cryptoProperties"]["algorithmProperties"];
    assert_eq!(
        (ap["ellipticCurve"].as_str(), ap["algorithmFamily"].as_str()),
        (Some("nist/P-256"), Some("ECDSA"))
    );
    assert!(ap.get("curve").is_none());
    let v16: Value = serde_json::from_str(&to_cyclonedx(&input, CdxVersion::V1_6)).expect("json");
    let ecdsa = components(&v16).iter().find(|c| c["name"] == "ECDSA-P-256").expect("ECDSA-P-256");
    assert_eq!(ecdsa["cryptoProperties"]["algorithmProperties"]["curve"], "secp256r1");
}

#[test]
fn json_report_carries_the_crypto_inventory() {
    let dir = fixtures().join("crypto/kotlin");
    let scan =
        scan_path(&dir, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress).expect("scan");
    let report: Value =
        serde_json::from_str(&cairn_engine::Report::new("kotlin", &scan).with_crypto(&scan).to_json())
            .expect("json");
    let c = &report["crypto"];
    assert_eq!(c["readiness"]["methodology"], "cairn-cbom-v1");
    assert!(c["readiness"]["score"].as_u64().is_some_and(|s| s <= 100), "{}", c["readiness"]);
    let des = c["algorithms"]
        .as_array()
        .expect("algorithms")
        .iter()
        .find(|a| a["family"] == "3DES")
        .expect("3DES from Crypto.kt");
    assert_eq!(
        (des["nist_quantum_level"].as_u64(), des["classically_broken"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(des["replacement"], "AES-256-GCM");
    assert_eq!(des["locations"][0]["file"], "Crypto.kt");
    assert!(des["locations"][0]["line"].as_u64().is_some());
    // Without crypto detection the section is absent, not empty.
    let plain: Value =
        serde_json::from_str(&cairn_engine::Report::new("kotlin", &scan).to_json()).expect("json");
    assert!(plain.get("crypto").is_none());
}
