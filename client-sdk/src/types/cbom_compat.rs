//! The partner CBOM compatibility surface (`/api/v1/cbom/…`): its requests and answers, thin views
//! of Cairn's own scans.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::scans::{CryptoAsset, PqcSummary, ScanComponent, ScanFinding, ScanStatus};
use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{ProjectId, ScanId, TenantId, VersionId};

/// What kind of tenant owns a scan, from how the tenant came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TenantKind {
    /// Created for one person by open self-registration (password or OAuth sign-up without an
    /// invitation).
    Personal,
    /// Created by an operator (`cairnd admin create-user`), or existing before kinds were recorded.
    Organization,
    /// A kind a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unknown,
}

impl TenantKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantKind::Personal => "personal",
            TenantKind::Organization => "organization",
            TenantKind::Unknown => "unknown",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        [TenantKind::Personal, TenantKind::Organization].into_iter().find(|k| k.as_str() == s)
    }
}

/// A scan's status in the partner's words, mapped from Cairn's [`ScanStatus`] by
/// [`CbomStatus::from_scan`] (the one place the two vocabularies meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CbomStatus {
    /// Waiting for a worker (`queued`).
    Queued,
    /// Cloning the repository (`fetching`).
    Downloading,
    /// Cataloguing, matching and scoring (`scanning`, `matching`, `evaluating`).
    Scanning,
    /// Results and documents are available (`completed`).
    Completed,
    /// Ended without results (`failed`, or `cancelled` on request); `error` says which and why.
    Failed,
    /// A status a newer daemon sends that this SDK does not know (never terminal).
    #[serde(other)]
    Unknown,
}

impl CbomStatus {
    /// The partner's word for a Cairn status.
    pub fn from_scan(status: ScanStatus) -> Self {
        match status {
            ScanStatus::Queued => CbomStatus::Queued,
            ScanStatus::Fetching => CbomStatus::Downloading,
            ScanStatus::Scanning | ScanStatus::Matching | ScanStatus::Evaluating => CbomStatus::Scanning,
            ScanStatus::Completed => CbomStatus::Completed,
            ScanStatus::Failed | ScanStatus::Cancelled => CbomStatus::Failed,
            _ => CbomStatus::Unknown,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CbomStatus::Queued => "queued",
            CbomStatus::Downloading => "downloading",
            CbomStatus::Scanning => "scanning",
            CbomStatus::Completed => "completed",
            CbomStatus::Failed => "failed",
            CbomStatus::Unknown => "unknown",
        }
    }

    /// Whether the scan has ended (`completed` or `failed`).
    pub fn is_terminal(self) -> bool {
        matches!(self, CbomStatus::Completed | CbomStatus::Failed)
    }
}

/// The `project_version` a named project's scan documents when the request gives none.
pub const CBOM_DEFAULT_PROJECT_VERSION: &str = "1.0.0";

/// `GET /cbom/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomHealth {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: String,
    /// The daemon's version.
    pub version: String,
    /// The quantum-level and readiness methodology scans follow (`cairn-cbom-v1`).
    pub methodology_version: String,
    /// The CycloneDX version of `bom.json?format=cyclonedx`.
    pub cyclonedx: String,
    /// The SPDX version of `bom.json?format=spdx`.
    pub spdx: String,
}

/// `POST /cbom/scans`: scan a git repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CbomScanRequest {
    /// `https://`, `ssh://`, `git@host:path` or (under the daemon's path roots) `file://` URL.
    pub repo_url: String,
    /// The project the scan belongs to, found by name in the caller's tenant or created. Without
    /// it the scan belongs to no project, unless `project_version` is given: then the project is
    /// named after the repository (the URL's last path segment, without `.git`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub project_name: Option<String>,
    /// The project version it documents, found by name or created; default
    /// [`CBOM_DEFAULT_PROJECT_VERSION`] (`1.0.0`) when the scan has a project.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub project_version: Option<String>,
}

/// `POST /cbom/scans` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomScanCreated {
    /// The scan (the same id as `/scans/{id}`).
    pub id: ScanId,
    /// `queued`.
    pub status: CbomStatus,
    /// The tenant it runs in.
    pub tenant_id: TenantId,
    /// That tenant's kind.
    pub tenant_kind: TenantKind,
    /// The methodology its quantum levels and score follow.
    pub methodology_version: String,
}

