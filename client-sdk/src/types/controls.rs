//! Controls × frameworks (`GET /frameworks`, `GET /controls?framework=`): controls of the EU CRA
//! (Annex I), NIST SSDF (SP 800-218) and ISO/IEC 27001:2022 (Annex A.8), each with a status and
//! the evidence kinds of the tenant's data it rests on. A control Cairn's data cannot speak to is
//! `not_assessed` with the reason.

use serde::{Deserialize, Serialize};

/// A framework of the built-in catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FrameworkId {
    /// Regulation (EU) 2024/2847 (Cyber Resilience Act), Annex I: essential cybersecurity
    /// requirements (Part I) and vulnerability handling requirements (Part II).
    EuCra,
    /// NIST SP 800-218, Secure Software Development Framework 1.1 (PO, PS, PW, RV practices).
    NistSsdf,
    /// ISO/IEC 27001:2022 Annex A, technological controls (A.8).
    #[serde(rename = "iso_27001")]
    Iso27001,
}

impl FrameworkId {
    /// Every framework, in catalogue order.
    pub const ALL: [FrameworkId; 3] = [FrameworkId::EuCra, FrameworkId::NistSsdf, FrameworkId::Iso27001];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameworkId::EuCra => "eu_cra",
            FrameworkId::NistSsdf => "nist_ssdf",
            FrameworkId::Iso27001 => "iso_27001",
        }
    }
}

impl std::fmt::Display for FrameworkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FrameworkId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FrameworkId::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = FrameworkId::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown framework {s:?}; one of {}", known.join(", "))
        })
    }
}

/// What a control (or one kind of its evidence) concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Every kind of evidence the control rests on shows it.
    Met,
    /// Some of the evidence shows it, some does not.
    PartiallyMet,
    /// The data was looked at and does not show it.
    NotMet,
    /// Not judged: Cairn's data cannot speak to the control, or the source of its evidence is
    /// missing (`reason` says which). Never a conclusion either way.
    NotAssessed,
}

impl ControlStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Met => "met",
            ControlStatus::PartiallyMet => "partially_met",
            ControlStatus::NotMet => "not_met",
            ControlStatus::NotAssessed => "not_assessed",
        }
    }
}

/// A kind of evidence the tenant's data gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Completed scans of the tenant's projects in the last `RECENT_SCAN_DAYS` days (count:
    /// scans; met when every project has one).
    RecentScans,
    /// OSV vulnerability data imported (count: advisories).
    VulnerabilityData,
    /// A KEV list (known exploited vulnerabilities) imported (count: entries).
    KevData,
    /// Open findings of each project's latest scan triaged within the tenant's SLA (count:
    /// findings decided within their deadline).
    TriagedWithinSla,
    /// Released versions whose latest completed scan stored CycloneDX and SPDX SBOMs (count:
    /// such versions).
    SbomsPerRelease,
    /// Gate results of each project's latest completed scan (count: gated scans).
    GateResults,
    /// A stored policy assigned to the tenant or its projects (count: assignments).
    PolicyAssigned,
    /// The tenant's audit log: entries, and the hash chain verified (count: entries).
    AuditLog,
    /// Products (projects) with a security contact, a vulnerability handling policy and a
    /// support period recorded (count: such products).
    ProductFields,
}

impl EvidenceKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::RecentScans => "recent_scans",
            EvidenceKind::VulnerabilityData => "vulnerability_data",
            EvidenceKind::KevData => "kev_data",
            EvidenceKind::TriagedWithinSla => "triaged_within_sla",
            EvidenceKind::SbomsPerRelease => "sboms_per_release",
            EvidenceKind::GateResults => "gate_results",
            EvidenceKind::PolicyAssigned => "policy_assigned",
            EvidenceKind::AuditLog => "audit_log",
            EvidenceKind::ProductFields => "product_fields",
        }
    }
}

/// The window of `EvidenceKind::RecentScans`, in days.
pub const RECENT_SCAN_DAYS: u32 = 30;

/// One kind of evidence as the tenant's data shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlEvidence {
    /// The kind.
    pub kind: EvidenceKind,
    /// What it shows.
    pub status: ControlStatus,
    /// How many items of evidence (the kind says what it counts).
    pub count: u64,
    /// Why, in one sentence.
    pub reason: String,
}

/// A framework of the catalogue with its controls' statuses counted for the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    /// Its id (`GET /controls?framework=`).
    pub id: FrameworkId,
    /// Its name.
    pub name: String,
    /// The edition mapped.
    pub edition: String,
    /// Where it is published.
    pub url: String,
    /// Controls mapped.
    pub controls: u32,
    /// Controls met.
    pub met: u32,
    /// Controls partially met.
    pub partially_met: u32,
    /// Controls not met.
    pub not_met: u32,
    /// Controls not assessed.
    pub not_assessed: u32,
}

/// A control of a framework, judged from the tenant's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Control {
    /// The framework.
    pub framework: FrameworkId,
    /// The control's id in the framework (`PS.3.2`, `A.8.8`, `I.2.a`).
    pub id: String,
    /// Its short title.
    pub title: String,
    /// The conclusion: `met` only when every kind of its evidence is met.
    pub status: ControlStatus,
    /// Items of evidence over all its kinds.
    pub evidence_count: u64,
    /// Why, in one sentence: what Cairn's evidence covers of the control, or why it is not assessed.
    pub reason: String,
    /// Each kind of evidence it rests on (empty when Cairn's data cannot speak to it).
    pub evidence: Vec<ControlEvidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_ids_serialize_as_they_are_spelled() {
        for f in FrameworkId::ALL {
            assert_eq!(serde_json::to_value(f).expect("json"), f.as_str());
            assert_eq!(f.as_str().parse::<FrameworkId>(), Ok(f));
        }
    }
}
