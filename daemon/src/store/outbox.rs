//! The mail outbox: every mail the daemon sends, and the queue its senders deliver from. A mail is
//! due while `next_attempt_at` is set; a sender claims it by moving that time forward (a lease,
//! so a sender that dies leaves it to the next claim), then records the attempt's outcome.

use cairn_sdk::types::{MailState, OutboxMessage};
use sqlx::{AnyConnection, FromRow};
use time::{Duration, OffsetDateTime};

use super::sql::Sql;
use super::{Backend, EventBatch, ListQuery, Store, StoreResult, now, parse_ts, parse_ts_opt, ts};

/// A mail to queue; `body` holds a placeholder where `secret` belongs.
#[derive(Debug, Clone, Copy)]
pub struct NewMail<'a> {
    /// Recipient address.
    pub to: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body (stored and shown to administrators).
    pub body: &'a str,
    /// The one-time secret, kept only until delivery.
    pub secret: Option<&'a str>,
}

/// When a queued mail is first tried.
#[derive(Debug, Clone, Copy)]
pub enum MailSchedule {
    /// Due at once.
    Now,
    /// Never: no transport is configured; the reason is recorded as its error.
    NoTransport(&'static str),
}

/// A mail claimed for delivery.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    /// Id (also its Message-ID).
    pub id: String,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Body with the placeholder.
    pub body: String,
    /// The secret, when it carries one that has not expired.
    pub secret: Option<String>,
    /// Whether it was queued with a secret that is gone now (expired before delivery).
    pub secret_lost: bool,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// Attempts before this one.
    pub attempts: u32,
}

#[derive(FromRow)]
struct OutboxRow {
    id: String,
    recipient: String,
    subject: String,
    body: String,
    created_at: String,
    attempts: i64,
    last_error: Option<String>,
    sent_at: Option<String>,
    next_attempt_at: Option<String>,
    failed_at: Option<String>,
}

impl OutboxRow {
    fn into_wire(self) -> StoreResult<OutboxMessage> {
        let state = match (&self.sent_at, &self.failed_at, &self.next_attempt_at) {
            (Some(_), _, _) => MailState::Sent,
            (None, Some(_), _) => MailState::Failed,
            (None, None, Some(_)) => MailState::Queued,
            (None, None, None) => MailState::NotSent,
        };
        Ok(OutboxMessage {
            created_at: parse_ts(&self.created_at)?,
            id: self.id,
            recipient: self.recipient,
            subject: self.subject,
            body: self.body,
            state,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            last_error: self.last_error,
            sent_at: parse_ts_opt(self.sent_at.as_deref())?,
            next_attempt_at: if state == MailState::Queued {
                parse_ts_opt(self.next_attempt_at.as_deref())?
            } else {
                None
            },
        })
    }
}

async fn insert(conn: &mut AnyConnection, mail: &NewMail<'_>, schedule: MailSchedule) -> StoreResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let created = now();
    let (next, error) = match schedule {
        MailSchedule::Now => (Some(ts(created)), None),
        MailSchedule::NoTransport(why) => (None, Some(why)),
    };
    sqlx::query(
        "INSERT INTO outbox (id, recipient, subject, body, secret, has_secret, created_at, next_attempt_at, \
         last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(mail.to)
    .bind(mail.subject)
    .bind(mail.body)
    .bind(mail.secret)
    .bind(i64::from(mail.secret.is_some()))
    .bind(ts(created))
    .bind(next)
    .bind(error)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl EventBatch {
    /// Queues a mail in the batch's transaction (a notification mail: it exists only if the batch
    /// commits, so an event handled again mails nothing twice).
    pub async fn outbox_queue(&mut self, mail: &NewMail<'_>, schedule: MailSchedule) -> StoreResult<String> {
        insert(&mut self.tx, mail, schedule).await
    }
}

impl Store {
    /// Queues a mail; `secret` is kept apart from `body` until it is delivered. Returns its id.
    pub async fn outbox_push(&self, mail: &NewMail<'_>, schedule: MailSchedule) -> StoreResult<String> {
        let mut conn = self.pool().acquire().await?;
        insert(&mut conn, mail, schedule).await
    }

    /// Claims up to `limit` due mails for `lease` (Postgres: rows other replicas hold are
    /// skipped). Each is counted as an attempt.
    pub async fn outbox_claim(&self, limit: i64, lease: Duration) -> StoreResult<Vec<ClaimedMail>> {
        let at = now();
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        #[allow(clippy::type_complexity)]
        let rows: Vec<(String, String, String, String, Option<String>, String, i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, recipient, subject, body, secret, created_at, attempts, \
                 has_secret FROM outbox \
                 WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1 AND sent_at IS NULL \
                 ORDER BY next_attempt_at, id LIMIT $2{lock}"
            )))
            .bind(ts(at))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for (id, to, subject, body, secret, created, attempts, has_secret) in rows {
            sqlx::query("UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1 WHERE id = $2")
                .bind(ts(at + lease))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            claimed.push(ClaimedMail {
                secret_lost: has_secret == 1 && secret.is_none(),
                id,
                to,
                subject,
                body,
                secret,
                created_at: parse_ts(&created)?,
                attempts: u32::try_from(attempts).unwrap_or(0),
            });
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records that mail `id` was delivered and forgets its secret.
    pub async fn outbox_mark_sent(&self, id: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET secret = NULL, sent_at = $1, next_attempt_at = NULL, last_error = NULL WHERE id = $2",
        )
        .bind(ts(now()))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up (`None`; its secret is
    /// forgotten then).
    pub async fn outbox_mark_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        match retry_at {
            Some(at) => {
                sqlx::query("UPDATE outbox SET last_error = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(error)
                    .bind(ts(at))
                    .bind(id)
                    .execute(self.pool())
                    .await?
            }
            None => {
                sqlx::query(
                    "UPDATE outbox SET last_error = $1, next_attempt_at = NULL, failed_at = $2, secret = NULL WHERE id = $3",
                )
                .bind(error)
                .bind(ts(now()))
                .bind(id)
                .execute(self.pool())
                .await?
            }
        };
        Ok(())
    }

    /// When the next queued mail is due, if any.
    pub async fn outbox_next_due(&self) -> StoreResult<Option<OffsetDateTime>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT MIN(next_attempt_at) FROM outbox WHERE next_attempt_at IS NOT NULL")
                .fetch_optional(self.pool())
                .await?;
        parse_ts_opt(row.and_then(|(t,)| t).as_deref())
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
        let mut sql = Sql::new(
            "SELECT id, recipient, subject, body, created_at, attempts, last_error, sent_at, next_attempt_at, \
             failed_at FROM outbox WHERE 1 = 1",
        );
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<OutboxRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(OutboxRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }
}
