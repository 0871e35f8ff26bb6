//! Workers and the reaper. Each worker claims a job, heartbeats while running it (and picks up
//! cancel requests made on other replicas), and records its end. The reaper requeues jobs whose
//! heartbeat stopped (a dead worker on any replica), up to `max_attempts`, then fails the scan
//! with the reason; a holder that is certainly dead (on this machine: an earlier boot or a pid
//! that no longer exists, see `replica`) loses its jobs at once. Workers sleep until a wake-up (enqueue here, NOTIFY from another replica) or
//! the poll interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cairn_sdk::types::{ScanStatus, TenantId};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::bus::BusEvent;
use super::pipeline::{self, Outcome};
use super::replica::ReplicaId;
use crate::state::AppState;
use crate::store::{ClaimedJob, JobEnd, Progress, StaleJob};

/// The tasks of this replica's queue and the name its workers claim under.
pub struct Workers {
    /// Workers, reaper, listener.
    pub tasks: Vec<JoinHandle<()>>,
    /// This replica's name (`locked_by` is `{replica}/{n}`).
    pub replica: String,
}

impl Workers {
    /// Stops every task and puts the jobs this replica was running back in the queue, so a
    /// graceful shutdown does not leave them waiting for the reaper.
    pub async fn stop(self, state: &AppState) {
        for t in self.tasks {
            t.abort();
        }
        reap(state, Some(&self.replica), None, time::OffsetDateTime::now_utc()).await;
    }
}

/// Starts the workers, the reaper and (on Postgres) the listener; they stop when `stop` turns true.
pub async fn spawn(state: AppState, stop: watch::Receiver<bool>) -> Workers {
    let cfg = state.config.scans.clone();
    let me = ReplicaId::current();
    let replica = cfg.replica_id.clone().unwrap_or_else(|| me.to_string());
    let mut tasks = Vec::new();
    if let Some(t) = super::bus::spawn_listener(
        state.store.clone(),
        state.jobs.clone(),
        state.jobs.wake.clone(),
        stop.clone(),
    ) {
        tasks.push(t);
    }
    if cfg.replica_id.is_some() {
        // Jobs this replica held when it last stopped cannot still be running.
        reap(&state, Some(&replica), None, time::OffsetDateTime::now_utc()).await;
    }
    // Jobs whose holder died on this machine (this process's earlier life after a kill -9, or a
    // neighbour) go back at once, not after their heartbeat lapses.
    reap_dead_holders(&state, &me, true).await;
    {
        let state = state.clone();
        let mut stop = stop.clone();
        let name = replica.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(cfg.heartbeat_secs.max(1)));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        let cutoff = time::OffsetDateTime::now_utc()
                            - time::Duration::seconds(i64::try_from(cfg.stale_after_secs).unwrap_or(30));
                        reap(&state, None, Some(&name), cutoff).await;
                        reap_dead_holders(&state, &me, false).await;
                        // Exceptions whose time is over stop waiving; their gates are evaluated again.
                        super::regate::expire_due(&state, crate::store::now()).await;
                    }
                    _ = stop.changed() => break,
                }
            }
        }));
    }
    for n in 0..cfg.workers {
        let state = state.clone();
        let stop = stop.clone();
        let worker = format!("{replica}/{n}");
        tasks.push(tokio::spawn(async move { work(state, worker, stop).await }));
    }
    Workers { tasks, replica }
}

