//! Checksum encodings lockfiles use, turned into the lowercase hex the inventory keeps.

use crate::inventory::Hash;
use base64::Engine as _;

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Standard base64 (with or without padding) to lowercase hex.
pub(crate) fn base64_to_hex(b64: &str) -> Option<String> {
    let b64 = b64.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64.trim_end_matches('=')))
        .ok()?;
    if bytes.is_empty() {
        return None;
    }
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// True for a non-empty string of hex digits.
pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The hashes in a Subresource Integrity string (`sha512-<base64> sha1-<base64>`), as lowercase hex
/// under their CycloneDX names. Unknown algorithms and undecodable values are left out.
pub(crate) fn sri_hashes(integrity: &str) -> Vec<Hash> {
    integrity
        .split_whitespace()
        .filter_map(|item| {
            let (algo, b64) = item.split_once('-')?;
            let name = match algo.to_ascii_lowercase().as_str() {
                "sha512" => "SHA-512",
                "sha384" => "SHA-384",
                "sha256" => "SHA-256",
                "sha1" => "SHA-1",
                "md5" => "MD5",
                _ => return None,
            };
            // SRI allows `?options` after the digest.
            let b64 = b64.split('?').next().unwrap_or(b64);
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            Some(Hash::new(name, hex(&bytes)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(base64_to_hex("AQID").as_deref(), Some("010203"));
        assert_eq!(base64_to_hex("AQI").as_deref(), Some("0102"));
        assert_eq!(base64_to_hex("not base64!"), None);
        assert!(is_hex("aB09") && !is_hex("") && !is_hex("xyz"));
        assert_eq!(
            sri_hashes("sha1-AQID md5-AQID?opt x-y"),
            vec![Hash::new("SHA-1", "010203"), Hash::new("MD5", "010203")]
        );
    }
}
