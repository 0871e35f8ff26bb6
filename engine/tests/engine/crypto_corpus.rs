//! Recall and precision of crypto detection on the hand-labelled corpus (`fixtures/crypto`).
//!
//! How a label is compared with detections (the rule is also in docs/methodology.md):
//!
//! 1. Each labelled algorithm name is normalised into one or more *keys*: primitive (or key
//!    generation), family (`RSASSA-PSS`, `ECDSA`, `HMAC`, `SHA-2`, …), parameter (key bits, curve,
//!    parameter set), digest and mode, each read from the name's own words. Alternatives in a name
//!    expand: "RSASSA-PSS with SHA-256/SHA-384/SHA-512" is three keys, "AES-128/192/256-CBC" three.
//! 2. A detection matches a key when the primitive is the same (key generation only matches key
//!    generation), and each of family, parameter, digest and mode is either equal or unknown on one
//!    side. The family `EC` (a curve named without its scheme) matches `ECDSA` and `ECDH`; `RSA` (a
//!    key type) matches the RSA schemes. A detection that leaves a field unknown is not wrong, only
//!    less precise; a detection that names a different value is.
//! 3. Recall counts keys: a key is found when some detection in the file matches it. Precision
//!    counts detections: one is right when it matches some key in the file, or when it is a digest
//!    the file's labels name (as the hash itself or as the digest of a labelled MAC, signature, KDF).
//! 4. Labels that are not algorithms are not scored: primitive `other` (JWS `none`, CSPRNG, key
//!    parsing, X.509 handling), `key` and `certificate` (the certificate test scores those), and
//!    labels whose notes say the algorithm is "not named in this file".
//!
//! The test prints per-file results and fails below 95% recall or 95% precision overall.

use cairn_engine::crypto::{Algorithm, Function, Primitive, detect_file};
use regex::Regex;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
struct Key {
    keygen: bool,
    primitive: String,
    family: Option<String>,
    parameter: Option<String>,
    hash: Option<String>,
    mode: Option<String>,
}

/// Family words in label names, most specific first.
const FAMILIES: &[(&str, &str)] = &[
    ("RSASSA-PSS", "RSASSA-PSS"),
    ("RSASSA-PKCS1", "RSASSA-PKCS1"),
    ("withRSA", "RSASSA-PKCS1"),
    ("withECDSA", "ECDSA"),
    ("ECDSA", "ECDSA"),
    ("EC key", "EC"),
    ("Ed25519", "EdDSA"),
    ("Ed448", "EdDSA"),
    ("X25519", "ECDH"),
    ("Diffie-Hellman", "FFDH"),
    ("ML-KEM", "ML-KEM"),
    ("ChaCha20-Poly1305", "ChaCha20-Poly1305"),
    ("3DES", "3DES"),
    ("AES", "AES"),
    ("PBKDF2", "PBKDF2"),
    ("HMAC", "HMAC"),
    ("Hmac", "HMAC"),
    ("RSA", "RSA"),
    ("MD5", "MD5"),
    ("SHA", "SHA"),
];

fn keys(name: &str, primitive: &str) -> Vec<Key> {
    let keygen = primitive == "keygen";
    let family = FAMILIES.iter().find(|(w, _)| name.contains(w)).map(|(_, f)| (*f).to_owned());
    let hash_re = Regex::new(r"SHA-?(512|384|256|224|1)").expect("pattern");
    let mut hashes: Vec<String> = hash_re.captures_iter(name).map(|c| format!("SHA-{}", &c[1])).collect();
    if name.contains("MD5") {
        hashes.push("MD5".to_owned());
    }
    hashes.dedup();
    let f = family.as_deref().unwrap_or("");
    let params: Vec<String> = match f {
        "AES" => {
            let r = Regex::new(r"\b(128|192|256)\b").expect("pattern");
            r.captures_iter(name).map(|c| c[1].to_owned()).collect()
        }
        "RSA" | "FFDH" => {
            let r = Regex::new(r"\b(\d{4})(?:-bit| bits|/)").expect("pattern");
            r.captures_iter(name).map(|c| c[1].to_owned()).collect()
        }
        "ML-KEM" => {
            vec![name.rsplit('-').next().unwrap_or("").chars().take_while(char::is_ascii_digit).collect()]
        }
        "EdDSA" if name.contains("Ed448") => vec!["Ed448".to_owned()],
        "EdDSA" => vec!["Ed25519".to_owned()],
        "ECDH" => vec!["X25519".to_owned()],
        _ => {
            let r = Regex::new(r"\b(P-(?:256|384|521)|secp256k1)\b").expect("pattern");
            r.captures_iter(name).map(|c| c[1].to_owned()).collect()
        }
    };
    let mode = ["CBC", "CTR", "GCM"].iter().find(|m| name.contains(*m)).map(|m| (*m).to_owned());
    let (family, hashes) = match (primitive, f) {
        // A hash label names the hash itself: its family is the digest's family.
        ("hash", _) => return hashes.iter().map(|h| hash_key(h)).collect(),
        (_, "SHA") => (None, hashes),
        _ => (family, hashes),
    };
    let hs: Vec<Option<String>> =
        if hashes.is_empty() { vec![None] } else { hashes.into_iter().map(Some).collect() };
    let ps: Vec<Option<String>> =
        if params.is_empty() { vec![None] } else { params.into_iter().map(Some).collect() };
    let mut out = Vec::new();
    for h in &hs {
        for p in &ps {
            out.push(Key {
                keygen,
                primitive: primitive.to_owned(),
                family: family.clone(),
                parameter: p.clone(),
                hash: h.clone(),
                mode: mode.clone(),
            });
        }
    }
    out
}

