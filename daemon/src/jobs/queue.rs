//! Putting scans on the queue: the job payload (what to obtain) and the enqueue that wakes workers
//! here at once and, on Postgres, on every replica.

use std::path::{Path, PathBuf};

use cairn_sdk::types::{Scan, TenantId};
use serde::{Deserialize, Serialize};

use crate::sources::{SourcePolicy, SourceSpec};
use crate::state::AppState;
use crate::store::{NewScan, NewUpload, StoreResult};

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
    /// An uploaded archive, stored in `scan_uploads` until the scan ends.
    Upload {
        /// The name the client gave it.
        filename: String,
    },
    /// An uploaded CycloneDX or SPDX document, stored in `scan_uploads` until the scan ends.
    Sbom {
        /// The name the client gave it.
        filename: String,
    },
    /// A container image pulled from a registry.
    Image {
        /// The reference.
        reference: String,
        /// The platform asked for (checked when the scan was submitted).
        platform: Option<String>,
    },
}

impl JobSource {
    /// The spec `sources::obtain` takes; `spooled` is where an upload was written for this run
    /// (ignored by git and path sources).
    pub fn spec(&self, spooled: &Path) -> SourceSpec {
        match self {
            JobSource::Git { url, reference } => {
                SourceSpec::Git { url: url.clone(), reference: reference.clone() }
            }
            JobSource::Path { path } => SourceSpec::Path { path: path.clone() },
            JobSource::Upload { filename } => {
                SourceSpec::Archive { file: spooled.to_path_buf(), filename: filename.clone() }
            }
            JobSource::Sbom { filename } => {
                SourceSpec::Sbom { file: spooled.to_path_buf(), filename: filename.clone() }
            }
            JobSource::Image { reference, platform } => SourceSpec::Image {
                reference: reference.clone(),
                // Checked at submission; a stored payload that no longer parses scans the default.
                platform: platform.as_deref().and_then(|p| p.parse().ok()),
            },
        }
    }

    /// Whether the job reads a stored upload.
    pub fn is_upload(&self) -> bool {
        matches!(self, JobSource::Upload { .. } | JobSource::Sbom { .. })
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

/// The one place the source policy is built from the configuration, outside any tenant (no
/// per-tenant roots: uploads and SBOMs need none).
pub fn source_policy(state: &AppState) -> SourcePolicy {
    SourcePolicy::from_config(&state.config.sources, state.config.local_mode)
}

/// The source policy for `tenant`'s scans: its own path roots (see `sources::roots`).
pub fn tenant_source_policy(state: &AppState, tenant: TenantId) -> SourcePolicy {
    SourcePolicy::for_tenant(&state.config.sources, state.config.local_mode, tenant)
}

/// Creates the scan, its job and (for uploads) the stored file, then wakes a worker (here, and
/// on other replicas via NOTIFY).
pub async fn enqueue(
    state: &AppState,
    tenant: TenantId,
    new: &NewScan,
    payload: &JobPayload,
    upload: Option<&NewUpload>,
) -> StoreResult<Scan> {
    let value = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
    let max_queued = state.config.quotas.queued_scans;
    let scan = state
        .store
        .scan_create(tenant, new, &value, state.config.scans.max_attempts, max_queued, upload)
        .await?;
    wake(state).await;
    Ok(scan)
}

/// Wakes a worker here and, on Postgres, the other replicas' for a job just committed.
pub async fn wake(state: &AppState) {
    state.jobs.wake.notify_one();
    if let Err(e) = state.store.job_notify().await {
        tracing::warn!(error = %e, "could not notify other replicas of a new job; they poll");
    }
}
