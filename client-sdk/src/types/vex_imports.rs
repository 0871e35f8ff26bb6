//! VEX import (`POST /projects/{id}/vex`): an OpenVEX, CycloneDX VEX or CSAF VEX document's
//! statements matched to the project's findings and applied as triage, with what did not match.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{ProjectId, TriageState, VexImportId};

/// The formats the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VexDocumentFormat {
    /// OpenVEX 0.2 (and 0.0.x).
    Openvex,
    /// CycloneDX VEX 1.4–1.7.
    Cyclonedx,
    /// CSAF 2.0, VEX profile.
    Csaf,
}

/// Why a statement set no triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// It names no product by package URL, so no component can be it.
    NoPackageUrl,
    /// No finding of the project's latest scan has that vulnerability in those products.
    NoFinding,
    /// It says `not_affected` with neither a justification nor an impact statement.
    NoJustification,
}

/// A statement that set no triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnmatchedStatement {
    /// Where in the document (`statements[2]`, `vulnerabilities[0]`).
    pub at: String,
    /// The vulnerability ids it names.
    pub vulnerability: Vec<String>,
    /// The products it names (purls, or ids without one).
    pub products: Vec<String>,
    /// Why it set nothing.
    pub reason: UnmatchedReason,
}

/// One finding's triage set (or confirmed) by a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VexApplied {
    /// The statement.
    pub at: String,
    /// The finding's advisory.
    pub vulnerability_id: String,
    /// The component.
    pub purl: String,
    /// The state now.
    pub state: TriageState,
    /// False when the finding already had exactly this triage from this document (no new
    /// revision).
    pub changed: bool,
}

/// `POST /projects/{id}/vex` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VexImport {
    /// Id of this import (the triage it set names it).
    pub id: VexImportId,
    /// The project.
    pub project_id: ProjectId,
    /// The format read.
    pub format: VexDocumentFormat,
    /// The document's own id, else its SHA-256.
    pub document: String,
    /// Statements read.
    pub statements: u64,
    /// Findings whose triage was set or confirmed, one entry per (statement, finding).
    pub applied: Vec<VexApplied>,
    /// Statements that set nothing, with the reason: nothing is dropped silently.
    pub unmatched: Vec<UnmatchedStatement>,
    /// When.
    #[serde(with = "rfc3339")]
    pub imported_at: OffsetDateTime,
}
