//! CycloneDX XML 1.4–1.6: parsed into the JSON shape, then read by the JSON reader.
//!
//! Only what the reader uses is carried over: metadata's component, components (nested too), their
//! bom-ref, name, group, version, scope, purl, hashes, licenses and properties, and dependencies.

use super::{ReadError, cyclonedx};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value, json};

const MAX_DEPTH: usize = 256;

#[derive(Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }
}

fn malformed(message: String) -> ReadError {
    ReadError::Malformed { format: "CycloneDX XML", message }
}

fn element(e: &BytesStart<'_>) -> Result<El, ReadError> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| malformed(e.to_string()))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(El { name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(), attrs, ..El::default() })
}

fn parse(text: &str) -> Result<El, ReadError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<El> = Vec::new();
    let mut root = None;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| malformed(format!("at byte {at}: {e}")))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(format!("elements nest deeper than {MAX_DEPTH} levels")));
                }
                stack.push(element(&e)?);
            }
            Event::Empty(e) => {
                let el = element(&e)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed(format!("at byte {at}: closing tag without opening tag")))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.decode().map_err(|e| malformed(e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.decode().map_err(|e| malformed(e.to_string()))?);
                }
            }
            Event::GeneralRef(r) => {
                let s = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    match r.decode().map_err(|e| malformed(e.to_string()))?.as_ref() {
                        "amp" => Some("&".into()),
                        "lt" => Some("<".into()),
                        "gt" => Some(">".into()),
                        "quot" => Some("\"".into()),
                        "apos" => Some("'".into()),
                        _ => None,
                    }
                };
                let s = s.ok_or_else(|| malformed(format!("at byte {at}: unknown entity")))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&s);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(format!("<{}> is never closed: the document looks truncated", open.name)));
    }
    root.ok_or_else(|| malformed("no root element".into()))
}

fn component(c: &El) -> Value {
    let mut m = Map::new();
    for (k, v) in &c.attrs {
        if k == "bom-ref" || k == "type" {
            m.insert(k.clone(), Value::from(v.clone()));
        }
    }
    for key in ["name", "group", "version", "scope", "purl"] {
        if let Some(t) = c.text_of(key) {
            m.insert(key.into(), Value::from(t));
        }
    }
    if let Some(h) = c.child("hashes") {
        let hashes: Vec<Value> = h
            .children("hash")
            .map(|h| json!({"alg": h.attr("alg").unwrap_or_default(), "content": h.text.trim()}))
            .collect();
        m.insert("hashes".into(), Value::Array(hashes));
    }
    if let Some(l) = c.child("licenses") {
        let mut list = Vec::new();
        for x in &l.children {
            match x.name.as_str() {
                "expression" => {
                    let mut e = json!({"expression": x.text.trim()});
                    if let Some(a) = x.attr("acknowledgement") {
                        e["acknowledgement"] = Value::from(a);
                    }
                    list.push(e);
                }
                "license" => {
                    let mut lic = Map::new();
                    for key in ["id", "name"] {
                        if let Some(t) = x.text_of(key) {
                            lic.insert(key.into(), Value::from(t));
                        }
                    }
                    if let Some(a) = x.attr("acknowledgement") {
                        lic.insert("acknowledgement".into(), Value::from(a));
                    }
                    list.push(json!({"license": lic}));
                }
                _ => {}
            }
        }
        m.insert("licenses".into(), Value::Array(list));
    }
    if let Some(p) = c.child("properties") {
        let props: Vec<Value> = p
            .children("property")
            .map(|p| json!({"name": p.attr("name").unwrap_or_default(), "value": p.text.trim()}))
            .collect();
        m.insert("properties".into(), Value::Array(props));
    }
    if let Some(cs) = c.child("components") {
        m.insert("components".into(), Value::Array(cs.children("component").map(component).collect()));
    }
    Value::Object(m)
}

/// Reads a CycloneDX XML document.
pub(crate) fn read(text: &str, origin: &str) -> Result<super::ReadBom, ReadError> {
    let root = parse(text)?;
    if root.name != "bom" {
        return Err(ReadError::UnknownFormat(format!("XML root <{}> is not a CycloneDX <bom>", root.name)));
    }
    let ns = root.attr("xmlns").unwrap_or_default();
    let Some(spec) = ns.strip_prefix("http://cyclonedx.org/schema/bom/") else {
        return Err(ReadError::UnknownFormat(format!("XML namespace {ns:?} is not CycloneDX's")));
    };
    if !matches!(spec, "1.4" | "1.5" | "1.6") {
        return Err(ReadError::UnsupportedVersion(format!("CycloneDX XML {spec} (reads 1.4 to 1.6)")));
    }
    let mut doc = json!({"bomFormat": "CycloneDX", "specVersion": spec});
    if let Some(c) = root.child("metadata").and_then(|m| m.child("component")) {
        doc["metadata"] = json!({"component": component(c)});
    }
    if let Some(cs) = root.child("components") {
        doc["components"] = Value::Array(cs.children("component").map(component).collect());
    }
    if let Some(ds) = root.child("dependencies") {
        let deps: Vec<Value> = ds
            .children("dependency")
            .map(|d| {
                let to: Vec<&str> = d.children("dependency").filter_map(|x| x.attr("ref")).collect();
                json!({"ref": d.attr("ref").unwrap_or_default(), "dependsOn": to})
            })
            .collect();
        doc["dependencies"] = Value::Array(deps);
    }
    cyclonedx::read(&doc, origin, true)
}