/// A scan in `GET /cbom/scans`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomScan {
    /// Id.
    pub id: ScanId,
    /// Where it stands, in the partner's words.
    pub status: CbomStatus,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The tenant's kind.
    pub tenant_kind: TenantKind,
    /// The methodology of `score`.
    pub methodology_version: String,
    /// The repository, for git scans.
    pub repo_url: Option<String>,
    /// Its project.
    pub project_id: Option<ProjectId>,
    /// Its project version.
    pub version_id: Option<VersionId>,
    /// Post-quantum readiness 0–100 once completed; absent before, or when nothing rated was found.
    pub score: Option<u8>,
    /// Why it failed, when it did (`cancelled` when it was stopped on request).
    pub error: Option<String>,
    /// Submitted.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// It ended.
    #[serde(with = "rfc3339_opt")]
    pub finished_at: Option<OffsetDateTime>,
}

/// `GET /cbom/scans` answer: the scans, newest first, and how many there are in this answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomScanList {
    /// Newest first, at most `limit`.
    pub scans: Vec<CbomScan>,
    /// The number of entries in `scans`.
    pub count: usize,
}

/// `POST /cbom/demo`: scan a public GitHub repository without a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CbomDemoRequest {
    /// `https://github.com/OWNER/REPO` (optionally ending in `.git` or `/`); nothing else.
    pub repo_url: String,
}

/// `GET /cbom/scans/{id}`: the scan with its components, findings and cryptographic assets (each
/// list capped; `truncated` says what was left out and where to read all of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomScanDetail {
    /// The scan.
    #[serde(flatten)]
    pub scan: CbomScan,
    /// Score, methodology and counts (absent until completed).
    pub pqc: Option<PqcSummary>,
    /// Components in inventory order.
    pub components: Vec<ScanComponent>,
    /// Vulnerability findings.
    pub findings: Vec<ScanFinding>,
    /// Cryptographic assets with their NIST quantum levels.
    pub crypto_assets: Vec<CryptoAsset>,
    /// Present when a list was longer than the daemon's cap: the lists above are their first
    /// `limit` items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<CbomDetailTruncated>,
}

/// What a capped `GET /cbom/scans/{id}` left out: every list's total and the paged lists and the
/// document that hold all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomDetailTruncated {
    /// The most items each list carries (`[scans] detail_max_items`).
    pub limit: u32,
    /// Components stored for the scan.
    pub components_total: i64,
    /// Findings stored for the scan.
    pub findings_total: i64,
    /// Cryptographic assets stored for the scan.
    pub crypto_assets_total: i64,
    /// Every component, paged: `/api/v1/scans/{id}/components`.
    pub components: String,
    /// Every finding, paged: `/api/v1/scans/{id}/findings`.
    pub findings: String,
    /// Every cryptographic asset, paged: `/api/v1/scans/{id}/crypto-assets`.
    pub crypto_assets: String,
    /// The whole CBOM document once the scan completed: `/api/v1/cbom/scans/{id}/bom.json`.
    pub document: String,
}

/// `bom.json?format=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CbomBomFormat {
    /// The CBOM: CycloneDX 1.6 with the cryptographic assets and the libraries that provide them.
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD of the whole scan.
    Spdx,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cairn_status_has_the_partners_word() {
        let words: Vec<(&str, &str)> =
            ScanStatus::ALL.iter().map(|s| (s.as_str(), CbomStatus::from_scan(*s).as_str())).collect();
        assert_eq!(
            words,
            [
                ("queued", "queued"),
                ("fetching", "downloading"),
                ("scanning", "scanning"),
                ("matching", "scanning"),
                ("evaluating", "scanning"),
                ("completed", "completed"),
                ("failed", "failed"),
                ("cancelled", "failed"),
            ]
        );
        for s in ScanStatus::ALL {
            let word = CbomStatus::from_scan(s);
            assert_eq!(serde_json::to_value(word).ok(), Some(serde_json::json!(word.as_str())));
            assert_eq!(word.is_terminal(), s.is_terminal(), "{s:?}");
        }
    }
}
