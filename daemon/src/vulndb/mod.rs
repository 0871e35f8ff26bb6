//! Vulnerability data as this replica holds it: the current OSV [`Snapshot`], swapped atomically
//! when an import or update lands. Scans take the snapshot once, at matching, and record which
//! one they used. A snapshot holds the advisories' index; matching reads the records it needs
//! from the database ([`advisories`]).
//!
//! The data itself lives in the database (so every replica sees the same): [`import`] and
//! [`update`] replace a source's records in one transaction and bump the generation, [`load`]
//! rebuilds the snapshot's index from the database, [`tasks`] reloads when another replica changed it and
//! runs the schedule, [`status`] reports it.

pub mod advisories;
pub mod cli;
pub mod config;
pub mod error;
pub mod fetch;
pub mod import;
pub mod load;
pub mod remove;
pub mod replace;
pub mod status;
pub mod tasks;
pub mod update;

pub use error::VulnDbError;
pub use load::reload;
pub use tasks::spawn_tasks;

use std::sync::{Arc, RwLock};

use cairn_sdk::types::{VulnDataState, VulnDataUsed};
use time::OffsetDateTime;

/// One generation of vulnerability data, indexed and ready to match.
#[derive(Debug)]
pub struct Snapshot {
    /// The advisories: their index, the records in the database (or every record in memory).
    pub database: advisories::Advisories,
    /// Identifies the generation (changes with every import or update).
    pub id: String,
    /// When the data last changed.
    pub updated_at: OffsetDateTime,
    /// Advisories in it.
    pub advisories: u64,
}

/// The current snapshot, shared by every scan of this replica.
#[derive(Debug, Default)]
pub struct VulnDb {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// When the data was last known current (see [`current_as_of`]); refreshed on every reload tick.
    as_of: RwLock<Option<OffsetDateTime>>,
    /// One import or update at a time in this process (the database serializes replicas).
    writer: tokio::sync::Mutex<()>,
}

impl VulnDb {
    /// No data yet.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The data scans match against now; `None` when none was ever loaded.
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            // A writer panicked mid-swap; the Arc it left is still whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The data as the database holds it now: reloaded first when another process or replica
    /// changed it since this replica loaded (a re-match must not match the older generation).
    pub async fn current(&self, store: &crate::store::Store) -> Result<Option<Arc<Snapshot>>, VulnDbError> {
        let _writer = self.writer.lock().await;
        let stored = store.vulndb_generation().await?;
        if stored.is_some() && stored != self.snapshot().map(|s| s.id.clone()) {
            reload(store, self).await?;
        }
        Ok(self.snapshot())
    }

    /// Makes `snapshot` current; scans already matching keep the one they took.
    pub fn install(&self, snapshot: Snapshot) {
        let snapshot = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut guard) => *guard = Some(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Some(snapshot),
        }
    }

    /// Drops the data: nothing is stored any more (the last source was removed).
    pub fn clear(&self) {
        match self.current.write() {
            Ok(mut guard) => *guard = None,
            Err(poisoned) => *poisoned.into_inner() = None,
        }
        self.set_current_as_of(None);
    }

    /// Records when the data was last known current (from the sources' checks).
    pub fn set_current_as_of(&self, at: Option<OffsetDateTime>) {
        match self.as_of.write() {
            Ok(mut guard) => *guard = at,
            Err(poisoned) => *poisoned.into_inner() = at,
        }
    }

    fn current_as_of(&self) -> Option<OffsetDateTime> {
        match self.as_of.read() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// What a scan matching now would record: none, fresh or stale (not known current for longer
    /// than `stale_after`).
    pub fn used(&self, now: OffsetDateTime, stale_after: time::Duration) -> VulnDataUsed {
        match self.snapshot() {
            None => VulnDataUsed {
                state: VulnDataState::None,
                snapshot: None,
                advisories: 0,
                updated_at: None,
                current_as_of: None,
            },
            Some(s) => {
                let as_of = self.current_as_of().unwrap_or(s.updated_at).max(s.updated_at);
                VulnDataUsed {
                    state: if now - as_of > stale_after {
                        VulnDataState::Stale
                    } else {
                        VulnDataState::Fresh
                    },
                    snapshot: Some(s.id.clone()),
                    advisories: s.advisories,
                    updated_at: Some(s.updated_at),
                    current_as_of: Some(as_of),
                }
            }
        }
    }
}

/// When data from these sources was last known current: the oldest source's latest good moment
/// (its last successful check, or its last change when the last check failed). A mirror answering
/// 304 confirms the data, so an ecosystem with no new advisories does not turn stale; one whose
/// updates keep failing does.
pub fn current_as_of(sources: &[crate::store::VulnSourceRecord]) -> Option<OffsetDateTime> {
    sources
        .iter()
        .filter_map(|s| {
            let checked = if s.last_error.is_none() { s.checked_at } else { None };
            match (s.updated_at, checked) {
                (Some(u), Some(c)) => Some(u.max(c)),
                (u, c) => u.or(c),
            }
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VulnSourceRecord;
    use time::macros::datetime;

    fn source(updated: OffsetDateTime, checked: OffsetDateTime, error: Option<&str>) -> VulnSourceRecord {
        VulnSourceRecord {
            name: "npm".into(),
            origin: "update".into(),
            location: "https://mirror/npm/all.zip".into(),
            etag: None,
            last_modified: None,
            advisories: 1,
            updated_at: Some(updated),
            checked_at: Some(checked),
            last_error: error.map(str::to_owned),
            ecosystems: Some(vec!["npm".into()]),
        }
    }

    #[test]
    fn an_unchanged_source_confirmed_by_a_check_is_current() {
        let old = datetime!(2026-01-01 0:00 UTC);
        let checked = datetime!(2026-03-01 0:00 UTC);
        assert_eq!(current_as_of(&[source(old, checked, None)]), Some(checked));
    }

    #[test]
    fn a_failing_source_counts_from_its_last_change_and_the_oldest_source_decides() {
        let old = datetime!(2026-01-01 0:00 UTC);
        let checked = datetime!(2026-03-01 0:00 UTC);
        let failing = source(old, checked, Some("HTTP 500"));
        let fine = source(checked, checked, None);
        assert_eq!(current_as_of(&[fine, failing]), Some(old));
    }

    #[test]
    fn staleness_follows_the_last_confirmation_not_the_last_change() {
        let db = VulnDb::empty();
        let changed = datetime!(2026-01-01 0:00 UTC);
        db.install(Snapshot {
            database: cairn_engine::vuln::Database::default().into(),
            id: "g1".into(),
            updated_at: changed,
            advisories: 0,
        });
        let now = datetime!(2026-03-02 0:00 UTC);
        let week = time::Duration::days(7);
        assert_eq!(db.used(now, week).state, VulnDataState::Stale);
        db.set_current_as_of(Some(datetime!(2026-03-01 0:00 UTC)));
        let used = db.used(now, week);
        assert_eq!(used.state, VulnDataState::Fresh);
        assert_eq!(used.updated_at, Some(changed));
    }
}
