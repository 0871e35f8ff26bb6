//! Crypto uses as CycloneDX 1.6+ `cryptographic-asset` components: one per distinct algorithm, with
//! `cryptoProperties` (primitive, mode, padding, parameter set, curve, functions, classical and NIST
//! quantum levels, OID; from 1.7 `algorithmFamily` and `ellipticCurve`) and every file and line as
//! `evidence.occurrences`. Each asset also knows the library families that provide it, for
//! `dependencies[].provides`.

use super::BomInput;
use super::cyclonedx::CdxVersion;
use crate::crypto::material::{CryptoMaterial, MaterialKind};
use crate::crypto::protocol::CryptoProtocol;
use crate::crypto::quantum::{self, METHODOLOGY};
use crate::crypto::{Algorithm, CryptoUse, Function, Primitive, oids};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What a cryptographic asset is: CycloneDX's `cryptoProperties.assetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetType {
    /// An algorithm seen in use.
    Algorithm,
    /// An X.509 certificate.
    Certificate,
    /// A key, key store, CRL or certificate request.
    RelatedCryptoMaterial,
    /// A protocol setting (TLS versions and cipher suites).
    Protocol,
}

impl AssetType {
    /// CycloneDX's word (`related-crypto-material`).
    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Algorithm => "algorithm",
            AssetType::Certificate => "certificate",
            AssetType::RelatedCryptoMaterial => "related-crypto-material",
            AssetType::Protocol => "protocol",
        }
    }
}

/// One place an asset was seen: a file relative to the scan root and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// The file, with `/` separators.
    pub location: String,
    /// 1-based line.
    pub line: u32,
}

/// One cryptographic asset of a scan (an algorithm across the tree, a certificate, a key, a
/// protocol setting), as the CBOM writes it and the daemon stores it: both read this one model.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoAsset {
    /// The component's `bom-ref`: derived from the content, so it repeats across scans of a tree.
    pub bom_ref: String,
    /// The component's name.
    pub name: String,
    /// What the asset is.
    pub asset_type: AssetType,
    /// An algorithm's primitive.
    pub primitive: Option<Primitive>,
    /// An algorithm's NIST post-quantum security category (0–6), when the table rates it.
    pub nist_quantum_level: Option<u8>,
    /// The CycloneDX `cryptoProperties` object, as written (its shape depends on `asset_type`
    /// and on the CycloneDX version the assets were built for).
    pub crypto_properties: Value,
    /// Every file and line, sorted, without repeats (`evidence.occurrences`).
    pub occurrences: Vec<Occurrence>,
    /// Cairn's `cairn:crypto:*` properties, in writing order.
    pub properties: Vec<(&'static str, String)>,
    /// Library families ([`crate::crypto::libraries`] ids) whose API the uses call.
    pub libraries: BTreeSet<String>,
}

impl CryptoAsset {
    /// The CycloneDX `evidence` object.
    pub(super) fn evidence(&self) -> Value {
        json!({
            "occurrences": self
                .occurrences
                .iter()
                .map(|o| json!({"location": o.location, "line": o.line}))
                .collect::<Vec<_>>()
        })
    }
}

/// Every cryptographic asset of `input` as CycloneDX `version` describes it: the algorithms of
/// the uses, then certificates and keys, then protocol settings. CycloneDX 1.5 has no assets:
/// the caller decides whether its version carries them.
pub fn crypto_assets(input: &BomInput, version: CdxVersion) -> Vec<CryptoAsset> {
    assets(&input.crypto, version)
        .into_iter()
        .chain(material_assets(&input.crypto_material, &input.timestamp))
        .chain(protocol_assets(&input.crypto_protocols))
        .collect()
}

