//! `update`: fetch each configured ecosystem's zip from the mirror (conditionally), validate it
//! with the engine's loader, and swap it in; a failed source keeps its previous data.

use cairn_sdk::types::VulnDbChange;

use super::config::VulnDbConfig;
use super::fetch::{Fetched, client, fetch};
use super::load::{Keyed, rebuild};
use super::replace::replace_source;
use super::{VulnDb, VulnDbError, status};
use crate::store::{Store, VulnSourceRecord};

/// Updates `ecosystems` (all configured ones when `None`) and reloads the snapshot if any changed.
pub async fn update(
    store: &Store,
    config: &VulnDbConfig,
    vulndb: &VulnDb,
    ecosystems: Option<&[String]>,
) -> Result<VulnDbChange, VulnDbError> {
    let _writer = vulndb.writer.lock().await;
    let http = client(config)?;
    let known = store.vulndb_sources().await?;
    let mut change = Changes::default();
    let mut keyed = Keyed::default();
    for eco in ecosystems.unwrap_or(&config.ecosystems) {
        let url = config.zip_url(eco);
        // Recorded and shown without the password a mirror URL may carry.
        let location = crate::store::redact_url(&url);
        // Validators only for content that came from this same URL.
        let stored = known.iter().find(|s| &s.name == eco && s.origin == "update" && s.location == location);
        let result = async {
            let fetched = fetch(
                &http,
                &url,
                stored.and_then(|s| s.etag.as_deref()),
                stored.and_then(|s| s.last_modified.as_deref()),
                config.max_download_bytes,
            )
            .await?;
            match fetched {
                Fetched::NotModified => Ok(None),
                Fetched::Changed { file, etag, last_modified } => {
                    let now = crate::store::now();
                    let source = VulnSourceRecord {
                        name: eco.clone(),
                        origin: "update".into(),
                        location: location.clone(),
                        etag,
                        last_modified,
                        advisories: 0,
                        updated_at: Some(now),
                        checked_at: Some(now),
                        last_error: None,
                        ecosystems: None,
                    };
                    let replaced =
                        replace_source(store, file.path().to_owned(), &location, &source, &mut keyed).await?;
                    Ok::<_, VulnDbError>(Some(replaced.rejected))
                }
            }
        }
        .await;
        match result {
            Ok(Some(rejected)) => {
                tracing::info!(ecosystem = %eco, "vulnerability data updated");
                change.changed.push(eco.clone());
                change.rejected += rejected;
            }
            Ok(None) => {
                store.vulndb_mark_checked(eco, "update", &location, crate::store::now(), None).await?;
                change.unchanged.push(eco.clone());
            }
            Err(e) => {
                tracing::warn!(ecosystem = %eco, error = %e, "vulnerability data update failed; previous data kept");
                store
                    .vulndb_mark_checked(eco, "update", &location, crate::store::now(), Some(&e.to_string()))
                    .await?;
                change.failed.push(format!("{eco}: {e}"));
            }
        }
    }
    if !change.changed.is_empty() {
        // The ecosystems just stored were keyed as they were written: only the others are read.
        rebuild(store, vulndb, keyed).await?;
    } else {
        // Nothing new, but the checks confirmed the data: it is current as of now.
        vulndb.set_current_as_of(super::current_as_of(&store.vulndb_sources().await?));
    }
    change.finish(store, config, vulndb).await
}

/// What a run did, before the status is attached.
#[derive(Default)]
pub(super) struct Changes {
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
    pub failed: Vec<String>,
    pub removed: Vec<String>,
    pub rejected: u64,
}

impl Changes {
    pub(super) async fn finish(
        self,
        store: &Store,
        config: &VulnDbConfig,
        vulndb: &VulnDb,
    ) -> Result<VulnDbChange, VulnDbError> {
        Ok(VulnDbChange {
            changed: self.changed,
            unchanged: self.unchanged,
            failed: self.failed,
            removed: self.removed,
            rejected: self.rejected,
            status: status::status(store, config, vulndb).await?,
        })
    }
}
