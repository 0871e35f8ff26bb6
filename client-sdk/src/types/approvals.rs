//! Approvals: a member asks for an exception to a gate violation (a rule on a subject) or to a
//! finding, with a reason and an expiry; an admin approves or rejects it. An approved exception
//! waives the violation in the project's gate until it expires.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{ApprovalId, GateSubject, ProjectId, UserId};

/// Where an approval stands: `pending` → `approved` | `rejected`; `approved` → `expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Waiting for an admin.
    Pending,
    /// Waives the violation until `expires_at`.
    Approved,
    /// Refused; waives nothing.
    Rejected,
    /// Was approved; its time is over and it waives nothing.
    Expired,
}

impl ApprovalState {
    /// The wire and storage word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    /// The state named `word`, if any.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An exception request and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    /// Id (the gate's `waived[].exception` names it).
    pub id: ApprovalId,
    /// The project whose gate it waives.
    pub project_id: ProjectId,
    /// The rule it waives; absent: every rule on the subject.
    pub rule: Option<String>,
    /// What it waives.
    pub subject: GateSubject,
    /// The finding it was asked for, when asked for one.
    pub finding_id: Option<String>,
    /// Where it stands.
    pub state: ApprovalState,
    /// Why the exception is needed.
    pub reason: String,
    /// When it stops waiving.
    #[serde(with = "rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Who asked (absent once that user is deleted).
    pub requested_by: Option<UserId>,
    /// Who approved or rejected it.
    pub decided_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339_opt")]
    pub decided_at: Option<OffsetDateTime>,
    /// The decider's note.
    pub decision_note: Option<String>,
    /// Version, also the `ETag`; approve and reject need it in `If-Match`.
    pub version: i64,
    /// When it was asked.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// `POST /approvals`: either a violation (`project_id`, `rule`, `subject`) or a finding
/// (`finding_id`; its project and subject are the finding's, every rule on it is waived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestApproval {
    /// The project (with `subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    /// The rule (with `subject`; absent: every rule on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub rule: Option<String>,
    /// The violation's subject, as the gate result shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<GateSubject>,
    /// A finding instead of a subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_id: Option<String>,
    /// Why.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub reason: String,
    /// Until when (in the future; at most a year ahead).
    #[serde(with = "rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `POST /approvals/{id}/approve` and `/reject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalDecision {
    /// A note for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub note: Option<String>,
}
