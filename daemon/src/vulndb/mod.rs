//! Vulnerability data as this replica holds it: the current OSV [`Snapshot`], swapped atomically
//! when an import or update lands. Scans take the snapshot once, at matching, and record which
//! one they used.
//!
//! The data itself lives in the database (so every replica sees the same): [`import`] and
//! [`update`] replace a source's records in one transaction and bump the generation, [`load`]
//! rebuilds the snapshot from the database, [`tasks`] reloads when another replica changed it and
//! runs the schedule, [`status`] reports it.

pub mod cli;
pub mod config;
pub mod error;
pub mod fetch;
pub mod import;
pub mod load;
pub mod status;
pub mod tasks;
pub mod update;

pub use error::VulnDbError;
pub use load::reload;
pub use tasks::spawn_tasks;

use std::sync::{Arc, RwLock};

use cairn_engine::vuln::Database;
use cairn_sdk::types::{VulnDataState, VulnDataUsed};
use time::OffsetDateTime;

/// One generation of vulnerability data, indexed and ready to match.
#[derive(Debug)]
pub struct Snapshot {
    /// The engine's index.
    pub database: Database,
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

    /// Makes `snapshot` current; scans already matching keep the one they took.
    pub fn install(&self, snapshot: Snapshot) {
        let snapshot = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut guard) => *guard = Some(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Some(snapshot),
        }
    }

    /// What a scan matching now would record: none, fresh or stale (older than `stale_after`).
    pub fn used(&self, now: OffsetDateTime, stale_after: time::Duration) -> VulnDataUsed {
        match self.snapshot() {
            None => {
                VulnDataUsed { state: VulnDataState::None, snapshot: None, advisories: 0, updated_at: None }
            }
            Some(s) => VulnDataUsed {
                state: if now - s.updated_at > stale_after {
                    VulnDataState::Stale
                } else {
                    VulnDataState::Fresh
                },
                snapshot: Some(s.id.clone()),
                advisories: s.advisories,
                updated_at: Some(s.updated_at),
            },
        }
    }
}
