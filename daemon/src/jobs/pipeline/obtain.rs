//! Fetching: the job's source obtained as a tree in a work directory, or an SBOM's inventory.

use cairn_sdk::types::ScanStatus;

use super::{Job, Stop, cancelled, check};
use crate::jobs::git_credential;
use crate::jobs::progress::Reporter;
use crate::jobs::queue::{JobPayload, JobSource, tenant_source_policy};
use crate::sources::{self, Obtained};

/// Obtains the source, reporting `fetching`; a cancel stops it at once.
pub(super) async fn obtain(
    ctx: &Job<'_>,
    payload: &JobPayload,
    reporter: &mut Reporter,
) -> Result<Obtained, Stop> {
    let Job { state, job, scan, cancel } = *ctx;
    let attempt = if job.attempts > 1 { format!(" (attempt {})", job.attempts) } else { String::new() };
    reporter
        .state(
            ScanStatus::Fetching,
            Some("obtaining"),
            2,
            Some(format!("obtaining the {} source{attempt}", scan.source.kind())),
        )
        .await?;
    check(cancel)?;
    // Obtaining is cancelled by dropping it (the clone or extraction is killed, its work
    // directory removed), so a cancel does not wait for a long clone to finish.
    let policy = tenant_source_policy(state, job.tenant);
    let spooled =
        crate::jobs::spool::spool(state, job, &payload.source, &policy).await.map_err(Stop::Failed)?;
    let credential = match &payload.source {
        JobSource::Git { url, .. } => {
            git_credential::for_clone(state, job.tenant, url).await.map_err(Stop::Failed)?
        }
        _ => None,
    };
    let spec = payload.source.spec(&spooled.file);
    let obtained = tokio::select! {
        r = sources::obtain_with(&spec, &policy, credential.as_ref()) => r.map_err(|e| Stop::Failed(e.to_string()))?,
        _ = cancelled(cancel) => return Err(Stop::Cancelled),
    };
    // Extracted or read: the spooled copy is not needed any more (the row stays until the end).
    drop(spooled);
    check(cancel)?;
    Ok(obtained)
}
