//! Why a pull failed. Messages name the registry, the repository and the blob, never a credential.

/// Why a pull failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The reference does not parse.
    #[error(transparent)]
    Reference(#[from] super::ReferenceError),
    /// The host guard refused an address (the registry, its token realm or a redirect).
    #[error("{0}")]
    Refused(String),
    /// The registry wants credentials, or refused the ones given.
    #[error("{0}")]
    Unauthorized(String),
    /// No such repository, tag or digest.
    #[error("{0}")]
    NotFound(String),
    /// The registry answered something other than what was asked.
    #[error("{what}: {reason}")]
    Malformed {
        /// What was being read.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A blob's bytes do not hash to the digest that names it.
    #[error("{what}: digest mismatch (expected {expected}, got {actual})")]
    DigestMismatch {
        /// What was read.
        what: String,
        /// The digest asked for.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// A cap was passed.
    #[error("{0}")]
    OverLimit(String),
    /// The image has no manifest for the platform asked for.
    #[error("no image for platform {wanted} (the index has: {available})")]
    NoSuchPlatform {
        /// The platform asked for.
        wanted: String,
        /// The platforms there are.
        available: String,
    },
    /// The registry could not be reached or answered an error.
    #[error("{0}")]
    Unavailable(String),
    /// Writing the layout failed.
    #[error("writing the pulled image: {0}")]
    Io(#[from] std::io::Error),
}
