//! Access tokens (HS256 JWTs, 15 minutes) and opaque refresh tokens (30 days, single use).

use cairn_sdk::types::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::secrets::{random_alphanumeric, sha256_hex};

/// Access token lifetime in seconds.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Refresh token lifetime.
pub const REFRESH_TTL: time::Duration = time::Duration::days(30);

/// The claims Cairn puts in an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    iss: String,
    jti: String,
    /// The user's token version when issued; absent in tokens from before versions existed
    /// (they read as 0, the version every user started with).
    #[serde(default)]
    ver: i64,
}

/// What a valid access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user.
    pub user: UserId,
    /// Their token version at issue; a token whose version is not the user's current one is void.
    pub version: i64,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(…)")
    }
}

const ISSUER: &str = "cairnd";

impl JwtKeys {
    /// Keys from a shared secret.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// A signed access token for `user` at token version `version`.
    pub fn issue(&self, user: UserId, version: i64) -> Result<String, jsonwebtoken::errors::Error> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: user.to_string(),
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            iss: ISSUER.into(),
            jti: uuid::Uuid::now_v7().to_string(),
            ver: version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a validly signed, unexpired token (the caller compares the version).
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        Some(AccessClaims { user: data.claims.sub.parse().ok()?, version: data.claims.ver })
    }
}

/// A new refresh token and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let token = format!("crt_{}", random_alphanumeric(43));
    let hash = sha256_hex(token.as_bytes());
    (token, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_and_verify() {
        let keys = JwtKeys::from_secret(b"k1");
        let user = UserId::new();
        let token = keys.issue(user, 3).expect("issue");
        assert_eq!(keys.verify(&token), Some(AccessClaims { user, version: 3 }));
        assert_eq!(JwtKeys::from_secret(b"k2").verify(&token), None);
        assert_eq!(keys.verify("garbage"), None);
    }
}
