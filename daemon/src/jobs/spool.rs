//! The job's upload on disk: a file kept by `[uploads] store = "files"` is read where it is; bytes
//! kept in the row (`"database"`, and rows from before migration 0024) are written to a fresh
//! work directory for the run (removed on drop, swept after a crash). The row stays until the
//! scan ends, so a requeued job finds the upload again; then the file goes too (`Reporter`).

use std::path::PathBuf;

use super::queue::JobSource;
use crate::sources::{SourcePolicy, workdir};
use crate::state::AppState;
use crate::store::ClaimedJob;

/// The upload's file for this run, and the work directory holding it when it was written out.
#[derive(Debug)]
pub struct Spooled {
    /// The file (empty for sources without an upload).
    pub file: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Finds or writes the job's upload; a no-op for git and path sources. The error is the user's.
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
    if let Some(path) = upload.path {
        let file = PathBuf::from(path);
        return match tokio::fs::metadata(&file).await {
            Ok(m) if m.is_file() => Ok(Spooled { file, _dir: None }),
            _ => {
                tracing::error!(path = %file.display(), scan = %job.scan, "the upload file is missing");
                Err("the uploaded file is not on this replica's disk (with several replicas, [uploads] dir \
                     must be shared, or [uploads] store = \"database\"); upload it again"
                    .into())
            }
        };
    }
    let Some(content) = upload.content else {
        return Err("the uploaded file is no longer stored; upload it again".into());
    };
    let dir = workdir::create(&policy.work_dir).map_err(|e| e.to_string())?;
    let file = dir.path().join("upload");
    tokio::fs::write(&file, &content)
        .await
        .map_err(|e| format!("the upload could not be written to the work directory: {e}"))?;
    Ok(Spooled { file, _dir: Some(dir) })
}

/// The job's upload file, if it has one (read before the run: the row goes when the scan ends).
pub async fn upload_file(state: &AppState, job: &ClaimedJob) -> Option<PathBuf> {
    match state.store.scan_upload_path(job.tenant, job.scan).await {
        Ok(path) => path.map(PathBuf::from),
        Err(e) => {
            // The sweep removes the file once its row is gone.
            tracing::warn!(error = %e, scan = %job.scan, "cannot read the upload's path");
            None
        }
    }
}
