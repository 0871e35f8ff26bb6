//! The webhook delivery queue: rows queued in the outbox consumer's batch, claimed by senders
//! under a lease (Postgres `FOR UPDATE SKIP LOCKED`, SQLite's single writer), and each attempt's
//! outcome kept for the deliveries list.

use cairn_sdk::types::{
    DeliveryAttempt, DeliveryState, Event, EventId, EventKind, TenantId, WebhookDelivery, WebhookDeliveryId,
    WebhookId, WebhookUnhealthyData,
};
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use super::events::append;
use super::sql::Sql;
use super::{
    Backend, EventBatch, ListQuery, NewEvent, Store, StoreError, StoreResult, now, parse_id, parse_ts,
    parse_ts_opt, ts,
};

/// A delivery a sender holds until `lease_until`.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// Id.
    pub id: WebhookDeliveryId,
    /// Tenant.
    pub tenant: TenantId,
    /// Webhook.
    pub webhook: WebhookId,
    /// The event kind (the `Cairn-Event` header).
    pub kind: EventKind,
    /// The body, the same bytes on every attempt.
    pub payload: String,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// When the retry period started (queueing, or the last redelivery).
    pub retry_from: OffsetDateTime,
    /// The webhook's URL now.
    pub url: String,
    /// Its stored signing secret.
    pub secret: String,
    /// Its previous stored secret, while it still signs.
    pub previous_secret: Option<String>,
    lease_until: String,
}

/// What became of an attempt.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    /// When it started.
    pub started_at: OffsetDateTime,
    /// The receiver's status.
    pub status_code: Option<u16>,
    /// Milliseconds taken.
    pub latency_ms: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// The start of the answer.
    pub response_excerpt: Option<String>,
}

/// What the delivery does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Done.
    Delivered,
    /// Try again at this time.
    RetryAt(OffsetDateTime),
    /// Give up; the webhook's failure count grows and it turns unhealthy at `unhealthy_after`.
    Failed {
        /// Failures in a row that make the webhook unhealthy.
        unhealthy_after: u32,
    },
}

#[derive(FromRow)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_id: String,
    event_kind: String,
    state: String,
    next_attempt_at: Option<String>,
    delivered_at: Option<String>,
    created_at: String,
}

#[derive(FromRow)]
struct AttemptRow {
    attempt: i64,
    started_at: String,
    status_code: Option<i64>,
    latency_ms: i64,
    error: Option<String>,
    response_excerpt: Option<String>,
}

fn kind_of(word: &str) -> EventKind {
    if word == EventKind::WebhookPing.as_str() {
        EventKind::WebhookPing
    } else {
        word.parse().unwrap_or(EventKind::Unknown)
    }
}

/// Attempts shown per delivery.
const ATTEMPTS_SHOWN: i64 = 50;

impl Store {
    /// Queues `event` for `webhook` inside the consumer's batch.
    pub async fn webhook_delivery_queue(
        &self,
        batch: &mut EventBatch,
        webhook: WebhookId,
        event: &Event,
    ) -> StoreResult<WebhookDeliveryId> {
        let tenant = batch.tenant;
        queue(&mut batch.tx, tenant, webhook, event).await
    }

