//! What a policy is evaluated against: plain facts drawn from a scan, its matches and its triage.
//! Offline the CLI builds them from the engine's own results; the daemon builds them from the same
//! results plus its stored triage, so both evaluate alike.

use super::scope::ProjectFacts;
use crate::crypto::CryptoUse;
use crate::crypto::material::CryptoMaterial;
use crate::inventory::{Component, Ecosystem};
use crate::vuln::{Database, Finding, Matches, Rating, WarningKind};
use cairn_vocab::TriageState;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Everything a gate looks at. `None` parts were not produced by the scan (no vulnerability data,
/// no crypto stage): rules over them are reported as not evaluated.
#[derive(Debug, Clone)]
pub struct PolicyInput<'a> {
    /// The project (scopes by name and tag).
    pub project: ProjectFacts,
    /// The time of evaluation (advisory and data age, certificate expiry), injected by the caller.
    pub now: OffsetDateTime,
    /// The inventory's components.
    pub components: &'a [Component],
    /// Vulnerability matching, when it ran.
    pub vulnerabilities: Option<VulnFacts>,
    /// The cryptographic inventory, when the crypto stage ran.
    pub crypto: Option<CryptoFacts<'a>>,
}

/// One open or triaged finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingFacts {
    /// The advisory id (shared with the violations that name it).
    pub advisory: Arc<str>,
    /// The component's purl (shared likewise).
    pub purl: Arc<str>,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
    /// Its rating.
    pub rating: Rating,
    /// Its CVSS base score, when scored.
    pub score: Option<f64>,
    /// A fixed version above the installed one exists.
    pub fix_available: bool,
    /// When the advisory was published, when it says.
    #[serde(with = "time::serde::rfc3339::option")]
    pub published: Option<OffsetDateTime>,
    /// Its triage (`None`: untriaged).
    pub triage: Option<TriageState>,
}

/// One informational advisory that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningFacts {
    /// What it says.
    pub kind: WarningKind,
    /// The advisory id (shared with the violations that name it).
    pub advisory: Arc<str>,
    /// The component's purl (shared likewise).
    pub purl: Arc<str>,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
}

/// Components of one ecosystem that were not evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataGap {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// How many components.
    pub components: usize,
    /// The coverage line (`npm 1767 not evaluated — no advisories loaded`).
    pub line: String,
}

/// What vulnerability matching produced (serializable, so a stored gate can be evaluated again
/// with new triage).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VulnFacts {
    /// Findings (VEX-suppressed ones are not here: `--ignore-file` removed them).
    pub findings: Vec<FindingFacts>,
    /// Warnings.
    pub warnings: Vec<WarningFacts>,
    /// Ecosystems with components not evaluated.
    pub gaps: Vec<DataGap>,
    /// How recent the data is (offline: the newest `modified` of its records; the daemon: its
    /// last import or update), when known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub data_as_of: Option<OffsetDateTime>,
}

/// The cryptographic inventory.
#[derive(Debug, Clone, Copy)]
pub struct CryptoFacts<'a> {
    /// Algorithm uses.
    pub uses: &'a [CryptoUse],
    /// Certificates and keys.
    pub material: &'a [CryptoMaterial],
}

/// Parses an RFC 3339 time, `None` when it is not one.
pub fn rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

impl FindingFacts {
    /// The facts of `f`, with its advisory's publication time and its triage.
    pub fn of(f: &Finding, published: Option<OffsetDateTime>, triage: Option<TriageState>) -> FindingFacts {
        FindingFacts {
            advisory: f.id.as_str().into(),
            purl: f.purl.as_str().into(),
            ecosystem: f.ecosystem,
            rating: f.severity.rating,
            score: f.severity.score,
            fix_available: f.nearest_fixed.is_some(),
            published,
            triage,
        }
    }
}

impl VulnFacts {
    /// The facts of `matches` against `db`, each finding's triage from `triage` (offline: none).
    /// Publication times come from the earliest-published advisory merged into each finding.
    pub fn of(
        matches: &Matches,
        db: &Database,
        triage: impl Fn(&Finding) -> Option<TriageState>,
    ) -> VulnFacts {
        let findings = matches
            .findings
            .iter()
            .map(|f| {
                let published = f
                    .ids
                    .iter()
                    .filter_map(|id| db.advisory(id).and_then(|a| a.published()).and_then(rfc3339))
                    .min();
                FindingFacts::of(f, published, triage(f))
            })
            .collect();
        let warnings = matches
            .warnings
            .iter()
            .map(|w| WarningFacts {
                kind: w.kind,
                advisory: w.advisory.as_str().into(),
                purl: w.purl.as_str().into(),
                ecosystem: w.ecosystem,
            })
            .collect();
        let gaps = matches
            .coverage
            .iter()
            .flat_map(|c| {
                c.not_evaluated.iter().map(|g| DataGap {
                    ecosystem: c.ecosystem,
                    components: g.components,
                    line: c.gap_line(g),
                })
            })
            .collect();
        let data_as_of = db.info().newest_modified.as_deref().and_then(rfc3339);
        VulnFacts { findings, warnings, gaps, data_as_of }
    }
}
