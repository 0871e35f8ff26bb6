//! The `rematch` job: when vulnerability data changes, every project's latest completed scan (and
//! each released version's) is matched again against the new data from its stored inventory (the
//! documents' input, `scan_bom_inputs`) — no source is fetched or scanned again — and its findings
//! are brought up to date (`store::rematch`), then the project's gate is evaluated again over the
//! new match (`pipeline::gate::reevaluate_rematched`: a turn to fail is a `gate.failed` event). One job per tenant; a crash leaves it running until
//! the reaper requeues it, and running it again changes only what is still out of date.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cairn_engine::policy::VulnFacts;
use cairn_engine::vuln::match_inventory;
use cairn_sdk::types::TenantId;
use time::format_description::well_known::Rfc3339;

use crate::state::AppState;
use crate::store::{ClaimedRematch, JobEnd, RematchOutcome, RematchTarget, StoreError};
use crate::vulndb::Snapshot;

use super::documents::unpack;
use super::pipeline::gate::{GateError, reevaluate_rematched};
use super::pipeline::rows::finding_rows;

/// Why a re-match stopped.
#[derive(Debug, thiserror::Error)]
pub enum RematchError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vulnerability data could not be loaded.
    #[error(transparent)]
    VulnDb(#[from] crate::vulndb::VulnDbError),
    /// Matching stopped unexpectedly.
    #[error("matching stopped unexpectedly: {0}")]
    Join(String),
}

/// What a whole re-match of a tenant did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RematchTotals {
    /// Scans matched again.
    pub scans: usize,
    /// Scans skipped: no stored inventory (completed before inputs were kept) or it did not read.
    pub skipped: usize,
    /// Findings added or reopened.
    pub new: usize,
    /// Findings closed.
    pub resolved: usize,
}

/// Runs a claimed re-match job to its end, heartbeating meanwhile.
pub async fn run_job(state: &AppState, worker: &str, job: ClaimedRematch) {
    tracing::info!(tenant = %job.tenant, %worker, attempt = job.attempts, "re-match started");
    let beat = {
        let state = state.clone();
        let id = job.id.clone();
        let worker = worker.to_owned();
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_secs(state.config.scans.heartbeat_secs.max(1)));
            loop {
                tick.tick().await;
                if let Err(e) = state.store.job_heartbeat(&id, &worker).await {
                    tracing::warn!(error = %e, "re-match heartbeat failed");
                }
            }
        })
    };
    let result = rematch_tenant(state, job.tenant).await;
    beat.abort();
    let (end, error) = match &result {
        Ok(t) => {
            tracing::info!(tenant = %job.tenant, scans = t.scans, skipped = t.skipped, new = t.new, resolved = t.resolved, "re-match done");
            (JobEnd::Done, None)
        }
        Err(e) => {
            tracing::warn!(tenant = %job.tenant, error = %e, "re-match failed");
            (JobEnd::Failed, Some(e.to_string()))
        }
    };
    if let Err(e) = state.store.job_finish(&job.id, worker, end, error.as_deref()).await {
        tracing::error!(error = %e, tenant = %job.tenant, "could not finish the re-match job");
    }
}

/// Re-matches every target scan of `tenant` against this replica's current data (reloaded first
/// when another process changed it).
pub async fn rematch_tenant(state: &AppState, tenant: TenantId) -> Result<RematchTotals, RematchError> {
    let snapshot = state.vulndb.current(&state.store).await?;
    let mut totals = RematchTotals::default();
    for target in state.store.rematch_targets(tenant).await? {
        match rematch_scan(state, tenant, &target, snapshot.clone()).await? {
            Some(o) => {
                totals.scans += 1;
                totals.new += o.new;
                totals.resolved += o.resolved;
            }
            None => totals.skipped += 1,
        }
    }
    Ok(totals)
}

/// One scan matched again; `None` when it has no stored inventory to match, or when there is no
/// data at all (every source removed): "not checked" is not "fixed", so its findings stay.
async fn rematch_scan(
    state: &AppState,
    tenant: TenantId,
    target: &RematchTarget,
    snapshot: Option<Arc<Snapshot>>,
) -> Result<Option<RematchOutcome>, RematchError> {
    let Some(snap) = snapshot else { return Ok(None) };
    let Some(packed) = state.store.scan_bom_input(tenant, target.scan).await? else { return Ok(None) };
    let components = state.store.scan_component_ids(tenant, target.scan).await?;
    let input = match tokio::task::spawn_blocking(move || unpack(&packed))
        .await
        .map_err(|e| RematchError::Join(e.to_string()))?
    {
        Ok(input) => input,
        Err(reason) => {
            tracing::warn!(scan = %target.scan, %reason, "stored inventory unreadable; scan not re-matched");
            return Ok(None);
        }
    };
    let database = snap.database.database_for(&state.store, &input.inventory).await?;
    let matched = tokio::task::spawn_blocking(move || {
        let ids: HashMap<&str, String> =
            components.iter().map(|(id, purl)| (purl.as_str(), id.clone())).collect();
        let m = match_inventory(&input.inventory, &database);
        let modified = snap.updated_at.format(&Rfc3339).unwrap_or_default();
        let (v, f) = finding_rows(&m, &ids, &modified);
        // What the gate reads of the match, as a scan's gate reads it (pipeline/gate.rs).
        let mut facts = VulnFacts::of(&m, &database, |_| None);
        facts.data_as_of = Some(snap.updated_at);
        Ok::<_, String>((snap.id.clone(), v, f, input, facts))
    })
    .await
    .map_err(|e| RematchError::Join(e.to_string()))?;
    let (generation, vulnerabilities, findings, input, facts) = match matched {
        Ok(m) => m,
        Err(reason) => {
            tracing::warn!(scan = %target.scan, %reason, "stored inventory unreadable; scan not re-matched");
            return Ok(None);
        }
    };
    let outcome = state.store.rematch_apply(tenant, target, &generation, &vulnerabilities, &findings).await?;
    // The project's gate follows its current results; a released version's older scan keeps its gate.
    if target.latest {
        match reevaluate_rematched(state, tenant, target.scan, &input, facts, crate::store::now()).await {
            Ok(_) => {}
            Err(GateError::Store(e)) => return Err(e.into()),
            // A stored policy that no longer reads stops this gate, not the other projects' re-match.
            Err(GateError::Input(reason)) => {
                tracing::warn!(scan = %target.scan, %reason, "gate not evaluated again after the re-match");
            }
        }
    }
    Ok(Some(outcome))
}