/// Algorithm families of CycloneDX 1.7's `algorithmFamiliesEnum` (cryptography-defs.schema.json)
/// that Cairn's family names can be: a name outside it is left out of `algorithmFamily`.
const CDX_FAMILIES: &[&str] = &[
    "RSASSA-PKCS1",
    "RSASSA-PSS",
    "RSAES-PKCS1",
    "RSAES-OAEP",
    "EdDSA",
    "ECDSA",
    "DSA",
    "ECDH",
    "FFDH",
    "SHA-1",
    "SHA-2",
    "SHA-3",
    "AES",
    "HKDF",
    "HMAC",
    "ChaCha20",
    "RC4",
    "RC2",
    "3DES",
    "DES",
    "ML-DSA",
    "SLH-DSA",
    "ML-KEM",
    "Blowfish",
    "MD4",
    "MD5",
    "RIPEMD",
    "PBKDF2",
    "scrypt",
    "Salsa20",
];

/// The 1.7 `algorithmFamily` of a Cairn family: AEAD compositions belong to their cipher's family.
fn cdx_family(family: &str) -> Option<&'static str> {
    let f = match family {
        "ChaCha20-Poly1305" => "ChaCha20",
        "XSalsa20-Poly1305" => "Salsa20",
        other => other,
    };
    CDX_FAMILIES.iter().find(|c| **c == f).copied()
}

/// The 1.7 `ellipticCurve` (cryptography-defs `ellipticCurvesEnum`) of a curve parameter.
fn cdx_curve(p: &str) -> Option<&'static str> {
    Some(match p {
        "P-224" => "nist/P-224",
        "P-256" => "nist/P-256",
        "P-384" => "nist/P-384",
        "P-521" => "nist/P-521",
        "secp256k1" => "secg/secp256k1",
        "Ed25519" => "other/Ed25519",
        "Ed448" => "other/Ed448",
        "X25519" => "other/Curve25519",
        "X448" => "other/Curve448",
        _ => return None,
    })
}

const CURVE_PARAMS: &[&str] =
    &["P-224", "P-256", "P-384", "P-521", "secp256k1", "Ed25519", "Ed448", "X25519", "X448"];

/// CycloneDX's curve names (neuromancer.sk spelling).
fn curve_name(p: &str) -> &str {
    match p {
        "P-224" => "secp224r1",
        "P-256" => "secp256r1",
        "P-384" => "secp384r1",
        "P-521" => "secp521r1",
        "Ed25519" | "X25519" => "Curve25519",
        "Ed448" | "X448" => "Curve448",
        other => other,
    }
}

fn mode(m: &str) -> &'static str {
    match m.to_ascii_lowercase().as_str() {
        "cbc" => "cbc",
        "ecb" => "ecb",
        "ccm" => "ccm",
        "gcm" => "gcm",
        "cfb" => "cfb",
        "ofb" => "ofb",
        "ctr" => "ctr",
        _ => "other",
    }
}

fn padding(alg: &Algorithm) -> Option<&'static str> {
    let family = alg.family.as_deref().unwrap_or("");
    if family == "RSAES-OAEP" {
        return Some("oaep");
    }
    if matches!(family, "RSASSA-PKCS1" | "RSAES-PKCS1") {
        return Some("pkcs1v15");
    }
    let p = alg.padding.as_deref()?.to_ascii_lowercase();
    Some(match p.as_str() {
        "pkcs5" => "pkcs5",
        "pkcs7" => "pkcs7",
        "no" | "none" => "raw",
        p if p.starts_with("oaep") => "oaep",
        p if p.starts_with("pkcs1") => "pkcs1v15",
        _ => "other",
    })
}

fn functions(alg: &Algorithm) -> Vec<&'static str> {
    if alg.function == Function::Keygen {
        return vec!["keygen"];
    }
    match alg.primitive {
        Primitive::Hash => vec!["digest"],
        Primitive::Mac => vec!["tag"],
        Primitive::Signature => vec!["sign", "verify"],
        Primitive::BlockCipher | Primitive::StreamCipher | Primitive::Ae | Primitive::Pke => {
            vec!["encrypt", "decrypt"]
        }
        Primitive::Kem => vec!["encapsulate", "decapsulate"],
        Primitive::KeyAgree => vec!["keyderive"],
        Primitive::Kdf => vec!["keyderive"],
    }
}

fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// Groups uses by algorithm name and describes each group as `version` spells it.
fn assets(uses: &[CryptoUse], version: CdxVersion) -> Vec<CryptoAsset> {
    let mut groups: BTreeMap<String, Vec<&CryptoUse>> = BTreeMap::new();
    for u in uses {
        groups.entry(u.algorithm.name()).or_default().push(u);
    }
    groups
        .into_iter()
        .filter_map(|(name, group)| {
            let alg = &group.first()?.algorithm;
            let rating = quantum::assess(alg);
            let mut ap = Map::new();
            ap.insert("primitive".into(), json!(alg.primitive.as_str()));
            if version >= CdxVersion::V1_7
                && let Some(f) = alg.family.as_deref().and_then(cdx_family)
            {
                ap.insert("algorithmFamily".into(), json!(f));
            }
            if let Some(p) = &alg.parameter {
                if CURVE_PARAMS.contains(&p.as_str()) {
                    // 1.7 deprecates `curve` for the enumerated `ellipticCurve`.
                    match cdx_curve(p).filter(|_| version >= CdxVersion::V1_7) {
                        Some(c) => ap.insert("ellipticCurve".into(), json!(c)),
                        None => ap.insert("curve".into(), json!(curve_name(p))),
                    };
                } else {
                    ap.insert("parameterSetIdentifier".into(), json!(p));
                }
            }
            if let Some(m) = &alg.mode {
                ap.insert("mode".into(), json!(mode(m)));
            }
            if let Some(p) = padding(alg) {
                ap.insert("padding".into(), json!(p));
            }
            ap.insert("cryptoFunctions".into(), json!(functions(alg)));
            if let Some(bits) = rating.classical_bits {
                ap.insert("classicalSecurityLevel".into(), json!(bits));
            }
            if let Some(level) = rating.nist_level {
                ap.insert("nistQuantumSecurityLevel".into(), json!(level));
            }
            let mut occurrences: Vec<(String, u32)> =
                group.iter().flat_map(|u| u.lines.iter().map(|l| (u.file.clone(), *l))).collect();
            occurrences.sort();
            occurrences.dedup();
            let occurrences =
                occurrences.into_iter().map(|(location, line)| Occurrence { location, line }).collect();
            let mut properties = Vec::new();
            if let Some(f) = &alg.family {
                properties.push(("cairn:crypto:family", f.clone()));
            }
            if let Some(h) = &alg.hash {
                properties.push(("cairn:crypto:hash", h.clone()));
            }
            if let Some(r) = rating.replacement {
                properties.push(("cairn:crypto:replacement", r.to_owned()));
            }
            if rating.classically_broken {
                properties.push(("cairn:crypto:classically-broken", "true".to_owned()));
            }
            if group.iter().any(|u| u.algorithm.assumed) {
                properties.push(("cairn:crypto:parameter-assumed", "true".to_owned()));
            }
            if group.iter().all(|u| u.in_test) {
                properties.push(("cairn:crypto:test-only", "true".to_owned()));
            }
            let mut crypto_properties = json!({"assetType": "algorithm", "algorithmProperties": ap});
            if let Some(oid) = oids::oid(alg) {
                crypto_properties["oid"] = json!(oid);
            }
            Some(CryptoAsset {
                bom_ref: format!("crypto:algorithm:{}", slug(&name)),
                asset_type: AssetType::Algorithm,
                primitive: Some(alg.primitive),
                nist_quantum_level: rating.nist_level,
                crypto_properties,
                occurrences,
                name,
                properties,
                libraries: group.iter().filter_map(|u| u.library.clone()).collect(),
            })
        })
        .collect()
}

