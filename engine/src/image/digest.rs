//! `sha256:<hex>` digests, and a reader that hashes what passes through it so a blob is verified
//! while it streams, never buffered whole.

use super::ImageError;
use sha2::{Digest as _, Sha256};
use std::io::Read;

/// A validated `sha256:` digest (64 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Parses `sha256:<64 hex>`; anything else (other algorithms, upper case, path characters) is
    /// refused, so a digest can safely name a file under `blobs/sha256/`.
    pub fn parse(s: &str) -> Result<Digest, ImageError> {
        match s.strip_prefix("sha256:") {
            Some(hex)
                if hex.len() == 64
                    && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
            {
                Ok(Digest(s.to_owned()))
            }
            _ => Err(ImageError::UnsupportedDigest(s.to_owned())),
        }
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// The whole digest, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        let mut h = Sha256::new();
        h.update(bytes);
        Digest(format!("sha256:{}", hex(&h.finalize())))
    }

    /// Fails unless `bytes` hash to this digest.
    pub fn verify(&self, what: &str, bytes: &[u8]) -> Result<(), ImageError> {
        let actual = Digest::of(bytes);
        if &actual == self {
            Ok(())
        } else {
            Err(ImageError::DigestMismatch {
                what: what.to_owned(),
                expected: self.0.clone(),
                actual: actual.0,
            })
        }
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes and counts the bytes read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new(), count: 0 }
    }

    /// Reads the rest (so the digest covers every byte) and returns the digest, the count and
    /// the inner reader.
    pub fn finish(mut self) -> std::io::Result<(Digest, u64, R)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok((Digest(format!("sha256:{}", hex(&self.hasher.finalize()))), self.count, self.inner))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sha256_hex_is_accepted() {
        let ok = format!("sha256:{}", "a".repeat(64));
        assert!(Digest::parse(&ok).is_ok());
        for bad in [
            "sha512:abc".to_owned(),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:../{}", "a".repeat(61)),
            "sha256:".to_owned(),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hashing_reader_matches_of() {
        let data = b"hello layers".to_vec();
        let r = HashingReader::new(&data[..]);
        let (d, n, _) = r.finish().expect("reads");
        assert_eq!((d, n), (Digest::of(&data), data.len() as u64));
    }
}
