//! Triage carried in a VEX document: OpenVEX (0.0.x, 0.2.0), CycloneDX VEX (1.4+) and CSAF 2.0
//! (the VEX profile's product statuses). One reader serves `cairn scan --ignore-file` and the
//! daemon's VEX import (`POST /projects/{id}/vex`).
//!
//! Every statement is kept with its state, justification, response and note. For
//! `--ignore-file`, statements saying a vulnerability does not affect a product (`not_affected`,
//! CycloneDX's `false_positive`) or is `fixed` suppress the matching findings; the findings are
//! kept, listed as suppressed with the statement, never dropped.

mod csaf;
mod cyclonedx;
mod openvex;

use super::finding::{Finding, Matches};
use super::product::PurlPattern;
use crate::bom::{VexJustification, VexResponse};
use serde::Serialize;
use serde_json::Value;

/// Why a VEX document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    /// Not JSON.
    #[error("not a JSON document: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON, but neither OpenVEX, CycloneDX nor CSAF.
    #[error(
        "neither an OpenVEX document (@context openvex), a CycloneDX one (bomFormat CycloneDX) nor a CSAF one (document.csaf_version)"
    )]
    UnknownFormat,
    /// A statement that cannot be read.
    #[error("{at}: {reason}")]
    Statement {
        /// Where (`statements[2]`, `vulnerabilities[0]`).
        at: String,
        /// What is wrong.
        reason: String,
    },
}

/// The format a VEX document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexFormat {
    /// OpenVEX.
    OpenVex,
    /// CycloneDX VEX.
    CycloneDx,
    /// CSAF 2.0.
    Csaf,
}

impl VexFormat {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VexFormat::OpenVex => "openvex",
            VexFormat::CycloneDx => "cyclonedx",
            VexFormat::Csaf => "csaf",
        }
    }
}

/// What a statement says about the products it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexState {
    /// Not affected (OpenVEX `not_affected`, CycloneDX `not_affected`, CSAF `known_not_affected`).
    NotAffected,
    /// The match is wrong (CycloneDX `false_positive`; OpenVEX and CSAF say `not_affected`).
    FalsePositive,
    /// Fixed (CycloneDX `resolved`, CSAF `fixed` / `first_fixed`).
    Fixed,
    /// Affected (CycloneDX `exploitable`, CSAF `known_affected` / `first_affected` / `last_affected`).
    Affected,
    /// Under investigation (CycloneDX `in_triage`).
    UnderInvestigation,
}

impl VexState {
    /// The OpenVEX word (`false_positive` is `not_affected` there).
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::NotAffected | VexState::FalsePositive => "not_affected",
            VexState::Fixed => "fixed",
            VexState::Affected => "affected",
            VexState::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether the state removes a finding from what is reported (`--ignore-file`).
    pub fn suppresses(self) -> bool {
        matches!(self, VexState::NotAffected | VexState::FalsePositive | VexState::Fixed)
    }
}

/// A range of versions of one package a statement names (CycloneDX `affects[].versions[].range`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexRange {
    /// The package URL without a version.
    pub purl: String,
    /// The range (`vers:` syntax).
    pub range: String,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexStatement {
    /// The vulnerability's id and aliases as the statement names them.
    pub vulnerability: Vec<String>,
    /// Package URLs it applies to; one without a version applies to every version.
    pub products: Vec<String>,
    /// Version ranges it applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<VexRange>,
    /// Products it names that have no package URL (they can match no component).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
    /// What it says.
    pub state: VexState,
    /// Why, as the document words it, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// What is being done (CycloneDX `analysis.response`, CSAF remediations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<VexResponse>,
    /// Free text: impact or action statement, CycloneDX `detail`, CSAF threats and remediations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where in the document (`statements[2]`).
    pub at: String,
}

impl VexStatement {
    /// The justification in OpenVEX's five words. CycloneDX's nine are coarser or finer; each
    /// maps to the nearest (the inverse of what Cairn's CycloneDX writer emits, so a round trip
    /// through CycloneDX keeps the word where the writer's mapping is one to one).
    pub fn justification_kind(&self) -> Option<VexJustification> {
        Some(match self.justification.as_deref()? {
            "component_not_present" => VexJustification::ComponentNotPresent,
            "vulnerable_code_not_present" | "code_not_present" => VexJustification::VulnerableCodeNotPresent,
            "vulnerable_code_not_in_execute_path" | "code_not_reachable" => {
                VexJustification::VulnerableCodeNotInExecutePath
            }
            "vulnerable_code_cannot_be_controlled_by_adversary"
            | "requires_configuration"
            | "requires_dependency"
            | "requires_environment" => VexJustification::VulnerableCodeCannotBeControlledByAdversary,
            "inline_mitigations_already_exist"
            | "protected_by_compiler"
            | "protected_at_runtime"
            | "protected_at_perimeter"
            | "protected_by_mitigating_control" => VexJustification::InlineMitigationsAlreadyExist,
            _ => return None,
        })
    }

