//! The technical file of a version (`GET /versions/{id}/export`, a ZIP): its `manifest.json`
//! says what is in it, as of when, made by whom with which tool, and the SHA-256 of every file.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{ProductProfile, ProjectId, ReleaseState, ScanId, VersionId, VulnDataUsed};

/// The manifest's format name; a reader refuses another.
pub const TECHNICAL_FILE_FORMAT: &str = "cairn-technical-file/1";

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicalFileEntry {
    /// Path inside the archive.
    pub path: String,
    /// What it is (`application/vnd.cyclonedx+json`, …).
    pub media_type: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// What it shows.
    pub description: String,
}

/// A part a technical file would hold that this one does not, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicalFileGap {
    /// The part (`comparison.json`, `gate-result.json`, …).
    pub part: String,
    /// Why it is not there.
    pub reason: String,
}

/// The tool that made the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicalFileTool {
    /// `cairn`.
    pub name: String,
    /// The daemon's version.
    pub version: String,
    /// The document methodology version (`cairn:methodology` in the documents).
    pub methodology: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicalFileManifest {
    /// [`TECHNICAL_FILE_FORMAT`].
    pub format: String,
    /// The product (project).
    pub project_id: ProjectId,
    /// Its name.
    pub project_name: String,
    /// Its product fields.
    pub product: ProductProfile,
    /// The version.
    pub version_id: VersionId,
    /// Its name.
    pub version_name: String,
    /// Its release state.
    pub release_state: ReleaseState,
    /// The scan whose evidence this is (the version's latest completed scan).
    pub scan_id: ScanId,
    /// As of when: the newest change among the data in the file (scan, triage, product, version,
    /// settings, audit entries, KEV lists), so the same data gives the same bytes.
    #[serde(with = "rfc3339")]
    pub as_of: OffsetDateTime,
    /// Who asked for it (`user:<id>` or `api_key:<id>`).
    pub exported_by: String,
    /// The tool.
    pub tool: TechnicalFileTool,
    /// The vulnerability data the scan matched against.
    pub vulnerability_data: Option<VulnDataUsed>,
    /// The KEV lists consulted (`name@catalogVersion`).
    pub kev_sources: Vec<String>,
    /// Every other file of the archive, sorted by path.
    pub files: Vec<TechnicalFileEntry>,
    /// What is not in it, and why.
    pub not_included: Vec<TechnicalFileGap>,
}
