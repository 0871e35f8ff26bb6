//! Other tools' documents into an inventory: CycloneDX JSON 1.2–1.7 and XML 1.4–1.6, SPDX 2.2/2.3
//! JSON and tag-value, SPDX 3.0.1 JSON-LD.
//!
//! Every format is first brought to a list of raw packages and edges (`collect.rs`); one place
//! then turns those into components. A package becomes a component when its purl (or, failing that,
//! nothing: names alone are ambiguous across ecosystems) names an ecosystem Cairn knows. Packages
//! without a usable purl are kept in [`ReadBom::unidentified`] with a warning diagnostic, never
//! invented into a purl. The document's described root (the scanned project) becomes the name and
//! version of the result when it has no purl, and a local component when it has one.

mod collect;
mod cyclonedx;
mod cyclonedx_xml;
mod spdx2;
mod spdx2_tag;
mod spdx3;

pub use collect::{ReadBom, Unidentified};

use serde_json::Value;

/// Which kind of document was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    /// CycloneDX JSON with its `specVersion`.
    CycloneDxJson(String),
    /// CycloneDX XML with its namespace's version.
    CycloneDxXml(String),
    /// SPDX 2.x JSON with its `spdxVersion`.
    Spdx2Json(String),
    /// SPDX 2.x tag-value with its `SPDXVersion`.
    Spdx2Tag(String),
    /// SPDX 3.0.1 JSON-LD.
    Spdx3,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not a format Cairn reads.
    #[error("not a CycloneDX or SPDX document Cairn reads: {0}")]
    UnknownFormat(String),
    /// A format Cairn knows, at a version it does not read.
    #[error("unsupported version: {0}")]
    UnsupportedVersion(String),
    /// The document is malformed.
    #[error("malformed {format} document: {message}")]
    Malformed {
        /// The format it claimed to be.
        format: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Reads a document of any supported format. `origin` names it (a file name) in diagnostics and
/// as the location of components that record none.
pub fn read_document(text: &str, origin: &str) -> Result<ReadBom, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return cyclonedx_xml::read(trimmed, origin);
    }
    if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(trimmed)
            .map_err(|e| ReadError::Malformed { format: "JSON", message: e.to_string() })?;
        if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            return cyclonedx::read(&v, origin, false);
        }
        if let Some(version) = v.get("spdxVersion").and_then(Value::as_str) {
            return spdx2::read(&v, origin, DocumentKind::Spdx2Json(version.to_string()));
        }
        if v.get("@graph").is_some() || v.get("@context").is_some() {
            return spdx3::read(&v, origin);
        }
        return Err(ReadError::UnknownFormat(
            "a JSON document with neither bomFormat, spdxVersion nor @graph".into(),
        ));
    }
    if trimmed.lines().any(|l| l.trim_start().starts_with("SPDXVersion:")) {
        return spdx2_tag::read(trimmed, origin);
    }
    Err(ReadError::UnknownFormat("neither JSON, XML nor SPDX tag-value".into()))
}
