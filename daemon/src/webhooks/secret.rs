//! Webhook signing secrets: generated or given, kept at rest sealed with the daemon's git
//! credentials key when it has one (`sealed:<base64>`, the tenant id as associated data), else
//! as they are (`plain:<secret>`). HMAC signing needs the secret itself, so it cannot be hashed.

use cairn_sdk::types::TenantId;

use crate::auth::secrets::random_alphanumeric;
use crate::sources::credential_key::{CredentialKey, SealError};

const SEALED: &str = "sealed:";
const PLAIN: &str = "plain:";
/// Shortest and longest secret a caller may choose.
pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 16..=256;

/// Why a stored secret cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Sealed, but the daemon has no key (now) or a different one.
    #[error("the webhook secret is sealed and does not open with this daemon's git credentials key")]
    Sealed,
    /// Neither form.
    #[error("the stored webhook secret is in no known form")]
    Corrupt,
    /// Sealing failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// A fresh secret: `whsec_` and 32 random alphanumerics (190 bits).
pub fn generate() -> String {
    format!("whsec_{}", random_alphanumeric(32))
}

/// Why `secret` is not acceptable as a caller-chosen secret.
pub fn check(secret: &str) -> Result<(), String> {
    if !SECRET_LEN.contains(&secret.len()) {
        return Err(format!("must hold {} to {} characters", SECRET_LEN.start(), SECRET_LEN.end()));
    }
    if !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err("must be printable ASCII without spaces".into());
    }
    Ok(())
}

/// `secret` in its at-rest form.
pub fn store(key: Option<&CredentialKey>, tenant: TenantId, secret: &str) -> Result<String, SecretError> {
    Ok(match key {
        Some(key) => format!("{SEALED}{}", key.seal(tenant, secret.as_bytes())?),
        None => format!("{PLAIN}{secret}"),
    })
}

/// The secret from its at-rest form.
pub fn open(key: Option<&CredentialKey>, tenant: TenantId, stored: &str) -> Result<String, SecretError> {
    if let Some(plain) = stored.strip_prefix(PLAIN) {
        return Ok(plain.to_owned());
    }
    let sealed = stored.strip_prefix(SEALED).ok_or(SecretError::Corrupt)?;
    let key = key.ok_or(SecretError::Sealed)?;
    let bytes = key.open(tenant, sealed).map_err(|_| SecretError::Sealed)?;
    String::from_utf8(bytes).map_err(|_| SecretError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_sealed_or_plain() {
        let tenant = TenantId::new();
        let secret = generate();
        assert!(secret.starts_with("whsec_") && secret.len() == 38 && check(&secret).is_ok());
        let plain = store(None, tenant, &secret).expect("store");
        assert_eq!(open(None, tenant, &plain).expect("open"), secret);
        let key = CredentialKey::from_bytes(&[9u8; 32]).expect("key");
        let sealed = store(Some(&key), tenant, &secret).expect("seal");
        assert!(!sealed.contains(&secret));
        assert_eq!(open(Some(&key), tenant, &sealed).expect("open"), secret);
        assert!(matches!(open(None, tenant, &sealed), Err(SecretError::Sealed)));
        assert!(matches!(open(Some(&key), TenantId::new(), &sealed), Err(SecretError::Sealed)));
        assert!(check("short").is_err() && check("has a space in it ok").is_err());
    }
}
