//! Why an image could not be read. Every refusal names its reason; nothing is written to disk, so
//! a refused image leaves nothing behind.

use std::path::PathBuf;

/// An image that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The archive or layout could not be opened or read.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The archive or directory.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// Neither a `docker save` archive nor an OCI image layout.
    #[error("not a container image: {0}")]
    NotAnImage(String),
    /// An index, manifest or configuration that does not parse or lacks a required field.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which document.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A blob named by the manifest is not in the archive.
    #[error("blob {0} is missing from the image")]
    MissingBlob(String),
    /// A blob's bytes do not hash to the digest that names it.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// Which blob or layer.
        what: String,
        /// The digest the manifest or configuration gives.
        expected: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// A digest in a form Cairn does not verify (only `sha256:` with 64 hex digits is accepted).
    #[error("unsupported digest {0:?}: only sha256 digests are verified")]
    UnsupportedDigest(String),
    /// No manifest for the requested platform.
    #[error("no image for platform {wanted} (the image has: {available})")]
    NoSuchPlatform {
        /// The platform asked for.
        wanted: String,
        /// The platforms present, comma-separated.
        available: String,
    },
    /// The archive holds several images and none was chosen.
    #[error("the archive holds {0} images; Cairn scans archives of one image")]
    SeveralImages(usize),
    /// A layer entry that would write outside the image's root, or another hostile entry.
    #[error("layer {layer}: refused entry {entry:?}: {reason}")]
    HostileEntry {
        /// The layer's digest.
        layer: String,
        /// The entry's path as written in the layer.
        entry: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Over one of the caps of [`super::ImageLimits`].
    #[error("refused: {0}")]
    OverLimit(String),
    /// A layer whose compression or tar stream is corrupt.
    #[error("layer {layer}: {reason}")]
    BadLayer {
        /// The layer's digest.
        layer: String,
        /// What went wrong.
        reason: String,
    },
    /// The caller cancelled.
    #[error("scan cancelled")]
    Cancelled,
}
