//! API key format: `crn_live_<16 lookup>_<32 secret>` (or `crn_test_`), alphanumeric parts.

use cairn_sdk::types::ApiKeyEnvironment;
use subtle::ConstantTimeEq;

use super::secrets::{random_alphanumeric, sha256_hex};

/// Length of the public lookup part.
pub const LOOKUP_LEN: usize = 16;
/// Length of the secret part.
pub const SECRET_LEN: usize = 32;

/// A freshly minted key.
#[derive(Debug, Clone)]
pub struct Minted {
    /// The full key, shown once.
    pub full: String,
    /// The lookup part (stored in clear, indexed).
    pub lookup: String,
    /// Hex SHA-256 of the secret part (stored).
    pub secret_hash: String,
}

/// Makes a new key.
pub fn mint(env: ApiKeyEnvironment) -> Minted {
    let lookup = random_alphanumeric(LOOKUP_LEN);
    let secret = random_alphanumeric(SECRET_LEN);
    let prefix = match env {
        ApiKeyEnvironment::Live => "crn_live_",
        ApiKeyEnvironment::Test => "crn_test_",
    };
    Minted { full: format!("{prefix}{lookup}_{secret}"), secret_hash: sha256_hex(secret.as_bytes()), lookup }
}

/// `(lookup, secret)` if `token` looks like a Cairn API key.
pub fn parse(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("crn_live_").or_else(|| token.strip_prefix("crn_test_"))?;
    let (lookup, secret) = rest.split_once('_')?;
    let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (ok(lookup, LOOKUP_LEN) && ok(secret, SECRET_LEN)).then_some((lookup, secret))
}

/// Constant-time comparison of the presented secret against the stored hash.
pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    sha256_hex(secret.as_bytes()).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_parse_and_verify() {
        let k = mint(ApiKeyEnvironment::Live);
        assert!(k.full.starts_with("crn_live_"));
        assert_eq!(k.full.len(), 9 + 16 + 1 + 32);
        let (lookup, secret) = parse(&k.full).expect("parses");
        assert_eq!(lookup, k.lookup);
        assert!(secret_matches(secret, &k.secret_hash));
        assert!(!secret_matches("x", &k.secret_hash));
        assert!(parse("crn_live_short_x").is_none());
        assert!(parse("crn_prod_0123456789abcdef_0123456789abcdef0123456789abcdef").is_none());
        assert!(mint(ApiKeyEnvironment::Test).full.starts_with("crn_test_"));
    }
}
