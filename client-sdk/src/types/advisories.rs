//! Advisories as the tenant meets them (`GET /vulnerabilities`, `GET /vulnerabilities/{id}`):
//! which advisories affect the tenant's projects now, and one advisory with every affected
//! project and its triage.

use serde::{Deserialize, Serialize};

use super::{ProjectId, ScanId, Severity, TriageState};

/// An advisory with findings in the latest completed scan of some project of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvisorySummary {
    /// The advisory id findings carry.
    pub id: String,
    /// Its aliases (CVE, GHSA, …).
    pub aliases: Vec<String>,
    /// One line, when the record has one.
    pub summary: Option<String>,
    /// Its severity as matched.
    pub severity: Severity,
    /// Projects affected now.
    pub projects: u64,
    /// Findings (component × project) now.
    pub findings: u64,
}

/// A project an advisory affects now, through one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AffectedProject {
    /// The project (absent for an ad-hoc scan).
    pub project_id: Option<ProjectId>,
    /// Its name.
    pub project_name: Option<String>,
    /// The project's latest completed scan.
    pub scan_id: ScanId,
    /// The finding (for `GET /findings/{id}` and triage).
    pub finding_id: String,
    /// The advisory id the finding carries.
    pub vulnerability_id: String,
    /// The affected component.
    pub purl: String,
    /// The finding's severity.
    pub severity: Severity,
    /// The nearest fixed version, when known.
    pub fixed_version: Option<String>,
    /// The triage state, absent while untriaged.
    pub triage: Option<TriageState>,
}

/// One advisory: its record and every project of the tenant it affects now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvisoryDetail {
    /// The id asked for (an advisory id or an alias).
    pub id: String,
    /// The advisory records it resolved to (its own id, and records aliasing it).
    pub ids: Vec<String>,
    /// Every alias of those records.
    pub aliases: Vec<String>,
    /// One line.
    pub summary: Option<String>,
    /// The longer text (Markdown as OSV gives it).
    pub details: Option<String>,
    /// RFC 3339 publication time, when the record has one.
    pub published: Option<String>,
    /// RFC 3339 last modification.
    pub modified: Option<String>,
    /// Advisory and fix URLs.
    pub references: Vec<String>,
    /// True when the vulnerability data holds a record of it (else only findings name it).
    pub in_vulnerability_data: bool,
    /// Every project affected now (the latest completed scan of each), worst first.
    pub affected: Vec<AffectedProject>,
}
