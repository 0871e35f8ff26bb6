//! The built-in catalogue of frameworks and their controls (`daemon/catalogue/frameworks/*.toml`,
//! embedded at build time): which kinds of Cairn's evidence each control rests on, or why Cairn's
//! data cannot speak to it. Read once and checked whole: a control needs either evidence kinds or a
//! reason it is not assessed, never both; ids are unique within a framework.

use std::collections::HashSet;
use std::sync::LazyLock;

use cairn_sdk::types::{EvidenceKind, FrameworkId};
use serde::Deserialize;

/// The embedded files, in catalogue order.
const FILES: [(FrameworkId, &str); 3] = [
    (FrameworkId::EuCra, include_str!("../../catalogue/frameworks/eu_cra.toml")),
    (FrameworkId::NistSsdf, include_str!("../../catalogue/frameworks/nist_ssdf.toml")),
    (FrameworkId::Iso27001, include_str!("../../catalogue/frameworks/iso_27001.toml")),
];

/// One framework of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkEntry {
    /// Its id.
    pub id: FrameworkId,
    /// Its name.
    pub name: String,
    /// The edition mapped.
    pub edition: String,
    /// Where it is published.
    pub url: String,
    /// Its controls, in the framework's order.
    pub controls: Vec<ControlEntry>,
}

/// One control and what it rests on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlEntry {
    /// The framework's id for it.
    pub id: String,
    /// Short title.
    pub title: String,
    /// The kinds of evidence it rests on (empty when not assessed).
    #[serde(default)]
    pub evidence: Vec<EvidenceKind>,
    /// What of the control the evidence covers.
    #[serde(default)]
    pub covers: Option<String>,
    /// Why Cairn's data cannot speak to it.
    #[serde(default)]
    pub not_assessed: Option<String>,
}

/// Why the catalogue does not read (a bug in the embedded files; its test catches it).
#[derive(Debug, Clone, thiserror::Error)]
#[error("framework catalogue {file}: {message}")]
pub struct CatalogueError {
    file: &'static str,
    message: String,
}

fn parse(id: FrameworkId, text: &str) -> Result<FrameworkEntry, CatalogueError> {
    let err = |message: String| CatalogueError { file: id.as_str(), message };
    let f: FrameworkEntry = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    if f.id != id {
        return Err(err(format!("declares id {}", f.id)));
    }
    let mut seen = HashSet::new();
    for c in &f.controls {
        if !seen.insert(c.id.as_str()) {
            return Err(err(format!("control {} listed twice", c.id)));
        }
        match (c.evidence.is_empty(), &c.not_assessed, &c.covers) {
            (false, None, Some(_)) | (true, Some(_), None) => {}
            _ => {
                return Err(err(format!(
                    "control {} needs either `evidence` with `covers`, or `not_assessed`",
                    c.id
                )));
            }
        }
    }
    Ok(f)
}

static CATALOGUE: LazyLock<Result<Vec<FrameworkEntry>, CatalogueError>> =
    LazyLock::new(|| FILES.iter().map(|(id, text)| parse(*id, text)).collect());

/// Every framework, in catalogue order.
pub fn frameworks() -> Result<&'static [FrameworkEntry], CatalogueError> {
    CATALOGUE.as_deref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_reads_and_each_lists_assessed_and_unassessed_controls() {
        let all = frameworks().expect("the embedded catalogue reads");
        let ids: Vec<FrameworkId> = all.iter().map(|f| f.id).collect();
        assert_eq!(ids, FrameworkId::ALL);
        for f in all {
            assert!(f.controls.iter().any(|c| !c.evidence.is_empty()), "{}: something evidenced", f.id);
            assert!(f.controls.iter().any(|c| c.not_assessed.is_some()), "{}: limits said", f.id);
        }
    }

    #[test]
    fn a_control_with_both_evidence_and_a_reason_not_to_assess_is_refused() {
        let text = "id = \"eu_cra\"\nname = \"n\"\nedition = \"e\"\nurl = \"u\"\n[[controls]]\nid = \"X\"\n\
                    title = \"t\"\nevidence = [\"audit_log\"]\ncovers = \"c\"\nnot_assessed = \"r\"\n";
        assert!(parse(FrameworkId::EuCra, text).is_err());
        let dup = "id = \"eu_cra\"\nname = \"n\"\nedition = \"e\"\nurl = \"u\"\n[[controls]]\nid = \"X\"\n\
                   title = \"t\"\nnot_assessed = \"r\"\n[[controls]]\nid = \"X\"\ntitle = \"t\"\nnot_assessed = \"r\"\n";
        assert!(parse(FrameworkId::EuCra, dup).is_err());
        let unknown_kind = "id = \"eu_cra\"\nname = \"n\"\nedition = \"e\"\nurl = \"u\"\n[[controls]]\nid = \"X\"\n\
                            title = \"t\"\nevidence = [\"vibes\"]\ncovers = \"c\"\n";
        assert!(parse(FrameworkId::EuCra, unknown_kind).is_err());
    }
}
