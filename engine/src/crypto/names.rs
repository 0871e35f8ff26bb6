//! The shared table of algorithm names as they appear in string literals: JCA standard names and
//! transformations, OpenSSL / Node cipher and digest names, JOSE `alg` values and SSH algorithm
//! names. Names are compared case-insensitively with `-`, `_` and spaces dropped, so `SHA-256`,
//! `sha256` and `SHA_256` are one entry.
//!
//! Each entry is a line of data: `name => primitive family [param=..] [hash=..] [mode=..] [pad=..]
//! [keygen]`. Entries in [`DISTINCT`] are specific enough to count in any string literal; those in
//! [`AT_CALL`] only when a rule captures them at a crypto call (`"RSA"` alone is just a word).

use super::{Algorithm, Function, Primitive};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Names that identify an algorithm wherever they appear as a whole string literal.
pub const DISTINCT: &[(&str, &str)] = &[
    // JOSE (RFC 7518) `alg` values.
    ("HS256", "mac HMAC hash=SHA-256"),
    ("HS384", "mac HMAC hash=SHA-384"),
    ("HS512", "mac HMAC hash=SHA-512"),
    ("RS256", "signature RSASSA-PKCS1 hash=SHA-256"),
    ("RS384", "signature RSASSA-PKCS1 hash=SHA-384"),
    ("RS512", "signature RSASSA-PKCS1 hash=SHA-512"),
    ("PS256", "signature RSASSA-PSS hash=SHA-256"),
    ("PS384", "signature RSASSA-PSS hash=SHA-384"),
    ("PS512", "signature RSASSA-PSS hash=SHA-512"),
    ("ES256", "signature ECDSA param=P-256 hash=SHA-256"),
    ("ES256K", "signature ECDSA param=secp256k1 hash=SHA-256"),
    ("ES384", "signature ECDSA param=P-384 hash=SHA-384"),
    ("ES512", "signature ECDSA param=P-521 hash=SHA-512"),
    ("ES521", "signature ECDSA param=P-521 hash=SHA-512"),
    ("EdDSA", "signature EdDSA"),
    ("Ed25519", "signature EdDSA param=Ed25519"),
    ("Ed448", "signature EdDSA param=Ed448"),
    // JOSE `enc` values and key management (RFC 7518), and the ML-DSA / ML-KEM JOSE and COSE ids.
    ("A128GCM", "ae AES param=128 mode=GCM"),
    ("A192GCM", "ae AES param=192 mode=GCM"),
    ("A256GCM", "ae AES param=256 mode=GCM"),
    ("A128CBC-HS256", "block-cipher AES param=128 mode=CBC"),
    ("A192CBC-HS384", "block-cipher AES param=192 mode=CBC"),
    ("A256CBC-HS512", "block-cipher AES param=256 mode=CBC"),
    ("A128KW", "block-cipher AES param=128 mode=KW"),
    ("A192KW", "block-cipher AES param=192 mode=KW"),
    ("A256KW", "block-cipher AES param=256 mode=KW"),
    ("A128GCMKW", "ae AES param=128 mode=GCM"),
    ("A256GCMKW", "ae AES param=256 mode=GCM"),
    ("RSA-OAEP-256", "pke RSAES-OAEP hash=SHA-256"),
    ("RSA1_5", "pke RSAES-PKCS1"),
    ("ECDH-ES", "key-agree ECDH"),
    ("ECDH-ES+A128KW", "key-agree ECDH"),
    ("ECDH-ES+A256KW", "key-agree ECDH"),
    ("PBES2-HS256+A128KW", "kdf PBKDF2 hash=SHA-256"),
    ("PBES2-HS512+A256KW", "kdf PBKDF2 hash=SHA-512"),
    ("ML-DSA-44", "signature ML-DSA param=44"),
    ("ML-DSA-65", "signature ML-DSA param=65"),
    ("ML-DSA-87", "signature ML-DSA param=87"),
    ("ML-KEM-512", "kem ML-KEM param=512"),
    ("ML-KEM-768", "kem ML-KEM param=768"),
    ("ML-KEM-1024", "kem ML-KEM param=1024"),
    // X.509 / OpenSSL signature algorithm names.
    ("sha1WithRSAEncryption", "signature RSASSA-PKCS1 hash=SHA-1"),
    ("sha256WithRSAEncryption", "signature RSASSA-PKCS1 hash=SHA-256"),
    ("sha384WithRSAEncryption", "signature RSASSA-PKCS1 hash=SHA-384"),
    ("sha512WithRSAEncryption", "signature RSASSA-PKCS1 hash=SHA-512"),
    ("ecdsa-with-SHA256", "signature ECDSA hash=SHA-256"),
    ("ecdsa-with-SHA384", "signature ECDSA hash=SHA-384"),
    ("ecdsa-with-SHA512", "signature ECDSA hash=SHA-512"),
    // SSH (RFC 4253, 5656, 8332, 8731, draft-kampanakis-curdle-ssh-pq-ke).
    ("ssh-rsa", "signature RSASSA-PKCS1 hash=SHA-1"),
    ("rsa-sha2-256", "signature RSASSA-PKCS1 hash=SHA-256"),
    ("rsa-sha2-512", "signature RSASSA-PKCS1 hash=SHA-512"),
    ("ssh-ed25519", "signature EdDSA param=Ed25519"),
    ("ecdsa-sha2-nistp256", "signature ECDSA param=P-256 hash=SHA-256"),
    ("ecdsa-sha2-nistp384", "signature ECDSA param=P-384 hash=SHA-384"),
    ("ecdsa-sha2-nistp521", "signature ECDSA param=P-521 hash=SHA-512"),
    ("diffie-hellman-group14-sha1", "key-agree FFDH param=2048 hash=SHA-1"),
    ("diffie-hellman-group14-sha256", "key-agree FFDH param=2048 hash=SHA-256"),
    ("diffie-hellman-group16-sha512", "key-agree FFDH param=4096 hash=SHA-512"),
    ("curve25519-sha256", "key-agree ECDH param=X25519 hash=SHA-256"),
    ("mlkem768x25519-sha256", "kem ML-KEM param=768 hash=SHA-256"),
    // TLS hybrid group (draft-ietf-tls-ecdhe-mlkem): rated by its post-quantum part.
    ("X25519MLKEM768", "kem ML-KEM param=768"),
    ("sntrup761x25519-sha512", "kem NTRU-Prime param=sntrup761 hash=SHA-512"),
    ("3des-cbc", "block-cipher 3DES mode=CBC"),
    ("aes128-cbc", "block-cipher AES param=128 mode=CBC"),
    ("aes192-cbc", "block-cipher AES param=192 mode=CBC"),
    ("aes256-cbc", "block-cipher AES param=256 mode=CBC"),
    ("aes128-ctr", "block-cipher AES param=128 mode=CTR"),
    ("aes192-ctr", "block-cipher AES param=192 mode=CTR"),
    ("aes256-ctr", "block-cipher AES param=256 mode=CTR"),
    ("aes128-gcm@openssh.com", "ae AES param=128 mode=GCM"),
    ("aes256-gcm@openssh.com", "ae AES param=256 mode=GCM"),
    ("chacha20-poly1305@openssh.com", "ae ChaCha20-Poly1305"),
    // JCA names specific enough to stand alone.
    ("SHA1withRSA", "signature RSASSA-PKCS1 hash=SHA-1"),
    ("SHA256withRSA", "signature RSASSA-PKCS1 hash=SHA-256"),
    ("SHA384withRSA", "signature RSASSA-PKCS1 hash=SHA-384"),
    ("SHA512withRSA", "signature RSASSA-PKCS1 hash=SHA-512"),
    ("MD5withRSA", "signature RSASSA-PKCS1 hash=MD5"),
    ("RSASSA-PSS", "signature RSASSA-PSS"),
    ("SHA256withRSA/PSS", "signature RSASSA-PSS hash=SHA-256"),
    ("SHA384withRSA/PSS", "signature RSASSA-PSS hash=SHA-384"),
    ("SHA512withRSA/PSS", "signature RSASSA-PSS hash=SHA-512"),
    ("SHA1withECDSA", "signature ECDSA hash=SHA-1"),
    ("SHA256withECDSA", "signature ECDSA hash=SHA-256"),
    ("SHA384withECDSA", "signature ECDSA hash=SHA-384"),
    ("SHA512withECDSA", "signature ECDSA hash=SHA-512"),
    ("SHA256withDSA", "signature DSA hash=SHA-256"),
    ("SHA1withDSA", "signature DSA hash=SHA-1"),
    ("HmacMD5", "mac HMAC hash=MD5"),
    ("HmacSHA1", "mac HMAC hash=SHA-1"),
    ("HmacSHA224", "mac HMAC hash=SHA-224"),
    ("HmacSHA256", "mac HMAC hash=SHA-256"),
    ("HmacSHA384", "mac HMAC hash=SHA-384"),
    ("HmacSHA512", "mac HMAC hash=SHA-512"),
    ("PBKDF2WithHmacSHA1", "kdf PBKDF2 hash=SHA-1"),
    ("PBKDF2WithHmacSHA256", "kdf PBKDF2 hash=SHA-256"),
    ("PBKDF2WithHmacSHA384", "kdf PBKDF2 hash=SHA-384"),
    ("PBKDF2WithHmacSHA512", "kdf PBKDF2 hash=SHA-512"),
    // OpenSSL / Node names specific enough to stand alone.
    ("aes-128-cbc", "block-cipher AES param=128 mode=CBC"),
    ("aes-192-cbc", "block-cipher AES param=192 mode=CBC"),
    ("aes-256-cbc", "block-cipher AES param=256 mode=CBC"),
    ("aes-128-ctr", "block-cipher AES param=128 mode=CTR"),
    ("aes-256-ctr", "block-cipher AES param=256 mode=CTR"),
    ("aes-128-gcm", "ae AES param=128 mode=GCM"),
    ("aes-192-gcm", "ae AES param=192 mode=GCM"),
    ("aes-256-gcm", "ae AES param=256 mode=GCM"),
    ("aes-128-ecb", "block-cipher AES param=128 mode=ECB"),
    ("aes-256-ecb", "block-cipher AES param=256 mode=ECB"),
    ("des-ede3-cbc", "block-cipher 3DES mode=CBC"),
    ("des-cbc", "block-cipher DES mode=CBC"),
    ("chacha20-poly1305", "ae ChaCha20-Poly1305"),
    ("RSA-SHA1", "signature RSASSA-PKCS1 hash=SHA-1"),
    ("RSA-SHA256", "signature RSASSA-PKCS1 hash=SHA-256"),
    ("RSA-SHA384", "signature RSASSA-PKCS1 hash=SHA-384"),
    ("RSA-SHA512", "signature RSASSA-PKCS1 hash=SHA-512"),
];

