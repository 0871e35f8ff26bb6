//! A project's scan history (`GET /projects/{id}/history`): one point per completed scan, oldest
//! first, for charts; a version's (`GET /projects/{id}/versions/{vid}/scan-history`) pages the
//! same points.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339_opt;
use super::{ProjectId, ScanId, SeverityCounts, VersionId, VulnDataState};

/// One completed scan as a point of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPoint {
    /// The scan.
    pub scan_id: ScanId,
    /// The version it belongs to, when given.
    pub version_id: Option<VersionId>,
    /// When it completed.
    #[serde(with = "rfc3339_opt")]
    pub finished_at: Option<OffsetDateTime>,
    /// Components in its inventory.
    pub components: u64,
    /// Findings, all severities; `null` when the scan was not matched (`vulndb` is `none`): not
    /// looked, which is not zero.
    pub findings: Option<u64>,
    /// Findings by severity; `null` when the scan was not matched, like `findings`.
    pub severities: Option<SeverityCounts>,
    /// The vulnerability data the scan matched against (`none` when there was none).
    pub vulndb: VulnDataState,
    /// Post-quantum readiness (0–100), when crypto was scanned and something rated.
    pub readiness: Option<u8>,
    /// True when the scan looked for cryptography (else `readiness` is absent for that reason).
    pub crypto_scanned: bool,
    /// The scan's policy gate; `null` when it has none (completed before gates were evaluated).
    #[serde(default)]
    pub gate: Option<super::GateStatus>,
    /// A registry image's scan: the digest its reference resolved to when pulled (the index of
    /// a multi-platform image, else the manifest); absent for other sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// A registry image's scan: the digest of the platform's image manifest that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_manifest_digest: Option<String>,
}

/// A project's completed scans over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanHistory {
    /// The project.
    pub project_id: ProjectId,
    /// Only this version's scans, when asked.
    pub version_id: Option<VersionId>,
    /// Oldest first; at most the newest `limit`.
    pub points: Vec<HistoryPoint>,
}
