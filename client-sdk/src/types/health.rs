//! `GET /api/health`: liveness plus what the daemon speaks.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;

/// The health document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: String,
    /// The daemon's version; shown to authenticated callers only (null for anonymous ones, so an
    /// unauthenticated scanner learns nothing to match against advisories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Server time.
    #[serde(with = "rfc3339")]
    pub timestamp: OffsetDateTime,
    /// Standard versions emitted by default.
    pub spec_versions: SpecVersions,
    /// Whether the database answered (`ok` or `unreachable`); authenticated callers also see the
    /// backend: `sqlite: ok`.
    pub database: String,
    /// Age of the vulnerability data in seconds; null until any is imported.
    pub vulndb_age: Option<i64>,
}

/// Default versions of the standards Cairn emits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecVersions {
    /// CycloneDX.
    pub cyclonedx: String,
    /// SPDX.
    pub spdx: String,
    /// OpenVEX.
    pub openvex: String,
    /// SARIF.
    pub sarif: String,
    /// OSV schema.
    pub osv: String,
}
