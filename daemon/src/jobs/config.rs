//! `[scans]`: the scan queue's settings (workers, memory budget, heartbeats, retries, uploads).

use serde::Deserialize;

/// The `[scans]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScansConfig {
    /// Scans this replica runs at once; 0 = this replica takes no jobs (API only).
    pub workers: usize,
    /// Seconds between a running job's heartbeats.
    pub heartbeat_secs: u64,
    /// A running job whose heartbeat is older than this many seconds lost its worker and is
    /// requeued (by any replica).
    pub stale_after_secs: u64,
    /// Runs of one job before it fails for good (worker losses count, scan errors do not retry).
    pub max_attempts: u32,
    /// Seconds between queue polls when no wake-up arrives (the fallback to notifications).
    pub poll_secs: u64,
    /// Largest upload accepted by `/scans/upload` and `/sboms/ingest`, in bytes.
    pub upload_max_bytes: u64,
    /// A stable name for this replica: jobs it held when it stopped are requeued at once when a
    /// replica of that name starts. Unset = `host:boot:pid`, a name per process from which any
    /// replica on the same machine sees at once that the holder is gone (another boot, or no
    /// such process); holders on other machines are judged by `stale_after_secs`.
    pub replica_id: Option<String>,
    /// The most components, findings and cryptographic assets one whole-scan read
    /// (`/cbom/scans/{id}`) carries of each; the paged lists and the document hold the rest.
    pub detail_max_items: u32,
    /// MiB this replica's running scans may hold together, by their estimates (see
    /// `jobs::budget`); a scan waits while the budget is used. 0 = no budget (the worker count alone).
    pub memory_budget_mib: u32,
}

impl Default for ScansConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            heartbeat_secs: 2,
            stale_after_secs: 10,
            max_attempts: 3,
            poll_secs: 5,
            upload_max_bytes: 256 * 1024 * 1024,
            replica_id: None,
            detail_max_items: 1000,
            memory_budget_mib: 1024,
        }
    }
}