/// Scan-level CBOM properties: the methodology and the readiness score.
pub(super) fn metadata_properties(uses: &[CryptoUse]) -> Vec<(&'static str, String)> {
    let r = quantum::readiness(uses);
    let mut out = vec![("cairn:cbom:methodology", METHODOLOGY.to_owned())];
    if let Some(score) = r.score {
        out.push(("cairn:cbom:readiness-score", score.to_string()));
    }
    out.push(("cairn:cbom:algorithms-rated", r.rated.to_string()));
    out.push(("cairn:cbom:algorithms-quantum-vulnerable", r.vulnerable.to_string()));
    out
}

/// True when `not_after` is before the document's `timestamp`. Both are RFC 3339 UTC with seconds
/// (`YYYY-MM-DDTHH:MM:SSZ`, as Cairn writes them), which compare as strings; other shapes are not
/// judged. The reference time is the caller's, so the same input gives the same document.
fn expired(not_after: &str, timestamp: &str) -> bool {
    let utc = |s: &str| s.len() == 20 && s.ends_with('Z') && s.as_bytes().get(10) == Some(&b'T');
    utc(not_after) && utc(timestamp) && not_after < timestamp
}

/// Certificates (`assetType: certificate`) and keys (`related-crypto-material`), each pointing at
/// its algorithm's asset when the uses list it. Certificates past their validity at `timestamp`
/// are flagged expired.
fn material_assets(material: &[CryptoMaterial], timestamp: &str) -> Vec<CryptoAsset> {
    material
        .iter()
        .map(|m| {
            let ext = m.file.rsplit_once('.').map(|(_, e)| e.to_owned());
            let alg_ref = |a: &Algorithm| format!("crypto:algorithm:{}", slug(&a.name()));
            let key_name = m.key.as_ref().map_or_else(|| "unknown key".to_owned(), Algorithm::name);
            let (kind_word, asset_type, crypto_properties, name) = match m.kind {
                MaterialKind::Certificate => {
                    let mut cp = Map::new();
                    for (k, v) in [
                        ("subjectName", &m.subject),
                        ("issuerName", &m.issuer),
                        ("notValidBefore", &m.not_before),
                        ("notValidAfter", &m.not_after),
                    ] {
                        if let Some(v) = v {
                            cp.insert(k.into(), json!(v));
                        }
                    }
                    if let Some(sig) = &m.signature {
                        cp.insert("signatureAlgorithmRef".into(), json!(alg_ref(sig)));
                    }
                    cp.insert("certificateFormat".into(), json!("X.509"));
                    if let Some(e) = &ext {
                        cp.insert("certificateExtension".into(), json!(e));
                    }
                    let name = m.subject.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| m.file.clone());
                    (
                        "certificate",
                        AssetType::Certificate,
                        json!({"assetType": "certificate", "certificateProperties": cp}),
                        name,
                    )
                }
                MaterialKind::KeyStore => {
                    // CycloneDX has no key-store asset type: related material of type `other`, with
                    // the store's format; its entries are protected and not read.
                    let rp = json!({"type": "other", "format": m.format});
                    (
                        "keystore",
                        AssetType::RelatedCryptoMaterial,
                        json!({"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": rp}),
                        format!("{} key store", m.format),
                    )
                }
                MaterialKind::Crl | MaterialKind::CertificateRequest => {
                    // CycloneDX has no CRL or CSR asset type: related material of type `other`
                    // pointing at the signature algorithm (and a request's key) in use.
                    let crl = m.kind == MaterialKind::Crl;
                    let mut rp = Map::new();
                    rp.insert("type".into(), json!("other"));
                    rp.insert("format".into(), json!(m.format));
                    if let Some(sig) = &m.signature {
                        rp.insert("algorithmRef".into(), json!(alg_ref(sig)));
                    }
                    let (word, who) = if crl {
                        ("crl", m.issuer.clone().map(|i| format!("CRL of {i}")))
                    } else {
                        ("csr", m.subject.clone().map(|s| format!("certificate request for {s}")))
                    };
                    (
                        word,
                        AssetType::RelatedCryptoMaterial,
                        json!({"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": rp}),
                        who.unwrap_or_else(|| m.file.clone()),
                    )
                }
                MaterialKind::PublicKey | MaterialKind::PrivateKey => {
                    let private = m.kind == MaterialKind::PrivateKey;
                    let mut rp = Map::new();
                    rp.insert("type".into(), json!(if private { "private-key" } else { "public-key" }));
                    if let Some(k) = &m.key {
                        rp.insert("algorithmRef".into(), json!(alg_ref(k)));
                        if let Some(bits) = k.parameter.as_deref().and_then(|p| p.parse::<u32>().ok()) {
                            rp.insert("size".into(), json!(bits));
                        }
                    }
                    rp.insert("format".into(), json!(m.format));
                    let word = if private { "private key" } else { "public key" };
                    (
                        "key",
                        AssetType::RelatedCryptoMaterial,
                        json!({"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": rp}),
                        format!("{key_name} {word}"),
                    )
                }
            };
            let mut properties = vec![("cairn:crypto:format", m.format.clone())];
            if matches!(m.kind, MaterialKind::Certificate | MaterialKind::CertificateRequest) {
                properties.push(("cairn:crypto:key", key_name));
            }
            if m.weak {
                properties.push(("cairn:crypto:weak", "true".to_owned()));
            }
            if m.not_after.as_deref().is_some_and(|t| expired(t, timestamp)) {
                properties.push(("cairn:crypto:expired", "true".to_owned()));
            }
            if m.kind == MaterialKind::PrivateKey {
                properties.push(("cairn:crypto:secret-exposure", "private key in the tree".to_owned()));
            }
            if m.kind == MaterialKind::KeyStore {
                properties.push(("cairn:crypto:key-store", "contents protected, not read".to_owned()));
            }
            CryptoAsset {
                bom_ref: format!("crypto:{kind_word}:{}:{}", slug(&m.file), m.line),
                name,
                asset_type,
                primitive: None,
                nist_quantum_level: None,
                crypto_properties,
                occurrences: vec![Occurrence { location: m.file.clone(), line: m.line }],
                properties,
                libraries: BTreeSet::new(),
            }
        })
        .collect()
}

