//! Why an import, update or reload of vulnerability data failed.

use crate::store::StoreError;

/// Vulnerability data failures. A failed source never changes the stored data.
#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    /// The database refused or could not be reached.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data given is not usable OSV (unreadable path, bad zip, no valid record).
    #[error("{0}")]
    Invalid(String),
    /// No source of that name is stored.
    #[error("no vulnerability data source named {0}")]
    UnknownSource(String),
    /// A download failed (network, HTTP status, size cap).
    #[error("{0}")]
    Fetch(String),
    /// A local file operation failed (temporary files).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A stored record no longer parses (a bug or a hand-edited database).
    #[error("stored record {id}: {reason}")]
    Corrupt {
        /// Which record.
        id: String,
        /// Why.
        reason: String,
    },
}
