//! Triage rules: one decision (a VEX state with its justification, response and note) applied to
//! every finding of an advisory in the components a package-URL pattern names, in the projects
//! listed or in all of them — to the findings there now and to those of every later scan, until
//! the rule expires.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{Justification, ProjectId, TriageResponse, TriageRuleId, TriageState, UserId};

/// A triage rule as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageRule {
    /// Id.
    pub id: TriageRuleId,
    /// The advisory id or one of its aliases (`GHSA-…`, `CVE-…`).
    pub vulnerability: String,
    /// Package URL of the components: without a version, every version (or those in
    /// `version_range`); with one, that version only. Qualifiers do not count.
    pub purl: String,
    /// Versions in the purl spec's `vers` syntax (`>=1.0.0|<2.0.0`), compared in the
    /// ecosystem's ordering.
    pub version_range: Option<String>,
    /// The projects it applies to; absent = every project (and ad-hoc scans).
    pub projects: Option<Vec<ProjectId>>,
    /// The state it sets.
    pub state: TriageState,
    /// Why not affected.
    pub justification: Option<Justification>,
    /// What is being done.
    pub response: Option<TriageResponse>,
    /// The impact statement or reasoning.
    pub note: Option<String>,
    /// After this instant the rule applies to no new finding (the triage it set stays).
    #[serde(with = "rfc3339_opt")]
    pub expires_at: Option<OffsetDateTime>,
    /// Whether `expires_at` has passed.
    pub expired: bool,
    /// How many findings' triage it set and still holds.
    pub applied: u64,
    /// Who made it (absent once that user is deleted).
    pub created_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `POST /triage-rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTriageRule {
    /// The advisory id or one of its aliases.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-word", min_length = 1, max_length = 200))]
    pub vulnerability: String,
    /// Package URL, with or without a version.
    pub purl: String,
    /// Versions in `vers` syntax (only with a purl without a version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_range: Option<String>,
    /// The projects; absent or null = every project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<ProjectId>>,
    /// The state to set.
    pub state: TriageState,
    /// Why not affected (`not_affected` and `false_positive` need it or a note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// What is being done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<TriageResponse>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it stops applying to new findings.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_opt")]
    pub expires_at: Option<OffsetDateTime>,
}

impl CreateTriageRule {
    /// A rule setting `state` on `vulnerability` in `purl`, in every project, without expiry.
    pub fn new(vulnerability: impl Into<String>, purl: impl Into<String>, state: TriageState) -> Self {
        CreateTriageRule {
            vulnerability: vulnerability.into(),
            purl: purl.into(),
            version_range: None,
            projects: None,
            state,
            justification: None,
            response: None,
            note: None,
            expires_at: None,
        }
    }
}

/// `POST /triage-rules` answer: the rule and how many findings it triaged on creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageRuleCreated {
    /// The rule.
    #[serde(flatten)]
    pub rule: TriageRule,
    /// Findings (of each project's latest scan and of ad-hoc scans) it triaged now.
    pub applied_now: u64,
}
