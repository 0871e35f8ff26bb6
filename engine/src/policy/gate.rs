//! The gate: a policy's verdict on one scan, with every violation, what was waived, and what could
//! not be evaluated (never counted as a pass).

use super::action::Action;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    /// No `fail` or `warn` violation.
    Pass,
    /// `warn` violations, no `fail` one.
    Warn,
    /// At least one `fail` violation.
    Fail,
}

impl GateStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Pass => "pass",
            GateStatus::Warn => "warn",
            GateStatus::Fail => "fail",
        }
    }
}

impl fmt::Display for GateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The policy a gate used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Its id.
    pub id: String,
    /// The revision evaluated.
    pub revision: u32,
}

/// What a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A vulnerability (or informational advisory) in a component.
    Finding {
        /// The advisory id (shared with the finding's facts: a rule matching it costs no copy).
        advisory: Arc<str>,
        /// The component's purl (shared likewise).
        purl: Arc<str>,
    },
    /// A component.
    Component {
        /// Its purl.
        purl: String,
    },
    /// A component's license.
    License {
        /// The component's purl.
        purl: String,
        /// The concluded expression (or `not determined`).
        license: String,
    },
    /// A cryptographic asset: an algorithm use, a certificate, a key.
    Asset {
        /// What it is (`RSA-2048`, `certificate CN=…`, `private key`).
        name: String,
        /// The file, relative to the scan root.
        file: String,
        /// The first line, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
    },
    /// A manifest file (no lockfile resolved it).
    File {
        /// Its path.
        path: String,
    },
    /// The scan as a whole (readiness score, vulnerability data age).
    Scan {
        /// What was measured (`readiness 40/100`, `data from 2026-11-01`).
        detail: String,
    },
}

impl Subject {
    /// A stable key for exceptions: the same subject in a later scan has the same key.
    pub fn key(&self) -> String {
        match self {
            Subject::Finding { advisory, purl } => format!("finding:{advisory}:{purl}"),
            Subject::Component { purl } => format!("component:{purl}"),
            Subject::License { purl, license } => format!("license:{purl}:{license}"),
            Subject::Asset { name, file, .. } => format!("asset:{file}:{name}"),
            Subject::File { path } => format!("file:{path}"),
            // The measured value changes from scan to scan; the rule alone identifies it.
            Subject::Scan { .. } => "scan".to_owned(),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Finding { advisory, purl } => write!(f, "{advisory} in {purl}"),
            Subject::Component { purl } => f.write_str(purl),
            Subject::License { purl, license } => write!(f, "{purl} ({license})"),
            Subject::Asset { name, file, line: Some(l) } => write!(f, "{name} at {file}:{l}"),
            Subject::Asset { name, file, line: None } => write!(f, "{name} at {file}"),
            Subject::File { path } => f.write_str(path),
            Subject::Scan { detail } => f.write_str(detail),
        }
    }
}

/// One rule matching one subject. The rule's id and message are shared by all its violations
/// (a rule over 100k findings makes no 100k copies of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule's id.
    pub rule: Arc<str>,
    /// The rule's action.
    pub action: Action,
    /// What matched.
    pub subject: Subject,
    /// The rule's message.
    pub message: Arc<str>,
}

/// A violation an approved exception waives, with the exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waived {
    /// The violation.
    #[serde(flatten)]
    pub violation: Violation,
    /// The exception's id.
    pub exception: String,
    /// When the exception ends (RFC 3339).
    pub expires_at: String,
}

/// A rule, or part of one, that could not be evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotEvaluated {
    /// The rule's id.
    pub rule: String,
    /// The rule's action (what it would have done).
    pub action: Action,
    /// Why (`no vulnerability data`, `no advisories loaded for npm (1767 components)`).
    pub reason: String,
}

/// A policy's verdict on one scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    /// The verdict.
    pub status: GateStatus,
    /// The policy and revision evaluated.
    pub policy: PolicyRef,
    /// Violations, in rule order then subject order (waived ones are in `waived`).
    pub violations: Vec<Violation>,
    /// Violations approved exceptions waive.
    #[serde(default)]
    pub waived: Vec<Waived>,
    /// What could not be evaluated; an empty list means every rule looked at everything.
    pub not_evaluated: Vec<NotEvaluated>,
}

impl GateResult {
    /// The status `violations` give: any `fail` fails, else any `warn` warns.
    pub fn status_of(violations: &[Violation]) -> GateStatus {
        match violations.iter().map(|v| v.action).max() {
            Some(Action::Fail) => GateStatus::Fail,
            Some(Action::Warn) => GateStatus::Warn,
            Some(Action::Info) | None => GateStatus::Pass,
        }
    }

    /// Violations of `action`.
    pub fn count(&self, action: Action) -> usize {
        self.violations.iter().filter(|v| v.action == action).count()
    }
}
