//! Vulnerability data: what the daemon holds, and what a scan matched against.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339_opt;

/// How current the vulnerability data was (or is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VulnDataState {
    /// No vulnerability data at all: "0 findings" means nothing.
    None,
    /// Updated within the configured freshness window.
    Fresh,
    /// Older than the freshness window: findings may be missing.
    Stale,
    /// A state a newer daemon sends that this SDK does not know: nothing vouches for the data, so
    /// treat it as `None`. (Not `#[non_exhaustive]`: every match must decide this case.)
    #[serde(other)]
    Unknown,
}

/// The vulnerability data a scan matched against, recorded on the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VulnDataUsed {
    /// None, fresh or stale at the time of matching.
    pub state: VulnDataState,
    /// Identifies the data generation (changes with every import or update).
    pub snapshot: Option<String>,
    /// Advisories in it.
    pub advisories: u64,
    /// When the data last changed.
    #[serde(with = "rfc3339_opt")]
    pub updated_at: Option<OffsetDateTime>,
    /// Known to be current as of this time: the oldest source's last successful check (an
    /// unchanged mirror confirms old data). Freshness is judged on this, not on `updated_at`.
    #[serde(default, with = "rfc3339_opt")]
    pub current_as_of: Option<OffsetDateTime>,
}

/// One source of vulnerability data (an ecosystem zip, an imported directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VulnDbSource {
    /// Name: the OSV ecosystem (`crates.io`, `PyPI`, …) or the imported path's name.
    pub name: String,
    /// `update` (fetched from the mirror) or `import` (given by an operator).
    pub origin: String,
    /// Where it came from (URL or path).
    pub location: String,
    /// The OSV ecosystems its advisories are about (`Debian:12` counted as `Debian`), sorted;
    /// `None` when not recorded (stored before sources recorded them: import or
    /// update the source again).
    #[serde(default)]
    pub ecosystems: Option<Vec<String>>,
    /// Advisories from this source.
    pub advisories: u64,
    /// The validator the mirror sent (`ETag`), for conditional requests.
    pub etag: Option<String>,
    /// Last time the content changed.
    #[serde(with = "rfc3339_opt")]
    pub updated_at: Option<OffsetDateTime>,
    /// Last time it was checked (a 304 counts).
    #[serde(with = "rfc3339_opt")]
    pub checked_at: Option<OffsetDateTime>,
    /// The last check's error, if it failed.
    pub last_error: Option<String>,
    /// What it holds: OSV advisories, or a KEV list (then `advisories` counts its entries).
    #[serde(default)]
    pub kind: VulnSourceKind,
    /// The revision its publisher gave it (a KEV list's `catalogVersion`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// What a vulnerability data source holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VulnSourceKind {
    /// OSV advisories, matched against inventories.
    #[default]
    Osv,
    /// A list of known exploited vulnerabilities (CISA KEV), marking findings.
    Kev,
}

/// `GET /vulndb/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VulnDbStatus {
    /// None, fresh or stale now.
    pub state: VulnDataState,
    /// The current data generation.
    pub snapshot: Option<String>,
    /// Advisories in total.
    pub advisories: u64,
    /// When the data last changed.
    #[serde(with = "rfc3339_opt")]
    pub updated_at: Option<OffsetDateTime>,
    /// Known to be current as of this time (see [`VulnDataUsed::current_as_of`]).
    #[serde(default, with = "rfc3339_opt")]
    pub current_as_of: Option<OffsetDateTime>,
    /// Seconds since `current_as_of`.
    pub age_seconds: Option<u64>,
    /// Data older than this is stale.
    pub stale_after_seconds: u64,
    /// The mirror updates are fetched from.
    pub mirror: String,
    /// Every source.
    pub sources: Vec<VulnDbSource>,
}

/// The result of `POST /admin/vulndb/import` and `/admin/vulndb/update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VulnDbChange {
    /// Sources whose content changed.
    pub changed: Vec<String>,
    /// Sources checked and found unchanged (304).
    pub unchanged: Vec<String>,
    /// Sources that failed, with the reason.
    pub failed: Vec<String>,
    /// Sources removed (`DELETE /admin/vulndb/sources/{name}`).
    #[serde(default)]
    pub removed: Vec<String>,
    /// Records read and rejected (not valid OSV), with the reason.
    pub rejected: u64,
    /// The status after the change.
    pub status: VulnDbStatus,
}

/// The body of `POST /admin/vulndb/update` (optional: no body updates every configured ecosystem).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VulnDbUpdate {
    /// Only these configured ecosystems (an empty list checks none).
    #[serde(default)]
    pub ecosystems: Option<Vec<String>>,
}