/// Names counted only where a rule captures them at a crypto call.
pub const AT_CALL: &[(&str, &str)] = &[
    ("MD5", "hash MD5"),
    ("MD4", "hash MD4"),
    ("SHA", "hash SHA-1"),
    ("SHA1", "hash SHA-1"),
    ("SHA224", "hash SHA-2 param=224"),
    ("SHA256", "hash SHA-2 param=256"),
    ("SHA384", "hash SHA-2 param=384"),
    ("SHA512", "hash SHA-2 param=512"),
    ("SHA3-256", "hash SHA-3 param=256"),
    ("SHA3-384", "hash SHA-3 param=384"),
    ("SHA3-512", "hash SHA-3 param=512"),
    ("RIPEMD160", "hash RIPEMD param=160"),
    ("AES", "block-cipher AES"),
    ("aes128", "block-cipher AES param=128 mode=CBC"),
    ("aes192", "block-cipher AES param=192 mode=CBC"),
    ("aes256", "block-cipher AES param=256 mode=CBC"),
    ("DES", "block-cipher DES"),
    ("DESede", "block-cipher 3DES"),
    ("TripleDES", "block-cipher 3DES"),
    ("RC4", "stream-cipher RC4"),
    ("ARCFOUR", "stream-cipher RC4"),
    ("Blowfish", "block-cipher Blowfish"),
    ("ChaCha20", "stream-cipher ChaCha20"),
    ("RSA", "pke RSA"),
    ("EC", "signature EC"),
    ("DSA", "signature DSA"),
    ("DH", "key-agree FFDH"),
    ("DiffieHellman", "key-agree FFDH"),
    ("ECDH", "key-agree ECDH"),
    ("X25519", "key-agree ECDH param=X25519"),
    ("X448", "key-agree ECDH param=X448"),
    ("ECDSA", "signature ECDSA"),
    ("PBKDF2", "kdf PBKDF2"),
    // WebCrypto algorithm names (the digest, when given, is read by the rule).
    ("AES-GCM", "ae AES mode=GCM"),
    ("AES-CBC", "block-cipher AES mode=CBC"),
    ("AES-CTR", "block-cipher AES mode=CTR"),
    ("AES-KW", "block-cipher AES mode=KW"),
    ("RSA-PSS", "signature RSASSA-PSS"),
    ("RSASSA-PKCS1-v1_5", "signature RSASSA-PKCS1"),
    ("RSA-OAEP", "pke RSAES-OAEP"),
    ("HMAC", "mac HMAC"),
    ("HKDF", "kdf HKDF"),
    // OpenSSL object names without a mode of their own.
    ("des-ede3", "block-cipher 3DES mode=ECB"),
    ("des-ede", "block-cipher 3DES mode=ECB"),
    ("des-ede-cbc", "block-cipher 3DES mode=CBC"),
    ("rsaEncryption", "pke RSA"),
    ("rsassaPss", "signature RSASSA-PSS"),
    ("sha512-256", "hash SHA-2 param=512/256"),
    ("blake2b512", "hash BLAKE2b param=512"),
    ("blake2s256", "hash BLAKE2s param=256"),
    ("sm3", "hash SM3"),
    ("ripemd160", "hash RIPEMD param=160"),
];

