//! Informational advisories: a package that is unmaintained, unsound or the subject of a notice.
//! They are warnings, as cargo-audit reports them, never vulnerabilities: a CI gate on severity
//! must not trip on them.

use super::osv::{Advisory, Affected};
use crate::inventory::Ecosystem;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What an informational advisory says about a package (RustSec's `informational` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningKind {
    /// The package is no longer maintained.
    Unmaintained,
    /// The package has unsound code (undefined behaviour reachable from safe code).
    Unsound,
    /// Something users should know that is neither of the above.
    Notice,
    /// An informational word this version of Cairn does not know.
    Other,
}

impl WarningKind {
    /// Every kind, in the order of the summaries.
    pub const ALL: [WarningKind; 4] =
        [WarningKind::Unmaintained, WarningKind::Unsound, WarningKind::Notice, WarningKind::Other];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Unmaintained => "unmaintained",
            WarningKind::Unsound => "unsound",
            WarningKind::Notice => "notice",
            WarningKind::Other => "other",
        }
    }

    /// The kind of an advisory's entry for a package, `None` when it is a vulnerability. OSV
    /// exports of RustSec put `informational` in `affected[].database_specific`; the top-level
    /// `database_specific` is read too, in case a database writes it there.
    pub fn of(advisory: &Advisory, affected: &Affected) -> Option<WarningKind> {
        [affected.database_specific(), advisory.database_specific()]
            .into_iter()
            .flatten()
            .find_map(|d| d.get("informational").and_then(Value::as_str))
            .map(|w| match w.trim().to_ascii_lowercase().as_str() {
                "unmaintained" => WarningKind::Unmaintained,
                "unsound" => WarningKind::Unsound,
                "notice" => WarningKind::Notice,
                _ => WarningKind::Other,
            })
    }
}

impl std::fmt::Display for WarningKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One informational advisory that applies to one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it says.
    pub kind: WarningKind,
    /// The advisory's id.
    pub advisory: String,
    /// Its aliases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The component's purl.
    pub purl: String,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
    /// The component's name.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// The advisory's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Versions that resolve it, when the advisory names any (an unmaintained crate has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// Where to read the advisory: its `ADVISORY` reference, else its first reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
