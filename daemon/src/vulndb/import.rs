//! `import`: OSV zips, directories or files given by an operator become sources of their own,
//! each replaced whole in one transaction.

use std::path::{Path, PathBuf};

use cairn_engine::vuln::{KevCatalog, looks_like_kev};
use cairn_sdk::types::VulnDbChange;

use super::config::VulnDbConfig;
use super::load::load_path;
use super::update::Changes;
use super::{VulnDb, VulnDbError, reload};
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
    for item in items {
        match import_one(store, &item).await {
            Ok(rejected) => {
                change.changed.push(item.name);
                change.rejected += rejected;
            }
            Err(VulnDbError::Invalid(e)) => change.failed.push(format!("{}: {e}", item.name)),
            Err(e) => return Err(e),
        }
    }
    if !change.changed.is_empty() {
        reload(store, vulndb).await?;
    }
    change.finish(store, config, vulndb).await
}

async fn import_one(store: &Store, item: &ImportItem) -> Result<u64, VulnDbError> {
    if let Some(catalog) = read_kev(&item.path, &item.location).await? {
        store.kev_replace_source(&item.name, &item.location, &catalog, crate::store::now()).await?;
        tracing::info!(source = %item.name, entries = catalog.entries.len(), revision = %catalog.catalog_version,
            "known exploited vulnerabilities imported");
        return Ok(0);
    }
    let loaded = load_path(item.path.clone(), &item.location).await?;
    let now = crate::store::now();
    let source = VulnSourceRecord {
        name: item.name.clone(),
        origin: "import".into(),
        location: item.location.clone(),
        etag: None,
        last_modified: None,
        advisories: loaded.rows.len() as i64,
        updated_at: Some(now),
        checked_at: Some(now),
        last_error: None,
        ecosystems: Some(loaded.ecosystems),
    };
    store.vulndb_replace_source(&source, &loaded.rows, &uuid::Uuid::now_v7().to_string()).await?;
    tracing::info!(source = %item.name, advisories = loaded.rows.len(), "vulnerability data imported");
    Ok(loaded.rejected)
}

/// A KEV catalogue when `path` is a JSON file of that format (`None` for anything else, which
/// the OSV loader reads); a KEV file that does not check is refused with the reason, naming the
/// file as `shown`.
async fn read_kev(path: &Path, shown: &str) -> Result<Option<KevCatalog>, VulnDbError> {
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json || !tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let bytes = tokio::fs::read(path).await?;
    if !looks_like_kev(&bytes) {
        return Ok(None);
    }
    KevCatalog::from_json(&bytes).map(Some).map_err(|e| VulnDbError::Invalid(format!("{shown}: {e}")))
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
}
