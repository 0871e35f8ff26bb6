//! Crypto libraries in the inventory: a data table from package (purl type and name) to library
//! family, and the resolution of a rule's owning family ([`super::rules::Lib`]) in one file.
//!
//! A family is one API: the rules that match its calls name it, and every inventory component
//! that belongs to it `provides` the algorithms those rules found (CycloneDX
//! `dependencies[].provides`). Bindings with a different API are different families (the Rust
//! `openssl` crate is `rust-openssl`, not the C library's `openssl`).

use packageurl::PackageUrl;
use std::str::FromStr;

/// One library family: its id (used by the rule tables), a display name and its packages as
/// `(purl type, name)`, where the name is `namespace/name` when the purl has a namespace and may
/// end in `*` to match a prefix. PyPI names compare case-insensitively with `_` as `-`.
#[derive(Debug)]
pub struct Family {
    /// The id the rule tables use.
    pub id: &'static str,
    /// What to call it.
    pub name: &'static str,
    /// Its packages.
    pub packages: &'static [(&'static str, &'static str)],
}

const fn fam(
    id: &'static str,
    name: &'static str,
    packages: &'static [(&'static str, &'static str)],
) -> Family {
    Family { id, name, packages }
}

/// Every crypto library family Cairn knows.
pub const FAMILIES: &[Family] = &[
    // C libraries and their system bindings.
    fam(
        "openssl",
        "OpenSSL",
        &[("conan", "openssl"), ("generic", "openssl"), ("cargo", "openssl-sys"), ("cargo", "openssl-src")],
    ),
    fam("boringssl", "BoringSSL", &[("conan", "boringssl"), ("generic", "boringssl")]),
    fam(
        "libsodium",
        "libsodium",
        &[("conan", "libsodium"), ("generic", "libsodium"), ("cargo", "libsodium-sys")],
    ),
    fam(
        "mbedtls",
        "Mbed TLS",
        &[("conan", "mbedtls"), ("generic", "mbedtls"), ("cargo", "mbedtls"), ("cargo", "mbedtls-sys-auto")],
    ),
    fam("wolfssl", "wolfSSL", &[("conan", "wolfssl"), ("generic", "wolfssl"), ("cargo", "wolfssl")]),
    fam(
        "liboqs",
        "liboqs (Open Quantum Safe)",
        &[
            ("conan", "liboqs"),
            ("generic", "liboqs"),
            ("cargo", "oqs"),
            ("cargo", "oqs-sys"),
            ("pypi", "liboqs-python"),
            ("golang", "github.com/open-quantum-safe/liboqs-go"),
            ("maven", "org.openquantumsafe/*"),
        ],
    ),
    // Rust.
    fam("ring", "ring", &[("cargo", "ring")]),
    fam(
        "aws-lc-rs",
        "AWS-LC (aws-lc-rs)",
        &[("cargo", "aws-lc-rs"), ("cargo", "aws-lc-sys"), ("cargo", "aws-lc-fips-sys")],
    ),
    fam("rustls", "rustls", &[("cargo", "rustls")]),
    fam("rust-openssl", "rust-openssl", &[("cargo", "openssl")]),
    fam("boring", "boring (BoringSSL for Rust)", &[("cargo", "boring"), ("cargo", "boring-sys")]),
    fam("sodiumoxide", "sodiumoxide", &[("cargo", "sodiumoxide")]),
    fam("rustcrypto-rsa", "RustCrypto rsa", &[("cargo", "rsa")]),
    fam("rustcrypto-p256", "RustCrypto p256", &[("cargo", "p256")]),
    fam("rustcrypto-p384", "RustCrypto p384", &[("cargo", "p384")]),
    fam("rustcrypto-p521", "RustCrypto p521", &[("cargo", "p521")]),
    fam("rustcrypto-k256", "RustCrypto k256", &[("cargo", "k256")]),
    fam("rustcrypto-aes-gcm", "RustCrypto aes-gcm", &[("cargo", "aes-gcm")]),
    fam("rustcrypto-chacha20poly1305", "RustCrypto chacha20poly1305", &[("cargo", "chacha20poly1305")]),
    fam("rustcrypto-ml-kem", "RustCrypto ml-kem", &[("cargo", "ml-kem")]),
    fam("rustcrypto-ml-dsa", "RustCrypto ml-dsa", &[("cargo", "ml-dsa")]),
    fam("rustcrypto-md5", "RustCrypto md-5", &[("cargo", "md-5")]),
    fam("rustcrypto-sha1", "RustCrypto sha1", &[("cargo", "sha1")]),
    fam("rustcrypto-sha2", "RustCrypto sha2", &[("cargo", "sha2")]),
    fam("rustcrypto-sha3", "RustCrypto sha3", &[("cargo", "sha3")]),
    fam("rustcrypto-hmac", "RustCrypto hmac", &[("cargo", "hmac")]),
    fam(
        "rustcrypto",
        "RustCrypto (other crates)",
        &[
            ("cargo", "aes"),
            ("cargo", "des"),
            ("cargo", "ecdsa"),
            ("cargo", "ed25519"),
            ("cargo", "pbkdf2"),
            ("cargo", "hkdf"),
            ("cargo", "argon2"),
            ("cargo", "scrypt"),
            ("cargo", "blake2"),
            ("cargo", "chacha20"),
            ("cargo", "slh-dsa"),
        ],
    ),
    fam("ed25519-dalek", "ed25519-dalek", &[("cargo", "ed25519-dalek")]),
    fam("x25519-dalek", "x25519-dalek", &[("cargo", "x25519-dalek")]),
    fam("jsonwebtoken-rs", "jsonwebtoken (Rust)", &[("cargo", "jsonwebtoken")]),
    // Java / JVM.
    fam(
        "bouncycastle",
        "Bouncy Castle",
        &[
            ("maven", "org.bouncycastle/*"),
            ("nuget", "BouncyCastle.Cryptography"),
            ("nuget", "Portable.BouncyCastle"),
        ],
    ),
    fam(
        "tink",
        "Tink",
        &[
            ("maven", "com.google.crypto.tink/*"),
            ("pypi", "tink"),
            ("golang", "github.com/tink-crypto/tink-go*"),
            ("golang", "github.com/google/tink/go"),
        ],
    ),
    fam("jjwt", "JJWT", &[("maven", "io.jsonwebtoken/*")]),
    fam("nimbus-jose-jwt", "Nimbus JOSE + JWT", &[("maven", "com.nimbusds/nimbus-jose-jwt")]),
    // Python.
    fam("pyca-cryptography", "pyca/cryptography", &[("pypi", "cryptography")]),
    fam("pycryptodome", "PyCryptodome", &[("pypi", "pycryptodome")]),
    fam("pycryptodomex", "PyCryptodomex", &[("pypi", "pycryptodomex")]),
    fam("pynacl", "PyNaCl", &[("pypi", "pynacl")]),
    fam("pyjwt", "PyJWT", &[("pypi", "pyjwt")]),
    fam("pyopenssl", "pyOpenSSL", &[("pypi", "pyopenssl")]),
    // JavaScript.
    fam("node-forge", "node-forge", &[("npm", "node-forge")]),
    fam("jsonwebtoken-js", "jsonwebtoken (Node)", &[("npm", "jsonwebtoken")]),
    fam("jose-js", "jose (panva)", &[("npm", "jose")]),
    fam("noble", "noble cryptography", &[("npm", "%40noble/*"), ("npm", "@noble/*")]),
    fam("crypto-js", "crypto-js", &[("npm", "crypto-js")]),
    fam(
        "libsodium-js",
        "libsodium.js / sodium-native",
        &[("npm", "libsodium-wrappers"), ("npm", "libsodium"), ("npm", "sodium-native")],
    ),
    // Go.
    fam("golang-x-crypto", "golang.org/x/crypto", &[("golang", "golang.org/x/crypto")]),
    fam("golang-jwt", "golang-jwt", &[("golang", "github.com/golang-jwt/jwt*")]),
    // Ruby, PHP.
    fam("rbnacl", "RbNaCl", &[("gem", "rbnacl")]),
    fam("ruby-jwt", "ruby-jwt", &[("gem", "jwt")]),
    fam("phpseclib", "phpseclib", &[("composer", "phpseclib/phpseclib")]),
    fam("php-jwt", "firebase/php-jwt", &[("composer", "firebase/php-jwt")]),
];

