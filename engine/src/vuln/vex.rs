//! Triage carried in a VEX document (`cairn scan --ignore-file`): OpenVEX or CycloneDX VEX.
//! Statements saying a vulnerability does not affect a product (`not_affected`, CycloneDX's
//! `false_positive`) or is `fixed` (`resolved`) suppress the matching findings; the findings are
//! kept, listed as suppressed with the statement, never dropped.

use super::finding::{Finding, Matches};
use serde::Serialize;
use serde_json::Value;

/// Why a VEX document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    /// Not JSON.
    #[error("not a JSON document: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON, but neither OpenVEX nor CycloneDX.
    #[error("neither an OpenVEX document (@context openvex) nor a CycloneDX one (bomFormat CycloneDX)")]
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

/// What a statement says about the products it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexState {
    /// Not affected (CycloneDX `not_affected` or `false_positive`).
    NotAffected,
    /// Fixed (CycloneDX `resolved`).
    Fixed,
}

impl VexState {
    /// The OpenVEX word.
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::NotAffected => "not_affected",
            VexState::Fixed => "fixed",
        }
    }
}

/// One suppressing statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexStatement {
    /// The vulnerability's id and aliases as the statement names them.
    pub vulnerability: Vec<String>,
    /// Package URLs it applies to; one without a version applies to every version.
    pub products: Vec<String>,
    /// What it says.
    pub state: VexState,
    /// Why, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Where in the document (`statements[2]`).
    pub at: String,
}

/// A finding a statement suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The statement that suppressed it.
    pub statement: VexStatement,
}

/// The suppressing statements of a VEX document (statements of other states are left out: they
/// do not change what is reported).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vex {
    /// The statements.
    pub statements: Vec<VexStatement>,
}

impl Vex {
    /// Reads an OpenVEX (0.0.x, 0.2.0) or CycloneDX (1.4+) VEX document.
    pub fn from_json(bytes: &[u8]) -> Result<Vex, VexError> {
        let v: Value = serde_json::from_slice(bytes)?;
        let context = v.get("@context").and_then(Value::as_str).unwrap_or_default();
        if context.contains("openvex") {
            openvex(&v)
        } else if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            cyclonedx(&v)
        } else {
            Err(VexError::UnknownFormat)
        }
    }

    /// The first statement suppressing `f`.
    pub fn suppressing(&self, f: &Finding) -> Option<&VexStatement> {
        let ids: Vec<&str> = f.ids.iter().chain(&f.aliases).map(String::as_str).collect();
        self.suppressing_ids(&ids, &f.purl)
    }

    /// The first statement suppressing the vulnerability known by `ids` (id and aliases) in the
    /// component `purl` (a daemon's finding, as a client reads it).
    pub fn suppressing_ids(&self, ids: &[&str], purl: &str) -> Option<&VexStatement> {
        self.statements.iter().find(|s| {
            s.vulnerability.iter().any(|v| ids.contains(&v.as_str()))
                && s.products.iter().any(|p| purl_matches(p, purl))
        })
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

fn openvex(v: &Value) -> Result<Vex, VexError> {
    let Some(list) = v.get("statements").and_then(Value::as_array) else {
        return Err(VexError::Statement { at: "statements".into(), reason: "missing or not a list".into() });
    };
    let mut statements = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let at = format!("statements[{i}]");
        let bad = |reason: &str| VexError::Statement { at: at.clone(), reason: reason.to_owned() };
        let state = match s.get("status").and_then(Value::as_str) {
            Some("not_affected") => VexState::NotAffected,
            Some("fixed") => VexState::Fixed,
            Some("affected" | "under_investigation") => continue,
            Some(other) => return Err(bad(&format!("unknown status {other:?}"))),
            None => return Err(bad("no status")),
        };
        // 0.2.0: {"name": id, "aliases": [...]}; 0.0.x: the id as a string.
        let vulnerability = match s.get("vulnerability") {
            Some(Value::String(id)) => vec![id.clone()],
            Some(o @ Value::Object(_)) => {
                let mut ids: Vec<String> =
                    o.get("name").and_then(Value::as_str).map(str::to_owned).into_iter().collect();
                ids.extend(strings(o.get("aliases")));
                ids
            }
            _ => Vec::new(),
        };
        if vulnerability.is_empty() {
            return Err(bad("no vulnerability name"));
        }
        let mut products = Vec::new();
        for p in s.get("products").and_then(Value::as_array).into_iter().flatten() {
            let ids = match p {
                Value::String(id) => vec![id.clone()],
                _ => {
                    let mut ids: Vec<String> =
                        p.get("@id").and_then(Value::as_str).map(str::to_owned).into_iter().collect();
                    ids.extend(p.pointer("/identifiers/purl").and_then(Value::as_str).map(str::to_owned));
                    for sub in p.get("subcomponents").and_then(Value::as_array).into_iter().flatten() {
                        ids.extend(sub.get("@id").and_then(Value::as_str).map(str::to_owned));
                        ids.extend(
                            sub.pointer("/identifiers/purl").and_then(Value::as_str).map(str::to_owned),
                        );
                    }
                    ids
                }
            };
            products.extend(ids.into_iter().filter(|id| id.starts_with("pkg:")));
        }
        if products.is_empty() {
            return Err(bad("no product named by a package URL (pkg:…)"));
        }
        let justification = s.get("justification").and_then(Value::as_str).map(str::to_owned);
        statements.push(VexStatement { vulnerability, products, state, justification, at });
    }
    Ok(Vex { statements })
}

