//! Recomputing and checking the `cairn:sha256` recorded in a CycloneDX, SPDX 2.3 or SPDX 3.0.1 document.

use super::canonical::{self, METHODOLOGY_KEY, SHA256_KEY};
use serde_json::Value;

/// Why a seal could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not JSON.
    #[error("not a JSON document: {0}")]
    Json(String),
    /// No `cairn:sha256` in the document.
    #[error("the document records no cairn:sha256")]
    Missing,
    /// The recorded hash is not the recomputed one.
    #[error("cairn:sha256 mismatch: recorded {recorded}, recomputed {recomputed}")]
    Mismatch {
        /// What the document says.
        recorded: String,
        /// What its content hashes to.
        recomputed: String,
    },
}

/// A checked seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The methodology version the document records.
    pub methodology_version: Option<String>,
    /// The SHA-256, recorded and recomputed alike.
    pub sha256: String,
}

/// The SPDX annotation statement that carries the seal.
pub(crate) fn statement(methodology: &str, sha: &str) -> String {
    format!("{METHODOLOGY_KEY}={methodology} {SHA256_KEY}={sha}")
}

fn parse_statement(s: &str) -> Option<(Option<String>, String)> {
    let mut methodology = None;
    let mut sha = None;
    for part in s.split_whitespace() {
        if let Some(v) = part.strip_prefix(&format!("{METHODOLOGY_KEY}=")) {
            methodology = Some(v.to_string());
        } else if let Some(v) = part.strip_prefix(&format!("{SHA256_KEY}=")) {
            sha = Some(v.to_string());
        }
    }
    sha.map(|s| (methodology, s))
}

/// Removes the seal from a document, returning what it recorded.
fn unseal(doc: &mut Value) -> Option<(Option<String>, String)> {
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let meta = doc.get_mut("metadata")?.as_object_mut()?;
        let props = meta.get_mut("properties")?.as_array_mut()?;
        let find = |props: &[Value], key: &str| {
            props.iter().find(|p| p["name"] == key).and_then(|p| p["value"].as_str()).map(str::to_string)
        };
        let methodology = find(props, METHODOLOGY_KEY);
        let sha = find(props, SHA256_KEY)?;
        props.retain(|p| p["name"] != METHODOLOGY_KEY && p["name"] != SHA256_KEY);
        if props.is_empty() {
            meta.remove("properties");
        }
        return Some((methodology, sha));
    }
    if doc.get("spdxVersion").is_some() {
        let anns = doc.get_mut("annotations")?.as_array_mut()?;
        let i = anns.iter().position(|a| a["comment"].as_str().and_then(parse_statement).is_some())?;
        let found = anns[i]["comment"].as_str().and_then(parse_statement);
        anns.remove(i);
        if anns.is_empty() {
            doc.as_object_mut()?.remove("annotations");
        }
        return found;
    }
    let graph = doc.get_mut("@graph")?.as_array_mut()?;
    let i = graph.iter().position(|e| {
        e["type"] == "Annotation" && e["statement"].as_str().and_then(parse_statement).is_some()
    })?;
    let found = graph[i]["statement"].as_str().and_then(parse_statement);
    graph.remove(i);
    found
}

/// The SHA-256 of a document's canonical form without its seal.
pub(crate) fn content_hash(unsealed: &Value) -> String {
    canonical::sha256_hex(&canonical::canonical_bytes(unsealed))
}

/// Recomputes a document's `cairn:sha256` and checks it against the recorded one.
pub fn verify(document: &str) -> Result<Seal, SealError> {
    let mut doc: Value = serde_json::from_str(document).map_err(|e| SealError::Json(e.to_string()))?;
    let (methodology_version, recorded) = unseal(&mut doc).ok_or(SealError::Missing)?;
    let recomputed = content_hash(&doc);
    if recomputed != recorded {
        return Err(SealError::Mismatch { recorded, recomputed });
    }
    Ok(Seal { methodology_version, sha256: recorded })
}
