//! The progress bus: a `tokio::sync::broadcast` of scan events inside a replica and, on Postgres,
//! `pg_notify('cairn_scan_events')` with one LISTEN task per replica re-publishing into the local
//! bus, so a socket on replica A follows a scan that runs on B. Receivers dedupe by (scan, seq):
//! a replica hears its own events twice. The same connection hears `cairn_events`, the outbox's
//! wake-up (see `store::events`).

use std::sync::Arc;

use cairn_sdk::types::{ScanEvent, TenantId};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast, watch};

use crate::store::Store;

/// One event with the tenant it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BusEvent {
    /// The scan's tenant.
    pub tenant: TenantId,
    /// The event.
    pub event: ScanEvent,
}

/// The in-process half of the bus.
#[derive(Debug)]
pub struct Bus {
    tx: broadcast::Sender<BusEvent>,
    /// Ticks each time the LISTEN connection is (re)established: what other replicas published
    /// meanwhile was not heard, so readers catch up from the database.
    reconnected: watch::Sender<u64>,
}

impl Default for Bus {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0, reconnected: watch::channel(0).0 }
    }
}

impl Bus {
    /// Changes after every (re)connection of the LISTEN connection.
    pub fn reconnects(&self) -> watch::Receiver<u64> {
        self.reconnected.subscribe()
    }

    fn mark_reconnected(&self) {
        self.reconnected.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Listens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<BusEvent> {
        self.tx.subscribe()
    }

    /// Delivers to this replica's listeners (none listening is fine).
    pub fn publish_local(&self, e: BusEvent) {
        let _ = self.tx.send(e);
    }

    /// Delivers here and, on Postgres, to every other replica.
    pub async fn publish(&self, store: &Store, e: BusEvent) {
        match serde_json::to_string(&e) {
            Ok(json) => {
                if let Err(err) = store.scan_event_notify(&json).await {
                    tracing::warn!(error = %err, "could not NOTIFY a scan event; other replicas miss it");
                }
            }
            Err(err) => tracing::warn!(error = %err, "scan event did not serialize"),
        }
        self.publish_local(e);
    }
}

/// On Postgres, listens on `cairn_scan_events` (into `bus`) and `cairn_jobs` (wakes `wake`),
/// reconnecting after errors, until `stop`.
pub fn spawn_listener(
    store: Store,
    bus: Arc<crate::jobs::Jobs>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if store.backend() != crate::store::Backend::Postgres {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect(store.url()).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            if let Err(e) = listener.listen_all(["cairn_scan_events", "cairn_jobs", "cairn_events"]).await {
                tracing::warn!(error = %e, "LISTEN failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                    _ = stop.changed() => return,
                }
            }
            // Events committed while no one listened: readers look again now.
            store.events_wake_local();
            bus.bus.mark_reconnected();
            loop {
                tokio::select! {
                    n = listener.recv() => match n {
                        Ok(n) if n.channel() == "cairn_jobs" => wake.notify_one(),
                        Ok(n) if n.channel() == "cairn_events" => store.events_wake_local(),
                        Ok(n) => match serde_json::from_str::<BusEvent>(n.payload()) {
                            Ok(e) => bus.bus.publish_local(e),
                            Err(e) => tracing::warn!(error = %e, "unreadable scan event notification"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                            break;
                        }
                    },
                    _ = stop.changed() => return,
                }
            }
        }
    }))
}
