//! SPDX 2.2 / 2.3 tag-value: parsed into the JSON shape, then read by the JSON reader.
//!
//! Only what the reader uses is carried over: the version, each package's SPDXID, name, version,
//! purl, checksums, licenses and comment, and relationships (including `DESCRIBES`).

use super::{DocumentKind, ReadError, spdx2};
use serde_json::{Map, Value, json};

fn malformed(line: usize, message: &str) -> ReadError {
    ReadError::Malformed { format: "SPDX tag-value", message: format!("line {line}: {message}") }
}

/// Reads an SPDX tag-value document.
pub(crate) fn read(text: &str, origin: &str) -> Result<super::ReadBom, ReadError> {
    let mut version = String::new();
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut relationships = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut in_package = false;
    while let Some((i, line)) = lines.next() {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(malformed(line_no, "expected `Tag: value`"));
        };
        let mut value = value.trim().to_string();
        // <text>…</text> values may span lines.
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut acc = rest.to_string();
            while !acc.contains("</text>") {
                match lines.next() {
                    Some((_, l)) => {
                        acc.push('\n');
                        acc.push_str(l);
                    }
                    None => return Err(malformed(line_no, "<text> is never closed")),
                }
            }
            value = acc.split("</text>").next().unwrap_or_default().to_string();
        }
        match tag.trim() {
            "SPDXVersion" => version = value,
            "PackageName" => {
                in_package = true;
                let mut p = Map::new();
                p.insert("name".into(), Value::from(value));
                packages.push(p);
            }
            "FileName" | "SnippetSPDXID" | "LicenseID" => in_package = false,
            "SPDXID" if in_package => set(&mut packages, "SPDXID", value),
            "PackageVersion" if in_package => set(&mut packages, "versionInfo", value),
            "PackageLicenseDeclared" if in_package => set(&mut packages, "licenseDeclared", value),
            "PackageLicenseConcluded" if in_package => set(&mut packages, "licenseConcluded", value),
            "PackageComment" if in_package => set(&mut packages, "comment", value),
            "PackageChecksum" if in_package => {
                let (alg, v) = value
                    .split_once(':')
                    .ok_or_else(|| malformed(line_no, "checksum without `ALG: value`"))?;
                push(&mut packages, "checksums", json!({"algorithm": alg.trim(), "checksumValue": v.trim()}));
            }
            "ExternalRef" if in_package => {
                let mut parts = value.split_whitespace();
                if let (Some(cat), Some(ty), Some(loc)) = (parts.next(), parts.next(), parts.next()) {
                    push(
                        &mut packages,
                        "externalRefs",
                        json!({"referenceCategory": cat, "referenceType": ty, "referenceLocator": loc}),
                    );
                }
            }
            "Relationship" => {
                let mut parts = value.split_whitespace();
                if let (Some(a), Some(t), Some(b)) = (parts.next(), parts.next(), parts.next()) {
                    relationships
                        .push(json!({"spdxElementId": a, "relationshipType": t, "relatedSpdxElement": b}));
                } else {
                    return Err(malformed(line_no, "Relationship needs `A TYPE B`"));
                }
            }
            _ => {}
        }
    }
    if version.is_empty() {
        return Err(malformed(1, "no SPDXVersion"));
    }
    let doc = json!({
        "spdxVersion": version,
        "packages": packages.into_iter().map(Value::Object).collect::<Vec<_>>(),
        "relationships": relationships,
    });
    spdx2::read(&doc, origin, DocumentKind::Spdx2Tag(version))
}

fn set(packages: &mut [Map<String, Value>], key: &str, value: String) {
    if let Some(p) = packages.last_mut() {
        p.insert(key.into(), Value::from(value));
    }
}

fn push(packages: &mut [Map<String, Value>], key: &str, value: Value) {
    if let Some(p) = packages.last_mut()
        && let Some(list) = p.entry(key).or_insert_with(|| Value::Array(Vec::new())).as_array_mut()
    {
        list.push(value);
    }
}