/// Normalises a name for lookup: lower case without `-`, `_` or spaces.
pub fn key(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect()
}

/// Parses one entry's description; `None` for a malformed line (the unit test below reads every
/// line, so a typo fails the tests rather than silently dropping an entry).
pub fn parse_spec(spec: &str) -> Option<Algorithm> {
    let mut words = spec.split_whitespace();
    let primitive = match words.next()? {
        "hash" => Primitive::Hash,
        "mac" => Primitive::Mac,
        "block-cipher" => Primitive::BlockCipher,
        "stream-cipher" => Primitive::StreamCipher,
        "ae" => Primitive::Ae,
        "signature" => Primitive::Signature,
        "pke" => Primitive::Pke,
        "key-agree" => Primitive::KeyAgree,
        "kem" => Primitive::Kem,
        "kdf" => Primitive::Kdf,
        _ => return None,
    };
    let mut alg = Algorithm::new(primitive, words.next()?);
    for w in words {
        match w.split_once('=') {
            Some(("param", v)) => alg.parameter = Some(v.to_owned()),
            Some(("hash", v)) => alg.hash = Some(v.to_owned()),
            Some(("mode", v)) => alg.mode = Some(v.to_owned()),
            Some(("pad", v)) => alg.padding = Some(v.to_owned()),
            None if w == "keygen" => alg.function = Function::Keygen,
            _ => return None,
        }
    }
    Some(alg)
}

