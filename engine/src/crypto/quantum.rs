//! Quantum and classical security levels per algorithm, the replacement to migrate to, and the
//! per-scan readiness score: methodology `cairn-cbom-v1` (docs/methodology.md). One versioned
//! table; change [`METHODOLOGY`] when a level or the formula changes.

use super::{Algorithm, CryptoUse, Function, Primitive};
use serde::Serialize;

/// The methodology these levels and the score follow.
pub const METHODOLOGY: &str = "cairn-cbom-v1";

/// `(family, parameter or "*", NIST quantum level, classical bits)`. NIST's categories: 1 = as
/// hard as AES-128 key search, 2 = SHA-256 collision, 3 = AES-192, 4 = SHA-384, 5 = AES-256. Shor's
/// algorithm breaks every RSA, finite-field and elliptic-curve scheme: level 0.
const LEVELS: &[(&str, &str, u8, Option<u16>)] = &[
    ("AES", "128", 1, Some(128)),
    ("AES", "192", 3, Some(192)),
    ("AES", "256", 5, Some(256)),
    ("ChaCha20", "*", 5, Some(256)),
    ("ChaCha20-Poly1305", "*", 5, Some(256)),
    ("SHA-2", "256", 2, Some(128)),
    ("SHA-2", "384", 4, Some(192)),
    ("SHA-2", "512", 5, Some(256)),
    ("SHA-3", "256", 2, Some(128)),
    ("SHA-3", "384", 4, Some(192)),
    ("SHA-3", "512", 5, Some(256)),
    ("ML-KEM", "512", 1, Some(128)),
    ("ML-KEM", "768", 3, Some(192)),
    ("ML-KEM", "1024", 5, Some(256)),
    ("ML-DSA", "44", 2, Some(128)),
    ("ML-DSA", "65", 3, Some(192)),
    ("ML-DSA", "87", 5, Some(256)),
    ("SLH-DSA", "128", 1, Some(128)),
    ("SLH-DSA", "192", 3, Some(192)),
    ("SLH-DSA", "256", 5, Some(256)),
    ("Falcon", "512", 1, Some(128)),
    ("Falcon", "1024", 5, Some(256)),
    ("MD5", "*", 0, None),
    ("SHA-1", "*", 0, None),
    ("DES", "*", 0, Some(56)),
    ("3DES", "*", 0, Some(112)),
    ("RC4", "*", 0, None),
];

/// Families Shor's algorithm breaks.
const SHOR: &[&str] = &[
    "RSA",
    "RSASSA-PKCS1",
    "RSASSA-PSS",
    "RSAES-PKCS1",
    "RSAES-OAEP",
    "DSA",
    "FFDH",
    "EC",
    "ECDSA",
    "ECDH",
    "EdDSA",
];

/// Families broken by classical attacks (collisions, tiny keys, biased keystreams).
const CLASSICALLY_BROKEN: &[&str] = &["MD5", "SHA-1", "DES", "3DES", "RC4", "MD4"];

/// What a quantum (and a classical) adversary does to one algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// NIST post-quantum security category 0–6, when the table rates the algorithm.
    pub nist_level: Option<u8>,
    /// Classical security in bits, when known.
    pub classical_bits: Option<u16>,
    /// Broken today, without a quantum computer.
    pub classically_broken: bool,
    /// What to migrate to, when the algorithm is quantum-vulnerable or weak.
    pub replacement: Option<&'static str>,
}

/// Classical bits of an RSA / finite-field key (NIST SP 800-57 part 1, table 2).
fn modulus_bits(size: u32) -> u16 {
    match size {
        0..=1023 => 0,
        1024..=2047 => 80,
        2048..=3071 => 112,
        3072..=7679 => 128,
        7680..=15359 => 192,
        _ => 256,
    }
}

fn curve_bits(curve: &str) -> Option<u16> {
    Some(match curve {
        "P-256" | "secp256k1" | "Ed25519" | "X25519" => 128,
        "P-384" => 192,
        "P-521" => 256,
        "Ed448" | "X448" => 224,
        "P-224" => 112,
        _ => return None,
    })
}

/// Rates one algorithm.
pub fn assess(alg: &Algorithm) -> Assessment {
    let family = alg.family.as_deref().unwrap_or("");
    let param = alg.parameter.as_deref().unwrap_or("");
    let mut out =
        Assessment { nist_level: None, classical_bits: None, classically_broken: false, replacement: None };
    if let Some((_, _, level, bits)) =
        LEVELS.iter().find(|(f, p, _, _)| *f == family && (*p == "*" || *p == param))
    {
        out.nist_level = Some(*level);
        out.classical_bits = *bits;
    } else if SHOR.contains(&family) {
        out.nist_level = Some(0);
        out.classical_bits = match param.parse::<u32>() {
            Ok(size) => Some(modulus_bits(size)),
            Err(_) => curve_bits(param),
        };
        let short_modulus = family.starts_with("RSA") || family == "FFDH" || family == "DSA";
        if short_modulus && param.parse::<u32>().is_ok_and(|s| s < 2048) {
            out.classically_broken = true;
        }
    }
    if CLASSICALLY_BROKEN.contains(&family) {
        out.classically_broken = true;
    }
    out.replacement = replacement(alg, &out);
    out
}