/// TLS settings as `protocol` assets, one per file, kind and version.
fn protocol_assets(protocols: &[CryptoProtocol]) -> Vec<CryptoAsset> {
    protocols
        .iter()
        .map(|p| {
            let mut pp = Map::new();
            pp.insert("type".into(), json!(if p.kind == "ssl" { "other" } else { "tls" }));
            if let Some(v) = &p.version {
                pp.insert("version".into(), json!(v));
            }
            if !p.cipher_suites.is_empty() {
                let suites: Vec<Value> = p.cipher_suites.iter().map(|s| json!({"name": s})).collect();
                pp.insert("cipherSuites".into(), json!(suites));
            }
            let name = match &p.version {
                Some(v) => format!("{} {v}", p.kind.to_ascii_uppercase()),
                None => format!("{} cipher suites", p.kind.to_ascii_uppercase()),
            };
            let mut properties = Vec::new();
            if p.weak {
                properties.push(("cairn:crypto:weak", "true".to_owned()));
                properties.push(("cairn:crypto:replacement", "TLS 1.3 (or 1.2 with AEAD suites)".to_owned()));
            }
            CryptoAsset {
                bom_ref: format!("crypto:protocol:{}:{}:{}", slug(&p.file), p.line, slug(&name)),
                name,
                asset_type: AssetType::Protocol,
                primitive: None,
                nist_quantum_level: None,
                crypto_properties: json!({"assetType": "protocol", "protocolProperties": pp}),
                occurrences: vec![Occurrence { location: p.file.clone(), line: p.line }],
                properties,
                libraries: BTreeSet::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::expired;

    #[test]
    fn expiry_against_the_document_time() {
        assert!(expired("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
        assert!(!expired("3003-02-02T08:39:07Z", "2026-01-01T00:00:00Z"));
        assert!(!expired("2020-01-01T00:00:00+01:00", "2026-01-01T00:00:00Z"));
    }
}
