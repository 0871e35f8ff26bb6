//! CycloneDX VEX (1.4–1.7): `vulnerabilities[]` with an `analysis` (state, justification,
//! response, detail) and `affects[]` naming components by bom-ref, purl or BOM-Link
//! (`urn:cdx:<serial>/<version>#<bom-ref>`), optionally narrowed by `versions[]` (a version or a
//! `vers` range).

use std::collections::HashMap;

use serde_json::Value;

use super::{Vex, VexError, VexFormat, VexRange, VexState, VexStatement, text};
use crate::bom::VexResponse;
use crate::vuln::product::purl_parts;

fn response(word: &str) -> Option<VexResponse> {
    Some(match word {
        "can_not_fix" => VexResponse::CanNotFix,
        "will_not_fix" => VexResponse::WillNotFix,
        "update" => VexResponse::Update,
        "rollback" => VexResponse::Rollback,
        "workaround_available" => VexResponse::WorkaroundAvailable,
        _ => return None,
    })
}

pub(super) fn read(v: &Value) -> Result<Vex, VexError> {
    // `affects[].ref` is a bom-ref: the component's purl when the document says so.
    let mut refs: HashMap<&str, &str> = HashMap::new();
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
            Some("not_affected") => VexState::NotAffected,
            Some("false_positive") => VexState::FalsePositive,
            Some("resolved" | "resolved_with_pedigree") => VexState::Fixed,
            Some("exploitable") => VexState::Affected,
            Some("in_triage") => VexState::UnderInvestigation,
            // A vulnerability listed without an analysis states nothing (a plain BOM with findings).
            None => continue,
            Some(other) => return Err(bad(&format!("unknown analysis.state {other:?}"))),
        };
        let mut vulnerability: Vec<String> = text(vuln, "id").into_iter().collect();
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
        let (mut products, mut ranges, mut unresolved) = (Vec::new(), Vec::new(), Vec::new());
        for a in vuln.get("affects").and_then(Value::as_array).into_iter().flatten() {
            let Some(r) = a.get("ref").and_then(Value::as_str) else { continue };
            // A BOM-Link names the bom-ref after `#`.
            let local = if r.starts_with("urn:cdx:") { r.split_once('#').map_or(r, |(_, f)| f) } else { r };
            let purl = refs.get(local).copied().unwrap_or(local);
            if !purl.starts_with("pkg:") {
                unresolved.push(r.to_owned());
                continue;
            }
            let versions: Vec<&Value> =
                a.get("versions").and_then(Value::as_array).into_iter().flatten().collect();
            // `versions[].status: unaffected` entries say where the vulnerability is absent; the
            // statement is about the affected (or unstated) ones.
            let named: Vec<&Value> = versions
                .into_iter()
                .filter(|x| x.get("status").and_then(Value::as_str) != Some("unaffected"))
                .collect();
            if named.is_empty() {
                products.push(purl.to_owned());
                continue;
            }
            let Some((base, _)) = purl_parts(purl) else {
                unresolved.push(r.to_owned());
                continue;
            };
            for x in named {
                if let Some(ver) = text(x, "version") {
                    products.push(format!("{base}@{ver}"));
                } else if let Some(range) = text(x, "range") {
                    ranges.push(VexRange { purl: base.clone(), range });
                }
            }
        }
        if products.is_empty() && ranges.is_empty() && unresolved.is_empty() {
            return Err(bad("affects names no component"));
        }
        let response = match vuln.pointer("/analysis/response") {
            Some(Value::Array(words)) => words.iter().filter_map(Value::as_str).find_map(response),
            // Seen in the wild (bom-examples' VEX/vex.json): one word instead of a list.
            Some(Value::String(word)) => response(word),
            _ => None,
        };
        statements.push(VexStatement {
            vulnerability,
            products,
            ranges,
            unresolved,
            state,
            justification: vuln.pointer("/analysis/justification").and_then(Value::as_str).map(str::to_owned),
            response,
            note: vuln.get("analysis").and_then(|a| text(a, "detail")),
            at,
        });
    }
    Ok(Vex { format: VexFormat::CycloneDx, id: text(v, "serialNumber"), statements })
}
