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
    /// The daemon's version.
    pub version: String,
    /// Server time.
    #[serde(with = "rfc3339")]
    pub timestamp: OffsetDateTime,
    /// Standard versions emitted by default.
    pub spec_versions: SpecVersions,
    /// `sqlite` or `postgres`, and whether it answered: `sqlite: ok`.
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
