//! `remove`: one source and its records leave the data; the others stay.

use cairn_sdk::types::VulnDbChange;

use super::config::VulnDbConfig;
use super::update::Changes;
use super::{VulnDb, VulnDbError, reload};
use crate::store::Store;

/// Removes the source `name` (an import or a mirror ecosystem) and reloads; an unknown name is
/// [`VulnDbError::UnknownSource`] and changes nothing. Other replicas reload on the new generation.
pub async fn remove(
    store: &Store,
    config: &VulnDbConfig,
    vulndb: &VulnDb,
    name: &str,
) -> Result<VulnDbChange, VulnDbError> {
    let _writer = vulndb.writer.lock().await;
    if !store.vulndb_remove_source(name, &uuid::Uuid::now_v7().to_string()).await? {
        return Err(VulnDbError::UnknownSource(name.to_owned()));
    }
    tracing::info!(source = %name, "vulnerability data source removed");
    reload(store, vulndb).await?;
    Changes { removed: vec![name.to_owned()], ..Changes::default() }.finish(store, config, vulndb).await
}