fn cyclonedx(v: &Value) -> Result<Vex, VexError> {
    // `affects[].ref` is a bom-ref: the component's purl when the document says so.
    let mut refs: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut stack: Vec<&Value> =
        v.get("components").and_then(Value::as_array).into_iter().flatten().collect();
    stack.extend(v.pointer("/metadata/component"));
    while let Some(c) = stack.pop() {
        if let (Some(r), Some(p)) =
            (c.get("bom-ref").and_then(Value::as_str), c.get("purl").and_then(Value::as_str))
        {
            refs.insert(r, p);
        }
        stack.extend(c.get("components").and_then(Value::as_array).into_iter().flatten());
    }
    let mut statements = Vec::new();
    for (i, vuln) in v.get("vulnerabilities").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let at = format!("vulnerabilities[{i}]");
        let bad = |reason: &str| VexError::Statement { at: at.clone(), reason: reason.to_owned() };
        let state = match vuln.pointer("/analysis/state").and_then(Value::as_str) {
            Some("not_affected" | "false_positive") => VexState::NotAffected,
            Some("resolved" | "resolved_with_pedigree") => VexState::Fixed,
            Some("exploitable" | "in_triage") | None => continue,
            Some(other) => return Err(bad(&format!("unknown analysis.state {other:?}"))),
        };
        let mut vulnerability: Vec<String> =
            vuln.get("id").and_then(Value::as_str).map(str::to_owned).into_iter().collect();
        vulnerability.extend(
            vuln.get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("id").and_then(Value::as_str))
                .map(str::to_owned),
        );
        if vulnerability.is_empty() {
            return Err(bad("no id"));
        }
        let products: Vec<String> = vuln
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("ref").and_then(Value::as_str))
            .map(|r| refs.get(r).copied().unwrap_or(r).to_owned())
            .filter(|p| p.starts_with("pkg:"))
            .collect();
        if products.is_empty() {
            return Err(bad("affects names no component with a package URL"));
        }
        let justification =
            vuln.pointer("/analysis/justification").and_then(Value::as_str).map(str::to_owned);
        statements.push(VexStatement { vulnerability, products, state, justification, at });
    }
    Ok(Vex { statements })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vuln::severity::Severity;

    fn finding(id: &str, aliases: &[&str], purl: &str) -> Finding {
        Finding {
            id: id.into(),
            ids: vec![id.into()],
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            purl: purl.into(),
            ecosystem: crate::inventory::Ecosystem::Cargo,
            name: "time".into(),
            version: "0.1.45".into(),
            summary: None,
            severity: Severity::unknown(),
            ranges: Vec::new(),
            listed_in: Vec::new(),
            fixed: Vec::new(),
            nearest_fixed: None,
        }
    }

    // The shape of the OpenVEX 0.2.0 specification's example statement.
    const OPENVEX: &str = r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"ci","timestamp":"2024-01-01T00:00:00Z","version":1,
      "statements":[
        {"vulnerability":{"name":"CVE-2020-26235"},"products":[{"@id":"pkg:cargo/time@0.1.45"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
        {"vulnerability":{"name":"RUSTSEC-2020-0159"},"products":[{"@id":"pkg:cargo/chrono"}],"status":"fixed"},
        {"vulnerability":{"name":"RUSTSEC-2021-0139"},"products":[{"@id":"pkg:cargo/ansi_term@0.12.1"}],"status":"affected"}]}"#;

    #[test]
    fn openvex_not_affected_and_fixed_suppress_by_alias_and_versionless_purl() {
        let vex = Vex::from_json(OPENVEX.as_bytes()).expect("reads");
        assert_eq!(vex.statements.len(), 2, "the affected statement suppresses nothing");
        let mut m = Matches {
            findings: vec![
                finding("RUSTSEC-2020-0071", &["CVE-2020-26235"], "pkg:cargo/time@0.1.45"),
                finding("RUSTSEC-2020-0071", &["CVE-2020-26235"], "pkg:cargo/time@0.1.44"),
                finding("RUSTSEC-2020-0159", &[], "pkg:cargo/chrono@0.4.19"),
                finding("RUSTSEC-2021-0139", &[], "pkg:cargo/ansi_term@0.12.1"),
            ],
            ..Matches::default()
        };
        m.suppress(&vex);
        let kept: Vec<&str> = m.findings.iter().map(|f| f.purl.as_str()).collect();
        assert_eq!(kept, ["pkg:cargo/time@0.1.44", "pkg:cargo/ansi_term@0.12.1"]);
        let gone: Vec<(&str, VexState)> =
            m.suppressed.iter().map(|s| (s.finding.purl.as_str(), s.statement.state)).collect();
        assert_eq!(
            gone,
            [("pkg:cargo/time@0.1.45", VexState::NotAffected), ("pkg:cargo/chrono@0.4.19", VexState::Fixed)]
        );
        assert_eq!(
            m.suppressed[0].statement.justification.as_deref(),
            Some("vulnerable_code_not_in_execute_path")
        );
    }

    #[test]
    fn cyclonedx_vex_resolves_bom_refs() {
        let doc = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
          "components":[{"type":"library","bom-ref":"time-ref","name":"time","purl":"pkg:cargo/time@0.1.45"}],
          "vulnerabilities":[
            {"id":"RUSTSEC-2020-0071","analysis":{"state":"false_positive"},"affects":[{"ref":"time-ref"}]},
            {"id":"RUSTSEC-2021-0139","analysis":{"state":"exploitable"},"affects":[{"ref":"pkg:cargo/ansi_term@0.12.1"}]}]}"#;
        let vex = Vex::from_json(doc.as_bytes()).expect("reads");
        assert_eq!(vex.statements.len(), 1);
        assert_eq!(vex.statements[0].products, ["pkg:cargo/time@0.1.45"]);
        assert!(vex.suppressing(&finding("RUSTSEC-2020-0071", &[], "pkg:cargo/time@0.1.45")).is_some());
    }

    #[test]
    fn bad_documents_say_where() {
        assert!(matches!(Vex::from_json(b"{}"), Err(VexError::UnknownFormat)));
        assert!(matches!(Vex::from_json(b"not json"), Err(VexError::Json(_))));
        let e = Vex::from_json(br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"X"},"products":[{"@id":"pkg:npm/a"}],"status":"maybe"}]}"#)
            .expect_err("unknown status");
        assert_eq!(e.to_string(), "statements[0]: unknown status \"maybe\"");
    }
}
