//! What kind of source a scan reads.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of source a scan reads: the `kind` of a scan's `source` and the `source` filter of
/// the scans list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SourceKind {
    /// A git repository the daemon clones.
    Git,
    /// A directory on the daemon's machine.
    Path,
    /// An uploaded archive.
    Upload,
    /// An uploaded SBOM, matched without a scan of files.
    Sbom,
    /// A container image pulled from a registry.
    Image,
}

impl SourceKind {
    /// Every kind.
    pub const ALL: [SourceKind; 5] =
        [SourceKind::Git, SourceKind::Path, SourceKind::Upload, SourceKind::Sbom, SourceKind::Image];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Git => "git",
            SourceKind::Path => "path",
            SourceKind::Upload => "upload",
            SourceKind::Sbom => "sbom",
            SourceKind::Image => "image",
        }
    }
}

impl fmt::Display for SourceKind {
    /// The wire spelling, honouring width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = UnknownSourceKind;

    /// The wire spelling of [`SourceKind::as_str`], exactly.
    fn from_str(s: &str) -> Result<SourceKind, UnknownSourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownSourceKind(s.to_owned()))
    }
}

/// A word that is not a [`SourceKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSourceKind(pub String);

impl fmt::Display for UnknownSourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a source kind (one of git, path, upload, sbom, image)", self.0)
    }
}

impl std::error::Error for UnknownSourceKind {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_for_serde_display_and_from_str() {
        for k in SourceKind::ALL {
            let json = serde_json::to_string(&k).expect("serializes");
            assert_eq!(json, format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<SourceKind>(&json).expect("deserializes"), k);
            assert_eq!(k.to_string().parse::<SourceKind>(), Ok(k));
        }
        assert!("Git".parse::<SourceKind>().is_err());
    }
}
