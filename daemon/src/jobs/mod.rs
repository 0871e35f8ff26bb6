//! The durable queue of scans and re-matches: jobs in the database, workers that claim and run them, heartbeats and
//! a reaper for workers that died, cancellation, and the progress bus that feeds WebSockets on
//! every replica.

pub mod budget;
pub mod bus;
pub mod cancel;
pub mod config;
pub mod documents;
pub mod git_credential;
pub mod pipeline;
pub mod progress;
pub mod queue;
pub mod regate;
pub mod registry_credential;
pub mod rematch;
pub mod replica;
pub mod spool;
pub mod worker;

use std::sync::Arc;

use tokio::sync::Notify;

/// What the queue shares with handlers: the bus, the wake-up and the cancel flags.
#[derive(Debug, Default)]
pub struct Jobs {
    /// Progress events of this replica (and, on Postgres, of every replica).
    pub bus: bus::Bus,
    /// Wakes an idle worker when a job is queued.
    pub wake: Arc<Notify>,
    /// Cancel flags of the scans running here.
    pub cancels: cancel::Cancels,
    /// The memory the scans running here may hold together.
    pub budget: budget::MemoryBudget,
}

impl Jobs {
    /// The queue's shared parts, with a memory budget of `budget_mib` (0 = none).
    pub fn with_budget(budget_mib: u32) -> Self {
        Self { budget: budget::MemoryBudget::new(budget_mib), ..Self::default() }
    }
}