    /// Whether the statement names the vulnerability known by `ids` (id and aliases) in the
    /// component `purl`: a product purl equal to it (a product without a version: any version),
    /// or a range containing its version.
    pub fn applies_to(&self, ids: &[&str], purl: &str) -> bool {
        self.vulnerability.iter().any(|v| ids.contains(&v.as_str()))
            && (self.products.iter().any(|p| purl_matches(p, purl))
                || self
                    .ranges
                    .iter()
                    .any(|r| PurlPattern::new(&r.purl, Some(&r.range)).is_ok_and(|p| p.matches(purl))))
    }
}

/// A finding a statement suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The statement that suppressed it.
    pub statement: VexStatement,
}

/// The statements of a VEX document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vex {
    /// The format it was written in.
    pub format: VexFormat,
    /// The document's own id, when it has one (OpenVEX `@id`, CycloneDX `serialNumber`, CSAF
    /// `document.tracking.id`).
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<VexStatement>,
}

impl Vex {
    /// Reads an OpenVEX (0.0.x, 0.2.0), CycloneDX (1.4+) or CSAF 2.0 VEX document.
    pub fn from_json(bytes: &[u8]) -> Result<Vex, VexError> {
        let v: Value = serde_json::from_slice(bytes)?;
        let context = v.get("@context").and_then(Value::as_str).unwrap_or_default();
        if context.contains("openvex") {
            openvex::read(&v)
        } else if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            cyclonedx::read(&v)
        } else if v.pointer("/document/csaf_version").is_some() {
            csaf::read(&v)
        } else {
            Err(VexError::UnknownFormat)
        }
    }

    /// The first suppressing statement on `f`.
    pub fn suppressing(&self, f: &Finding) -> Option<&VexStatement> {
        let ids: Vec<&str> = f.ids.iter().chain(&f.aliases).map(String::as_str).collect();
        self.suppressing_ids(&ids, &f.purl)
    }

    /// The first suppressing statement on the vulnerability known by `ids` (id and aliases) in
    /// the component `purl` (a daemon's finding, as a client reads it).
    pub fn suppressing_ids(&self, ids: &[&str], purl: &str) -> Option<&VexStatement> {
        self.statements.iter().find(|s| s.state.suppresses() && s.applies_to(ids, purl))
    }

    /// Statements that name no product by package URL: `--ignore-file` refuses them, since they
    /// could suppress nothing.
    pub fn without_purls(&self) -> impl Iterator<Item = &VexStatement> {
        self.statements.iter().filter(|s| s.products.is_empty() && s.ranges.is_empty())
    }
}

impl Matches {
    /// Moves the findings `vex` suppresses to `suppressed`.
    pub fn suppress(&mut self, vex: &Vex) {
        let (kept, gone): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(&mut self.findings).into_iter().partition(|f| vex.suppressing(f).is_none());
        self.findings = kept;
        for finding in gone {
            if let Some(statement) = vex.suppressing(&finding).cloned() {
                self.suppressed.push(Suppressed { finding, statement });
            }
        }
    }
}

/// `pkg:type/name@version?qualifiers#subpath` without qualifiers and subpath.
fn purl_base(p: &str) -> &str {
    let end = p.find(['?', '#']).unwrap_or(p.len());
    &p[..end]
}

/// A statement's purl names the finding's component: equal, or equal but for the version when
/// the statement names none.
fn purl_matches(statement: &str, component: &str) -> bool {
    let (s, c) = (purl_base(statement), purl_base(component));
    if s == c {
        return true;
    }
    !s.contains('@') && c.split_once('@').is_some_and(|(name, _)| name == s)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Notes joined by a blank line, or none.
fn join_notes(notes: Vec<String>) -> Option<String> {
    let notes: Vec<String> = notes.into_iter().filter(|n| !n.trim().is_empty()).collect();
    (!notes.is_empty()).then(|| notes.join("\n\n"))
}

#[cfg(test)]
mod tests;
