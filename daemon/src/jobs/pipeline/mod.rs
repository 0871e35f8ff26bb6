//! One scan job: fetching (obtain the source) -> scanning (the engine, with progress and cancel
//! through its sink) -> matching (the vulnerability snapshot; none or stale said loudly) ->
//! evaluating (counts, every document rendered once, results stored in one transaction) ->
//! completed. The work directory goes when the `Obtained` is dropped, whatever happens. Between
//! fetching and scanning the scan reserves its estimated memory in the replica's budget (and
//! waits while it is used); the inventory is never copied: the engine's scan moves through
//! matching into the documents' input, from which the rows are built a batch at a time.
//!
//! One file per step: `obtain` (source → tree or SBOM), `memory` (the budget), `scan` (the engine's inventory),
//! `matching` (vulnerabilities), `render` (the documents), `gate` (the policy gate), `rows` and
//! `store` (the results as rows, stored in one transaction, then the gate). Each step reports its own progress and checks the cancel
//! flag where it did when the steps were one function.

pub mod gate;
mod matching;
pub mod memory;
mod obtain;
mod render;
pub(crate) mod rows;
mod scan;
mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cairn_sdk::types::{ScanCounts, ScanStatus};

use super::progress::Reporter;
use super::queue::JobPayload;
use crate::state::AppState;
use crate::store::{ClaimedJob, StoreError};

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Completed; results and documents stored.
    Completed,
    /// Stopped on request.
    Cancelled,
    /// Failed; the text is the user's.
    Failed(String),
}

/// Why a pipeline stopped early.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// Vulnerability data not known current for longer than this is stale (`[vulndb] stale_after_secs`).
pub fn stale_after(state: &AppState) -> time::Duration {
    state.config.vulndb.stale_after()
}

/// Runs the job to its end and records that end on the scan (except when the job was taken
/// away, which the worker reports).
pub async fn run(state: &AppState, job: &ClaimedJob, cancel: Arc<AtomicBool>) -> Outcome {
    let scan = match state.store.scan_get(job.tenant, job.scan).await {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(format!("the scan row could not be read: {e}")),
    };
    let upload_file = crate::jobs::spool::upload_file(state, job).await;
    let mut reporter =
        Reporter::new(state.clone(), job.tenant, job.scan, scan.percent, ScanCounts::default())
            .with_upload_file(upload_file);
    let result = steps(state, job, &scan, &cancel, &mut reporter).await;
    let outcome = match result {
        Ok(()) => Outcome::Completed,
        Err(Stop::Cancelled) => Outcome::Cancelled,
        Err(Stop::Failed(msg)) => Outcome::Failed(msg),
        Err(Stop::Store(e)) => {
            tracing::error!(error = %e, scan = %job.scan, "scan failed on storage");
            Outcome::Failed("the scan could not be stored (database error; see the daemon log)".into())
        }
    };
    let end = match &outcome {
        Outcome::Completed => Ok(()),
        Outcome::Cancelled => {
            let pct = 0;
            reporter
                .state(ScanStatus::Cancelled, None, pct, Some("cancelled on request".into()))
                .await
                .map(|_| ())
        }
        Outcome::Failed(msg) => reporter.failed(msg.clone()).await.map(|_| ()),
    };
    if let Err(e) = end {
        tracing::error!(error = %e, scan = %job.scan, "could not record the scan's end");
    }
    outcome
}

/// Resolves once a cancel was requested (the flag has no waker; a quarter second is soon enough).
async fn cancelled(cancel: &AtomicBool) {
    while !cancel.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn check(cancel: &AtomicBool) -> Result<(), Stop> {
    if cancel.load(Ordering::SeqCst) { Err(Stop::Cancelled) } else { Ok(()) }
}

/// What every step may need of the job it runs for.
#[derive(Clone, Copy)]
struct Job<'a> {
    state: &'a AppState,
    job: &'a ClaimedJob,
    scan: &'a cairn_sdk::types::Scan,
    cancel: &'a Arc<AtomicBool>,
}

/// The steps in order; each takes what the one before produced.
async fn steps(
    state: &AppState,
    job: &ClaimedJob,
    scan: &cairn_sdk::types::Scan,
    cancel: &Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<(), Stop> {
    let payload: JobPayload = serde_json::from_str(&job.payload)
        .map_err(|e| Stop::Failed(format!("the job's source is unreadable: {e}")))?;
    let ctx = Job { state, job, scan, cancel };
    let obtained = obtain::obtain(&ctx, &payload, reporter).await?;
    // Held until the results are stored (the end of this function).
    let _memory = memory::reserve(&ctx, memory::estimate(&obtained).await, reporter).await?;
    let name = render::project_name(state, job, scan).await;
    let scanned = scan::scan(obtained, &name, payload.crypto, cancel, reporter).await?;
    let (scanned, matched) = matching::matching(state, scanned, reporter).await?;
    check(cancel)?;
    let scan::Scanned { engine, readiness, notice } = scanned;
    let mut rendered = render::render(&ctx, name, engine, matched.matches.as_ref(), reporter).await?;
    if let Some(text) = &notice {
        rendered.documents.push(crate::jobs::documents::notice(text).map_err(Stop::Failed)?);
    }
    drop(notice);
    store::store(&ctx, readiness, matched, rendered, reporter).await
}
