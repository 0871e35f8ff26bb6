//! Outgoing mail. No SMTP transport is built in yet, so every message goes to the admin outbox
//! (`GET /api/v1/admin/outbox`), where an operator can read and forward it.

use crate::store::{Store, StoreResult};

/// Sends (queues) a plain-text mail.
pub async fn send(store: &Store, to: &str, subject: &str, body: &str) -> StoreResult<()> {
    store.outbox_push(to, subject, body).await
}