fn pypi_norm(s: &str) -> String {
    s.to_ascii_lowercase().replace(['_', '.'], "-")
}

fn name_matches(ty: &str, pattern: &str, name: &str) -> bool {
    let (name, pattern) = if ty == "pypi" {
        (pypi_norm(name), pypi_norm(pattern))
    } else {
        (name.to_owned(), pattern.to_owned())
    };
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// The library family of a package, from its purl; `None` for anything else (or a purl that
/// does not parse).
pub fn family_of(purl: &str) -> Option<&'static Family> {
    let p = PackageUrl::from_str(purl).ok()?;
    let ty = p.ty();
    let full = match p.namespace() {
        Some(ns) => format!("{ns}/{}", p.name()),
        None => p.name().to_owned(),
    };
    FAMILIES.iter().find(|f| f.packages.iter().any(|(t, n)| *t == ty && name_matches(ty, n, &full)))
}

/// True when `marker` occurs in `text` at the start of a word (`ring::` is not in `String::`).
fn has_marker(text: &str, marker: &str) -> bool {
    text.match_indices(marker)
        .any(|(at, _)| !text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_'))
}

/// The library family of an inventory component: its purl's, unless the component is the
/// project's own code (a local package named `ring` is not the ring library).
pub fn family_of_component(c: &crate::inventory::Component) -> Option<&'static Family> {
    if c.local { None } else { family_of(&c.purl) }
}

