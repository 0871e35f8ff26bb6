//! Vulnerability coverage per ecosystem, as a scan's counts carry it: components evaluated
//! against the loaded advisories and, for the others, why not — so a client never shows
//! "0 findings" for an ecosystem without data.

use serde::{Deserialize, Serialize};

/// Why components were not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GapReason {
    /// The data holds no advisory for the ecosystem.
    NoAdvisories,
    /// Git, URL or other-registry packages.
    NotRegistry,
    /// No version recorded.
    NoVersion,
    /// A distribution package whose release is unknown.
    NoRelease,
    /// Packages no OSV data can match: rpm packages of a distribution without an OSV ecosystem
    /// Cairn matches (Fedora, RHEL, Amazon Linux, SLES).
    NoMatcher,
    /// A reason a newer daemon gives that this client does not know (its `message` says it).
    #[serde(other)]
    Other,
}

/// Components of one ecosystem left out for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageGap {
    /// Why.
    pub reason: GapReason,
    /// How many components.
    pub components: u64,
    /// The sentence for a reader: `not evaluated: no data for npm`.
    pub message: String,
}

/// What matching covered of one ecosystem of the scan's inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EcosystemCoverage {
    /// The OSV ecosystem name (`crates.io`, `npm`, `PyPI`, …), with the release for a
    /// distribution (`Debian:12`).
    pub ecosystem: String,
    /// Its components (local ones left out).
    pub components: u64,
    /// Advisories loaded for it.
    pub advisories: u64,
    /// Components evaluated.
    pub evaluated: u64,
    /// Components not evaluated, by reason.
    pub not_evaluated: Vec<CoverageGap>,
}

impl EcosystemCoverage {
    /// Components not evaluated, every reason together.
    pub fn not_evaluated_count(&self) -> u64 {
        self.not_evaluated.iter().map(|g| g.components).sum()
    }

    /// The lines every summary prints, as the offline CLI does:
    /// `crates.io 821 evaluated against 1193 advisories`, `npm 1767 not evaluated — no advisories
    /// loaded` (the daemon's `message` for a reason this client does not know).
    pub fn lines(&self) -> Vec<String> {
        let e = &self.ecosystem;
        let mut out = Vec::new();
        if self.evaluated > 0 {
            out.push(format!("{e} {} evaluated against {} advisories", self.evaluated, self.advisories));
        }
        for g in &self.not_evaluated {
            let why = match g.reason {
                GapReason::NoAdvisories => "no advisories loaded",
                GapReason::NotRegistry => "not from the registry",
                GapReason::NoVersion => "no version recorded",
                GapReason::NoRelease => "distribution release unknown",
                GapReason::NoMatcher => "no OSV ecosystem Cairn matches",
                GapReason::Other => g.message.as_str(),
            };
            out.push(format!("{e} {} not evaluated — {why}", g.components));
        }
        out
    }
}
