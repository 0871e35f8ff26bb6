//! A scan's policy gate: the verdict of the policy evaluated at the scan's end, every violation,
//! what an approved exception waived, and what could not be evaluated. The same shape as the
//! engine's `policy::GateResult` (the offline `cairn scan --policy` report), with the scan, the
//! project and the time of evaluation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{PolicyId, ProjectId, ScanId};

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    /// No `fail` or `warn` violation.
    Pass,
    /// `warn` violations, no `fail` one.
    Warn,
    /// At least one `fail` violation.
    Fail,
}

/// A policy rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PolicyAction {
    /// Reported; never changes the status.
    Info,
    /// The gate is at least `warn`.
    Warn,
    /// The gate fails.
    Fail,
}

/// The policy a gate evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatePolicy {
    /// The policy document's id (`default` for the built-in policy).
    pub id: String,
    /// The revision evaluated.
    pub revision: u32,
    /// The stored policy (`GET /policies/{id}/revisions/{revision}` reads what was evaluated);
    /// absent for the built-in default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_id: Option<PolicyId>,
}

/// What a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateSubject {
    /// A vulnerability or informational advisory in a component.
    Finding {
        /// The advisory id.
        advisory: String,
        /// The component's purl.
        purl: String,
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
        /// The concluded expression, or `not determined`.
        license: String,
    },
    /// A cryptographic asset (an algorithm use, a certificate, a key).
    Asset {
        /// What it is.
        name: String,
        /// The file.
        file: String,
        /// The first line, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
    },
    /// A manifest file.
    File {
        /// Its path.
        path: String,
    },
    /// The scan as a whole (readiness score, data age).
    Scan {
        /// What was measured.
        detail: String,
    },
}

/// One rule matching one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateViolation {
    /// The rule's id.
    pub rule: String,
    /// The rule's action.
    pub action: PolicyAction,
    /// What matched.
    pub subject: GateSubject,
    /// The rule's message.
    pub message: String,
}

/// A violation an approved exception waives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateWaived {
    /// The rule's id.
    pub rule: String,
    /// The rule's action.
    pub action: PolicyAction,
    /// What matched.
    pub subject: GateSubject,
    /// The rule's message.
    pub message: String,
    /// The exception's id.
    pub exception: String,
    /// When the exception ends (RFC 3339).
    pub expires_at: String,
}

/// A rule, or part of one, that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateNotEvaluated {
    /// The rule's id.
    pub rule: String,
    /// What it would have done.
    pub action: PolicyAction,
    /// Why not (`no vulnerability data`, `npm 200 not evaluated — no advisories loaded`).
    pub reason: String,
}

/// A scan's gate result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateResult {
    /// The scan.
    pub scan_id: ScanId,
    /// Its project, when it has one.
    pub project_id: Option<ProjectId>,
    /// The verdict.
    pub status: GateStatus,
    /// The policy and revision evaluated.
    pub policy: GatePolicy,
    /// Violations in rule order (waived ones are in `waived`).
    pub violations: Vec<GateViolation>,
    /// Violations approved exceptions waive.
    #[serde(default)]
    pub waived: Vec<GateWaived>,
    /// What could not be evaluated; empty when every rule looked at everything.
    pub not_evaluated: Vec<GateNotEvaluated>,
    /// When it was evaluated.
    #[serde(with = "rfc3339")]
    pub evaluated_at: OffsetDateTime,
}
