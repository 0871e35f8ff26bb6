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
pub enum TenantKind {
    /// Created for one person by open self-registration (password or OAuth sign-up without an
    /// invitation).
    Personal,
    /// Created by an operator (`cairnd admin create-user`), or existing before kinds were recorded.
    Organization,
}

impl TenantKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantKind::Personal => "personal",
            TenantKind::Organization => "organization",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        [TenantKind::Personal, TenantKind::Organization].into_iter().find(|k| k.as_str() == s)
    }
}

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
    /// The project the scan belongs to, found by name in the caller's tenant or created.
    #[serde(default)]
    pub project_name: Option<String>,
    /// The project version it documents, found by name or created (needs `project_name`).
    #[serde(default)]
    pub project_version: Option<String>,
}

/// `POST /cbom/scans` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CbomScanCreated {
    /// The scan (the same id as `/scans/{id}`).
    pub id: ScanId,
    /// `queued`.
    pub status: ScanStatus,
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
    /// Where it stands.
    pub status: ScanStatus,
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
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Submitted.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// It ended.
    #[serde(with = "rfc3339_opt")]
    pub finished_at: Option<OffsetDateTime>,
}

/// `GET /cbom/scans/{id}`: the scan with its components, findings and cryptographic assets.
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
