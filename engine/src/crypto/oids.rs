//! Object identifiers of algorithms, for CycloneDX `cryptoProperties.oid`. Only OIDs a standard
//! assigns are listed, each row naming its source; an algorithm without one (AES-CTR, RC4,
//! SLH-DSA without its hash and variant) gets no `oid`.

use super::Algorithm;

/// `(family, parameter, mode, hash, oid, source)`. A field of `"*"` matches anything, `""` only
/// an absent value; modes compare case-insensitively. The first matching row wins.
pub const OIDS: &[(&str, &str, &str, &str, &str, &str)] = &[
    // PKCS #1 (RFC 8017, appendix A).
    ("RSA", "*", "*", "*", "1.2.840.113549.1.1.1", "RFC 8017 rsaEncryption"),
    ("RSAES-PKCS1", "*", "*", "*", "1.2.840.113549.1.1.1", "RFC 8017 rsaEncryption"),
    ("RSAES-OAEP", "*", "*", "*", "1.2.840.113549.1.1.7", "RFC 8017 id-RSAES-OAEP"),
    ("RSASSA-PSS", "*", "*", "*", "1.2.840.113549.1.1.10", "RFC 8017 id-RSASSA-PSS"),
    ("RSASSA-PKCS1", "*", "*", "MD5", "1.2.840.113549.1.1.4", "RFC 8017 md5WithRSAEncryption"),
    ("RSASSA-PKCS1", "*", "*", "SHA-1", "1.2.840.113549.1.1.5", "RFC 8017 sha1WithRSAEncryption"),
    ("RSASSA-PKCS1", "*", "*", "SHA-224", "1.2.840.113549.1.1.14", "RFC 8017 sha224WithRSAEncryption"),
    ("RSASSA-PKCS1", "*", "*", "SHA-256", "1.2.840.113549.1.1.11", "RFC 8017 sha256WithRSAEncryption"),
    ("RSASSA-PKCS1", "*", "*", "SHA-384", "1.2.840.113549.1.1.12", "RFC 8017 sha384WithRSAEncryption"),
    ("RSASSA-PKCS1", "*", "*", "SHA-512", "1.2.840.113549.1.1.13", "RFC 8017 sha512WithRSAEncryption"),
    // Elliptic curves (RFC 3279, RFC 5480, RFC 5758, RFC 8410).
    ("ECDSA", "*", "", "SHA-1", "1.2.840.10045.4.1", "RFC 3279 ecdsa-with-SHA1"),
    ("ECDSA", "*", "", "SHA-224", "1.2.840.10045.4.3.1", "RFC 5758 ecdsa-with-SHA224"),
    ("ECDSA", "*", "", "SHA-256", "1.2.840.10045.4.3.2", "RFC 5758 ecdsa-with-SHA256"),
    ("ECDSA", "*", "", "SHA-384", "1.2.840.10045.4.3.3", "RFC 5758 ecdsa-with-SHA384"),
    ("ECDSA", "*", "", "SHA-512", "1.2.840.10045.4.3.4", "RFC 5758 ecdsa-with-SHA512"),
    ("EC", "*", "", "", "1.2.840.10045.2.1", "RFC 5480 id-ecPublicKey"),
    ("ECDH", "X25519", "", "*", "1.3.101.110", "RFC 8410 id-X25519"),
    ("ECDH", "X448", "", "*", "1.3.101.111", "RFC 8410 id-X448"),
    ("ECDH", "*", "", "*", "1.3.132.1.12", "RFC 5480 id-ecDH"),
    ("EdDSA", "Ed25519", "", "", "1.3.101.112", "RFC 8410 id-Ed25519"),
    ("EdDSA", "Ed448", "", "", "1.3.101.113", "RFC 8410 id-Ed448"),
    // DSA and Diffie-Hellman (RFC 3279, RFC 5758).
    ("DSA", "*", "", "", "1.2.840.10040.4.1", "RFC 3279 id-dsa"),
    ("DSA", "*", "", "SHA-1", "1.2.840.10040.4.3", "RFC 3279 id-dsa-with-sha1"),
    ("DSA", "*", "", "SHA-256", "2.16.840.1.101.3.4.3.2", "RFC 5758 id-dsa-with-sha256"),
    ("FFDH", "*", "", "*", "1.2.840.10046.2.1", "RFC 3279 dhpublicnumber"),
    // Digests (RFC 3279; NIST CSOR hashAlgs).
    ("MD5", "*", "", "", "1.2.840.113549.2.5", "RFC 3279 id-md5"),
    ("SHA-1", "*", "", "", "1.3.14.3.2.26", "RFC 3279 id-sha1"),
    ("SHA-2", "224", "", "", "2.16.840.1.101.3.4.2.4", "NIST CSOR id-sha224"),
    ("SHA-2", "256", "", "", "2.16.840.1.101.3.4.2.1", "NIST CSOR id-sha256"),
    ("SHA-2", "384", "", "", "2.16.840.1.101.3.4.2.2", "NIST CSOR id-sha384"),
    ("SHA-2", "512", "", "", "2.16.840.1.101.3.4.2.3", "NIST CSOR id-sha512"),
    ("SHA-3", "256", "", "", "2.16.840.1.101.3.4.2.8", "NIST CSOR id-sha3-256"),
    ("SHA-3", "384", "", "", "2.16.840.1.101.3.4.2.9", "NIST CSOR id-sha3-384"),
    ("SHA-3", "512", "", "", "2.16.840.1.101.3.4.2.10", "NIST CSOR id-sha3-512"),
    // AES (NIST CSOR aes arc).
    ("AES", "128", "ECB", "", "2.16.840.1.101.3.4.1.1", "NIST CSOR aes128-ECB"),
    ("AES", "128", "CBC", "", "2.16.840.1.101.3.4.1.2", "NIST CSOR aes128-CBC"),
    ("AES", "128", "OFB", "", "2.16.840.1.101.3.4.1.3", "NIST CSOR aes128-OFB"),
    ("AES", "128", "CFB", "", "2.16.840.1.101.3.4.1.4", "NIST CSOR aes128-CFB"),
    ("AES", "128", "GCM", "", "2.16.840.1.101.3.4.1.6", "NIST CSOR aes128-GCM"),
    ("AES", "128", "CCM", "", "2.16.840.1.101.3.4.1.7", "NIST CSOR aes128-CCM"),
    ("AES", "192", "ECB", "", "2.16.840.1.101.3.4.1.21", "NIST CSOR aes192-ECB"),
    ("AES", "192", "CBC", "", "2.16.840.1.101.3.4.1.22", "NIST CSOR aes192-CBC"),
    ("AES", "192", "OFB", "", "2.16.840.1.101.3.4.1.23", "NIST CSOR aes192-OFB"),
    ("AES", "192", "CFB", "", "2.16.840.1.101.3.4.1.24", "NIST CSOR aes192-CFB"),
    ("AES", "192", "GCM", "", "2.16.840.1.101.3.4.1.26", "NIST CSOR aes192-GCM"),
    ("AES", "192", "CCM", "", "2.16.840.1.101.3.4.1.27", "NIST CSOR aes192-CCM"),
    ("AES", "256", "ECB", "", "2.16.840.1.101.3.4.1.41", "NIST CSOR aes256-ECB"),
    ("AES", "256", "CBC", "", "2.16.840.1.101.3.4.1.42", "NIST CSOR aes256-CBC"),
    ("AES", "256", "OFB", "", "2.16.840.1.101.3.4.1.43", "NIST CSOR aes256-OFB"),
    ("AES", "256", "CFB", "", "2.16.840.1.101.3.4.1.44", "NIST CSOR aes256-CFB"),
    ("AES", "256", "GCM", "", "2.16.840.1.101.3.4.1.46", "NIST CSOR aes256-GCM"),
    ("AES", "256", "CCM", "", "2.16.840.1.101.3.4.1.47", "NIST CSOR aes256-CCM"),
    // Other symmetric algorithms and KDFs (RFC 8018, RFC 8103, RFC 8619).
    ("3DES", "*", "CBC", "", "1.2.840.113549.3.7", "RFC 8018 des-EDE3-CBC"),
    ("DES", "*", "CBC", "", "1.3.14.3.2.7", "RFC 8018 desCBC"),
    ("ChaCha20-Poly1305", "*", "", "", "1.2.840.113549.1.9.16.3.18", "RFC 8103 id-alg-AEADChaCha20Poly1305"),
    ("HMAC", "*", "", "SHA-1", "1.2.840.113549.2.7", "RFC 8018 id-hmacWithSHA1"),
    ("HMAC", "*", "", "SHA-224", "1.2.840.113549.2.8", "RFC 8018 id-hmacWithSHA224"),
    ("HMAC", "*", "", "SHA-256", "1.2.840.113549.2.9", "RFC 8018 id-hmacWithSHA256"),
    ("HMAC", "*", "", "SHA-384", "1.2.840.113549.2.10", "RFC 8018 id-hmacWithSHA384"),
    ("HMAC", "*", "", "SHA-512", "1.2.840.113549.2.11", "RFC 8018 id-hmacWithSHA512"),
    ("PBKDF2", "*", "", "*", "1.2.840.113549.1.5.12", "RFC 8018 id-PBKDF2"),
    ("HKDF", "*", "", "SHA-256", "1.2.840.113549.1.9.16.3.28", "RFC 8619 id-alg-hkdf-with-sha256"),
    ("HKDF", "*", "", "SHA-384", "1.2.840.113549.1.9.16.3.29", "RFC 8619 id-alg-hkdf-with-sha384"),
    ("HKDF", "*", "", "SHA-512", "1.2.840.113549.1.9.16.3.30", "RFC 8619 id-alg-hkdf-with-sha512"),
    // FIPS 203 / 204 (NIST CSOR kems and sigAlgs arcs).
    ("ML-KEM", "512", "", "", "2.16.840.1.101.3.4.4.1", "NIST CSOR id-alg-ml-kem-512"),
    ("ML-KEM", "768", "", "", "2.16.840.1.101.3.4.4.2", "NIST CSOR id-alg-ml-kem-768"),
    ("ML-KEM", "1024", "", "", "2.16.840.1.101.3.4.4.3", "NIST CSOR id-alg-ml-kem-1024"),
    ("ML-DSA", "44", "", "", "2.16.840.1.101.3.4.3.17", "NIST CSOR id-ml-dsa-44"),
    ("ML-DSA", "65", "", "", "2.16.840.1.101.3.4.3.18", "NIST CSOR id-ml-dsa-65"),
    ("ML-DSA", "87", "", "", "2.16.840.1.101.3.4.3.19", "NIST CSOR id-ml-dsa-87"),
];

