//! What a rule looks for. A rule has exactly one condition; within a condition every field given
//! must hold (AND), and a list field matches any of its entries (OR).

use super::purl_pattern::PurlPattern;
use super::scope::Usage;
use crate::crypto::Primitive;
use crate::inventory::Category;
use crate::vuln::{Rating, WarningKind};
use cairn_vocab::TriageState;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Deserializer, Serialize};

/// A rule's condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Over vulnerability findings.
    Finding(FindingCondition),
    /// Over informational advisories (unmaintained, unsound, notice).
    Warning(WarningCondition),
    /// Over third-party components' licenses.
    License(LicenseCondition),
    /// Over the cryptographic inventory.
    Crypto(CryptoCondition),
    /// Over the component inventory.
    Inventory(InventoryCondition),
    /// Over the vulnerability data itself.
    Data(DataCondition),
}

impl Condition {
    /// The condition's table name in the document.
    pub fn kind(&self) -> &'static str {
        match self {
            Condition::Finding(_) => "finding",
            Condition::Warning(_) => "warning",
            Condition::License(_) => "license",
            Condition::Crypto(_) => "crypto",
            Condition::Inventory(_) => "inventory",
            Condition::Data(_) => "data",
        }
    }
}

/// A finding's triage as a rule names it: `untriaged` or a triage state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TriageFilter {
    /// Nobody triaged it.
    Untriaged(Untriaged),
    /// Triaged to this state.
    State(TriageState),
}

/// The word `untriaged`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Untriaged {
    /// `untriaged`.
    Untriaged,
}

impl TriageFilter {
    /// Whether a finding with `triage` matches.
    pub fn matches(self, triage: Option<TriageState>) -> bool {
        match self {
            TriageFilter::Untriaged(_) => triage.is_none(),
            TriageFilter::State(s) => triage == Some(s),
        }
    }
}

/// Findings a rule looks at without a `triage` field: those still open (untriaged, in triage,
/// affected), never those a person settled.
pub const OPEN: [TriageFilter; 3] = [
    TriageFilter::Untriaged(Untriaged::Untriaged),
    TriageFilter::State(TriageState::InTriage),
    TriageFilter::State(TriageState::Affected),
];

/// Conditions over one finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingCondition {
    /// Rated at least this (`high` matches high and critical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Rating>,
    /// Rated exactly one of these (`["unknown"]`: findings without a usable severity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Rating>,
    /// A CVSS base score at least this (0.0–10.0); a finding without a score is not evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cvss: Option<f64>,
    /// Whether a fixed version above the installed one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<bool>,
    /// The advisory was published at least this many days ago; a finding whose advisory has no
    /// publication date is not evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age_days: Option<u32>,
    /// Triage states it applies to; default: open findings ([`OPEN`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Vec<TriageFilter>>,
}

/// Conditions over one warning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningCondition {
    /// The kinds (`unmaintained`, `unsound`, `notice`, `other`); empty: every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<WarningKind>,
}

/// An SPDX id glob (`AGPL-*`, `GPL-3.0-only`).
#[derive(Debug, Clone)]
pub struct IdPattern {
    text: String,
    glob: GlobMatcher,
}

impl PartialEq for IdPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Serialize for IdPattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl IdPattern {
    /// Parses a glob over license ids.
    pub fn parse(text: &str) -> Result<IdPattern, String> {
        if text.trim().is_empty() {
            return Err("an empty license id".into());
        }
        let glob = Glob::new(text).map_err(|e| format!("{text:?}: {e}"))?.compile_matcher();
        Ok(IdPattern { text: text.to_owned(), glob })
    }

    /// Whether `id` matches.
    pub fn matches(&self, id: &str) -> bool {
        self.glob.is_match(id)
    }
}

fn id_patterns<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IdPattern>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| IdPattern::parse(s).map_err(serde::de::Error::custom))
        .collect()
}

fn purl_patterns<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PurlPattern>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| PurlPattern::parse(s).map_err(serde::de::Error::custom))
        .collect()
}

/// Conditions over one third-party component's concluded license. Components whose license
/// was not determined match only `not_determined`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseCondition {
    /// License ids (globs): any id of the conclusion matching one.
    #[serde(default, deserialize_with = "id_patterns", skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<IdPattern>,
    /// Categories: any category of the conclusion among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Obligations (`disclose_source`, `network_use`, …): the conclusion asks any of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<String>,
    /// Ids (globs) the rule never counts: a conclusion whose every id is allowed does not match.
    #[serde(default, deserialize_with = "id_patterns", skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<IdPattern>,
    /// Which dependencies: `runtime`, `dev`; empty: both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage: Vec<Usage>,
    /// Match components whose license could not be determined.
    #[serde(default)]
    pub not_determined: bool,
}

/// Conditions over the cryptographic inventory. Each flag set adds its own check; `families` and
/// `primitives` narrow the algorithm checks (alone, they deny those algorithms).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoCondition {
    /// Algorithm families (`RSA`, `ECDH`, `SHA-1`), as CycloneDX names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<String>,
    /// Primitives (`key-agree`, `signature`, `kem`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primitives: Vec<Primitive>,
    /// Algorithms a quantum computer breaks (NIST level 0).
    #[serde(default)]
    pub quantum_vulnerable: bool,
    /// Algorithms broken today (MD5, SHA-1, DES, RC4, RSA under 2048 bits, …).
    #[serde(default)]
    pub weak: bool,
    /// Algorithms rated below this NIST level (0–6); unrated algorithms are not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nist_level_below: Option<u8>,
    /// Look at uses in test files too (by default only shipped code counts, as the readiness
    /// score does).
    #[serde(default)]
    pub include_tests: bool,
    /// The post-quantum readiness score (0–100) is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_below: Option<u8>,
    /// Private keys in the tree.
    #[serde(default)]
    pub private_keys: bool,
    /// Certificates past their `notAfter`.
    #[serde(default)]
    pub expired_certificates: bool,
    /// Certificates with a weak key or signature.
    #[serde(default)]
    pub weak_certificates: bool,
}

impl CryptoCondition {
    /// True when the condition looks at algorithm uses at all.
    pub fn checks_algorithms(&self) -> bool {
        self.quantum_vulnerable
            || self.weak
            || self.nist_level_below.is_some()
            || !self.families.is_empty()
            || !self.primitives.is_empty()
    }
}

/// Conditions over the component inventory. Each flag set adds its own check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryCondition {
    /// Third-party components with no exact version (only a manifest's requirement).
    #[serde(default)]
    pub unpinned: bool,
    /// Manifests no lockfile resolved (one violation per manifest).
    #[serde(default)]
    pub no_lockfile: bool,
    /// Denied packages: purl globs, optionally `@VERSION`.
    #[serde(default, deserialize_with = "purl_patterns", skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<PurlPattern>,
}

/// Conditions over the vulnerability data a scan was matched against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataCondition {
    /// The data is older than this many days.
    pub older_than_days: u32,
}
