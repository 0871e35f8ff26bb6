//! `VulnDbStatus`: the data this replica matches against, and every source's last check.

use cairn_sdk::types::{VulnDbSource, VulnDbStatus, VulnSourceKind};

use super::config::VulnDbConfig;
use super::{VulnDb, VulnDbError};
use crate::store::Store;

/// The status now.
pub async fn status(
    store: &Store,
    config: &VulnDbConfig,
    vulndb: &VulnDb,
) -> Result<VulnDbStatus, VulnDbError> {
    let now = crate::store::now();
    let used = vulndb.used(now, config.stale_after());
    let kev: std::collections::HashMap<String, Option<String>> =
        store.kev_sources().await?.into_iter().map(|k| (k.name, k.revision)).collect();
    let sources = store
        .vulndb_sources()
        .await?
        .into_iter()
        .map(|s| VulnDbSource {
            kind: if kev.contains_key(&s.name) { VulnSourceKind::Kev } else { VulnSourceKind::Osv },
            revision: kev.get(&s.name).cloned().flatten(),
            name: s.name,
            origin: s.origin,
            location: s.location,
            ecosystems: s.ecosystems,
            advisories: u64::try_from(s.advisories).unwrap_or(0),
            etag: s.etag,
            updated_at: s.updated_at,
            checked_at: s.checked_at,
            last_error: s.last_error,
        })
        .collect();
    Ok(VulnDbStatus {
        state: used.state,
        snapshot: used.snapshot,
        advisories: used.advisories,
        updated_at: used.updated_at,
        current_as_of: used.current_as_of,
        age_seconds: used.current_as_of.map(|t| u64::try_from((now - t).whole_seconds()).unwrap_or(0)),
        stale_after_seconds: config.stale_after_secs,
        mirror: crate::store::redact_url(&config.mirror),
        sources,
    })
}