fn field(pattern: &str, value: Option<&str>) -> bool {
    match (pattern, value) {
        ("*", _) => true,
        ("", v) => v.is_none(),
        (p, Some(v)) => p.eq_ignore_ascii_case(v),
        (_, None) => false,
    }
}

/// The OID of `alg`, when a standard assigns one to exactly this algorithm.
pub fn oid(alg: &Algorithm) -> Option<&'static str> {
    let family = alg.family.as_deref()?;
    OIDS.iter()
        .find(|(f, p, m, h, _, _)| {
            *f == family
                && field(p, alg.parameter.as_deref())
                && field(m, alg.mode.as_deref())
                && field(h, alg.hash.as_deref())
        })
        .map(|row| row.4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::names::parse_spec;

    fn of(spec: &str) -> Option<&'static str> {
        oid(&parse_spec(spec).expect("spec"))
    }

    #[test]
    fn oids_of_the_common_algorithms() {
        assert_eq!(of("pke RSA param=2048 keygen"), Some("1.2.840.113549.1.1.1"));
        assert_eq!(of("signature RSASSA-PKCS1 hash=SHA-256"), Some("1.2.840.113549.1.1.11"));
        assert_eq!(of("signature ECDSA hash=SHA-256"), Some("1.2.840.10045.4.3.2"));
        assert_eq!(of("signature EdDSA param=Ed25519"), Some("1.3.101.112"));
        assert_eq!(of("ae AES param=256 mode=GCM"), Some("2.16.840.1.101.3.4.1.46"));
        assert_eq!(of("hash SHA-2 param=256"), Some("2.16.840.1.101.3.4.2.1"));
        assert_eq!(of("kem ML-KEM param=768"), Some("2.16.840.1.101.3.4.4.2"));
        assert_eq!(of("signature ML-DSA param=65"), Some("2.16.840.1.101.3.4.3.18"));
        // No standard OID: AES without a key size, AES-CTR, RC4, RSASSA-PKCS1 without its digest.
        assert_eq!(of("block-cipher AES"), None);
        assert_eq!(of("block-cipher AES param=128 mode=CTR"), None);
        assert_eq!(of("stream-cipher RC4"), None);
        assert_eq!(of("signature RSASSA-PKCS1"), None);
    }

    #[test]
    fn oids_are_dotted_numbers() {
        for row in OIDS {
            assert!(
                row.4.split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
                "{row:?}"
            );
        }
    }
}