fn hash_key(h: &str) -> Key {
    let (family, parameter) = match h {
        "MD5" => ("MD5", None),
        "SHA-1" => ("SHA-1", None),
        other => ("SHA-2", other.strip_prefix("SHA-").map(str::to_owned)),
    };
    Key {
        keygen: false,
        primitive: "hash".to_owned(),
        family: Some(family.to_owned()),
        parameter,
        hash: None,
        mode: None,
    }
}

fn compat(label: &Option<String>, found: &Option<String>) -> bool {
    match (label.as_deref(), found.as_deref()) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn family_compat(label: &Option<String>, found: &Option<String>) -> bool {
    match (label.as_deref(), found.as_deref()) {
        (Some("EC"), Some(b)) => matches!(b, "EC" | "ECDSA" | "ECDH"),
        (Some(a), Some("EC")) => matches!(a, "ECDSA" | "ECDH"),
        (Some("RSA"), Some(b)) | (Some(b), Some("RSA")) => b.starts_with("RSA"),
        _ => compat(label, found),
    }
}

fn matches(k: &Key, a: &Algorithm) -> bool {
    let keygen = a.function == Function::Keygen;
    if k.keygen != keygen || (!k.keygen && k.primitive != a.primitive.as_str()) {
        return false;
    }
    family_compat(&k.family, &a.family)
        && compat(&k.parameter, &a.parameter)
        && compat(&k.hash, &a.hash)
        && compat(&k.mode, &a.mode)
}

fn digest_named(keys: &[Key], a: &Algorithm) -> bool {
    if a.primitive != Primitive::Hash {
        return false;
    }
    let name = match (a.family.as_deref(), a.parameter.as_deref()) {
        (Some("SHA-2"), Some(p)) => format!("SHA-{p}"),
        (Some(f), _) => f.to_owned(),
        _ => return false,
    };
    keys.iter().any(|k| k.hash.as_deref() == Some(name.as_str()))
}

#[test]
fn recall_and_precision_on_labelled_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crypto");
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels"))
            .expect("json");
    let (mut keys_total, mut keys_found, mut det_total, mut det_right) = (0, 0, 0, 0);
    for entry in labels.as_array().expect("array") {
        let file = entry["file"].as_str().expect("file").trim_start_matches("crypto/");
        if file.starts_with("pem/") {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture");
        let mut file_keys = Vec::new();
        for alg in entry["algorithms"].as_array().expect("algorithms") {
            let (name, prim) = (alg["name"].as_str().unwrap_or(""), alg["primitive"].as_str().unwrap_or(""));
            let notes = alg["notes"].as_str().unwrap_or("");
            if matches!(prim, "other" | "key" | "certificate") || notes.contains("not named in this file") {
                continue;
            }
            file_keys.extend(keys(name, prim));
        }
        let found = detect_file(file, &text);
        let missed: Vec<&Key> =
            file_keys.iter().filter(|k| !found.iter().any(|u| matches(k, &u.algorithm))).collect();
        let wrong: Vec<String> = found
            .iter()
            .filter(|u| {
                !file_keys.iter().any(|k| matches(k, &u.algorithm)) && !digest_named(&file_keys, &u.algorithm)
            })
            .map(|u| format!("{} @{:?}", u.algorithm.name(), u.lines))
            .collect();
        keys_total += file_keys.len();
        keys_found += file_keys.len() - missed.len();
        det_total += found.len();
        det_right += found.len() - wrong.len();
        println!(
            "{file}: recall {}/{}, precision {}/{}",
            file_keys.len() - missed.len(),
            file_keys.len(),
            found.len() - wrong.len(),
            found.len()
        );
        for k in missed {
            println!("    missed {k:?}");
        }
        for w in wrong {
            println!("    extra  {w}");
        }
    }
    let recall = keys_found as f64 / keys_total.max(1) as f64;
    let precision = det_right as f64 / det_total.max(1) as f64;
    println!(
        "overall: recall {keys_found}/{keys_total} = {:.1}%, precision {det_right}/{det_total} = {:.1}%",
        recall * 100.0,
        precision * 100.0
    );
    assert!(keys_total > 50 && det_total > 50, "the corpus must exercise the detector");
    assert!(recall >= 0.95, "recall {recall:.3} below 0.95");
    assert!(precision >= 0.95, "precision {precision:.3} below 0.95");
}
