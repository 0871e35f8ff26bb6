//! SPDX 3.0.1 JSON-LD into raw packages and edges.

use super::collect::{Collector, RawPackage, hash_name, license};
use super::{DocumentKind, ReadError};
use crate::inventory::{Hash, Location, Scope};
use serde_json::Value;
use std::collections::BTreeMap;

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Relationship targets: a list of ids, or (compacted JSON-LD) a single id.
fn targets(v: &Value) -> Vec<String> {
    match v.get("to") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn id(v: &Value) -> Option<String> {
    s(v, "spdxId").or_else(|| s(v, "@id"))
}

pub(crate) fn read(doc: &Value, origin: &str) -> Result<super::ReadBom, ReadError> {
    let context = doc.get("@context").and_then(Value::as_str).unwrap_or_default();
    if !context.contains("spdx.org/rdf/3.0.1") {
        return Err(ReadError::UnsupportedVersion(format!("JSON-LD context {context:?} (reads SPDX 3.0.1)")));
    }
    let graph = doc
        .get("@graph")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::Malformed { format: "SPDX 3", message: "no @graph array".into() })?;
    let mut collector = Collector::new(origin);
    let kind_of = |e: &Value| {
        e.get("type").or_else(|| e.get("@type")).and_then(Value::as_str).unwrap_or_default().to_string()
    };
    // License expressions by id, for hasDeclaredLicense / hasConcludedLicense.
    let mut expressions: BTreeMap<String, String> = BTreeMap::new();
    for e in graph {
        let text = s(e, "simplelicensing_licenseExpression")
            .or_else(|| (kind_of(e) == "expandedlicensing_ListedLicense").then(|| s(e, "name")).flatten());
        if let (Some(i), Some(text)) = (id(e), text) {
            expressions.insert(i, text);
        }
    }
    let mut license_of: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for e in graph.iter().filter(|e| kind_of(e).ends_with("Relationship")) {
        let (Some(from), Some(t)) = (s(e, "from"), s(e, "relationshipType")) else { continue };
        let to = targets(e);
        let scope = match s(e, "scope").as_deref() {
            Some("development" | "build") => Some(Scope::Dev),
            Some("test") => Some(Scope::Test),
            Some("runtime") => Some(Scope::Required),
            Some("other") => Some(Scope::Optional),
            _ => None,
        };
        match t.as_str() {
            "dependsOn" => to.iter().for_each(|x| collector.edge(&from, x, scope)),
            "hasDeclaredLicense" | "hasConcludedLicense" => {
                for x in to {
                    license_of.entry(from.clone()).or_default().push((x, t == "hasConcludedLicense"));
                }
            }
            _ => {}
        }
    }
    // The project: the root of the (first) SBOM, else the document's root when it is a package.
    let roots: Vec<String> = graph
        .iter()
        .filter(|e| kind_of(e) == "software_Sbom")
        .chain(graph.iter().filter(|e| kind_of(e) == "SpdxDocument"))
        .flat_map(|e| arr(e, "rootElement").iter().filter_map(|r| r.as_str().map(str::to_string)))
        .collect();
    let packages: Vec<&Value> = graph.iter().filter(|e| kind_of(e) == "software_Package").collect();
    if let Some(root) = roots.iter().find(|r| packages.iter().any(|p| id(p).as_deref() == Some(r.as_str()))) {
        collector.root(root);
    }
    for p in packages {
        let Some(reference) = id(p) else {
            collector.warn(format!(
                "a package without spdxId ({:?}) was skipped",
                s(p, "name").unwrap_or_default()
            ));
            continue;
        };
        let mut raw = RawPackage {
            name: s(p, "name").unwrap_or_default(),
            version: s(p, "software_packageVersion"),
            purl: s(p, "software_packageUrl").or_else(|| {
                arr(p, "externalIdentifier")
                    .iter()
                    .find(|x| s(x, "externalIdentifierType").as_deref() == Some("packageUrl"))
                    .and_then(|x| s(x, "identifier"))
            }),
            ..RawPackage::default()
        };
        for h in arr(p, "verifiedUsing") {
            if let (Some(alg), Some(value)) = (s(h, "algorithm"), s(h, "hashValue")) {
                raw.hashes.push(Hash::new(hash_name(&alg), value.to_ascii_lowercase()));
            }
        }
        for (lid, concluded) in license_of.get(&reference).into_iter().flatten() {
            match expressions.get(lid) {
                Some(text) => raw.licenses.extend(license(text, *concluded)),
                None => collector.warn(format!("license {lid:?} of {:?} is not in the document", raw.name)),
            }
        }
        if let Some(list) = s(p, "comment").as_deref().and_then(|c| c.strip_prefix("Declared in ")) {
            raw.locations = list
                .split(", ")
                .map(|l| match l.rsplit_once(':').and_then(|(p, n)| n.parse::<u32>().ok().map(|n| (p, n))) {
                    Some((p, n)) => Location::new(p, Some(n)),
                    None => Location::new(l, None),
                })
                .collect();
        }
        raw.reference = reference;
        collector.package(raw);
    }
    Ok(collector.finish(DocumentKind::Spdx3))
}