fn replacement(alg: &Algorithm, a: &Assessment) -> Option<&'static str> {
    let family = alg.family.as_deref().unwrap_or("");
    match family {
        "MD5" | "SHA-1" | "MD4" => return Some("SHA-256 or better"),
        "DES" | "3DES" | "RC4" => return Some("AES-256-GCM"),
        "AES" if alg.parameter.as_deref() != Some("256") => return Some("AES-256"),
        _ => {}
    }
    if a.nist_level != Some(0) {
        return None;
    }
    let signing = alg.primitive == Primitive::Signature
        || (alg.function == Function::Keygen && matches!(family, "EC" | "ECDSA" | "EdDSA" | "DSA"));
    Some(if signing { "ML-DSA-65" } else { "ML-KEM-768 or the X25519MLKEM768 hybrid" })
}

/// The post-quantum readiness of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// `round(100 × safe / rated)`; `None` when nothing shipped is rated.
    pub score: Option<u8>,
    /// Distinct shipped algorithms the table rates.
    pub rated: u32,
    /// Of those, at NIST level 1 or above and not classically broken.
    pub safe: u32,
    /// Of those, at level 0 or classically broken.
    pub vulnerable: u32,
}

/// Scores the distinct algorithms of `uses` outside test files.
pub fn readiness(uses: &[CryptoUse]) -> Readiness {
    let mut algs: Vec<&Algorithm> = uses.iter().filter(|u| !u.in_test).map(|u| &u.algorithm).collect();
    algs.sort();
    algs.dedup();
    let (mut rated, mut safe) = (0u32, 0u32);
    for a in algs {
        let s = assess(a);
        if let Some(level) = s.nist_level {
            rated += 1;
            if level >= 1 && !s.classically_broken {
                safe += 1;
            }
        }
    }
    let score = (rated > 0).then(|| u8::try_from((safe * 100 + rated / 2) / rated).unwrap_or(100));
    Readiness { score, rated, safe, vulnerable: rated - safe }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::names::parse_spec;

    fn rate(spec: &str) -> Assessment {
        assess(&parse_spec(spec).expect("spec"))
    }

    #[test]
    fn levels_from_the_issue() {
        assert_eq!(rate("block-cipher AES param=128").nist_level, Some(1));
        assert_eq!(rate("ae AES param=256 mode=GCM").nist_level, Some(5));
        assert_eq!(rate("hash SHA-2 param=384").nist_level, Some(4));
        assert_eq!(rate("kem ML-KEM param=768").nist_level, Some(3));
        assert_eq!(rate("signature ML-DSA param=44").nist_level, Some(2));
        let ecdsa = rate("signature ECDSA param=P-256");
        assert_eq!((ecdsa.nist_level, ecdsa.replacement), (Some(0), Some("ML-DSA-65")));
        let rsa = rate("pke RSA param=1024 keygen");
        assert!(rsa.classically_broken && rsa.nist_level == Some(0));
        assert!(!rate("pke RSA param=2048").classically_broken);
        assert_eq!(
            rate("key-agree ECDH param=X25519").replacement,
            Some("ML-KEM-768 or the X25519MLKEM768 hybrid")
        );
        let md5 = rate("hash MD5");
        assert!(md5.classically_broken && md5.replacement == Some("SHA-256 or better"));
        assert_eq!(rate("block-cipher AES param=128").replacement, Some("AES-256"));
        assert_eq!(rate("mac HMAC hash=SHA-256").nist_level, None);
    }

    #[test]
    fn score() {
        let use_of = |spec: &str, in_test: bool| CryptoUse {
            algorithm: parse_spec(spec).expect("spec"),
            file: "a.py".into(),
            lines: vec![1],
            in_test,
            library: None,
        };
        let uses = [
            use_of("ae AES param=256 mode=GCM", false),
            use_of("signature ECDSA param=P-256", false),
            use_of("hash SHA-2 param=256", false),
            use_of("hash MD5", false),
            use_of("hash SHA-1", true),
        ];
        let r = readiness(&uses);
        assert_eq!((r.rated, r.safe, r.vulnerable, r.score), (4, 2, 2, Some(50)));
        assert_eq!(readiness(&[]).score, None);
    }
}
