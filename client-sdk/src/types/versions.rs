//! Versions (releases) of a project and their release state.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{ProjectId, VersionId};

/// Where a version is in its life: `draft -> released -> end_of_life`, never backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReleaseState {
    /// Not shipped yet.
    Draft,
    /// Shipped and supported.
    Released,
    /// No longer supported.
    EndOfLife,
}

impl ReleaseState {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseState::Draft => "draft",
            ReleaseState::Released => "released",
            ReleaseState::EndOfLife => "end_of_life",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => ReleaseState::Draft,
            "released" => ReleaseState::Released,
            "end_of_life" => ReleaseState::EndOfLife,
            _ => return None,
        })
    }
}

/// A version of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Version {
    /// Id.
    pub id: VersionId,
    /// The project.
    pub project_id: ProjectId,
    /// Version name, unique within the project (`1.4.0`).
    pub name: String,
    /// Release state.
    pub release_state: ReleaseState,
    /// End of support (RFC 3339).
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub support_until: Option<OffsetDateTime>,
    /// When it was released.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub released_at: Option<OffsetDateTime>,
    /// Row version (`ETag`).
    pub version: i64,
    /// Created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
    /// For an image's version (a tag): the digest the tag resolved to at the version's latest
    /// completed scan (`sha256:…`); absent for other versions and before a scan completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
}

/// `POST /projects/{id}/versions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateVersion {
    /// 1-100 characters, unique within the project.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub name: String,
    /// End of support.
    #[serde(default, with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub support_until: Option<OffsetDateTime>,
}

/// `PATCH /versions/{id}` (needs `If-Match`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateVersion {
    /// New name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// New end of support.
    #[serde(default, with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub support_until: Option<OffsetDateTime>,
}

/// `PATCH /versions/{id}/release-state` (needs `If-Match`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReleaseStateChange {
    /// The new state; only forward moves are allowed.
    pub state: ReleaseState,
    /// Optionally set the end of support at the same time.
    #[serde(default, with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub support_until: Option<OffsetDateTime>,
}
