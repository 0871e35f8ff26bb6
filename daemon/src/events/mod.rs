//! Events after they are committed: the outbox (`store::events`) handed to its consumers. Each
//! consumer (notifications, webhooks, CVE watches, …) sees every event of every tenant once, in
//! `seq` order, and records what it did in the transaction that advances its cursor, so a crash
//! or a second replica never loses or doubles its work.

pub mod dispatch;
pub mod notification_mail;
pub mod notifications;

pub use dispatch::{Consumer, ConsumerFuture, spawn};

use std::sync::Arc;

use crate::state::AppState;

/// Every consumer of the outbox this daemon runs. A feature that reacts to events adds its
/// consumer here.
pub fn consumers(state: &AppState) -> Vec<Arc<dyn Consumer>> {
    vec![
        Arc::new(notifications::Notifier {
            mailer: state.mailer.clone(),
            public_url: state.config.oauth.public_url.clone(),
        }),
        Arc::new(crate::webhooks::consumer::WebhookConsumer::new(state.webhook_wake.clone())),
        Arc::new(crate::watches::WatchConsumer),
    ]
}
