//! `import`: OSV zips, directories or files given by an operator become sources of their own,
//! each replaced whole in one transaction.

use std::path::{Path, PathBuf};

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
    let loaded = load_path(item.path.clone()).await?;
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
