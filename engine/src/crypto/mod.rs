//! Cryptographic inventory: find the algorithms a source tree uses, file by file, from data tables.
//!
//! A source file is blanked of comments ([`comments`]), then every rule of its language's table
//! ([`rules`]) runs over it. A rule either names an algorithm outright (`hashlib.sha256(`) or
//! captures a string literal at a known call (`Cipher.getInstance("AES/GCM/NoPadding")`) that the
//! shared name table ([`names`]) turns into an algorithm. Identical algorithms in one file merge into
//! one [`CryptoUse`] with every line they occur on.

pub mod apis;
pub mod comments;
pub mod detect;
pub mod flow;
pub mod imports;
pub mod inventory;
pub mod lang;
pub mod libraries;
pub mod material;
pub mod names;
pub mod oids;
pub mod protocol;
pub mod quantum;
pub mod rules;
pub mod stage;
pub mod symbols;

pub use detect::detect_file;
pub use lang::Language;

use serde::{Deserialize, Serialize};

/// The cryptographic primitive, as CycloneDX 1.6 `algorithmProperties.primitive` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Primitive {
    /// Message digest.
    Hash,
    /// Message authentication code.
    Mac,
    /// Block cipher in a non-authenticating mode.
    BlockCipher,
    /// Stream cipher.
    StreamCipher,
    /// Authenticated encryption.
    Ae,
    /// Digital signature.
    Signature,
    /// Public-key encryption.
    Pke,
    /// Key agreement.
    KeyAgree,
    /// Key encapsulation.
    Kem,
    /// Key derivation.
    Kdf,
}

impl Primitive {
    /// The CycloneDX spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Primitive::Hash => "hash",
            Primitive::Mac => "mac",
            Primitive::BlockCipher => "block-cipher",
            Primitive::StreamCipher => "stream-cipher",
            Primitive::Ae => "ae",
            Primitive::Signature => "signature",
            Primitive::Pke => "pke",
            Primitive::KeyAgree => "key-agree",
            Primitive::Kem => "kem",
            Primitive::Kdf => "kdf",
        }
    }
}

/// What the code does with the algorithm (CycloneDX `cryptoFunctions`), when the rule knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    /// Generates keys.
    Keygen,
    /// Signs or verifies, encrypts or decrypts, digests: the algorithm's ordinary use.
    Use,
}

/// One algorithm as the code uses it. Fields a rule cannot tell stay `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Algorithm {
    /// The primitive.
    pub primitive: Primitive,
    /// The family, as named in CycloneDX's cryptography-defs.json (`SHA-2`, `RSASSA-PSS`, `AES`),
    /// or `RSA` / `EC` where only the key type is known.
    pub family: Option<String>,
    /// The distinguishing parameter: digest or key bits (`256`), curve (`P-256`, `Ed25519`),
    /// parameter set (`768`).
    pub parameter: Option<String>,
    /// The digest a signature, MAC or KDF runs over (`SHA-256`).
    pub hash: Option<String>,
    /// Block-cipher mode (`CBC`, `GCM`).
    pub mode: Option<String>,
    /// Padding (`PKCS5`, `NoPadding`, `PKCS1v15`).
    pub padding: Option<String>,
    /// What the code does with it.
    pub function: Function,
    /// True when the parameter is the library's default rather than a literal at the call.
    pub assumed: bool,
}

impl Algorithm {
    /// An algorithm with only a primitive and a family.
    pub fn new(primitive: Primitive, family: &str) -> Self {
        Algorithm {
            primitive,
            family: Some(family.to_owned()),
            parameter: None,
            hash: None,
            mode: None,
            padding: None,
            function: Function::Use,
            assumed: false,
        }
    }

    /// A readable name: `RSASSA-PSS SHA-256`, `AES-256-GCM`, `SHA-2-384`.
    pub fn name(&self) -> String {
        let mut s = self.family.clone().unwrap_or_else(|| self.primitive.as_str().to_owned());
        for part in [&self.parameter, &self.mode].into_iter().flatten() {
            s.push('-');
            s.push_str(part);
        }
        if let Some(h) = &self.hash {
            s.push_str(" with ");
            s.push_str(h);
        }
        if let Some(p) = &self.padding {
            s.push_str(" padding ");
            s.push_str(p);
        }
        if self.function == Function::Keygen {
            s.push_str(" (key generation)");
        }
        s
    }
}

/// An algorithm found in one file, with every line it occurs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoUse {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Path relative to the scan root, `/`-separated.
    pub file: String,
    /// 1-based lines, ascending.
    pub lines: Vec<u32>,
    /// The file is a test (by path), so the use may not ship.
    pub in_test: bool,
    /// The library family whose API the use calls ([`libraries::FAMILIES`] id); `None` for the
    /// language runtime, certificates and keys, or a call no rule ties to one library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
}