async fn work(state: AppState, worker: String, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_secs(state.config.scans.poll_secs.max(1));
    loop {
        if *stop.borrow() {
            return;
        }
        match state.store.job_claim(&worker).await {
            Ok(Some(job)) => {
                run_job(&state, &worker, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, %worker, "claiming a job failed"),
        }
        // Scans first: a person waits on them; a re-match catches up behind.
        match state.store.job_claim_rematch(&worker).await {
            Ok(Some(job)) => {
                super::rematch::run_job(&state, &worker, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, %worker, "claiming a re-match job failed"),
        }
        match state.store.job_claim_regate(&worker).await {
            Ok(Some(job)) => {
                super::regate::run_job(&state, &worker, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, %worker, "claiming a re-evaluation job failed"),
        }
        tokio::select! {
            _ = state.jobs.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn run_job(state: &AppState, worker: &str, job: ClaimedJob) {
    tracing::info!(scan = %job.scan, %worker, attempt = job.attempts, "scan started");
    let cancel = state.jobs.cancels.start(job.scan);
    let lost = Arc::new(AtomicBool::new(false));
    let beat = {
        let state = state.clone();
        let id = job.id.clone();
        let scan = job.scan;
        let worker = worker.to_owned();
        let cancel = cancel.clone();
        let lost = lost.clone();
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_secs(state.config.scans.heartbeat_secs.max(1)));
            tick.tick().await;
            loop {
                tick.tick().await;
                match state.store.job_heartbeat(&id, &worker).await {
                    Ok(true) => {}
                    Ok(false) => {
                        // A reaper took the job (this worker stalled): stop without writing more.
                        lost.store(true, Ordering::SeqCst);
                        cancel.store(true, Ordering::SeqCst);
                        return;
                    }
                    Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
                }
                if let Ok(true) = state.store.scan_cancel_requested(scan).await {
                    cancel.store(true, Ordering::SeqCst);
                }
            }
        })
    };
    // A cancel requested before the claim is honoured at the first check.
    if let Ok(true) = state.store.scan_cancel_requested(job.scan).await {
        cancel.store(true, Ordering::SeqCst);
    }
    let outcome = if lost.load(Ordering::SeqCst) {
        Outcome::Cancelled
    } else {
        pipeline::run(state, &job, cancel.clone()).await
    };
    beat.abort();
    state.jobs.cancels.finish(job.scan);
    if lost.load(Ordering::SeqCst) {
        tracing::warn!(scan = %job.scan, "job was requeued by a reaper while running here");
        return;
    }
    let (end, error) = match &outcome {
        Outcome::Completed => (JobEnd::Done, None),
        Outcome::Cancelled => (JobEnd::Cancelled, None),
        Outcome::Failed(msg) => (JobEnd::Failed, Some(msg.as_str())),
    };
    if let Err(e) = state.store.job_finish(&job.id, worker, end, error).await {
        tracing::error!(error = %e, scan = %job.scan, "could not finish the job");
    }
    tracing::info!(scan = %job.scan, ?outcome, "scan ended");
}

/// Requeues (or, out of attempts, fails) running jobs whose heartbeat is older than `cutoff`
/// (except `skip`'s, this replica's live workers), or that `own` held.
async fn reap(state: &AppState, own: Option<&str>, skip: Option<&str>, cutoff: time::OffsetDateTime) {
    match state.store.job_requeue_stale_rematches(cutoff, own, skip).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::warn!(jobs = n, "requeued re-match jobs whose worker stopped");
            state.jobs.wake.notify_waiters();
        }
        Err(e) => tracing::warn!(error = %e, "requeueing stale re-match jobs failed"),
    }
    let stale = match state.store.job_stale(cutoff, own, skip).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "looking for stale jobs failed");
            return;
        }
    };
    for job in stale {
        if let Err(e) = reap_one(state, &job).await {
            tracing::warn!(error = %e, job = %job.id, "could not requeue a stale job");
        }
    }
}

/// Requeues (or fails) running jobs whose holder `me` can see is dead (see [`ReplicaId`]).
async fn reap_dead_holders(state: &AppState, me: &ReplicaId, at_start: bool) {
    let running = match state.store.job_running().await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "looking for running jobs failed");
            return;
        }
    };
    let dead = running.into_iter().filter(|j| {
        j.locked_by
            .as_deref()
            .and_then(ReplicaId::of_holder)
            .is_some_and(|holder| me.holder_is_dead(&holder, at_start))
    });
    for job in dead {
        if let Err(e) = reap_one(state, &job).await {
            tracing::warn!(error = %e, job = %job.id, "could not requeue a dead holder's job");
        }
    }
}

async fn reap_one(state: &AppState, job: &StaleJob) -> Result<(), crate::store::StoreError> {
    let scan = state.store.scan_get(job.tenant, job.scan).await?;
    let (status, message, error) = if job.attempts >= job.max_attempts {
        let reason = format!("the worker running this scan stopped {} times; giving up", job.attempts);
        if !state.store.job_give_up(&job.id, job.locked_by.as_deref(), &reason).await? {
            return Ok(());
        }
        (ScanStatus::Failed, reason.clone(), Some(reason))
    } else {
        let reason = format!(
            "the worker running this scan stopped; requeued (attempt {} of {})",
            job.attempts + 1,
            job.max_attempts
        );
        if !state.store.job_requeue(&job.id, job.locked_by.as_deref(), &reason).await? {
            return Ok(());
        }
        (ScanStatus::Queued, reason, None)
    };
    tracing::warn!(scan = %job.scan, %message, "reaped a stale job");
    publish(state, job.tenant, job.scan, status, message, error, &scan).await
}

async fn publish(
    state: &AppState,
    tenant: TenantId,
    scan_id: cairn_sdk::types::ScanId,
    status: ScanStatus,
    message: String,
    error: Option<String>,
    scan: &cairn_sdk::types::Scan,
) -> Result<(), crate::store::StoreError> {
    let p = Progress {
        status,
        step: None,
        percent: scan.percent,
        message: Some(message),
        counts: scan.counts.clone(),
        error,
        vulndb: None,
    };
    let event = state.store.scan_progress(tenant, scan_id, &p).await?;
    state.jobs.bus.publish(&state.store, BusEvent { tenant, event }).await;
    Ok(())
}
