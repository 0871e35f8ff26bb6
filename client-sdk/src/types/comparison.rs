//! A comparison of two scans (`GET /comparison`, `GET /versions/{a}/compare/{b}`): components
//! added, removed and changed, findings new, fixed and still open, license and crypto changes,
//! the readiness delta, the gate change, and what was not compared. The same shape as the engine's
//! `cairn_engine::diff::Comparison` (the CLI's offline `cairn diff` prints that one as this).

use serde::{Deserialize, Serialize};

use super::{GatePolicy, GateStatus, GateViolation, ScanId, Severity};

/// Two scans compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanComparison {
    /// The earlier scan.
    pub from_scan: ScanId,
    /// The later scan.
    pub to_scan: ScanId,
    /// What changed.
    pub comparison: Comparison,
}

/// What changed from one side to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The counts of every list.
    pub summary: ComparisonSummary,
    /// Components added, removed and changed.
    pub components: ComponentChanges,
    /// Findings new, fixed and still open; absent when a side was not matched (`not_compared`).
    pub findings: Option<FindingChanges>,
    /// License changes.
    pub licenses: LicenseChanges,
    /// Crypto assets added and removed; absent when a side was not scanned for cryptography.
    pub crypto: Option<CryptoChanges>,
    /// The post-quantum readiness score on both sides; absent when not scanned for cryptography.
    pub readiness: Option<ReadinessDelta>,
    /// The policy gates compared; absent when a side has no gate result (`not_compared`).
    #[serde(default)]
    pub gate: Option<GateChange>,
    /// Sections left out, and why: never read one as "no change".
    pub not_compared: Vec<NotCompared>,
}

/// How many of each (an absent count: that section was not compared).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparisonSummary {
    /// Components only in `to`.
    pub components_added: u64,
    /// Components only in `from`.
    pub components_removed: u64,
    /// Components with another version.
    pub components_changed: u64,
    /// Of those, upgrades in the ecosystem's version order.
    pub upgrades: u64,
    /// Of those, downgrades.
    pub downgrades: u64,
    /// Components with the same version on both sides.
    pub components_unchanged: u64,
    /// New findings.
    pub findings_new: Option<u64>,
    /// Fixed findings.
    pub findings_fixed: Option<u64>,
    /// Findings still open.
    pub findings_still_open: Option<u64>,
    /// Components whose license changed.
    pub licenses_changed: u64,
    /// Crypto assets added.
    pub crypto_added: Option<u64>,
    /// Crypto assets removed.
    pub crypto_removed: Option<u64>,
    /// Gate violations only `to` has.
    #[serde(default)]
    pub gate_violations_added: Option<u64>,
    /// Gate violations only `from` has.
    #[serde(default)]
    pub gate_violations_removed: Option<u64>,
}

/// A component on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparedComponent {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// The ecosystem-native name.
    pub name: String,
    /// The version (empty when only a requirement was known).
    pub version: String,
    /// The package URL.
    pub purl: String,
}

/// Which way a version moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionDirection {
    /// The new version orders after the old one.
    Upgrade,
    /// The new version orders before the old one.
    Downgrade,
    /// Two spellings of one version.
    Equivalent,
    /// No ordering (see `unordered_reason`).
    Unordered,
    /// A word a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unknown,
}

/// A component whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionChange {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// The ecosystem-native name.
    pub name: String,
    /// Before.
    pub from_version: String,
    /// After.
    pub to_version: String,
    /// The purl before.
    pub from_purl: String,
    /// The purl after.
    pub to_purl: String,
    /// Upgrade, downgrade, equivalent or unordered.
    pub direction: VersionDirection,
    /// Why there is no ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unordered_reason: Option<String>,
}

/// Components added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentChanges {
    /// Only in `to`.
    pub added: Vec<ComparedComponent>,
    /// Only in `from`.
    pub removed: Vec<ComparedComponent>,
    /// In both with another version.
    pub changed: Vec<VersionChange>,
    /// Components with the same version on both sides.
    pub unchanged: u64,
}

/// A finding's VEX status on the side it was last seen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComparedFindingStatus {
    /// Affected.
    Affected,
    /// Not affected.
    NotAffected,
    /// Fixed.
    Fixed,
    /// Under investigation (in triage).
    UnderInvestigation,
    /// A word a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unknown,
}

/// A finding in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingChange {
    /// The advisory id.
    pub id: String,
    /// Its other ids.
    pub aliases: Vec<String>,
    /// The package's ecosystem, when it is in the side's inventory.
    pub ecosystem: Option<String>,
    /// The package's name.
    pub name: String,
    /// The version before (absent for a new finding).
    pub from_version: Option<String>,
    /// The version after (absent for a fixed finding).
    pub to_version: Option<String>,
    /// The highest rated severity.
    pub severity: Severity,
    /// Its VEX status (triage applied).
    pub status: ComparedFindingStatus,
}

/// Findings new, fixed and still open, worst first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingChanges {
    /// Only in `to`.
    pub new: Vec<FindingChange>,
    /// Only in `from`.
    pub fixed: Vec<FindingChange>,
    /// In both.
    pub still_open: Vec<FindingChange>,
}

/// A component (by ecosystem and name) whose license changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseChange {
    /// OSV ecosystem name.
    pub ecosystem: String,
    /// The ecosystem-native name.
    pub name: String,
    /// Before (absent: none known).
    pub from: Option<String>,
    /// After (absent: none known).
    pub to: Option<String>,
}

/// License changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseChanges {
    /// Components kept whose license changed.
    pub changed: Vec<LicenseChange>,
    /// Expressions only `to` has.
    pub added: Vec<String>,
    /// Expressions only `from` has.
    pub removed: Vec<String>,
}

/// A cryptographic asset in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CryptoChange {
    /// CycloneDX asset type.
    pub asset_type: String,
    /// The asset's name.
    pub name: String,
    /// NIST post-quantum security category, when rated.
    pub nist_quantum_level: Option<u8>,
    /// Places it is seen at.
    pub occurrences: u64,
}

/// Crypto assets added and removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CryptoChanges {
    /// Only in `to`.
    pub added: Vec<CryptoChange>,
    /// Only in `from`.
    pub removed: Vec<CryptoChange>,
    /// On both sides.
    pub unchanged: u64,
}

/// The readiness score on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessDelta {
    /// Before (absent: nothing rated).
    pub from: Option<u8>,
    /// After.
    pub to: Option<u8>,
    /// `to - from`, when both are scored.
    pub delta: Option<i16>,
}

/// Both scans' policy gates: the verdicts, and the violations one has and the other not (the same
/// violation when rule and subject agree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateChange {
    /// The verdict before.
    pub from_status: GateStatus,
    /// The verdict after.
    pub to_status: GateStatus,
    /// The policy and revision the earlier gate evaluated.
    pub from_policy: GatePolicy,
    /// The policy and revision the later gate evaluated.
    pub to_policy: GatePolicy,
    /// Violations only the later gate has.
    pub violations_added: Vec<GateViolation>,
    /// Violations only the earlier gate has.
    pub violations_removed: Vec<GateViolation>,
    /// Violations both have.
    pub violations_unchanged: u64,
}

/// A part of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComparisonSection {
    /// Findings.
    Findings,
    /// Crypto assets.
    Crypto,
    /// The readiness score.
    Readiness,
    /// Policy gate results.
    Gate,
    /// A word a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unknown,
}

/// A section not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotCompared {
    /// Which.
    pub section: ComparisonSection,
    /// Why.
    pub reason: String,
}