    /// Queues a ping (an envelope that is in no event stream) for `webhook`.
    pub async fn webhook_ping_queue(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        ping: &Event,
    ) -> StoreResult<WebhookDeliveryId> {
        let mut tx = self.begin_write().await?;
        // The webhook must be the tenant's (the foreign key alone would accept another tenant's).
        let found: Option<(String,)> =
            sqlx::query_as("SELECT id FROM webhooks WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(webhook.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let id = queue(&mut tx, tenant, webhook, ping).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` due deliveries (pending and due, or sending with a lapsed lease: its
    /// sender died) for `lease`.
    pub async fn webhook_deliveries_claim(
        &self,
        limit: i64,
        lease: Duration,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let at = now();
        let now_text = ts(at);
        let lease_until = ts(at + lease);
        let mut tx = self.begin_write().await?;
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let ids: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM webhook_deliveries WHERE (state = 'pending' AND next_attempt_at <= $1) \
             OR (state = 'sending' AND lease_until <= $2) ORDER BY next_attempt_at, id LIMIT $3{lock}"
        )))
        .bind(&now_text)
        .bind(&now_text)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for (id,) in ids {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'sending', attempts = attempts + 1, lease_until = $1 WHERE id = $2",
            )
            .bind(&lease_until)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            #[allow(clippy::type_complexity)]
            let row: (String, String, String, String, i64, String, String, String, Option<String>, Option<String>) =
                sqlx::query_as(
                    "SELECT d.tenant_id, d.webhook_id, d.event_kind, d.payload, d.attempts, d.retry_from, w.url, w.secret, \
                     w.previous_secret, w.previous_secret_until FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                     WHERE d.id = $1",
                )
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
            let (tenant, webhook, kind, payload, attempts, retry_from, url, secret, previous, previous_until) =
                row;
            let previous_valid = parse_ts_opt(previous_until.as_deref())?.is_some_and(|until| until > at);
            claimed.push(ClaimedDelivery {
                id: parse_id(&id)?,
                tenant: parse_id(&tenant)?,
                webhook: parse_id(&webhook)?,
                kind: kind_of(&kind),
                payload,
                attempt: u32::try_from(attempts).unwrap_or(u32::MAX),
                retry_from: parse_ts(&retry_from)?,
                url,
                secret,
                previous_secret: previous.filter(|_| previous_valid),
                lease_until: lease_until.clone(),
            });
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records an attempt and what follows it; `false` when the lease was lost meanwhile (another
    /// sender took the delivery over, whose outcome counts instead).
    pub async fn webhook_delivery_finish(
        &self,
        d: &ClaimedDelivery,
        outcome: &AttemptOutcome,
        next: NextStep,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let (state, next_at, delivered_at) = match next {
            NextStep::Delivered => (DeliveryState::Delivered, None, Some(ts(now()))),
            NextStep::RetryAt(at) => (DeliveryState::Pending, Some(ts(at)), None),
            NextStep::Failed { .. } => (DeliveryState::Failed, None, None),
        };
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, next_attempt_at = $2, delivered_at = $3, lease_until = NULL \
             WHERE id = $4 AND state = 'sending' AND lease_until = $5",
        )
        .bind(state.as_str())
        .bind(next_at)
        .bind(delivered_at)
        .bind(d.id.to_string())
        .bind(&d.lease_until)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Someone else's now: end the transaction at once (a dropped one keeps its locks
            // until the pooled connection is next used).
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error, response_excerpt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        )
        .bind(d.id.to_string())
        .bind(i64::from(d.attempt))
        .bind(ts(outcome.started_at))
        .bind(outcome.status_code.map(i64::from))
        .bind(i64::try_from(outcome.latency_ms).unwrap_or(i64::MAX))
        .bind(outcome.error.as_deref())
        .bind(outcome.response_excerpt.as_deref())
        .execute(&mut *tx)
        .await?;
        match next {
            NextStep::Delivered => {
                sqlx::query("UPDATE webhooks SET consecutive_failures = 0, healthy = 1 WHERE id = $1")
                    .bind(d.webhook.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            NextStep::Failed { unhealthy_after } => {
                sqlx::query(
                    "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, \
                     healthy = CASE WHEN consecutive_failures + 1 >= $1 THEN 0 ELSE healthy END WHERE id = $2",
                )
                .bind(i64::from(unhealthy_after))
                .bind(d.webhook.to_string())
                .execute(&mut *tx)
                .await?;
                // The failure that reaches the threshold turns it unhealthy: said once, in this
                // transaction (later failures count on without a new event).
                let (failures,): (i64,) =
                    sqlx::query_as("SELECT consecutive_failures FROM webhooks WHERE id = $1")
                        .bind(d.webhook.to_string())
                        .fetch_one(&mut *tx)
                        .await?;
                if failures == i64::from(unhealthy_after) {
                    let data = WebhookUnhealthyData {
                        webhook: d.webhook,
                        // The origin only: a path may hold the receiver's token (chat webhooks).
                        url: reqwest::Url::parse(&d.url)
                            .map(|u| u.origin().ascii_serialization())
                            .unwrap_or_default(),
                        consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        last_error: outcome.error.clone(),
                    };
                    append(&mut tx, d.tenant, &NewEvent::new(EventKind::WebhookUnhealthy, None, &data))
                        .await?;
                    tx.commit().await?;
                    self.events_committed().await;
                    return Ok(true);
                }
            }
            NextStep::RetryAt(_) => {}
        }
        tx.commit().await?;
        Ok(true)
    }

    /// When the next pending delivery is due (`None`: none is pending).
    pub async fn webhook_next_due(&self) -> StoreResult<Option<OffsetDateTime>> {
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT MIN(CASE WHEN state = 'pending' THEN next_attempt_at ELSE lease_until END) \
             FROM webhook_deliveries WHERE state IN ('pending', 'sending')",
        )
        .fetch_one(self.pool())
        .await?;
        parse_ts_opt(row.0.as_deref())
    }

