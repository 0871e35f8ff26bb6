//! The sender: one task per replica that claims due mails from the outbox, delivers them one at
//! a time and records each outcome (sent; queued again after a growing delay; failed for good).
//! It sleeps until the next mail is due, a local wake-up, or a poll for other replicas' mail.

use std::time::Duration;

use tokio::sync::watch;

use super::Mailer;
use crate::store::{ClaimedMail, now};

/// The longest sleep without a wake-up (mail queued by another replica, a lapsed lease).
const POLL: Duration = Duration::from_secs(2);
/// Mails claimed per round.
const BATCH: i64 = 20;
/// The longest delay between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(3_600);

/// Starts the sender (none without a transport); it stops when `stop` turns true. A mail it was
/// sending is tried again when its lease lapses.
pub fn spawn(mailer: Mailer, mut stop: watch::Receiver<bool>) -> Option<tokio::task::JoinHandle<()>> {
    mailer.transport.as_ref()?;
    Some(tokio::spawn(async move {
        loop {
            match mailer.store.outbox_claim(BATCH, lease(&mailer)).await {
                Ok(batch) if !batch.is_empty() => {
                    for mail in batch {
                        deliver(&mailer, mail).await;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot claim mail from the outbox; retrying"),
            }
            let wait = match mailer.store.outbox_next_due().await {
                Ok(Some(at)) => {
                    let ms = (at - now()).whole_milliseconds().clamp(5, POLL.as_millis() as i128);
                    Duration::from_millis(ms as u64)
                }
                _ => POLL,
            };
            tokio::select! {
                _ = mailer.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => break,
            }
        }
    }))
}

/// How long a claimed mail is this sender's: one SMTP conversation and then some.
fn lease(mailer: &Mailer) -> time::Duration {
    let secs = mailer.config.smtp.as_ref().map_or(30, |s| s.timeout_secs.max(1)) * 2 + 10;
    time::Duration::seconds(secs as i64)
}

/// The delay after attempt `attempt` (1-based) failed: `base · 2^(attempt-1)`, at most an hour.
pub fn delay_after(base_secs: u64, attempt: u32) -> Duration {
    let base = Duration::from_secs(base_secs.max(1));
    base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20)).min(MAX_DELAY)
}

async fn deliver(mailer: &Mailer, mail: ClaimedMail) {
    let Some(transport) = &mailer.transport else { return };
    let result = if mail.secret_lost {
        Err(super::transport::DeliveryError {
            reason: "its one-time secret expired before it could be delivered".into(),
            permanent: true,
        })
    } else {
        let body = super::recipient_body(&mail.body, mail.secret.as_deref());
        transport.deliver(&mail.id, &mail.to, &mail.subject, body).await
    };
    let recorded = match result {
        Ok(()) => {
            tracing::info!(mail = %mail.id, "mail delivered");
            mailer.store.outbox_mark_sent(&mail.id).await
        }
        Err(e) => {
            let attempt = mail.attempts + 1;
            let retry_at = now() + delay_after(mailer.config.retry_base_secs, attempt);
            let until = mail.created_at + Duration::from_secs(mailer.config.retry_for_secs);
            let retry_at = (!e.permanent && retry_at <= until).then_some(retry_at);
            tracing::warn!(mail = %mail.id, attempt, reason = %e.reason, will_retry = retry_at.is_some(),
                "mail delivery failed");
            mailer.store.outbox_mark_failed(&mail.id, &e.reason, retry_at).await
        }
    };
    if let Err(e) = recorded {
        // The lease lapses and the mail is tried again: at least once, never lost.
        tracing::warn!(mail = %mail.id, error = %e, "cannot record a mail delivery");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_an_hour() {
        assert_eq!(delay_after(30, 1), Duration::from_secs(30));
        assert_eq!(delay_after(30, 2), Duration::from_secs(60));
        assert_eq!(delay_after(30, 4), Duration::from_secs(240));
        assert_eq!(delay_after(30, 40), MAX_DELAY);
        assert_eq!(delay_after(0, 1), Duration::from_secs(1), "a zero base still waits");
    }
}
