//! The outbox consumer that turns events into queued deliveries: one row per (event, matching
//! webhook), written in the batch's transaction, so a crash or a second replica neither loses
//! nor doubles one.

use std::sync::Arc;

use cairn_sdk::types::Event;
use tokio::sync::Notify;

use crate::events::{Consumer, ConsumerFuture};
use crate::store::{EventBatch, Store, WebhookSubscription};

/// The consumer's cursor name.
pub const NAME: &str = "webhooks";

/// Queues deliveries and wakes this replica's senders once they are committed.
#[derive(Debug)]
pub struct WebhookConsumer {
    wake: Arc<Notify>,
}

impl WebhookConsumer {
    /// A consumer waking `wake` after each batch.
    pub fn new(wake: Arc<Notify>) -> Self {
        Self { wake }
    }
}

/// Whether `sub` wants `event`: its kind, its project, its severity, and not from before the
/// webhook existed.
pub fn wants(sub: &WebhookSubscription, event: &Event) -> bool {
    sub.events.contains(&event.kind)
        && event.created_at >= sub.created_at
        && sub.projects.as_ref().is_none_or(|ps| event.project.is_some_and(|p| ps.contains(&p)))
        && sub.min_severity.is_none_or(|min| event.severity.is_some_and(|s| s >= min))
}

impl Consumer for WebhookConsumer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn handle<'a>(&'a self, store: &'a Store, batch: &'a mut EventBatch) -> ConsumerFuture<'a> {
        Box::pin(async move {
            let subs = store.webhook_subscriptions(batch).await?;
            if subs.is_empty() {
                return Ok(());
            }
            let events = batch.events.clone();
            for event in &events {
                for sub in subs.iter().filter(|s| wants(s, event)) {
                    store.webhook_delivery_queue(batch, sub.id, event).await?;
                }
            }
            Ok(())
        })
    }

    fn committed(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use cairn_sdk::types::{EventId, EventKind, ProjectId, Severity, TenantId, WebhookId};
    use time::OffsetDateTime;

    use super::*;

    fn event(kind: EventKind, project: Option<ProjectId>, severity: Option<Severity>) -> Event {
        Event {
            version: 1,
            id: EventId::new(),
            kind,
            seq: 1,
            tenant: TenantId::new(),
            created_at: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1),
            project,
            severity,
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn filters_match_kind_project_severity_and_age() {
        let p = ProjectId::new();
        let sub = WebhookSubscription {
            id: WebhookId::new(),
            events: vec![EventKind::FindingNew],
            projects: Some(vec![p]),
            min_severity: Some(Severity::High),
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(wants(&sub, &event(EventKind::FindingNew, Some(p), Some(Severity::Critical))));
        assert!(!wants(&sub, &event(EventKind::FindingNew, Some(p), Some(Severity::Medium))), "too mild");
        assert!(!wants(&sub, &event(EventKind::FindingNew, Some(p), None)), "no severity is not high");
        assert!(!wants(&sub, &event(EventKind::FindingNew, Some(ProjectId::new()), Some(Severity::High))));
        assert!(!wants(&sub, &event(EventKind::FindingNew, None, Some(Severity::High))), "no project");
        assert!(!wants(&sub, &event(EventKind::ScanCompleted, Some(p), Some(Severity::High))), "other kind");
        let later =
            WebhookSubscription { created_at: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(2), ..sub };
        assert!(!wants(&later, &event(EventKind::FindingNew, Some(p), Some(Severity::High))), "older event");
        let open = WebhookSubscription {
            projects: None,
            min_severity: None,
            events: vec![EventKind::ScanCompleted],
            ..later
        };
        let mut e = event(EventKind::ScanCompleted, None, None);
        e.created_at = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(3);
        assert!(wants(&open, &e));
    }
}
