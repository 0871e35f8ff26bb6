//! OpenVEX (0.0.x and 0.2.0): `statements[]` with a vulnerability (name and aliases), products
//! (purls as `@id` or `identifiers.purl`, with their subcomponents), a status, a justification and
//! the impact, action and status notes.

use serde_json::Value;

use super::{Vex, VexError, VexFormat, VexState, VexStatement, join_notes, strings, text};

pub(super) fn read(v: &Value) -> Result<Vex, VexError> {
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
            Some("affected") => VexState::Affected,
            Some("under_investigation") => VexState::UnderInvestigation,
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
        let mut named = Vec::new();
        for p in s.get("products").and_then(Value::as_array).into_iter().flatten() {
            match p {
                Value::String(id) => named.push(id.clone()),
                _ => {
                    named.extend(p.get("@id").and_then(Value::as_str).map(str::to_owned));
                    named.extend(p.pointer("/identifiers/purl").and_then(Value::as_str).map(str::to_owned));
                    for sub in p.get("subcomponents").and_then(Value::as_array).into_iter().flatten() {
                        named.extend(sub.get("@id").and_then(Value::as_str).map(str::to_owned));
                        named.extend(
                            sub.pointer("/identifiers/purl").and_then(Value::as_str).map(str::to_owned),
                        );
                    }
                }
            }
        }
        // 0.0.x lists subcomponents beside the products.
        named.extend(strings(s.get("subcomponents")));
        let (products, unresolved): (Vec<String>, Vec<String>) =
            named.into_iter().partition(|id| id.starts_with("pkg:"));
        if products.is_empty() && unresolved.is_empty() {
            return Err(bad("no product"));
        }
        let note = join_notes(
            ["impact_statement", "action_statement", "status_notes"]
                .iter()
                .filter_map(|k| text(s, k))
                .collect(),
        );
        statements.push(VexStatement {
            vulnerability,
            products,
            ranges: Vec::new(),
            unresolved,
            state,
            justification: text(s, "justification"),
            response: None,
            note,
            at,
        });
    }
    Ok(Vex { format: VexFormat::OpenVex, id: text(v, "@id"), statements })
}