struct Tables {
    distinct: HashMap<String, Algorithm>,
    all: HashMap<String, Algorithm>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let load = |t: &[(&str, &str)]| {
            t.iter().filter_map(|(n, s)| Some((key(n), parse_spec(s)?))).collect::<HashMap<_, _>>()
        };
        let distinct = load(DISTINCT);
        let mut all = load(AT_CALL);
        all.extend(distinct.clone());
        Tables { distinct, all }
    })
}

/// The algorithm a whole string literal names on its own (JOSE, SSH, JCA signature names).
pub fn distinct(literal: &str) -> Option<Algorithm> {
    tables().distinct.get(&key(literal)).cloned()
}

/// The algorithm a name captured at a crypto call stands for. JCA transformations
/// (`AES/GCM/NoPadding`, `RSA/ECB/OAEPWithSHA-256AndMGF1Padding`) are split into algorithm, mode and
/// padding.
pub fn at_call(name: &str) -> Option<Algorithm> {
    let t = tables();
    if let Some(a) = t.all.get(&key(name)) {
        return Some(a.clone());
    }
    if let Some(alg) = openssl_cipher(name) {
        return Some(alg);
    }
    let mut parts = name.split('/');
    let mut alg = t.all.get(&key(parts.next()?)).cloned()?;
    if let Some(mode) = parts.next().filter(|m| !m.is_empty()) {
        let mode = mode.to_ascii_uppercase();
        if matches!(mode.as_str(), "GCM" | "CCM") {
            alg.primitive = Primitive::Ae;
        }
        if mode != "NONE" {
            alg.mode = Some(mode);
        }
    }
    if let Some(pad) = parts.next().filter(|p| !p.is_empty()) {
        let lower = pad.to_ascii_lowercase();
        if lower.starts_with("oaep") && alg.family.as_deref() == Some("RSA") {
            alg.family = Some("RSAES-OAEP".to_owned());
        } else if alg.family.as_deref() == Some("RSA") && lower.starts_with("pkcs1") {
            alg.family = Some("RSAES-PKCS1".to_owned());
        }
        alg.padding = Some(pad.trim_end_matches("Padding").to_owned());
    }
    Some(alg)
}

