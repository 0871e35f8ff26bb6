//! `import`: OSV zips, directories or files given by an operator become sources of their own,
//! each replaced whole in one transaction.

use std::path::{Path, PathBuf};

use cairn_engine::vuln::{KevCatalog, looks_like_kev};
use cairn_sdk::types::VulnDbChange;

use super::config::VulnDbConfig;
use super::load::{Keyed, rebuild};
use super::replace::replace_source;
use super::update::Changes;
use super::{VulnDb, VulnDbError};
use crate::store::{Store, VulnSourceRecord};

/// One thing to import: the path to read and the source name and location to record.
pub struct ImportItem {
    /// Read from here.
    pub path: PathBuf,
    /// Source name (an existing source of this name is replaced).
    pub name: String,
    /// Shown as the source's location.
    pub location: String,
}

impl ImportItem {
    /// An operator's path, named after it (`…/npm/all.zip` is `npm`, `advisories/` is `advisories`).
    pub fn from_path(path: &Path, name: Option<&str>) -> ImportItem {
        let derived = || {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if stem == "all" || stem.is_empty() {
                path.parent()
                    .and_then(Path::file_name)
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "import".into())
            } else {
                stem
            }
        };
        ImportItem {
            path: path.to_owned(),
            name: name.map(str::to_owned).unwrap_or_else(derived),
            location: path.display().to_string(),
        }
    }
}

/// Imports every item; items that fail are reported and change nothing.
pub async fn import(
    store: &Store,
    config: &VulnDbConfig,
    vulndb: &VulnDb,
    items: Vec<ImportItem>,
) -> Result<VulnDbChange, VulnDbError> {
    let _writer = vulndb.writer.lock().await;
    let mut change = Changes::default();
    let mut keyed = Keyed::default();
    for item in items {
        match import_one(store, &item, &mut keyed).await {
            Ok(rejected) => {
                change.changed.push(item.name);
                change.rejected += rejected;
            }
            Err(VulnDbError::Invalid(e)) => change.failed.push(format!("{}: {e}", item.name)),
            Err(e) => return Err(e),
        }
    }
    if !change.changed.is_empty() {
        // The sources just stored were keyed as they were written: only the others are read.
        rebuild(store, vulndb, keyed).await?;
    }
    change.finish(store, config, vulndb).await
}

async fn import_one(store: &Store, item: &ImportItem, keyed: &mut Keyed) -> Result<u64, VulnDbError> {
    if let Some(catalog) = read_kev(&item.path, &item.location).await? {
        store.kev_replace_source(&item.name, &item.location, &catalog, crate::store::now()).await?;
        tracing::info!(source = %item.name, entries = catalog.entries.len(), revision = %catalog.catalog_version,
            "known exploited vulnerabilities imported");
        return Ok(0);
    }
    let now = crate::store::now();
    let source = VulnSourceRecord {
        name: item.name.clone(),
        origin: "import".into(),
        location: item.location.clone(),
        etag: None,
        last_modified: None,
        advisories: 0,
        updated_at: Some(now),
        checked_at: Some(now),
        last_error: None,
        ecosystems: None,
    };
    let replaced = replace_source(store, item.path.clone(), &item.location, &source, keyed).await?;
    tracing::info!(source = %item.name, advisories = replaced.records, "vulnerability data imported");
    Ok(replaced.rejected)
}

/// A KEV catalogue when `path` is a file whose content is one (`None` for anything else, which
/// the OSV loader reads); a KEV file that does not check is refused with the reason, naming the
/// file as `shown`. Told by content, not by name, so an upload (kept under a temporary name) is
/// read the same way as an operator's file: a zip is never read whole here.
async fn read_kev(path: &Path, shown: &str) -> Result<Option<KevCatalog>, VulnDbError> {
    if !tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    if !starts_like_json_object(path).await? {
        return Ok(None);
    }
    let bytes = tokio::fs::read(path).await?;
    if !looks_like_kev(&bytes) {
        return Ok(None);
    }
    KevCatalog::from_json(&bytes).map(Some).map_err(|e| VulnDbError::Invalid(format!("{shown}: {e}")))
}

/// Whether the file's first byte after a UTF-8 BOM and whitespace is `{` (a zip starts `PK`).
async fn starts_like_json_object(path: &Path) -> Result<bool, VulnDbError> {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; 512];
    let mut file = tokio::fs::File::open(path).await?;
    let n = file.read(&mut head).await?;
    let head = &head[..n];
    let head = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_named_after_their_path() {
        let name = |p: &str| ImportItem::from_path(Path::new(p), None).name;
        assert_eq!(name("/data/npm/all.zip"), "npm");
        assert_eq!(name("/data/advisories"), "advisories");
        assert_eq!(name("pypi.zip"), "pypi");
        assert_eq!(ImportItem::from_path(Path::new("/x/all.zip"), Some("mine")).name, "mine");
    }

    #[tokio::test]
    async fn a_kev_catalogue_is_told_by_its_content_whatever_its_name() {
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/daemon/fixtures/kev/known_exploited_vulnerabilities.json");
        let bytes = std::fs::read(&sample).expect("the KEV sample");
        let dir = tempfile::tempdir().expect("dir");
        // An upload is kept as `cairn-osv-….zip`: the name says nothing.
        let named_zip = dir.path().join("upload.zip");
        std::fs::write(&named_zip, &bytes).expect("write");
        let catalog = read_kev(&named_zip, "upload").await.expect("read").expect("a KEV catalogue");
        assert!(!catalog.entries.is_empty());
        let osv = dir.path().join("record.json");
        std::fs::write(&osv, br#"{"id": "GHSA-xxxx", "modified": "2024-01-01T00:00:00Z"}"#).expect("write");
        assert!(
            read_kev(&osv, "record.json").await.expect("read").is_none(),
            "an OSV record is left to the OSV loader"
        );
        let zip = dir.path().join("all.zip");
        std::fs::write(&zip, b"PK\x03\x04 not read whole").expect("write");
        assert!(read_kev(&zip, "all.zip").await.expect("read").is_none());
    }
}
