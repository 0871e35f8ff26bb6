//! Obtaining what to scan: a git clone, a directory under a configured root, an uploaded archive,
//! an existing SBOM or a container image pulled from a registry. Every kind ends as an [`Obtained`]: a tree on disk (with the work
//! directory that holds it, removed on drop) or an inventory read from a document.
//!
//! Cancelling is dropping the future [`obtain`] returns: a running `git` is killed (kill on
//! drop), an extraction stops at its next entry or chunk, and the work directory is removed.

pub mod archive;
pub mod config;
pub mod credential_key;
pub mod credentials;
pub mod git;
pub mod image;
pub mod path;
pub mod policy;
pub mod roots;
pub mod sbom;
pub mod ssh;
pub mod url;
pub mod workdir;

use std::path::PathBuf;

use cairn_engine::bom::read::ReadBom;

pub use policy::{ArchiveLimits, SourcePolicy};
pub use workdir::sweep_stale;

/// What to obtain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// Clone a git repository.
    Git {
        /// Clone URL.
        url: String,
        /// Branch, tag or commit.
        reference: Option<String>,
    },
    /// A directory on this machine.
    Path {
        /// The directory.
        path: PathBuf,
    },
    /// An uploaded archive, already spooled to `file`.
    Archive {
        /// The spooled upload.
        file: PathBuf,
        /// The name the client gave it (decides tar / tar.gz / zip with the content).
        filename: String,
    },
    /// An uploaded CycloneDX or SPDX document, already spooled to `file`.
    Sbom {
        /// The spooled upload.
        file: PathBuf,
        /// The name the client gave it.
        filename: String,
    },
    /// A container image to pull from a registry.
    Image {
        /// The reference as given (`registry/repo:tag`, `…@sha256:…`).
        reference: String,
        /// The platform asked for.
        platform: Option<cairn_engine::image::Platform>,
    },
}

/// The thing to scan.
#[derive(Debug)]
pub enum Obtained {
    /// A directory tree.
    Tree {
        /// Its root.
        root: PathBuf,
        /// The work directory holding it, when Cairn made one; removed on drop.
        workdir: Option<tempfile::TempDir>,
        /// The commit checked out, for git sources (full hex object id).
        revision: Option<String>,
        /// What was left out while obtaining it (links and special files in an archive), for
        /// the scan's diagnostics.
        notes: Vec<String>,
    },
    /// An inventory read from a document.
    Sbom(Box<ReadBom>),
    /// A pulled image: an OCI layout the engine reads.
    Image {
        /// The layout directory.
        layout: PathBuf,
        /// The work directory holding it; removed on drop.
        workdir: tempfile::TempDir,
        /// The platform asked for.
        platform: Option<cairn_engine::image::Platform>,
        /// The platform's image manifest digest pulled.
        digest: String,
        /// What the reference resolved to at the time: the index's digest when it named one,
        /// else the manifest's (the digest registries list under a tag).
        resolved: String,
    },
}

/// Why a source could not be obtained. The message is shown to the user as the scan's error;
/// it never holds credentials from a URL.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source is refused by policy (a path outside the roots, a private address, …).
    #[error("refused: {0}")]
    Refused(String),
    /// The source does not exist or could not be read.
    #[error("{0}")]
    Unavailable(String),
    /// The source is malformed (a URL, a reference, an archive entry, a document).
    #[error("invalid: {0}")]
    Invalid(String),
    /// The source is bigger than the configured caps allow.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Obtaining it took longer than allowed.
    #[error("timed out: {0}")]
    Timeout(String),
    /// Cairn could not prepare its own side (work directory, spawning git).
    #[error("internal error: {0}")]
    Internal(String),
}

impl SourceError {
    /// A stable machine-readable code for the scan's error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(_) => "source_refused",
            Self::Unavailable(_) => "source_unavailable",
            Self::Invalid(_) => "source_invalid",
            Self::TooLarge(_) => "source_too_large",
            Self::Timeout(_) => "source_timeout",
            Self::Internal(_) => "source_internal",
        }
    }
}

/// Obtains `spec` under `policy`. Blocking work runs off the async threads; dropping the
/// future cancels (see the module docs).
pub async fn obtain(spec: &SourceSpec, policy: &SourcePolicy) -> Result<Obtained, SourceError> {
    obtain_with(spec, policy, None).await
}

/// [`obtain`] with the tenant's git credential for a git URL's host (ignored for other kinds).
pub async fn obtain_with(
    spec: &SourceSpec,
    policy: &SourcePolicy,
    credential: Option<&credentials::GitSecret>,
) -> Result<Obtained, SourceError> {
    match spec {
        SourceSpec::Path { path } => path::local_path(path, policy).await,
        SourceSpec::Git { url, reference } => git::clone(url, reference.as_deref(), policy, credential).await,
        SourceSpec::Archive { file, filename } => archive::extract(file, filename, policy).await,
        SourceSpec::Sbom { file, filename } => sbom::read(file, filename, policy).await,
        SourceSpec::Image { reference, platform } => image::pull(reference, platform.as_ref(), policy).await,
    }
}
