//! The dispatcher: one task per replica that drains every consumer's pending events, woken when
//! events commit here or (Postgres `NOTIFY cairn_events`) on another replica, and polling as a
//! fallback for a lost wake-up or a cursor another replica held.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::store::{EventBatch, Store, StoreResult};

/// How often the dispatcher looks without a wake-up.
const POLL: Duration = Duration::from_secs(2);
/// Events per batch (one transaction).
const BATCH: i64 = 100;

/// What [`Consumer::handle`] returns.
pub type ConsumerFuture<'a> = Pin<Box<dyn Future<Output = StoreResult<()>> + Send + 'a>>;

/// A consumer of the outbox.
pub trait Consumer: Send + Sync + 'static {
    /// Its stable name: the key of its cursors. Renaming it replays every event to it.
    fn name(&self) -> &'static str;

    /// Records what `batch`'s events mean for this consumer through store functions that write
    /// inside the batch, and nothing outside it (no network: deliveries are queued rows that a
    /// worker sends later). An error rolls the batch back; it comes again on the next round.
    fn handle<'a>(&'a self, store: &'a Store, batch: &'a mut EventBatch) -> ConsumerFuture<'a>;

    /// Whether what it commits is read live (notifications pushed on `/ws/events`): then each
    /// committed batch wakes the readers here and on the other replicas, as events do.
    fn wakes_readers(&self) -> bool {
        false
    }

    /// Called after a batch's effects are committed (e.g. to wake the workers that act on the
    /// rows it queued). Nothing by default.
    fn committed(&self) {}
}

/// Starts the dispatcher for `consumers` (none: nothing to start); it stops when `stop` turns true.
pub fn spawn(
    store: Store,
    consumers: Vec<Arc<dyn Consumer>>,
    mut stop: watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if consumers.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut changed = store.events_changed();
        loop {
            // Mark the tick seen before draining: events committed during the drain wake us again.
            changed.borrow_and_update();
            for c in &consumers {
                if let Err(e) = drain(&store, c.as_ref()).await {
                    tracing::warn!(consumer = c.name(), error = %e, "event consumer failed; retrying");
                }
            }
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => return,
            }
        }
    }))
}

/// Hands `consumer` every pending batch of every tenant.
pub async fn drain(store: &Store, consumer: &dyn Consumer) -> StoreResult<()> {
    for tenant in store.events_pending(consumer.name()).await? {
        while let Some(mut batch) = store.event_batch(consumer.name(), tenant, BATCH).await? {
            let first = batch.events.first().map(|e| e.seq);
            if let Err(e) = consumer.handle(store, &mut batch).await {
                batch.rollback().await?;
                return Err(e);
            }
            batch.commit().await?;
            if consumer.wakes_readers() {
                store.events_committed().await;
            }
            consumer.committed();
            tracing::debug!(consumer = consumer.name(), %tenant, ?first, "events handled");
        }
    }
    Ok(())
}
