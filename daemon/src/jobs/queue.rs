//! Putting scans on the queue: the job payload (what to obtain) and the enqueue that wakes workers
//! here at once and, on Postgres, on every replica.

use std::path::PathBuf;

use cairn_sdk::types::{Scan, TenantId};
use serde::{Deserialize, Serialize};

use crate::sources::{SourcePolicy, SourceSpec};
use crate::state::AppState;
use crate::store::{NewScan, StoreResult};

/// What a job obtains, as stored in `jobs.payload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSource {
    /// Clone a repository.
    Git {
        /// URL.
        url: String,
        /// Ref.
        reference: Option<String>,
    },
    /// A directory on this machine.
    Path {
        /// The directory.
        path: PathBuf,
    },
}

impl JobSource {
    /// The spec `sources::obtain` takes.
    pub fn spec(&self) -> SourceSpec {
        match self {
            JobSource::Git { url, reference } => {
                SourceSpec::Git { url: url.clone(), reference: reference.clone() }
            }
            JobSource::Path { path } => SourceSpec::Path { path: path.clone() },
        }
    }
}

/// The job payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPayload {
    /// What to obtain.
    pub source: JobSource,
    /// Inventory cryptography too.
    pub crypto: bool,
}

/// The one place the source policy is built from the configuration.
pub fn source_policy(state: &AppState) -> SourcePolicy {
    SourcePolicy::from_config(&state.config.sources, state.config.local_mode)
}

/// Creates the scan and its job, then wakes a worker (here, and on other replicas via NOTIFY).
pub async fn enqueue(
    state: &AppState,
    tenant: TenantId,
    new: &NewScan,
    payload: &JobPayload,
) -> StoreResult<Scan> {
    let value = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
    let scan = state.store.scan_create(tenant, new, &value, state.config.scans.max_attempts).await?;
    state.jobs.wake.notify_one();
    if let Err(e) = state.store.job_notify().await {
        tracing::warn!(error = %e, "could not notify other replicas of a new job; they poll");
    }
    Ok(scan)
}
