//! The background task: reload when another replica changed the data, and the update schedule.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use cairn_sdk::types::VulnDbChange;

use crate::state::AppState;
use crate::store::AuditEvent;

/// Starts the task; it ends when `stop` turns true.
pub fn spawn_tasks(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let cfg = state.config.vulndb.clone();
        let mut reload = tokio::time::interval(Duration::from_secs(cfg.reload_interval_secs.max(1)));
        // With no schedule the timer still exists but its branch is disabled.
        let scheduled = cfg.update_interval_secs > 0;
        let mut update = tokio::time::interval(Duration::from_secs(cfg.update_interval_secs.max(1)));
        update.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = reload.tick() => reload_if_changed(&state).await,
                _ = update.tick(), if scheduled => {
                    match super::update::update(&state.store, &cfg, &state.vulndb, None).await {
                        Ok(c) => {
                            state.jobs.wake.notify_waiters();
                            tracing::info!(changed = ?c.changed, failed = ?c.failed, "scheduled vulnerability data update");
                            // A run that found everything current is not a write.
                            if !c.changed.is_empty() || !c.failed.is_empty() {
                                crate::api::audit::record(&state, audit_event("vulndb.update", "schedule", &c)).await;
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "scheduled vulnerability data update failed"),
                    }
                }
                _ = stop.changed() => break,
            }
        }
    })
}

/// The audit event of an import or update not made through the API.
pub fn audit_event(action: &str, via: &str, change: &VulnDbChange) -> AuditEvent {
    AuditEvent {
        action: action.into(),
        object_type: "vulndb".into(),
        detail: serde_json::json!({"via": via, "changed": change.changed, "removed": change.removed, "failed": change.failed}),
        ..AuditEvent::default()
    }
}

async fn reload_if_changed(state: &AppState) {
    // An import or update in progress reloads when it is done; reloading beside it could install
    // the older generation after the newer one.
    let Ok(_writer) = state.vulndb.writer.try_lock() else { return };
    // Checks (a 304 from the mirror, on any replica) move "current as of" without a new generation.
    match state.store.vulndb_sources().await {
        Ok(sources) => state.vulndb.set_current_as_of(super::current_as_of(&sources)),
        Err(e) => tracing::warn!(error = %e, "cannot read the vulnerability data sources"),
    }
    let current = state.vulndb.snapshot().map(|s| s.id.clone());
    match state.store.vulndb_generation().await {
        Ok(g) if g == current || g.is_none() => {}
        Ok(_) => {
            if let Err(e) = super::reload(&state.store, &state.vulndb).await {
                tracing::warn!(error = %e, "reloading vulnerability data failed");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the vulnerability data generation"),
    }
}
