//! Passwords: argon2id hashes (PHC strings) and the length rule.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (argon2 takes any length; this bounds the work per request).
/// Counted in characters, as the minimum is and as the OpenAPI document's `maxLength` counts.
pub const MAX_LEN: usize = 1024;

/// Why a password was refused.
pub fn check_policy(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("must be at least {MIN_LEN} characters"));
    }
    if n > MAX_LEN {
        return Err(format!("must be at most {MAX_LEN} characters"));
    }
    Ok(())
}

/// An argon2id PHC string with a fresh salt.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string (false on a malformed hash too).
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// [`hash`] on the blocking pool (argon2 takes tens of milliseconds of CPU).
pub async fn hash_async(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| e.to_string())?
}

/// [`verify`] on the blocking pool.
pub async fn verify_async(password: String, phc: String) -> bool {
    #[cfg(test)]
    test_hook::record(&password);
    tokio::task::spawn_blocking(move || verify(&password, &phc)).await.unwrap_or(false)
}

/// Which passwords went through argon2 verification, so tests can prove the verify path ran
/// (timing would be flaky) without a global count that parallel tests would disturb.
#[cfg(test)]
pub mod test_hook {
    use std::sync::Mutex;

    static VERIFIED: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(super) fn record(password: &str) {
        if let Ok(mut v) = VERIFIED.lock() {
            v.push(password.to_owned());
        }
    }

    /// Whether `password` was verified against some hash.
    pub fn verified(password: &str) -> bool {
        VERIFIED.lock().is_ok_and(|v| v.iter().any(|p| p == password))
    }
}

/// A hash of a random password, to spend the same time when the account does not exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::secrets::random_alphanumeric(32)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_policy() {
        let h = hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("x", "not a phc string"));
        assert!(check_policy("short").is_err());
        assert!(check_policy("long enough pw").is_ok());
        // Characters, not bytes, on both ends (as the document's minLength and maxLength count).
        assert!(check_policy(&"é".repeat(MAX_LEN)).is_ok(), "1024 two-byte characters");
        assert!(check_policy(&"a".repeat(MAX_LEN + 1)).is_err());
    }
}
