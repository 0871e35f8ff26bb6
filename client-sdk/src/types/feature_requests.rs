//! Feature requests: feedback a tenant's members give the operators (a feature, a package to
//! support, a bug), with a status only tenant admins change.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{FeatureRequestId, UserId};

/// The longest title (characters).
pub const FEATURE_REQUEST_TITLE_MAX: usize = 200;
/// The longest body or status note (characters).
pub const FEATURE_REQUEST_BODY_MAX: usize = 10_000;

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeatureRequestKind {
    /// Something Cairn should do.
    Feature,
    /// A package, ecosystem or image to support.
    Package,
    /// Something Cairn does wrong.
    Bug,
}

impl FeatureRequestKind {
    /// The wire and storage word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feature => "feature",
            Self::Package => "package",
            Self::Bug => "bug",
        }
    }

    /// The kind named `word`, if any.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "feature" => Self::Feature,
            "package" => Self::Package,
            "bug" => Self::Bug,
            _ => return None,
        })
    }
}

/// Where a request stands; admins move it to any status (a declined request may be reopened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeatureRequestStatus {
    /// Not looked at yet.
    Open,
    /// Accepted, not started.
    Planned,
    /// Being worked on.
    InProgress,
    /// Delivered.
    Done,
    /// Will not be done.
    Declined,
}

impl FeatureRequestStatus {
    /// The wire and storage word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Declined => "declined",
        }
    }

    /// The status named `word`, if any.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "open" => Self::Open,
            "planned" => Self::Planned,
            "in_progress" => Self::InProgress,
            "done" => Self::Done,
            "declined" => Self::Declined,
            _ => return None,
        })
    }
}

/// A feature request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeatureRequest {
    /// Id.
    pub id: FeatureRequestId,
    /// Feature, package or bug.
    pub kind: FeatureRequestKind,
    /// One line.
    pub title: String,
    /// The details.
    pub body: String,
    /// Where it stands.
    pub status: FeatureRequestStatus,
    /// Who asked (absent once that account is gone).
    pub requested_by: Option<UserId>,
    /// The admin's note with the latest status change.
    pub status_note: Option<String>,
    /// Who changed the status last.
    pub status_changed_by: Option<UserId>,
    /// When the status changed last.
    #[serde(with = "rfc3339_opt")]
    pub status_changed_at: Option<OffsetDateTime>,
    /// Row version (`ETag`); a status change needs it as `If-Match`.
    pub version: i64,
    /// Asked.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// `POST /feature-requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateFeatureRequest {
    /// Feature, package or bug.
    pub kind: FeatureRequestKind,
    /// 1-200 characters, not only spaces, no control characters (stored trimmed).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    pub title: String,
    /// The details: at most 10000 characters (may be empty), no NUL characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000, pattern = r"^[^\x00]*$"))]
    pub body: String,
}

/// `POST /feature-requests/{id}/status` (admins; needs `If-Match`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeatureRequestStatusChange {
    /// The new status.
    pub status: FeatureRequestStatus,
    /// Why, for the requester: at most 10000 characters, no NUL characters (blank: no note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000, pattern = r"^[^\x00]*$"))]
    pub note: Option<String>,
}