/// An OpenSSL-style cipher name the table does not list: `aes_192_ofb`, `aes-128-cfb8`,
/// `camellia-256-cbc`, `aria_128_gcm`: family, key bits and mode read from its parts.
fn openssl_cipher(name: &str) -> Option<Algorithm> {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let family = match parts.next()? {
        "aes" => "AES",
        "camellia" => "Camellia",
        "aria" => "ARIA",
        "sm4" => "SM4",
        _ => return None,
    };
    let bits = parts.next().filter(|b| matches!(*b, "128" | "192" | "256"))?;
    let mode = parts.next()?;
    let mode: String =
        mode.chars().take_while(char::is_ascii_alphabetic).collect::<String>().to_ascii_uppercase();
    if !matches!(
        mode.as_str(),
        "CBC" | "CTR" | "ECB" | "CFB" | "OFB" | "GCM" | "CCM" | "XTS" | "OCB" | "WRAP"
    ) || parts.next().is_some_and(|p| !p.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return None;
    }
    let primitive =
        if matches!(mode.as_str(), "GCM" | "CCM" | "OCB") { Primitive::Ae } else { Primitive::BlockCipher };
    Some(Algorithm {
        parameter: Some(bits.to_owned()),
        mode: Some(mode),
        ..Algorithm::new(primitive, family)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_line_parses() {
        for (name, spec) in DISTINCT.iter().chain(AT_CALL) {
            assert!(parse_spec(spec).is_some(), "{name}: {spec}");
        }
    }

    #[test]
    fn transformations() {
        let a = at_call("AES/GCM/NoPadding").expect("known");
        assert_eq!(
            (a.primitive, a.mode.as_deref(), a.padding.as_deref()),
            (Primitive::Ae, Some("GCM"), Some("No"))
        );
        let r = at_call("RSA/ECB/OAEPWithSHA-256AndMGF1Padding").expect("known");
        assert_eq!(r.family.as_deref(), Some("RSAES-OAEP"));
        assert_eq!(distinct("hs256").and_then(|a| a.hash), Some("SHA-256".to_owned()));
        assert!(distinct("RSA").is_none() && at_call("RSA").is_some());
    }
}
