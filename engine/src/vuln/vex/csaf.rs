//! CSAF 2.0 (the VEX profile): `product_tree` product ids resolved to purls through
//! `product_identification_helper.purl` (branches, full product names and relationships, whose
//! combined product is the component `product_reference` names); each
//! `vulnerabilities[].product_status` list becomes statements, `flags` give the justification,
//! `threats` (impact) and `remediations` the note and response.

use std::collections::HashMap;

use serde_json::Value;

use super::{Vex, VexError, VexFormat, VexState, VexStatement, join_notes, text};
use crate::bom::VexResponse;

/// Product id → (purl when the document gives one, name).
type Products = HashMap<String, (Option<String>, String)>;

fn product(p: &Value, out: &mut Products) {
    if let Some(id) = p.get("product_id").and_then(Value::as_str) {
        let purl =
            p.pointer("/product_identification_helper/purl").and_then(Value::as_str).map(str::to_owned);
        let name = text(p, "name").unwrap_or_else(|| id.to_owned());
        out.insert(id.to_owned(), (purl, name));
    }
}

fn products(tree: &Value) -> Products {
    let mut out = Products::new();
    let mut stack: Vec<&Value> =
        tree.get("branches").and_then(Value::as_array).into_iter().flatten().collect();
    while let Some(b) = stack.pop() {
        if let Some(p) = b.get("product") {
            product(p, &mut out);
        }
        stack.extend(b.get("branches").and_then(Value::as_array).into_iter().flatten());
    }
    for p in tree.get("full_product_names").and_then(Value::as_array).into_iter().flatten() {
        product(p, &mut out);
    }
    // A relationship's product is the referenced component installed on (or part of) another:
    // for matching it is that component, unless it carries its own purl.
    for r in tree.get("relationships").and_then(Value::as_array).into_iter().flatten() {
        let Some(full) = r.get("full_product_name") else { continue };
        product(full, &mut out);
        let (Some(id), Some(reference)) = (
            full.get("product_id").and_then(Value::as_str),
            r.get("product_reference").and_then(Value::as_str),
        ) else {
            continue;
        };
        let inherited = out.get(reference).and_then(|(p, _)| p.clone());
        if let Some(entry) = out.get_mut(id)
            && entry.0.is_none()
        {
            entry.0 = inherited;
        }
    }
    out
}

/// Which `product_status` lists say what.
const STATUSES: [(&str, VexState); 8] = [
    ("known_not_affected", VexState::NotAffected),
    ("fixed", VexState::Fixed),
    ("first_fixed", VexState::Fixed),
    ("known_affected", VexState::Affected),
    ("first_affected", VexState::Affected),
    ("last_affected", VexState::Affected),
    ("under_investigation", VexState::UnderInvestigation),
    ("recommended", VexState::Fixed),
];

fn ids_of(x: &Value) -> Vec<&str> {
    x.get("product_ids").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

fn remediation_response(category: &str) -> Option<VexResponse> {
    Some(match category {
        "vendor_fix" => VexResponse::Update,
        "workaround" | "mitigation" => VexResponse::WorkaroundAvailable,
        "no_fix_planned" => VexResponse::WillNotFix,
        "none_available" => VexResponse::CanNotFix,
        _ => return None,
    })
}

pub(super) fn read(v: &Value) -> Result<Vex, VexError> {
    let tree = products(v.get("product_tree").unwrap_or(&Value::Null));
    let mut statements = Vec::new();
    for (i, vuln) in v.get("vulnerabilities").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let mut vulnerability: Vec<String> = text(vuln, "cve").into_iter().collect();
        vulnerability.extend(
            vuln.get("ids")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| x.get("text").and_then(Value::as_str))
                .map(str::to_owned),
        );
        if vulnerability.is_empty() {
            return Err(VexError::Statement {
                at: format!("vulnerabilities[{i}]"),
                reason: "no cve and no ids".into(),
            });
        }
        let flags: Vec<&Value> = vuln.get("flags").and_then(Value::as_array).into_iter().flatten().collect();
        let threats: Vec<&Value> =
            vuln.get("threats").and_then(Value::as_array).into_iter().flatten().collect();
        let remediations: Vec<&Value> =
            vuln.get("remediations").and_then(Value::as_array).into_iter().flatten().collect();
        for (list, state) in STATUSES {
            for (j, pid) in vuln
                .pointer(&format!("/product_status/{list}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .enumerate()
            {
                let at = format!("vulnerabilities[{i}].product_status.{list}[{j}]");
                let (products, unresolved) = match tree.get(pid) {
                    Some((Some(purl), _)) => (vec![purl.clone()], Vec::new()),
                    Some((None, name)) => (Vec::new(), vec![format!("{pid} ({name})")]),
                    None => (Vec::new(), vec![pid.to_owned()]),
                };
                let justification =
                    flags.iter().find(|f| ids_of(f).contains(&pid)).and_then(|f| text(f, "label"));
                let mine = |x: &&&Value| ids_of(x).contains(&pid);
                let mut notes: Vec<String> = threats
                    .iter()
                    .filter(mine)
                    .filter(|t| t.get("category").and_then(Value::as_str) == Some("impact"))
                    .filter_map(|t| text(t, "details"))
                    .collect();
                let own: Vec<&&Value> = remediations.iter().filter(mine).collect();
                notes.extend(own.iter().filter_map(|r| text(r, "details")));
                let response = own
                    .iter()
                    .filter_map(|r| r.get("category").and_then(Value::as_str))
                    .find_map(remediation_response);
                statements.push(VexStatement {
                    vulnerability: vulnerability.clone(),
                    products,
                    ranges: Vec::new(),
                    unresolved,
                    state,
                    justification,
                    response,
                    note: join_notes(notes),
                    at,
                });
            }
        }
    }
    Ok(Vex {
        format: VexFormat::Csaf,
        id: v.pointer("/document/tracking/id").and_then(Value::as_str).map(str::to_owned),
        statements,
    })
}
