//! Obtaining what to scan: a git clone, a directory under a configured root, an uploaded archive
//! or an existing SBOM. Every kind ends as an [`Obtained`]: a tree on disk (with the work
//! directory that holds it, removed on drop) or an inventory read from a document.

use std::path::{Path, PathBuf};

use cairn_engine::bom::read::ReadBom;

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
}

/// What may be obtained, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourcePolicy {
    /// Directories under which `path` sources may point; empty = none allowed.
    pub path_roots: Vec<PathBuf>,
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
    },
    /// An inventory read from a document.
    Sbom(Box<ReadBom>),
}

/// Why a source could not be obtained. The message is shown to the user as the scan's error.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source is refused by policy (a path outside the roots, a private address, …).
    #[error("refused: {0}")]
    Refused(String),
    /// The source does not exist or could not be read.
    #[error("{0}")]
    Unavailable(String),
    /// This kind of source is not available in this build.
    #[error("{0} sources are not supported yet")]
    Unsupported(&'static str),
}

/// Obtains `spec` under `policy`. Blocking work runs off the async threads.
pub async fn obtain(spec: &SourceSpec, policy: &SourcePolicy) -> Result<Obtained, SourceError> {
    match spec {
        SourceSpec::Path { path } => local_path(path, policy),
        SourceSpec::Git { .. } => Err(SourceError::Unsupported("git")),
        SourceSpec::Archive { .. } => Err(SourceError::Unsupported("archive")),
        SourceSpec::Sbom { .. } => Err(SourceError::Unsupported("sbom")),
    }
}

/// A directory under one of the configured roots, resolved (symlinks and `..`) before the check.
fn local_path(path: &Path, policy: &SourcePolicy) -> Result<Obtained, SourceError> {
    let resolved =
        path.canonicalize().map_err(|e| SourceError::Unavailable(format!("{}: {e}", path.display())))?;
    let allowed =
        policy.path_roots.iter().filter_map(|r| r.canonicalize().ok()).any(|r| resolved.starts_with(&r));
    if !allowed {
        return Err(SourceError::Refused(format!("{} is not under a configured scan root", path.display())));
    }
    if !resolved.is_dir() {
        return Err(SourceError::Unavailable(format!("{} is not a directory", path.display())));
    }
    Ok(Obtained::Tree { root: resolved, workdir: None })
}