    /// Sends a delivery again, now, with a fresh retry period (its attempts are kept).
    pub async fn webhook_delivery_redeliver(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> StoreResult<EventId> {
        let at = ts(now());
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $1, retry_from = $2, lease_until = NULL, \
             delivered_at = NULL WHERE tenant_id = $3 AND webhook_id = $4 AND id = $5 AND state <> 'sending'",
        )
        .bind(&at)
        .bind(&at)
        .bind(tenant.to_string())
        .bind(webhook.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT event_id, state FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2 AND id = $3",
        )
        .bind(tenant.to_string())
        .bind(webhook.to_string())
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some((event, state)) = row else { return Err(StoreError::NotFound) };
        if done.rows_affected() == 0 && state == "sending" {
            return Err(StoreError::Conflict("the delivery is being sent now".into()));
        }
        parse_id(&event)
    }

    /// A page of a webhook's deliveries (oldest first), each with its latest attempts.
    pub async fn webhook_deliveries_list(
        &self,
        tenant: TenantId,
        webhook: WebhookId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<WebhookDelivery>, i64)> {
        // The webhook must exist in this tenant: an empty list would hide a wrong id.
        self.webhook_get(tenant, webhook).await?;
        let mut sql = Sql::new(
            "SELECT id, webhook_id, event_id, event_kind, state, next_attempt_at, delivered_at, created_at \
             FROM webhook_deliveries WHERE tenant_id = ",
        );
        sql.bind(tenant.to_string()).push(" AND webhook_id = ").bind(webhook.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<DeliveryRow>().fetch_all(self.pool()).await?;
        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2",
        )
        .bind(tenant.to_string())
        .bind(webhook.to_string())
        .fetch_one(self.pool())
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let attempts: Vec<AttemptRow> = sqlx::query_as(
                "SELECT attempt, started_at, status_code, latency_ms, error, response_excerpt FROM webhook_attempts \
                 WHERE delivery_id = $1 ORDER BY attempt DESC LIMIT $2",
            )
            .bind(&row.id)
            .bind(ATTEMPTS_SHOWN)
            .fetch_all(self.pool())
            .await?;
            let mut attempts = attempts
                .into_iter()
                .map(|a| {
                    Ok(DeliveryAttempt {
                        attempt: u32::try_from(a.attempt).unwrap_or(u32::MAX),
                        started_at: parse_ts(&a.started_at)?,
                        status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
                        latency_ms: u64::try_from(a.latency_ms).unwrap_or(0),
                        error: a.error,
                        response_excerpt: a.response_excerpt,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            attempts.reverse();
            let state = DeliveryState::parse(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {:?}", row.state)))?;
            items.push(WebhookDelivery {
                id: parse_id(&row.id)?,
                webhook: parse_id(&row.webhook_id)?,
                event: parse_id(&row.event_id)?,
                kind: kind_of(&row.event_kind),
                state,
                next_attempt_at: parse_ts_opt(row.next_attempt_at.as_deref())?
                    .filter(|_| state == DeliveryState::Pending),
                delivered_at: parse_ts_opt(row.delivered_at.as_deref())?,
                created_at: parse_ts(&row.created_at)?,
                attempts,
            });
        }
        Ok((items, total))
    }
}

async fn queue(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: TenantId,
    webhook: WebhookId,
    event: &Event,
) -> StoreResult<WebhookDeliveryId> {
    let id = WebhookDeliveryId::new();
    let at = ts(now());
    let payload =
        serde_json::to_string(event).map_err(|e| StoreError::Corrupt(format!("event envelope: {e}")))?;
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_kind, payload, state, attempts, \
         next_attempt_at, retry_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(webhook.to_string())
    .bind(event.id.to_string())
    .bind(event.kind.as_str())
    .bind(payload)
    .bind(&at)
    .bind(&at)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
