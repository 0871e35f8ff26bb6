//! CycloneDX JSON 1.2–1.7 (and XML, once brought to the same shape) into raw packages and edges.

use super::collect::{Collector, RawPackage, license};
use super::{DocumentKind, ReadError};
use crate::bom::input::{BomLicense, LicenseKind};
use crate::inventory::{Hash, Location, Scope};
use serde_json::Value;

const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn location(text: &str) -> Location {
    // `path:line` as Cairn writes it; a path alone otherwise.
    match text.rsplit_once(':') {
        Some((path, line)) if !path.is_empty() => match line.parse::<u32>() {
            Ok(n) => Location::new(path, Some(n)),
            Err(_) => Location::new(text, None),
        },
        _ => Location::new(text, None),
    }
}

fn licenses(c: &Value) -> Vec<BomLicense> {
    let mut out = Vec::new();
    for l in arr(c, "licenses") {
        let concluded = l.get("acknowledgement").and_then(Value::as_str) == Some("concluded");
        if let Some(e) = l.get("expression").and_then(Value::as_str) {
            out.extend(license(e, concluded));
        } else if let Some(lic) = l.get("license") {
            let concluded = lic.get("acknowledgement").and_then(Value::as_str) == Some("concluded");
            if let Some(text) = s(lic, "id").or_else(|| s(lic, "name")) {
                out.extend(license(&text, concluded));
            }
        }
    }
    out
}

fn component(c: &Value, collector: &mut Collector, parent: Option<&str>) {
    let name = s(c, "name").unwrap_or_default();
    let reference = s(c, "bom-ref").unwrap_or_else(|| {
        // Without a bom-ref, the purl (or name@version) stands in, so edges by purl still resolve.
        s(c, "purl").unwrap_or_else(|| format!("{name}@{}", s(c, "version").unwrap_or_default()))
    });
    let mut p = RawPackage {
        reference: reference.clone(),
        name: match s(c, "group").filter(|g| !g.is_empty()) {
            Some(g) => format!("{g}/{name}"),
            None => name,
        },
        version: s(c, "version"),
        purl: s(c, "purl"),
        ..RawPackage::default()
    };
    p.scope = match c.get("scope").and_then(Value::as_str) {
        Some("optional") => Some(Scope::Optional),
        Some("excluded") => Some(Scope::Dev),
        Some("required") => Some(Scope::Required),
        _ => None,
    };
    for h in arr(c, "hashes") {
        if let (Some(alg), Some(content)) = (s(h, "alg"), s(h, "content")) {
            p.hashes.push(Hash::new(alg, content.to_ascii_lowercase()));
        }
    }
    p.licenses = licenses(c);
    for prop in arr(c, "properties") {
        let (Some(name), Some(value)) = (s(prop, "name"), s(prop, "value")) else { continue };
        match name.as_str() {
            "cairn:scope" => {
                p.scope = match value.as_str() {
                    "optional" => Some(Scope::Optional),
                    "dev" => Some(Scope::Dev),
                    "test" => Some(Scope::Test),
                    "required" => Some(Scope::Required),
                    _ => p.scope,
                }
            }
            "cairn:direct" => p.direct = value.parse().ok(),
            "cairn:local" => p.local = value == "true",
            "cairn:version-constraint" => p.constraint = Some(value),
            "cairn:location" => p.locations.push(location(&value)),
            "cairn:hash" => {
                if let Some((alg, v)) = value.split_once(':') {
                    p.hashes.push(Hash::new(alg, v));
                }
            }
            "cairn:license:acknowledgement" => {
                if let Some(first) = p.licenses.first_mut() {
                    first.kind =
                        if value == "concluded" { LicenseKind::Concluded } else { LicenseKind::Declared };
                }
            }
            "cairn:license:declared" => p.licenses.extend(license(&value, false)),
            "cairn:license:concluded" => p.licenses.extend(license(&value, true)),
            _ => {}
        }
    }
    if let Some(parent) = parent {
        // A nested component is part of its parent: read as a dependency of it.
        collector.edge(parent, &reference, None);
    }
    collector.package(p);
    for child in arr(c, "components") {
        component(child, collector, Some(&reference));
    }
}

/// Reads a CycloneDX document already parsed as JSON (`xml` says where it came from).
pub(crate) fn read(doc: &Value, origin: &str, xml: bool) -> Result<super::ReadBom, ReadError> {
    let spec = s(doc, "specVersion").unwrap_or_default();
    if !VERSIONS.contains(&spec.as_str()) {
        return Err(ReadError::UnsupportedVersion(format!(
            "CycloneDX specVersion {spec:?} (reads 1.2 to 1.7)"
        )));
    }
    if doc.get("components").is_some_and(|c| !c.is_array()) {
        return Err(ReadError::Malformed {
            format: "CycloneDX",
            message: "components is not an array".into(),
        });
    }
    let mut collector = Collector::new(origin);
    if let Some(root) = doc.get("metadata").and_then(|m| m.get("component")) {
        let root_ref = s(root, "bom-ref");
        let root_is_listed = root_ref.as_deref().is_some_and(|r| {
            arr(doc, "components").iter().any(|c| c.get("bom-ref").and_then(Value::as_str) == Some(r))
        });
        if let Some(r) = root_ref {
            collector.root(&r);
        }
        if !root_is_listed {
            collector.root_info(s(root, "name"), s(root, "version"));
        }
    }
    for c in arr(doc, "components") {
        component(c, &mut collector, None);
    }
    for d in arr(doc, "dependencies") {
        let Some(from) = s(d, "ref") else { continue };
        // 1.2–1.4 XML nests `dependency` elements; JSON uses dependsOn. Both arrive here as lists.
        for to in arr(d, "dependsOn") {
            if let Some(to) = to.as_str() {
                collector.edge(&from, to, None);
            }
        }
    }
    let kind = if xml { DocumentKind::CycloneDxXml(spec) } else { DocumentKind::CycloneDxJson(spec) };
    Ok(collector.finish(kind))
}
