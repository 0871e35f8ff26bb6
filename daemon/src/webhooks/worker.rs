//! The senders: one task per replica that claims due deliveries from the queue, sends up to
//! `senders` at once and records each attempt with what comes next (delivered, retry at, failed).
//! It sleeps until the next delivery is due, a local wake-up (new deliveries, a ping), or a
//! poll for other replicas' work.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::config::WebhooksConfig;
use super::{schedule, send};
use crate::sources::credential_key::CredentialKey;
use crate::store::{ClaimedDelivery, NextStep, Store, now};

/// The longest sleep without a wake-up (other replicas' deliveries, a lapsed lease).
const POLL: Duration = Duration::from_secs(1);

/// What the senders need.
#[derive(Debug, Clone)]
pub struct Senders {
    /// The queue.
    pub store: Store,
    /// `[webhooks]`.
    pub config: WebhooksConfig,
    /// Private targets allowed (the setting, or local mode).
    pub allow_private: bool,
    /// The key that opens sealed secrets.
    pub key: Option<Arc<CredentialKey>>,
    /// Wakes the senders.
    pub wake: Arc<Notify>,
    /// HTTP clients by pinned address.
    pub clients: Arc<send::Clients>,
}

/// Starts the senders (none when `senders = 0`); they stop when `stop` turns true, abandoning
/// deliveries in flight, whose leases lapse and whose next claim sends them again.
pub fn spawn(s: Senders, mut stop: watch::Receiver<bool>) -> Option<tokio::task::JoinHandle<()>> {
    if s.config.senders == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut inflight = JoinSet::new();
        loop {
            let free = s.config.senders.saturating_sub(inflight.len());
            let mut claimed = 0;
            if free > 0 {
                match s.store.webhook_deliveries_claim(free as i64, lease(&s.config)).await {
                    Ok(batch) => {
                        claimed = batch.len();
                        for d in batch {
                            let s = s.clone();
                            inflight.spawn(async move { deliver(&s, d).await });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot claim webhook deliveries; retrying"),
                }
            }
            if claimed > 0 && claimed == free {
                // The queue may hold more: wait only for a free sender.
                tokio::select! {
                    _ = inflight.join_next() => {}
                    _ = stop.changed() => break,
                }
                continue;
            }
            let wait = match s.store.webhook_next_due().await {
                Ok(Some(at)) => {
                    let ms = (at - now()).whole_milliseconds().clamp(5, POLL.as_millis() as i128);
                    Duration::from_millis(ms as u64)
                }
                _ => POLL,
            };
            tokio::select! {
                Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
                _ = s.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => break,
            }
        }
        inflight.abort_all();
    }))
}

fn lease(config: &WebhooksConfig) -> time::Duration {
    time::Duration::try_from(config.lease()).unwrap_or(time::Duration::minutes(1))
}

/// One attempt at `d`, recorded with what follows.
pub async fn deliver(s: &Senders, d: ClaimedDelivery) {
    let sent = send::attempt(&s.config, s.allow_private, s.key.as_deref(), &s.clients, &d).await;
    let next = if sent.delivered {
        NextStep::Delivered
    } else if sent.permanent {
        NextStep::Failed { unhealthy_after: s.config.unhealthy_after }
    } else {
        schedule::next_attempt(&s.config, d.attempt, d.retry_from, now())
            .map_or(NextStep::Failed { unhealthy_after: s.config.unhealthy_after }, NextStep::RetryAt)
    };
    match s.store.webhook_delivery_finish(&d, &sent.outcome, next).await {
        Ok(true) => {
            tracing::info!(delivery = %d.id, webhook = %d.webhook, attempt = d.attempt, status = ?sent.outcome.status_code,
                error = sent.outcome.error.as_deref().unwrap_or(""), ?next, "webhook delivery attempt");
            if matches!(next, NextStep::Failed { .. }) {
                // There is no notification system to tell admins yet: the log and the webhook's
                // `healthy` flag say it.
                tracing::warn!(delivery = %d.id, webhook = %d.webhook, "webhook delivery failed for good");
            }
        }
        Ok(false) => {
            tracing::info!(delivery = %d.id, "webhook delivery lease lost; another sender's outcome counts")
        }
        Err(e) => {
            tracing::warn!(delivery = %d.id, error = %e, "cannot record a webhook attempt; it will be sent again")
        }
    }
}
