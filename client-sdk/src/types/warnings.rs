//! Informational advisories that apply to a scan's components: warnings, as cargo-audit reports
//! them, never vulnerabilities (no severity, never counted by a severity gate).

use serde::{Deserialize, Serialize};

/// What an informational advisory says about a package (RustSec's `informational` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// The package is no longer maintained.
    Unmaintained,
    /// The package has unsound code (undefined behaviour reachable from safe code).
    Unsound,
    /// Something users should know that is neither of the above.
    Notice,
    /// An informational word the engine does not know, or a kind a newer daemon sends.
    #[serde(other)]
    Other,
}

impl WarningKind {
    /// Lower-case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Unmaintained => "unmaintained",
            WarningKind::Unsound => "unsound",
            WarningKind::Notice => "notice",
            WarningKind::Other => "other",
        }
    }

    /// The kind named `word` (an unknown word is `Other`).
    pub fn from_word(word: &str) -> WarningKind {
        match word {
            "unmaintained" => WarningKind::Unmaintained,
            "unsound" => WarningKind::Unsound,
            "notice" => WarningKind::Notice,
            _ => WarningKind::Other,
        }
    }
}

impl std::fmt::Display for WarningKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One informational advisory that applies to one component of a scan: an entry of the list
/// behind `counts.warnings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanWarning {
    /// What it says.
    pub kind: WarningKind,
    /// The advisory's id (`RUSTSEC-2024-0384`).
    pub advisory_id: String,
    /// Its aliases.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The component's purl.
    pub purl: String,
    /// The component's ecosystem (purl type).
    pub ecosystem: String,
    /// The component's name.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// The advisory's summary, when it has one.
    pub summary: Option<String>,
    /// Versions that resolve it, when the advisory names any (an unmaintained crate has none).
    #[serde(default)]
    pub fixed: Vec<String>,
    /// Where to read the advisory, when its record names a page.
    #[serde(default)]
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_from_a_newer_daemon_reads_as_other() {
        let k: WarningKind = serde_json::from_str("\"yanked\"").expect("parse");
        assert_eq!(k, WarningKind::Other);
        assert_eq!(serde_json::to_string(&WarningKind::Unmaintained).expect("serialize"), "\"unmaintained\"");
        assert_eq!(WarningKind::from_word("unsound"), WarningKind::Unsound);
    }
}
