//! What matching yields: findings (one per vulnerability per component, aliases merged) and the
//! components that could not be evaluated against an advisory, with the reason; informational
//! advisories apart as warnings, and what was covered per ecosystem.

use super::coverage::EcosystemCoverage;
use super::osv::{Event, RangeType};
use super::severity::{Rating, Severity};
use super::vex::Suppressed;
use super::warning::{Warning, WarningKind};
use crate::inventory::Ecosystem;
use serde::Serialize;
use std::collections::BTreeMap;

/// One vulnerability in one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The id shown first: the smallest advisory id of the merged group.
    pub id: String,
    /// Every advisory id merged into this finding (advisories aliasing each other), sorted.
    pub ids: Vec<String>,
    /// Every alias of them that is not itself one of `ids` (CVE, GHSA, …), sorted.
    pub aliases: Vec<String>,
    /// The component's purl.
    pub purl: String,
    /// The component's ecosystem.
    pub ecosystem: Ecosystem,
    /// The component's name.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// The first advisory's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The most severe of the merged advisories' severities.
    pub severity: Severity,
    /// The non-GIT ranges of every affected entry that matched.
    pub ranges: Vec<AffectedRange>,
    /// Advisories whose `versions` list names the installed version.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listed_in: Vec<String>,
    /// Every `fixed` version of those ranges, sorted and without repeats.
    pub fixed: Vec<String>,
    /// The lowest fixed version above the installed one, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest_fixed: Option<String>,
}

/// A range of an advisory that the finding's version was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedRange {
    /// The advisory it comes from.
    pub advisory: String,
    /// `SEMVER` or `ECOSYSTEM`.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// Its events, as written.
    pub events: Vec<Event>,
}

/// A component an advisory names that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NotEvaluated {
    /// The component's purl.
    pub purl: String,
    /// The advisory.
    pub advisory: String,
    /// Why not.
    pub reason: String,
}

/// The result of matching an inventory against a database.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Matches {
    /// Findings sorted by purl, then id.
    pub findings: Vec<Finding>,
    /// Components not evaluated against an advisory that names them, sorted.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Components looked up (local ones are the project's own code and are not).
    pub components_checked: usize,
    /// Informational advisories (unmaintained, unsound, notice) that apply, sorted by purl then
    /// advisory; never findings.
    pub warnings: Vec<Warning>,
    /// Per ecosystem of the inventory: components, evaluated, not evaluated and why. Sorted.
    pub coverage: Vec<EcosystemCoverage>,
    /// Findings a VEX statement suppressed ([`Matches::suppress`]); empty without one.
    pub suppressed: Vec<Suppressed>,
}

impl Matches {
    /// Findings per rating, every rating present (zero when none).
    pub fn by_rating(&self) -> BTreeMap<Rating, usize> {
        let mut m: BTreeMap<Rating, usize> = Rating::ALL.iter().map(|r| (*r, 0)).collect();
        for f in &self.findings {
            *m.entry(f.severity.rating).or_default() += 1;
        }
        m
    }

    /// Findings whose severity is unknown (they are findings, but a gate counts them apart).
    pub fn unknown_severity(&self) -> usize {
        self.findings.iter().filter(|f| f.severity.rating == Rating::Unknown).count()
    }

    /// Warnings per kind, every kind present (zero when none).
    pub fn warnings_by_kind(&self) -> BTreeMap<WarningKind, usize> {
        let mut m: BTreeMap<WarningKind, usize> = WarningKind::ALL.iter().map(|k| (*k, 0)).collect();
        for w in &self.warnings {
            *m.entry(w.kind).or_default() += 1;
        }
        m
    }

    /// Components not evaluated at all, every ecosystem together.
    pub fn components_not_evaluated(&self) -> usize {
        self.coverage.iter().map(|c| c.not_evaluated_count()).sum()
    }
}
