//! The result of a comparison, its counts, and what was not compared.

use super::components::{ComponentChange, Direction};
use super::crypto::CryptoChanges;
use super::findings::FindingChanges;
use super::gate::GateChange;
use super::licenses::LicenseChanges;
use crate::bom::BomInput;
use crate::crypto::quantum::readiness;
use serde::{Deserialize, Serialize};

/// What changed from one side to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The counts of every list below.
    pub summary: Summary,
    /// Components added, removed and changed.
    pub components: ComponentChange,
    /// Findings new, fixed and still open; none when a side was not matched.
    pub findings: Option<FindingChanges>,
    /// License changes.
    pub licenses: LicenseChanges,
    /// Crypto assets added and removed; none when a side was not scanned for cryptography.
    pub crypto: Option<CryptoChanges>,
    /// The post-quantum readiness score on both sides; none when not scanned for cryptography.
    pub readiness: Option<ReadinessDelta>,
    /// The policy gates' verdicts and violations; none when a side has no gate result.
    pub gate: Option<GateChange>,
    /// Sections left out and why (never read as "no change").
    pub not_compared: Vec<NotCompared>,
}

/// A part of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Findings new, fixed and still open.
    Findings,
    /// Crypto assets.
    Crypto,
    /// The readiness score.
    Readiness,
    /// Policy gate results.
    Gate,
}

/// A section that was not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCompared {
    /// Which.
    pub section: Section,
    /// Why, naming the side.
    pub reason: String,
}

impl NotCompared {
    pub(super) fn new(section: Section, from_done: bool, to_done: bool, what: &str) -> Self {
        let sides = match (from_done, to_done) {
            (false, false) => "either side",
            (false, true) => "the `from` side",
            _ => "the `to` side",
        };
        Self { section, reason: format!("{what} for {sides}") }
    }
}

/// The readiness score (0–100, none when nothing shipped is rated) on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessDelta {
    /// Before.
    pub from: Option<u8>,
    /// After.
    pub to: Option<u8>,
    /// `to - from`, when both are scored.
    pub delta: Option<i16>,
}

impl ReadinessDelta {
    pub(super) fn of(from: &BomInput, to: &BomInput) -> Self {
        let (f, t) = (readiness(&from.crypto).score, readiness(&to.crypto).score);
        let delta = f.zip(t).map(|(f, t)| i16::from(t) - i16::from(f));
        Self { from: f, to: t, delta }
    }
}

/// How many of each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Components only in `to`.
    pub components_added: usize,
    /// Components only in `from`.
    pub components_removed: usize,
    /// Components with another version.
    pub components_changed: usize,
    /// Of those, upgrades.
    pub upgrades: usize,
    /// Of those, downgrades.
    pub downgrades: usize,
    /// Components with the same version on both sides.
    pub components_unchanged: usize,
    /// New findings (none: not compared).
    pub findings_new: Option<usize>,
    /// Fixed findings (none: not compared).
    pub findings_fixed: Option<usize>,
    /// Findings still open (none: not compared).
    pub findings_still_open: Option<usize>,
    /// Components whose license changed.
    pub licenses_changed: usize,
    /// Crypto assets added (none: not compared).
    pub crypto_added: Option<usize>,
    /// Crypto assets removed (none: not compared).
    pub crypto_removed: Option<usize>,
    /// Gate violations only `to` has (none: not compared).
    pub gate_violations_added: Option<usize>,
    /// Gate violations only `from` has (none: not compared).
    pub gate_violations_removed: Option<usize>,
}

impl Summary {
    pub(super) fn of(
        c: &ComponentChange,
        f: Option<&FindingChanges>,
        l: &LicenseChanges,
        x: Option<&CryptoChanges>,
        g: Option<&GateChange>,
    ) -> Self {
        let moved = |d: Direction| c.changed.iter().filter(|v| v.direction == d).count();
        Self {
            components_added: c.added.len(),
            components_removed: c.removed.len(),
            components_changed: c.changed.len(),
            upgrades: moved(Direction::Upgrade),
            downgrades: moved(Direction::Downgrade),
            components_unchanged: c.unchanged,
            findings_new: f.map(|f| f.new.len()),
            findings_fixed: f.map(|f| f.fixed.len()),
            findings_still_open: f.map(|f| f.still_open.len()),
            licenses_changed: l.changed.len(),
            crypto_added: x.map(|x| x.added.len()),
            crypto_removed: x.map(|x| x.removed.len()),
            gate_violations_added: g.map(|g| g.violations_added.len()),
            gate_violations_removed: g.map(|g| g.violations_removed.len()),
        }
    }
}
