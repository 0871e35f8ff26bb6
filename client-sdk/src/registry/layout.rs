//! The OCI image layout a pull writes: `oci-layout`, `index.json` and `blobs/sha256/<hex>`.
//! A blob is written to a temporary name while it is hashed and renamed to its digest only
//! once verified, so the layout never holds an unverified blob under a digest's name.

use super::RegistryError;
use ring::digest::{Context, SHA256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The layout directory being written.
#[derive(Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Creates `root` (which must not exist yet) with its `oci-layout` marker.
    pub fn create(root: &Path) -> Result<Layout, RegistryError> {
        std::fs::create_dir(root)?;
        std::fs::create_dir_all(root.join("blobs").join("sha256"))?;
        std::fs::write(root.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        Ok(Layout { root: root.to_path_buf() })
    }

    fn blob_path(&self, hex: &str) -> PathBuf {
        self.root.join("blobs").join("sha256").join(hex)
    }

    /// Writes a blob already in memory (verified by the caller).
    pub fn write_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        std::fs::write(self.blob_path(hex_of(digest)), bytes)?;
        Ok(())
    }

    /// Starts streaming the blob `digest` to disk.
    pub fn blob_writer(&self, digest: &str) -> Result<BlobWriter, RegistryError> {
        let hex = hex_of(digest);
        let tmp = self.root.join("blobs").join("sha256").join(format!(".{hex}.partial"));
        let file = std::fs::File::create(&tmp)?;
        Ok(BlobWriter {
            file: std::io::BufWriter::new(file),
            tmp,
            dest: self.blob_path(hex),
            expected: digest.to_owned(),
            hash: Context::new(&SHA256),
            count: 0,
        })
    }

    /// Writes `index.json` naming the one manifest.
    pub fn write_index(&self, index: &serde_json::Value) -> Result<(), RegistryError> {
        let bytes = serde_json::to_vec(index).map_err(std::io::Error::other)?;
        std::fs::write(self.root.join("index.json"), bytes)?;
        Ok(())
    }
}

/// `sha256:<hex>` → `<hex>` (digests are validated before a layout sees them).
fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// The digest of `bytes`, `sha256:<hex>`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(ring::digest::digest(&SHA256, bytes).as_ref()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blob being streamed to disk and hashed.
pub struct BlobWriter {
    file: std::io::BufWriter<std::fs::File>,
    tmp: PathBuf,
    dest: PathBuf,
    expected: String,
    hash: Context,
    count: u64,
}

impl BlobWriter {
    /// Appends a chunk.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), RegistryError> {
        self.hash.update(chunk);
        self.count += chunk.len() as u64;
        self.file.write_all(chunk)?;
        Ok(())
    }

    /// Bytes written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Verifies the digest and the size and keeps the blob under its digest; a blob that does
    /// not verify is deleted.
    pub fn finish(self, what: &str, size: u64) -> Result<(), RegistryError> {
        let BlobWriter { file, tmp, dest, expected, hash, count } = self;
        let actual = format!("sha256:{}", hex(hash.finish().as_ref()));
        let flushed = file.into_inner().map_err(|e| e.into_error());
        let verdict = match flushed {
            Err(e) => Err(RegistryError::Io(e)),
            Ok(_) if actual != expected => {
                Err(RegistryError::DigestMismatch { what: what.to_owned(), expected, actual })
            }
            Ok(_) if count != size => Err(RegistryError::Malformed {
                what: what.to_owned(),
                reason: format!("{count} bytes, the manifest says {size}"),
            }),
            Ok(_) => Ok(()),
        };
        match verdict {
            Ok(()) => Ok(std::fs::rename(&tmp, &dest)?),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}
