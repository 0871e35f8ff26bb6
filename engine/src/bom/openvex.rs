//! OpenVEX 0.2.0: serde model and emitter, one statement per (vulnerability, component).

use super::BomError;
use super::canonical;
use super::input::{BomInput, VexStatus};
use serde::Serialize;

#[derive(Serialize)]
struct Document {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    author: &'static str,
    timestamp: String,
    version: u32,
    tooling: String,
    statements: Vec<Statement>,
}

#[derive(Serialize)]
struct Statement {
    vulnerability: Vulnerability,
    products: Vec<Product>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
}

#[derive(Serialize)]
struct Vulnerability {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct Product {
    #[serde(rename = "@id")]
    id: String,
    identifiers: Identifiers,
}

#[derive(Serialize)]
struct Identifiers {
    purl: String,
}

/// What to do about an affected component when the input does not say: upgrade to a fixed version
/// when one is known.
pub(crate) fn default_action(fixed: &[String]) -> String {
    if fixed.is_empty() {
        "No fixed version is known.".to_string()
    } else {
        format!("Upgrade to {}.", fixed.join(" or "))
    }
}

/// Renders the input's vulnerabilities as an OpenVEX 0.2.0 document.
///
/// Fails when there is nothing to state (OpenVEX requires at least one statement) or when a
/// `not_affected` statement has neither a justification nor an impact statement.
pub fn to_openvex(input: &BomInput) -> Result<String, BomError> {
    Ok(canonical::to_pretty(&document(input)?))
}

/// The document's model, for [`to_openvex`] and [`super::render_to`].
pub(crate) fn document(input: &BomInput) -> Result<impl Serialize, BomError> {
    let mut statements = Vec::new();
    for v in input.sorted_vulnerabilities() {
        for a in &v.affects {
            let (status, justification, impact_statement, action_statement) = match a.status {
                VexStatus::Affected => (
                    "affected",
                    None,
                    None,
                    Some(a.detail.clone().unwrap_or_else(|| default_action(&a.fixed_versions))),
                ),
                VexStatus::NotAffected => {
                    if a.justification.is_none() && a.detail.is_none() {
                        return Err(BomError::InvalidInput(format!(
                            "{} on {}: not_affected needs a justification or an impact statement",
                            v.id, a.purl
                        )));
                    }
                    ("not_affected", a.justification.map(|j| j.as_openvex()), a.detail.clone(), None)
                }
                VexStatus::Fixed => ("fixed", None, None, None),
                VexStatus::UnderInvestigation => ("under_investigation", None, None, None),
            };
            statements.push(Statement {
                vulnerability: Vulnerability {
                    name: v.id.clone(),
                    description: v.summary.clone(),
                    aliases: v.aliases.clone(),
                },
                products: vec![Product {
                    id: a.purl.clone(),
                    identifiers: Identifiers { purl: a.purl.clone() },
                }],
                status,
                justification,
                impact_statement,
                action_statement,
            });
        }
    }
    if statements.is_empty() {
        return Err(BomError::NothingToState);
    }
    let id = super::spdx3::namespace_uuid("openvex-0.2.0", input);
    let doc = Document {
        context: "https://openvex.dev/ns/v0.2.0",
        id: format!("urn:uuid:{id}"),
        author: "cairn",
        timestamp: input.timestamp.clone(),
        version: 1,
        tooling: format!("cairn {}", env!("CARGO_PKG_VERSION")),
        statements,
    };
    Ok(doc)
}