/// The family a rule's [`super::rules::Lib`] names in a file whose text is `text`: the first
/// alternative whose marker the file contains. `None` for the runtime (`""`) or when no marker
/// is present.
pub fn resolve(lib: &str, text: &str) -> Option<&'static str> {
    lib.split('|').filter(|a| !a.is_empty()).find_map(|alt| {
        let (marker, id) = match alt.split_once("=>") {
            Some((m, id)) => (Some(m), id),
            None => (None, alt),
        };
        if marker.is_some_and(|m| !has_marker(text, m)) {
            return None;
        }
        FAMILIES.iter().find(|f| f.id == id).map(|f| f.id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rules;

    #[test]
    fn packages_to_families() {
        let id = |p: &str| family_of(p).map(|f| f.id);
        assert_eq!(id("pkg:cargo/ring@0.17.8"), Some("ring"));
        assert_eq!(id("pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78"), Some("bouncycastle"));
        assert_eq!(id("pkg:pypi/PyCryptodome@3.20.0"), Some("pycryptodome"));
        assert_eq!(id("pkg:golang/golang.org/x/crypto@v0.21.0"), Some("golang-x-crypto"));
        assert_eq!(id("pkg:npm/%40noble/hashes@1.4.0"), Some("noble"));
        assert_eq!(id("pkg:cargo/serde@1.0.0"), None);
        assert_eq!(id("not a purl"), None);
    }

    #[test]
    fn every_rule_names_a_known_family() {
        for t in [
            rules::COMMON,
            rules::PYTHON,
            rules::JAVA,
            rules::GO,
            rules::JAVASCRIPT,
            rules::RUST,
            rules::C,
            rules::CSHARP,
            rules::PHP,
            rules::RUBY,
        ] {
            for (pat, _, lib) in t {
                for alt in lib.split('|').filter(|a| !a.is_empty()) {
                    let id = alt.split_once("=>").map_or(alt, |(_, id)| id);
                    assert!(FAMILIES.iter().any(|f| f.id == id), "{pat}: unknown library family {id}");
                }
            }
        }
    }

    #[test]
    fn markers_decide_between_libraries() {
        let lib = "ring::=>ring|aws_lc_rs::=>aws-lc-rs";
        assert_eq!(resolve(lib, "use ring::aead;"), Some("ring"));
        assert_eq!(resolve(lib, "use aws_lc_rs::aead;"), Some("aws-lc-rs"));
        assert_eq!(resolve(lib, "let s = String::new();"), None);
        assert_eq!(resolve("", "anything"), None);
        assert_eq!(resolve("node-forge", ""), Some("node-forge"));
    }
}
