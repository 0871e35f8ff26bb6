//! The admin outbox: mail the daemon sends when no SMTP server is configured.

use cairn_sdk::types::OutboxMessage;
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreResult, now, parse_ts, ts};

#[derive(FromRow)]
struct OutboxRow {
    id: String,
    recipient: String,
    subject: String,
    body: String,
    created_at: String,
}

impl OutboxRow {
    fn into_wire(self) -> StoreResult<OutboxMessage> {
        Ok(OutboxMessage {
            created_at: parse_ts(&self.created_at)?,
            id: self.id,
            recipient: self.recipient,
            subject: self.subject,
            body: self.body,
        })
    }
}

impl Store {
    /// Queues a mail; `secret` is kept apart from `body` until [`Store::outbox_mark_sent`].
    /// Returns its id.
    pub async fn outbox_push(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
        secret: Option<&str>,
    ) -> StoreResult<String> {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO outbox (id, recipient, subject, body, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(secret)
        .bind(ts(now()))
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Records that mail `id` was delivered and forgets its secret.
    pub async fn outbox_mark_sent(&self, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET secret = NULL, sent_at = $1 WHERE id = $2")
            .bind(ts(now()))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets the secrets of mails queued before `cutoff` and never delivered (their tokens
    /// have expired). Returns how many.
    pub async fn outbox_forget_secrets(&self, cutoff: time::OffsetDateTime) -> StoreResult<u64> {
        let done =
            sqlx::query("UPDATE outbox SET secret = NULL WHERE secret IS NOT NULL AND created_at < $1")
                .bind(ts(cutoff))
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }

    /// A page of the outbox, with the total.
    pub async fn outbox_list(&self, q: &ListQuery) -> StoreResult<(Vec<OutboxMessage>, i64)> {
        let mut sql = Sql::new("SELECT id, recipient, subject, body, created_at FROM outbox WHERE 1 = 1");
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<OutboxRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(OutboxRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }
}
