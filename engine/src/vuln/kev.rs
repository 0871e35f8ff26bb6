//! CISA's catalogue of Known Exploited Vulnerabilities (KEV) in its JSON feed format
//! (`known_exploited_vulnerabilities.json`): read and checked into [`KevCatalog`], never trusted
//! half-read. Entries are keyed by CVE id; advisories name CVEs as their id or an alias, so a
//! finding is known exploited when either is listed.

use serde::Deserialize;
use time::Date;
use time::macros::format_description;

/// What is wrong with a KEV document.
#[derive(Debug, thiserror::Error)]
pub enum KevError {
    /// Not JSON of the catalogue's shape; the path names the field.
    #[error("not a KEV catalogue: {0}")]
    Shape(String),
    /// An entry with a value the catalogue never has.
    #[error("KEV entry {index} ({cve}): {reason}")]
    Entry {
        /// Position in `vulnerabilities`.
        index: usize,
        /// Its `cveID` as written.
        cve: String,
        /// What is wrong.
        reason: String,
    },
    /// No entry at all: an empty list would hide every known exploitation.
    #[error("the KEV catalogue lists no vulnerability")]
    Empty,
}

/// One listed vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// `CVE-YYYY-NNNN…`.
    pub cve_id: String,
    /// `vendorProject`.
    pub vendor_project: String,
    /// `product`.
    pub product: String,
    /// `vulnerabilityName`.
    pub name: String,
    /// `dateAdded`.
    pub date_added: Date,
    /// `dueDate`, when given.
    pub due_date: Option<Date>,
    /// `knownRansomwareCampaignUse` (`Known` or `Unknown`).
    pub ransomware: String,
}

/// A checked catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevCatalog {
    /// `catalogVersion` (e.g. `2025.08.25`): the revision a source records.
    pub catalog_version: String,
    /// `dateReleased` as written.
    pub date_released: String,
    /// Entries in the document's order, one per CVE (a repeated CVE keeps its first entry).
    pub entries: Vec<KevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: String,
    date_released: String,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(rename = "vendorProject")]
    vendor_project: String,
    product: String,
    #[serde(rename = "vulnerabilityName")]
    name: String,
    #[serde(rename = "dateAdded")]
    date_added: String,
    #[serde(rename = "dueDate", default)]
    due_date: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    ransomware: Option<String>,
}

/// True when `bytes` look like a KEV catalogue (a JSON object with `catalogVersion` and
/// `vulnerabilities`) rather than an OSV record: how an import tells the two apart.
pub fn looks_like_kev(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Marker {
        catalog_version: Option<serde::de::IgnoredAny>,
        vulnerabilities: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Marker>(bytes)
        .is_ok_and(|m| m.catalog_version.is_some() && m.vulnerabilities.is_some())
}

fn date(text: &str) -> Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("date {text:?}: {e}"))
}

fn cve_ok(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else { return false };
    let Some((year, number)) = rest.split_once('-') else { return false };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}

impl KevCatalog {
    /// Reads a catalogue; any malformed entry refuses the whole document (a partial list would
    /// say "not exploited" of what it dropped).
    pub fn from_json(bytes: &[u8]) -> Result<KevCatalog, KevError> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let raw: RawCatalog = serde_path_to_error::deserialize(de)
            .map_err(|e| KevError::Shape(format!("{}: {}", e.path(), e.inner())))?;
        let mut seen = std::collections::HashSet::new();
        let mut entries = Vec::with_capacity(raw.vulnerabilities.len());
        for (index, r) in raw.vulnerabilities.into_iter().enumerate() {
            let fail = |reason: String| KevError::Entry { index, cve: r.cve_id.clone(), reason };
            let cve_id = r.cve_id.trim().to_owned();
            if !cve_ok(&cve_id) {
                return Err(fail("cveID is not a CVE id".into()));
            }
            let date_added = date(&r.date_added).map_err(&fail)?;
            let due_date = match r.due_date.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => Some(date(d).map_err(&fail)?),
            };
            if !seen.insert(cve_id.clone()) {
                continue;
            }
            entries.push(KevEntry {
                cve_id,
                vendor_project: r.vendor_project.trim().to_owned(),
                product: r.product.trim().to_owned(),
                name: r.name.trim().to_owned(),
                date_added,
                due_date,
                ransomware: r.ransomware.map(|s| s.trim().to_owned()).unwrap_or_else(|| "Unknown".into()),
            });
        }
        if entries.is_empty() {
            return Err(KevError::Empty);
        }
        Ok(KevCatalog { catalog_version: raw.catalog_version, date_released: raw.date_released, entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"title":"t","catalogVersion":"2025.08.25","dateReleased":"2025-08-25T17:04:19.9796Z","count":1,
        "vulnerabilities":[{"cveID":"CVE-2023-4863","vendorProject":"Google","product":"Chromium WebP",
        "vulnerabilityName":"n","dateAdded":"2023-09-13","shortDescription":"d","requiredAction":"a",
        "dueDate":"2023-10-04","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":["CWE-787"]}]}"#;

    #[test]
    fn a_catalogue_reads_with_its_dates() {
        let c = KevCatalog::from_json(ONE.as_bytes()).expect("valid");
        assert_eq!(c.catalog_version, "2025.08.25");
        assert_eq!(c.entries[0].cve_id, "CVE-2023-4863");
        assert_eq!(c.entries[0].date_added.to_string(), "2023-09-13");
        assert!(looks_like_kev(ONE.as_bytes()));
        assert!(!looks_like_kev(br#"{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z"}"#));
    }

    #[test]
    fn a_bad_entry_refuses_the_document_naming_it() {
        let bad = ONE.replace("2023-09-13", "13/09/2023");
        let e = KevCatalog::from_json(bad.as_bytes()).expect_err("bad date");
        assert!(e.to_string().contains("CVE-2023-4863"), "{e}");
        let bad = ONE.replace("\"CVE-2023-4863\"", "\"4863\"");
        assert!(KevCatalog::from_json(bad.as_bytes()).is_err());
        let empty = r#"{"catalogVersion":"1","dateReleased":"x","vulnerabilities":[]}"#;
        assert!(matches!(KevCatalog::from_json(empty.as_bytes()), Err(KevError::Empty)));
        let e = KevCatalog::from_json(br#"{"catalogVersion":1}"#).expect_err("shape");
        assert!(e.to_string().contains("catalogVersion"), "{e}");
    }
}
