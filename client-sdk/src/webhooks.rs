//! Webhook signatures (Stripe's scheme): `Cairn-Signature: t=<unix seconds>,v1=<hex>` where the
//! hex is HMAC-SHA256, keyed with the webhook's secret, of `"<t>.<body>"`. During a secret
//! rotation the header carries one `v1=` per valid secret. The daemon signs with [`sign`]; a
//! receiver checks with [`verify`].
//!
//! ```
//! use std::time::Duration;
//! let secret = "whsec_example_secret_0123456789";
//! let body = br#"{"id":"0193","type":"scan.completed"}"#;
//! let header = cairn_sdk::webhooks::sign(&[secret], cairn_sdk::webhooks::unix_now(), body);
//! cairn_sdk::webhooks::verify(secret, &header, body, Duration::from_secs(300)).expect("valid");
//! assert!(cairn_sdk::webhooks::verify("another-secret-0123", &header, body, Duration::from_secs(300)).is_err());
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::hmac;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Cairn-Signature";
/// The header naming the event kind (`scan.completed`, …).
pub const EVENT_HEADER: &str = "Cairn-Event";
/// The header carrying the delivery id (the same on every retry of one delivery).
pub const DELIVERY_HEADER: &str = "Cairn-Delivery";
/// How old a signature a receiver should accept (the documented default).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The header is not `t=<unix>,v1=<hex>[,v1=<hex>…]`.
    Malformed,
    /// The timestamp is further from now than the tolerance (a replay, or a skewed clock).
    OutsideTolerance {
        /// Seconds between the header's `t` and now.
        skew_secs: u64,
    },
    /// No `v1` signature matches this secret and body.
    Mismatch,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed Cairn-Signature header (expected t=<unix>,v1=<hex>)"),
            Self::OutsideTolerance { skew_secs } => {
                write!(f, "signature timestamp is {skew_secs} s from now, outside the tolerance")
            }
            Self::Mismatch => f.write_str("no signature matches this secret and body"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The `Cairn-Signature` value for `body` sent at `timestamp`: one `v1=` per secret, in order.
pub fn sign(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, &signed_payload(timestamp, body));
        header.push_str(",v1=");
        header.push_str(&hex(tag.as_ref()));
    }
    header
}

/// Checks `header` against `body` with `secret`, accepting timestamps within `tolerance` of now.
pub fn verify(secret: &str, header: &str, body: &[u8], tolerance: Duration) -> Result<(), VerifyError> {
    verify_at(secret, header, body, tolerance, unix_now())
}

/// [`verify`] as if it were `now` (Unix seconds).
pub fn verify_at(
    secret: &str,
    header: &str,
    body: &[u8],
    tolerance: Duration,
    now: i64,
) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.parse::<i64>().map_err(|_| VerifyError::Malformed)?),
            Some(("v1", sig)) => signatures.push(unhex(sig).ok_or(VerifyError::Malformed)?),
            // Other schemes a later version may add are ignored, like Stripe's `v0`.
            Some(_) => {}
            None => return Err(VerifyError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let skew_secs = now.abs_diff(timestamp);
    if skew_secs > tolerance.as_secs() {
        return Err(VerifyError::OutsideTolerance { skew_secs });
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let payload = signed_payload(timestamp, body);
    // ring compares in constant time.
    if signatures.iter().any(|sig| hmac::verify(&key, &payload, sig).is_ok()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

fn signed_payload(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut payload = format!("{timestamp}.").into_bytes();
    payload.extend_from_slice(body);
    payload
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test_secret_0001
    const KNOWN: &str = "t=1700000000,v1=d72004e54ee49c45c689a8f382207df55ea68689e30b4461db3af3021b8a176e";

    #[test]
    fn signatures_verify_only_with_their_secret_body_and_time() {
        let body = br#"{"a":1}"#;
        let header = sign(&["whsec_test_secret_0001"], 1_700_000_000, body);
        assert_eq!(header, KNOWN);
        let tol = DEFAULT_TOLERANCE;
        assert_eq!(verify_at("whsec_test_secret_0001", &header, body, tol, 1_700_000_100), Ok(()));
        assert_eq!(
            verify_at("whsec_wrong_secret_0001", &header, body, tol, 1_700_000_100),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_at("whsec_test_secret_0001", &header, br#"{"a":2}"#, tol, 1_700_000_100),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_at("whsec_test_secret_0001", &header, body, tol, 1_700_000_301),
            Err(VerifyError::OutsideTolerance { skew_secs: 301 })
        );
        assert_eq!(verify_at("s", "v1=00", body, tol, 0), Err(VerifyError::Malformed));
        assert_eq!(verify_at("s", "t=1,v1=zz", body, tol, 1), Err(VerifyError::Malformed));
        assert_eq!(verify_at("s", "t=1", body, tol, 1), Err(VerifyError::Malformed));
    }

    #[test]
    fn a_rotation_header_verifies_with_either_secret() {
        let body = b"{}";
        let header = sign(&["new-secret-0123456789", "old-secret-0123456789"], 10, body);
        assert_eq!(header.matches("v1=").count(), 2);
        for secret in ["new-secret-0123456789", "old-secret-0123456789"] {
            assert_eq!(verify_at(secret, &header, body, DEFAULT_TOLERANCE, 10), Ok(()));
        }
        assert!(verify_at("third-secret-012345678", &header, body, DEFAULT_TOLERANCE, 10).is_err());
    }
}
