//! The key that seals tenants' git credentials at rest: ChaCha20-Poly1305 (ring), a random
//! nonce per row and the tenant id as associated data, so a row copied into another tenant
//! (or edited) does not open. Read once at startup from `git_credentials_key_file`
//! (`CAIRN_GIT_CREDENTIALS_KEY_FILE`): 32 raw bytes or 64 hex digits.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cairn_sdk::types::TenantId;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// Key length in bytes.
pub const KEY_BYTES: usize = 32;

/// Why the configured key file is unusable (a startup error).
#[derive(Debug, thiserror::Error)]
pub enum CredentialKeyError {
    /// The file could not be read.
    #[error("git credentials key file {path}: {source}")]
    File {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file holds neither 32 raw bytes nor 64 hex digits.
    #[error(
        "git credentials key file {path} holds {len} bytes; it must hold exactly {KEY_BYTES} random bytes or {} hex digits \
         (e.g. `openssl rand -hex 32`)",
        KEY_BYTES * 2
    )]
    Malformed {
        /// Which file.
        path: PathBuf,
        /// Its length after trimming a trailing newline.
        len: usize,
    },
}

/// Why a sealed secret did not open or could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Wrong key, wrong tenant or an altered row.
    #[error("the git credential does not decrypt with this key for this tenant")]
    Open,
    /// The system's random source failed.
    #[error("no randomness for a nonce")]
    Random,
}

/// The sealing key.
pub struct CredentialKey {
    key: LessSafeKey,
    rng: SystemRandom,
}

// Never the key itself.
impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialKey(<redacted>)")
    }
}

impl CredentialKey {
    /// Reads the key from `path` (see the module docs).
    pub fn from_file(path: &Path) -> Result<Self, CredentialKeyError> {
        let bytes =
            std::fs::read(path).map_err(|source| CredentialKeyError::File { path: path.into(), source })?;
        Self::from_bytes(&bytes).ok_or_else(|| CredentialKeyError::Malformed {
            path: path.into(),
            len: key_material(&bytes).len(),
        })
    }

    /// A key from a file's content: 32 raw bytes, or 64 hex digits (a trailing newline ignored).
    pub fn from_bytes(content: &[u8]) -> Option<Self> {
        let raw =
            if content.len() == KEY_BYTES { content.to_vec() } else { decode_hex(key_material(content))? };
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &raw).ok()?;
        Some(Self { key: LessSafeKey::new(unbound), rng: SystemRandom::new() })
    }

    /// Encrypts `secret` for `tenant`: base64 of nonce, ciphertext and tag.
    pub fn seal(&self, tenant: TenantId, secret: &[u8]) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Random)?;
        let mut data = secret.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(tenant.to_string().as_bytes()),
                &mut data,
            )
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(STANDARD.encode(out))
    }

    /// Decrypts what [`CredentialKey::seal`] made for `tenant`.
    pub fn open(&self, tenant: TenantId, sealed: &str) -> Result<Vec<u8>, SealError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Open)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(tenant.to_string().as_bytes()), &mut data)
            .map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

/// The content without a trailing newline (from `echo` or an editor).
fn key_material(content: &[u8]) -> &[u8] {
    content.trim_ascii_end()
}

fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() != KEY_BYTES * 2 {
        return None;
    }
    text.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &[u8] = b"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

    #[test]
    fn sealed_secrets_open_only_for_their_tenant() {
        let key = CredentialKey::from_bytes(HEX).expect("hex key");
        let (a, b) = (TenantId::new(), TenantId::new());
        let sealed = key.seal(a, b"ghp_secret").expect("seal");
        assert!(!sealed.contains("ghp_secret"));
        assert_eq!(key.open(a, &sealed).expect("open"), b"ghp_secret");
        assert!(matches!(key.open(b, &sealed), Err(SealError::Open)));
        // A fresh nonce each time: the same secret never seals to the same text.
        assert_ne!(sealed, key.seal(a, b"ghp_secret").expect("seal"));
        let other = CredentialKey::from_bytes(&[7u8; KEY_BYTES]).expect("raw key");
        assert!(matches!(other.open(a, &sealed), Err(SealError::Open)));
    }

    #[test]
    fn a_bad_key_file_is_a_clear_startup_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let short = dir.path().join("short.key");
        std::fs::write(&short, "abc\n").expect("write");
        let err = CredentialKey::from_file(&short).expect_err("too short").to_string();
        assert!(
            err.contains("short.key") && err.contains("holds 3 bytes") && err.contains("64 hex digits"),
            "{err}"
        );
        let missing =
            CredentialKey::from_file(&dir.path().join("missing.key")).expect_err("missing").to_string();
        assert!(missing.contains("missing.key"), "{missing}");
        let good = dir.path().join("good.key");
        std::fs::write(&good, HEX).expect("write");
        assert!(CredentialKey::from_file(&good).is_ok());
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            &b"short"[..],
            &[0u8; 31],
            &HEX[..63],
            b"zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        ] {
            assert!(CredentialKey::from_bytes(bad).is_none(), "{bad:?}");
        }
    }
}
