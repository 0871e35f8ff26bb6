//! Uploads on disk for one run: the stored archive or document is written to a file in a fresh
//! work directory (removed on drop, swept after a crash) so `sources::obtain` reads it like any
//! file. The row stays in the database until the scan ends, so a requeued job spools it again.

use std::path::PathBuf;

use super::queue::JobSource;
use crate::sources::{SourcePolicy, workdir};
use crate::state::AppState;
use crate::store::ClaimedJob;

/// The spooled file and the directory that holds it (none for git and path sources).
#[derive(Debug)]
pub struct Spooled {
    /// The file (empty for sources without an upload).
    pub file: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Writes the job's upload to disk; a no-op for git and path sources. The error is the user's.
pub async fn spool(
    state: &AppState,
    job: &ClaimedJob,
    source: &JobSource,
    policy: &SourcePolicy,
) -> Result<Spooled, String> {
    if !source.is_upload() {
        return Ok(Spooled { file: PathBuf::new(), _dir: None });
    }
    let upload = match state.store.scan_upload_get(job.tenant, job.scan).await {
        Ok(Some(u)) => u,
        Ok(None) => return Err("the uploaded file is no longer stored; upload it again".into()),
        Err(e) => {
            tracing::error!(error = %e, scan = %job.scan, "reading the upload failed");
            return Err("the uploaded file could not be read (database error; see the daemon log)".into());
        }
    };
    let dir = workdir::create(&policy.work_dir).map_err(|e| e.to_string())?;
    let file = dir.path().join("upload");
    tokio::fs::write(&file, &upload.content)
        .await
        .map_err(|e| format!("the upload could not be written to the work directory: {e}"))?;
    Ok(Spooled { file, _dir: Some(dir) })
}
