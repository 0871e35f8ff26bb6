//! SPDX 2.2 / 2.3 JSON (and tag-value, once brought to the same shape) into raw packages and edges.

use super::collect::{Collector, RawPackage, hash_name, license};
use super::{DocumentKind, ReadError};
use crate::inventory::{Hash, Location, Scope};
use serde_json::Value;

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Cairn writes `Declared in a:1, b` as a package comment; other tools' comments are not locations.
fn locations(comment: Option<&str>) -> Vec<Location> {
    let Some(list) = comment.and_then(|c| c.strip_prefix("Declared in ")) else { return Vec::new() };
    list.split(", ")
        .map(|l| match l.rsplit_once(':').and_then(|(p, n)| n.parse::<u32>().ok().map(|n| (p, n))) {
            Some((p, n)) => Location::new(p, Some(n)),
            None => Location::new(l, None),
        })
        .collect()
}

pub(crate) fn read(doc: &Value, origin: &str, kind: DocumentKind) -> Result<super::ReadBom, ReadError> {
    let version = match &kind {
        DocumentKind::Spdx2Json(v) | DocumentKind::Spdx2Tag(v) => v.clone(),
        _ => String::new(),
    };
    if !matches!(version.as_str(), "SPDX-2.2" | "SPDX-2.3") {
        return Err(ReadError::UnsupportedVersion(format!("{version:?} (reads SPDX-2.2 and SPDX-2.3)")));
    }
    if doc.get("packages").is_some_and(|p| !p.is_array()) {
        return Err(ReadError::Malformed { format: "SPDX 2", message: "packages is not an array".into() });
    }
    let mut collector = Collector::new(origin);
    let mut described: Vec<String> =
        arr(doc, "documentDescribes").iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    for r in arr(doc, "relationships") {
        if s(r, "relationshipType").as_deref() == Some("DESCRIBES")
            && s(r, "spdxElementId").as_deref() == Some("SPDXRef-DOCUMENT")
        {
            described.extend(s(r, "relatedSpdxElement"));
        }
    }
    // One described package is the project; several (or none) leave the root unknown.
    described.sort();
    described.dedup();
    if let [root] = described.as_slice() {
        collector.root(root);
    }
    for p in arr(doc, "packages") {
        let Some(reference) = s(p, "SPDXID") else {
            collector.warn(format!(
                "a package without SPDXID ({:?}) was skipped",
                s(p, "name").unwrap_or_default()
            ));
            continue;
        };
        let mut raw = RawPackage {
            reference,
            name: s(p, "name").unwrap_or_default(),
            version: s(p, "versionInfo"),
            ..RawPackage::default()
        };
        raw.purl = arr(p, "externalRefs")
            .iter()
            .find(|r| s(r, "referenceType").as_deref() == Some("purl"))
            .and_then(|r| s(r, "referenceLocator"));
        for c in arr(p, "checksums") {
            if let (Some(alg), Some(value)) = (s(c, "algorithm"), s(c, "checksumValue")) {
                raw.hashes.push(Hash::new(hash_name(&alg), value.to_ascii_lowercase()));
            }
        }
        raw.licenses.extend(s(p, "licenseDeclared").and_then(|l| license(&l, false)));
        raw.licenses.extend(s(p, "licenseConcluded").and_then(|l| license(&l, true)));
        raw.locations = locations(p.get("comment").and_then(Value::as_str));
        collector.package(raw);
    }
    for r in arr(doc, "relationships") {
        let (Some(a), Some(t), Some(b)) =
            (s(r, "spdxElementId"), s(r, "relationshipType"), s(r, "relatedSpdxElement"))
        else {
            continue;
        };
        match t.as_str() {
            "DEPENDS_ON" => collector.edge(&a, &b, None),
            "DEPENDENCY_OF" | "RUNTIME_DEPENDENCY_OF" => collector.edge(&b, &a, Some(Scope::Required)),
            "OPTIONAL_DEPENDENCY_OF" => collector.edge(&b, &a, Some(Scope::Optional)),
            "DEV_DEPENDENCY_OF" | "BUILD_DEPENDENCY_OF" => collector.edge(&b, &a, Some(Scope::Dev)),
            "TEST_DEPENDENCY_OF" => collector.edge(&b, &a, Some(Scope::Test)),
            _ => {}
        }
    }
    Ok(collector.finish(kind))
}
