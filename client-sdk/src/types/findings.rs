//! Findings and their triage (VEX): the state a person gave a vulnerability in a component of a
//! project, kept per (project, advisory, purl) so it survives re-scans.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{KnownExploited, ScanFinding, TriageRuleId, UserId, VexImportId};

/// A triage decision's state: the one word of `cairn-vocab`.
pub use cairn_vocab::TriageState;

/// Why a component is not affected (OpenVEX's five justifications; SPDX 3 has the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable component is not included.
    ComponentNotPresent,
    /// The vulnerable code is not included.
    VulnerableCodeNotPresent,
    /// The vulnerable code cannot be reached.
    VulnerableCodeNotInExecutePath,
    /// An adversary cannot control the vulnerable code's input.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Mitigations are built in.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification, in the order a picker shows them.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

impl std::str::FromStr for Justification {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Justification::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            format!(
                "unknown justification `{s}` ({})",
                Justification::ALL.map(Justification::as_str).join(", ")
            )
        })
    }
}

/// What is being done about an affected component (CycloneDX `analysis.response`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TriageResponse {
    /// It cannot be fixed.
    CanNotFix,
    /// It will not be fixed.
    WillNotFix,
    /// Update to a fixed version.
    Update,
    /// Roll back to an unaffected version.
    Rollback,
    /// A workaround is available.
    WorkaroundAvailable,
}

impl TriageResponse {
    /// Every response, in the order a picker shows them.
    pub const ALL: [TriageResponse; 5] = [
        TriageResponse::CanNotFix,
        TriageResponse::WillNotFix,
        TriageResponse::Update,
        TriageResponse::Rollback,
        TriageResponse::WorkaroundAvailable,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TriageResponse::CanNotFix => "can_not_fix",
            TriageResponse::WillNotFix => "will_not_fix",
            TriageResponse::Update => "update",
            TriageResponse::Rollback => "rollback",
            TriageResponse::WorkaroundAvailable => "workaround_available",
        }
    }
}

impl std::str::FromStr for TriageResponse {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TriageResponse::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            format!("unknown response `{s}` ({})", TriageResponse::ALL.map(TriageResponse::as_str).join(", "))
        })
    }
}

/// The triage of one (project, advisory, purl).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Triage {
    /// The state.
    pub state: TriageState,
    /// Why not affected (required with `not_affected` unless a note says why).
    pub justification: Option<Justification>,
    /// What is being done.
    pub response: Option<TriageResponse>,
    /// Free text: the impact statement or the reasoning.
    pub note: Option<String>,
    /// Who made the last change (absent once that user is deleted).
    pub updated_by: Option<UserId>,
    /// That user's email, for people to read (absent with `updated_by`, and in documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_email: Option<String>,
    /// When.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version (also the finding's ETag).
    pub version: i64,
    /// Where the decision came from when no person made it here: a triage rule or an imported
    /// VEX document. Absent when a person triaged the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TriageSource>,
}

/// What set a triage automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TriageSource {
    /// A triage rule (`/triage-rules`); the triage stays when the rule expires or is deleted.
    Rule {
        /// The rule.
        rule_id: TriageRuleId,
    },
    /// An imported VEX document (`POST /projects/{id}/vex`).
    Vex {
        /// The import that last set it.
        import_id: VexImportId,
        /// The document: its own id (OpenVEX `@id`, CycloneDX `serialNumber`, CSAF tracking id),
        /// else its SHA-256.
        document: String,
        /// Where in the document the statement is (`statements[2]`).
        statement: String,
    },
}

impl std::fmt::Display for TriageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TriageSource::Rule { rule_id } => write!(f, "by rule {rule_id}"),
            TriageSource::Vex { document, statement, .. } => write!(f, "by VEX {document} ({statement})"),
        }
    }
}

/// A finding with its triage: an item of `GET /findings` and the body of `GET /findings/{id}`.
/// The finding's ETag is `"<triage.version>"`, or `"0"` while it has never been triaged, and a
/// PATCH must send it as `If-Match`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The finding as the scan found it.
    #[serde(flatten)]
    pub finding: ScanFinding,
    /// The triage, absent while nobody has triaged it.
    pub triage: Option<Triage>,
    /// The KEV entry listing its advisory or an alias as known exploited; absent when no imported
    /// KEV list names it (and when none is imported: `/vulndb/status` lists the sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_exploited: Option<KnownExploited>,
    /// The advisory's longer text (Markdown as OSV gives it), on `GET /findings/{id}` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Advisory and fix URLs, on `GET /findings/{id}` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

impl Finding {
    /// The version to send as `If-Match` (0 until the first triage).
    pub fn etag_version(&self) -> i64 {
        self.triage.as_ref().map_or(0, |t| t.version)
    }

    /// Worst first, as a triager reads a list: severity (critical … none, unknown), then CVSS score,
    /// then advisory id and purl. The daemon pages findings in id order; clients sort with this.
    pub fn worst_first(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        let (a, b) = (&a.finding, &b.finding);
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.cvss_score.unwrap_or(-1.0).total_cmp(&a.cvss_score.unwrap_or(-1.0)))
            .then_with(|| a.vulnerability_id.cmp(&b.vulnerability_id))
            .then_with(|| a.purl.cmp(&b.purl))
    }
}

/// `PATCH /findings/{id}`: the triage fields to set. `state` is required on a finding never
/// triaged; an absent field keeps its value and `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TriageUpdate {
    /// The new state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<TriageState>,
    /// Why not affected.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    pub justification: Option<Option<Justification>>,
    /// What is being done.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    pub response: Option<Option<TriageResponse>>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    pub note: Option<Option<String>>,
}

/// Absent = `None`, `null` = `Some(None)`, a value = `Some(Some(v))`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn triage_update_tells_absent_from_null() {
        let absent: TriageUpdate = serde_json::from_str(r#"{"state":"fixed"}"#).unwrap();
        assert_eq!(absent.note, None);
        let cleared: TriageUpdate = serde_json::from_str(r#"{"note":null}"#).unwrap();
        assert_eq!(cleared.note, Some(None));
        let set: TriageUpdate = serde_json::from_str(r#"{"note":"x"}"#).unwrap();
        assert_eq!(set.note, Some(Some("x".into())));
        assert_eq!(serde_json::to_string(&cleared).unwrap(), r#"{"note":null}"#);
        assert_eq!(serde_json::to_string(&TriageUpdate::default()).unwrap(), "{}");
    }

    #[test]
    fn spellings_round_trip() {
        for s in TriageState::ALL {
            assert_eq!(s.as_str().parse::<TriageState>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for j in Justification::ALL {
            assert_eq!(j.as_str().parse::<Justification>().unwrap(), j);
            assert_eq!(serde_json::to_value(j).unwrap(), j.as_str());
        }
        for r in TriageResponse::ALL {
            assert_eq!(r.as_str().parse::<TriageResponse>().unwrap(), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!("nope".parse::<TriageState>().is_err());
    }
}
