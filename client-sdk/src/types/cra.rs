//! A version's CRA status (`GET /versions/{id}/cra-status`): a checklist computed from stored
//! evidence, each item `met`, `not_met`, `not_evaluated` or `not_applicable` with what it was
//! judged on.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{ProjectId, ReleaseState, ScanId, TriageSla, VersionId};

/// What an item concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CraItemStatus {
    /// The evidence shows it.
    Met,
    /// The evidence was looked at and does not show it (`reason` says what falls short).
    NotMet,
    /// Not judged: the source of its evidence is missing (no completed scan, no scan matched
    /// against vulnerability data, no KEV data imported, no triage SLA set; `reason` says which).
    /// Neither `met` nor `not_met`.
    NotEvaluated,
    /// It does not apply to this version (a draft is not released yet).
    NotApplicable,
}

/// The requirements Cairn's data can evidence, each one item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CraRequirement {
    /// A machine-readable SBOM (CycloneDX and SPDX) covering at least the top-level dependencies
    /// (Annex I, Part II (1)).
    Sbom,
    /// No known exploited vulnerability left untriaged (Annex I, Part II (2); Art. 14).
    KnownExploitedTriaged,
    /// Every finding triaged within the tenant's SLA (Annex I, Part II (2)).
    TriagedWithinSla,
    /// A vulnerability handling policy and a security contact recorded (Annex I, Part II (5), (6)).
    VulnerabilityHandling,
    /// A support period set (Art. 13 (8)).
    SupportPeriod,
    /// The released version is frozen: its release state recorded and its inventory not scanned
    /// again after release.
    ReleaseImmutable,
}

/// What an item was judged on; fields that do not concern an item are absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CraEvidence {
    /// The scan judged (the version's latest completed scan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<ScanId>,
    /// Stored SBOM formats of that scan (`cyclonedx`, `spdx`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Components in the scan's inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<u64>,
    /// Direct (top-level) dependencies among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_dependencies: Option<u64>,
    /// Open findings judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<u64>,
    /// Findings listed as known exploited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_exploited: Option<u64>,
    /// The findings that fail the item (at most 100 ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
    /// How many fail it (all of them, when `failing` is cut at 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_count: Option<u64>,
    /// The KEV sources consulted, with their revisions (`name@catalogVersion`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kev_sources: Vec<String>,
    /// The SLA judged against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<TriageSla>,
    /// Findings of a severity the SLA gives no deadline (not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_deadline: Option<u64>,
    /// The security contact recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<String>,
    /// Whether a vulnerability handling policy is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability_policy: Option<bool>,
    /// The version's end of support.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub support_until: Option<OffsetDateTime>,
    /// The product's declared support period in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_period_months: Option<u32>,
    /// The version's release state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_state: Option<ReleaseState>,
    /// When it was released.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub released_at: Option<OffsetDateTime>,
    /// Completed scans of the version that finished after its release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scans_after_release: Option<u64>,
}

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CraItem {
    /// The requirement.
    pub requirement: CraRequirement,
    /// The conclusion.
    pub status: CraItemStatus,
    /// Why, in one sentence.
    pub reason: String,
    /// What it was judged on.
    pub evidence: CraEvidence,
}

/// The checklist of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CraStatus {
    /// The version.
    pub version_id: VersionId,
    /// Its name.
    pub version_name: String,
    /// The product (project).
    pub project_id: ProjectId,
    /// Its name.
    pub project_name: String,
    /// The scan judged: the version's latest completed scan, when it has one.
    pub scan_id: Option<ScanId>,
    /// When the checklist was computed.
    #[serde(with = "rfc3339")]
    pub evaluated_at: OffsetDateTime,
    /// One item per requirement, in `CraRequirement` order.
    pub items: Vec<CraItem>,
    /// Items met.
    pub met: u32,
    /// Items not met.
    pub not_met: u32,
    /// Items not evaluated for lack of an evidence source.
    pub not_evaluated: u32,
    /// Items that do not apply.
    pub not_applicable: u32,
}

impl CraItemStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CraItemStatus::Met => "met",
            CraItemStatus::NotMet => "not_met",
            CraItemStatus::NotEvaluated => "not_evaluated",
            CraItemStatus::NotApplicable => "not_applicable",
        }
    }
}

impl CraRequirement {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CraRequirement::Sbom => "sbom",
            CraRequirement::KnownExploitedTriaged => "known_exploited_triaged",
            CraRequirement::TriagedWithinSla => "triaged_within_sla",
            CraRequirement::VulnerabilityHandling => "vulnerability_handling",
            CraRequirement::SupportPeriod => "support_period",
            CraRequirement::ReleaseImmutable => "release_immutable",
        }
    }
}

/// The compliance report's format (`GET /versions/{id}/compliance-report?format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// One self-contained HTML page.
    Html,
    /// A PDF.
    Pdf,
}

impl ReportFormat {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }
}
