//! Diagnostics: what a scan could not read or understand, attached to the scan instead of failing it.

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was lost: a file or entry could not be read, so the inventory may be incomplete.
    Error,
    /// Read, but with a caveat the user should know: an unpinned requirement, a parent POM not in the tree.
    Warning,
    /// For the record only.
    Info,
}

impl Severity {
    /// The word the report and the daemon use (`warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found while cataloging, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The file, relative to the scan root, with `/` separators.
    pub path: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What went wrong, for a person.
    pub message: String,
}

impl Diagnostic {
    /// An error diagnostic for `path`.
    pub fn error(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, path: path.into(), line, message: message.into() }
    }

    /// A warning diagnostic for `path`.
    pub fn warning(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, path: path.into(), line, message: message.into() }
    }

    /// An informational diagnostic for `path`.
    pub fn info(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Info, path: path.into(), line, message: message.into() }
    }
}
