//! A minimal CycloneDX 1.6 JSON SBOM: components with purls, scopes, hashes and licenses, and the
//! dependency graph. Deterministic: no serial number, no timestamp unless the caller passes one.

use crate::inventory::{Component, ConcludedFrom, Inventory, Scope};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What the caller decides about the document.
#[derive(Debug, Clone, Default)]
pub struct CycloneDxOptions {
    /// The scanned project's name (the root component).
    pub name: String,
    /// Its version, when known.
    pub version: Option<String>,
    /// RFC 3339 timestamp for `metadata.timestamp`; omitted when `None` so output is reproducible.
    pub timestamp: Option<String>,
}

const ROOT_REF: &str = "cairn:root";
const STANDARD_HASHES: [&str; 9] =
    ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE3"];

fn component(c: &Component) -> Value {
    let mut v = json!({
        "type": "library",
        "bom-ref": c.purl,
        "name": c.name,
        "purl": c.purl,
    });
    if !c.version.is_empty() {
        v["version"] = json!(c.version);
    }
    v["scope"] = json!(if c.scope == Scope::Required { "required" } else { "optional" });
    let hashes: Vec<Value> = c
        .hashes
        .iter()
        .filter(|h| {
            STANDARD_HASHES.contains(&h.algorithm.as_str()) && h.value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|h| json!({"alg": h.algorithm, "content": h.value}))
        .collect();
    if !hashes.is_empty() {
        v["hashes"] = Value::Array(hashes);
    }
    // CycloneDX allows one expression per component: the conclusion, acknowledged as declared when
    // it rests on the manifests, as concluded when on license files.
    if let Some(l) = &c.licenses.concluded {
        let ack = match l.from {
            ConcludedFrom::Declared => "declared",
            ConcludedFrom::Detected => "concluded",
        };
        v["licenses"] = json!([{"expression": l.expression, "acknowledgement": ack}]);
    }
    let mut props = vec![json!({"name": "cairn:ecosystem", "value": c.ecosystem.osv_name()})];
    if c.scope != Scope::Required {
        props.push(json!({"name": "cairn:scope", "value": format!("{:?}", c.scope).to_lowercase()}));
    }
    if c.local {
        props.push(json!({"name": "cairn:local", "value": "true"}));
    }
    for loc in &c.locations {
        let value = match loc.line {
            Some(line) => format!("{}:{line}", loc.path),
            None => loc.path.clone(),
        };
        props.push(json!({"name": "cairn:location", "value": value}));
    }
    v["properties"] = Value::Array(props);
    v
}

/// Renders the inventory as a CycloneDX 1.6 JSON document (pretty, trailing newline).
pub fn to_cyclonedx(inv: &Inventory, opts: &CycloneDxOptions) -> String {
    let mut root = json!({"type": "application", "bom-ref": ROOT_REF, "name": opts.name});
    if let Some(v) = &opts.version {
        root["version"] = json!(v);
    }
    if let Some(l) = &inv.project_licenses.concluded {
        root["licenses"] = json!([{"expression": l.expression, "acknowledgement": "concluded"}]);
    }
    let mut metadata = json!({
        "tools": {"components": [{"type": "application", "name": "cairn", "version": env!("CARGO_PKG_VERSION")}]},
        "component": root,
    });
    if let Some(ts) = &opts.timestamp {
        metadata["timestamp"] = json!(ts);
    }
    let mut graph: BTreeMap<&str, BTreeSet<&str>> =
        inv.components.iter().map(|c| (c.purl.as_str(), BTreeSet::new())).collect();
    for e in &inv.edges {
        if let Some(deps) = graph.get_mut(e.from.as_str()) {
            deps.insert(&e.to);
        }
    }
    let top: BTreeSet<&str> = inv
        .components
        .iter()
        .filter(|c| c.local || c.direct == Some(true))
        .map(|c| c.purl.as_str())
        .collect();
    let mut dependencies = vec![json!({"ref": ROOT_REF, "dependsOn": top})];
    dependencies.extend(graph.iter().map(|(r, deps)| json!({"ref": r, "dependsOn": deps})));
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": inv.components.iter().map(component).collect::<Vec<_>>(),
        "dependencies": dependencies,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
