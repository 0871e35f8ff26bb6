//! Coverage per ecosystem: how many components of each ecosystem were evaluated against the
//! loaded advisories, and for the others why not — so "0 vulnerabilities" is never said of an
//! ecosystem that had no data.

use crate::inventory::Ecosystem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a component was not evaluated at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// The data holds no advisory for the component's ecosystem.
    NoAdvisories,
    /// The component comes from git, a URL or another registry: advisories describe the
    /// ecosystem's registry, whose version history it does not share.
    NotRegistry,
    /// No version was recorded for it.
    NoVersion,
    /// A distribution package whose release is unknown (no os-release, or a derivative
    /// distribution): advisories are per release, so none can be chosen.
    NoRelease,
    /// Packages whose ecosystem no OSV data can match: rpm packages of a distribution OSV has
    /// no ecosystem for, or one Cairn does not map yet (Fedora, RHEL, Amazon Linux, SLES).
    /// Loading more data would not change it.
    NoMatcher,
}

impl GapReason {
    /// The words of the summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NoAdvisories => "no advisories loaded",
            GapReason::NotRegistry => "not from the registry",
            GapReason::NoVersion => "no version recorded",
            GapReason::NoRelease => "distribution release unknown",
            GapReason::NoMatcher => "no OSV ecosystem Cairn matches",
        }
    }
}

impl fmt::Display for GapReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Components of one ecosystem left out for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageGap {
    /// Why.
    pub reason: GapReason,
    /// How many components.
    pub components: usize,
    /// The sentence for a reader, e.g. `not evaluated: no data for npm`.
    pub message: String,
}

/// What matching covered of one ecosystem of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemCoverage {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The distribution release (OSV's suffix: `12` of `Debian:12`), for OS packages; for rpm
    /// packages the distribution's whole OSV ecosystem (`AlmaLinux:9`), or `fedora:40` (os-release
    /// `ID:VERSION_ID`) for a distribution without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Its components (local ones are the project's own code and are left out).
    pub components: usize,
    /// Advisories loaded for it.
    pub advisories: usize,
    /// Components compared with those advisories.
    pub evaluated: usize,
    /// Components not compared, by reason; their counts and `evaluated` add up to `components`.
    pub not_evaluated: Vec<CoverageGap>,
}

impl EcosystemCoverage {
    /// The ecosystem as OSV names it, with the release: `npm`, `Debian:12`, `AlmaLinux:9`.
    pub fn name(&self) -> String {
        match &self.release {
            Some(r) if self.ecosystem == Ecosystem::Rpm => r.clone(),
            Some(r) => format!("{}:{r}", self.ecosystem),
            None => self.ecosystem.to_string(),
        }
    }

    /// Components not evaluated, all reasons together.
    pub fn not_evaluated_count(&self) -> usize {
        self.not_evaluated.iter().map(|g| g.components).sum()
    }

    /// The line of the evaluated part, when there is one.
    pub fn evaluated_line(&self) -> Option<String> {
        (self.evaluated > 0).then(|| {
            format!("{} {} evaluated against {} advisories", self.name(), self.evaluated, self.advisories)
        })
    }

    /// The line of one gap.
    pub fn gap_line(&self, g: &CoverageGap) -> String {
        format!("{} {} not evaluated — {}", self.name(), g.components, g.reason)
    }

    /// One line per evaluated part and per gap, as every summary prints them:
    /// `crates.io 821 evaluated against 1193 advisories`, `npm 1767 not evaluated — no advisories
    /// loaded`.
    pub fn lines(&self) -> Vec<String> {
        self.evaluated_line().into_iter().chain(self.not_evaluated.iter().map(|g| self.gap_line(g))).collect()
    }
}

impl CoverageGap {
    /// A gap of `components` components of `ecosystem` (its OSV name, with the release for a
    /// distribution: `Debian:12`).
    pub fn new(ecosystem: impl fmt::Display, reason: GapReason, components: usize) -> CoverageGap {
        let message = match reason {
            GapReason::NoAdvisories => format!("not evaluated: no data for {ecosystem}"),
            GapReason::NoMatcher => {
                format!("not evaluated: {ecosystem} is no OSV ecosystem Cairn matches")
            }
            other => format!("not evaluated: {other}"),
        };
        CoverageGap { reason, components, message }
    }
}
