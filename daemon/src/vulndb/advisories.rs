//! The advisories a snapshot matches against. Data reloaded from the database is held as a
//! [`PackageIndex`] only (which advisories name which package with their ranges in a compact
//! form, their aliases, the totals), and each match reads from the store just the records that
//! may affect its components (decided in memory), then matches
//! against a [`Database`] of those (with the whole data's totals): memory does not grow with the
//! records' text, and matching decides as against every record. A [`Database`] given whole (an
//! embedding or a test that built one) is matched against directly.

use std::collections::BTreeSet;
use std::sync::Arc;

use cairn_engine::inventory::Inventory;
use cairn_engine::vuln::{Advisory, Database, PackageIndex};

use super::VulnDbError;
use crate::store::Store;

/// Where a snapshot's advisories are.
#[derive(Debug)]
pub enum Advisories {
    /// Every record in memory.
    Loaded(Arc<Database>),
    /// In the database; only the index in memory.
    Stored(Box<PackageIndex>),
}

impl From<Database> for Advisories {
    fn from(db: Database) -> Self {
        Advisories::Loaded(Arc::new(db))
    }
}

impl Advisories {
    /// Usable advisories in the data.
    pub fn count(&self) -> usize {
        match self {
            Advisories::Loaded(db) => db.info().advisories,
            Advisories::Stored(index) => index.info().advisories,
        }
    }

    /// A database to match `inventory` against: every advisory that may affect one of its
    /// components (decided in memory by the index's compact ranges), the advisories their aliases
    /// name, and the whole data's totals.
    pub async fn database_for(
        &self,
        store: &Store,
        inventory: &Inventory,
    ) -> Result<Arc<Database>, VulnDbError> {
        let index = match self {
            Advisories::Loaded(db) => return Ok(db.clone()),
            Advisories::Stored(index) => index,
        };
        let mut advisories = read(store, index.records_to_read(inventory)).await?;
        let aliases = index.aliases_to_read(&advisories);
        advisories.extend(read(store, aliases).await?);
        Ok(Arc::new(index.database(advisories)))
    }

    /// A database holding the advisory `id` and every advisory that lists `id` as an alias (when
    /// the data has them).
    pub async fn naming(&self, store: &Store, id: &str) -> Result<Arc<Database>, VulnDbError> {
        let index = match self {
            Advisories::Loaded(db) => return Ok(db.clone()),
            Advisories::Stored(index) => index,
        };
        let mut ids: BTreeSet<String> = index.with_alias(id).map(str::to_owned).collect();
        if index.contains(id) {
            ids.insert(id.to_owned());
        }
        Ok(Arc::new(index.database(read(store, ids).await?)))
    }
}

/// The stored records of `ids` (every source's), read as advisories off the async threads. One
/// that no longer reads (stored by an older, laxer version) is left out and logged, as a reload
/// leaves it out: it must not fail the scan.
async fn read(store: &Store, ids: BTreeSet<String>) -> Result<Vec<Advisory>, VulnDbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ids.into_iter().collect();
    let records = store.vulndb_records_of(&ids).await?;
    tokio::task::spawn_blocking(move || {
        records
            .into_iter()
            .filter_map(|(id, r)| match Advisory::from_json(r.as_bytes()) {
                Ok(a) => Some(a),
                Err(e) => {
                    tracing::warn!(id = %id, error = %e, "stored OSV record no longer reads; left out");
                    None
                }
            })
            .collect()
    })
    .await
    .map_err(|e| VulnDbError::Invalid(format!("reading stored advisories stopped: {e}")))
}
