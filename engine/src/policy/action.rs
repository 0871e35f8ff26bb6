//! What a rule does when it matches.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule's action, ordered by weight: `info` < `warn` < `fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Reported; never changes the gate's status.
    Info,
    /// The gate is at least `warn`.
    Warn,
    /// The gate fails.
    Fail,
}

impl Action {
    /// The document's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Info => "info",
            Action::Warn => "warn",
            Action::Fail => "fail",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
