//! The `regate` job: after a policy revision, an assignment, or an approval approved or expired,
//! the latest gate of each project the change covers is evaluated again (`pipeline::gate`), so
//! `GET /projects/{id}/gate-result` follows the change and a gate turning to fail is a
//! `gate.failed` event. Also the expiry sweep the reaper's tick runs: approved exceptions whose
//! time is over become `expired` (each with its `approval.changed` event and a `regate` job).

use std::time::Duration;

use time::OffsetDateTime;

use crate::state::AppState;
use crate::store::{ClaimedRegate, JobEnd, RegateScope};

use super::pipeline::gate::{GateError, reevaluate_project};

/// Runs a claimed re-evaluation job to its end, heartbeating meanwhile.
pub async fn run_job(state: &AppState, worker: &str, job: ClaimedRegate) {
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
                    tracing::warn!(error = %e, "re-evaluation heartbeat failed");
                }
            }
        })
    };
    let result = run(state, &job, crate::store::now()).await;
    beat.abort();
    let (end, error) = match &result {
        Ok(n) => {
            tracing::info!(tenant = %job.tenant, gates = n, "gates evaluated again");
            (JobEnd::Done, None)
        }
        Err(e) => {
            tracing::warn!(tenant = %job.tenant, error = %e, "re-evaluating gates failed");
            (JobEnd::Failed, Some(e.to_string()))
        }
    };
    if let Err(e) = state.store.job_finish(&job.id, worker, end, error.as_deref()).await {
        tracing::error!(error = %e, tenant = %job.tenant, "could not finish the re-evaluation job");
    }
}

/// Evaluates again, as of `at`, the latest gate of each project `job` covers; how many projects.
pub async fn run(state: &AppState, job: &ClaimedRegate, at: OffsetDateTime) -> Result<usize, GateError> {
    let projects = match &job.scope {
        RegateScope::All => state.store.gate_projects(job.tenant).await?,
        RegateScope::Projects(p) => p.clone(),
    };
    for p in &projects {
        reevaluate_project(state, job.tenant, *p, at).await?;
    }
    Ok(projects.len())
}

/// Expires the approved exceptions whose time is over at `at` and wakes the workers for the
/// re-evaluations that queues; how many expired.
pub async fn expire_due(state: &AppState, at: OffsetDateTime) -> usize {
    match state.store.approvals_expire_due(at).await {
        Ok(expired) => {
            for (tenant, a) in &expired {
                tracing::info!(%tenant, approval = %a.id, project = %a.project_id, "an exception expired");
                let event = crate::store::AuditEvent {
                    tenant_id: Some(tenant.to_string()),
                    action: "approval.expire".into(),
                    object_type: "approval".into(),
                    object_id: Some(a.id.to_string()),
                    detail: serde_json::json!({"expires_at": crate::store::ts(a.expires_at)}),
                    ..crate::store::AuditEvent::default()
                };
                if let Err(e) = state.store.audit_append(&event).await {
                    tracing::error!(error = %e, "could not append an expiry to the audit log");
                }
            }
            if !expired.is_empty() {
                super::queue::wake(state).await;
            }
            expired.len()
        }
        Err(e) => {
            tracing::warn!(error = %e, "expiring approvals failed");
            0
        }
    }
}
