//! The event outbox: domain events appended in the transaction of the change they report, read
//! back in order by tenant and `seq`, and handed to consumers (notifications, webhooks, …) in
//! batches whose cursor advances in the transaction that records what the consumer did.

use cairn_sdk::types::{EVENT_ENVELOPE_VERSION, Event, EventId, EventKind, ProjectId, Severity, TenantId};
use sqlx::FromRow;

use super::{Backend, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// An event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// What happened.
    pub kind: EventKind,
    /// The project it concerns.
    pub project: Option<ProjectId>,
    /// Its highest severity, for severity filters.
    pub severity: Option<Severity>,
    /// The kind's payload.
    pub data: serde_json::Value,
}

impl NewEvent {
    /// An event of `kind` carrying `data` (a payload type of `cairn_sdk::types`).
    pub fn new<T: serde::Serialize>(kind: EventKind, project: Option<ProjectId>, data: &T) -> Self {
        Self {
            kind,
            project,
            severity: None,
            data: serde_json::to_value(data).unwrap_or(serde_json::Value::Null),
        }
    }

    /// The same event carrying a severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

#[derive(FromRow)]
struct EventRow {
    tenant_id: String,
    seq: i64,
    id: String,
    kind: String,
    project_id: Option<String>,
    severity: Option<String>,
    data: String,
    created_at: String,
}

impl EventRow {
    fn into_wire(self) -> StoreResult<Event> {
        Ok(Event {
            version: EVENT_ENVELOPE_VERSION,
            id: parse_id(&self.id)?,
            // A kind this build does not know (written by a newer replica) stays readable.
            kind: self.kind.parse().unwrap_or(EventKind::Unknown),
            seq: self.seq,
            tenant: parse_id(&self.tenant_id)?,
            created_at: parse_ts(&self.created_at)?,
            project: self.project_id.as_deref().map(parse_id).transpose()?,
            severity: self.severity.as_deref().map(|s| s.parse().unwrap_or(Severity::Unknown)),
            data: serde_json::from_str(&self.data)
                .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
        })
    }
}

const COLUMNS: &str = "tenant_id, seq, id, kind, project_id, severity, data, created_at";

/// Appends `e` to `tenant`'s events inside `tx`, the transaction of the change it reports. The
/// counter row's update makes the tenant's other writers wait for this commit, so `seq`s commit
/// in order and without gaps.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    e: &NewEvent,
) -> StoreResult<Event> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO event_counters (tenant_id, last_seq) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_counters.last_seq + 1 RETURNING last_seq",
    )
    .bind(tenant.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let id = EventId::new();
    let created_at = now();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )))
    .bind(tenant.to_string())
    .bind(seq)
    .bind(id.to_string())
    .bind(e.kind.as_str())
    .bind(e.project.map(|p| p.to_string()))
    .bind(e.severity.map(|s| s.as_str()))
    .bind(e.data.to_string())
    .bind(ts(created_at))
    .execute(&mut **tx)
    .await?;
    Ok(Event {
        version: EVENT_ENVELOPE_VERSION,
        id,
        kind: e.kind,
        seq,
        tenant,
        created_at,
        project: e.project,
        severity: e.severity,
        data: e.data.clone(),
    })
}

/// A consumer's next events of one tenant, with the transaction its effects go into. End it with
/// [`EventBatch::commit`] or [`EventBatch::rollback`] (the events come again); merely dropping it
/// rolls back only when its connection is next used, holding its locks until then.
pub struct EventBatch {
    consumer: &'static str,
    /// The tenant.
    pub tenant: TenantId,
    /// The events, in `seq` order.
    pub events: Vec<Event>,
    pub(in crate::store) tx: sqlx::Transaction<'static, sqlx::Any>,
}

impl std::fmt::Debug for EventBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBatch")
            .field("consumer", &self.consumer)
            .field("tenant", &self.tenant)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl EventBatch {
    /// Gives the batch back unhandled: its events come again on the next round.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Marks the batch handled and commits the consumer's effects with it.
    pub async fn commit(mut self) -> StoreResult<()> {
        let Some(last) = self.events.last().map(|e| e.seq) else {
            return Ok(());
        };
        sqlx::query(
            "UPDATE event_cursors SET last_seq = $1, updated_at = $2 WHERE consumer = $3 AND tenant_id = $4",
        )
        .bind(last)
        .bind(ts(now()))
        .bind(self.consumer)
        .bind(self.tenant.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Records `e` in its own transaction: for a change that is not a row of this database (a
    /// vulnerability data update is several transactions; the event follows the last).
    pub async fn event_record(&self, tenant: TenantId, e: &NewEvent) -> StoreResult<Event> {
        let mut tx = self.begin_write().await?;
        let event = append(&mut tx, tenant, e).await?;
        tx.commit().await?;
        self.events_committed().await;
        Ok(event)
    }

    /// Says that events were committed: wakes this replica's readers at once and, on Postgres,
    /// the other replicas' (`NOTIFY cairn_events`). A lost wake-up only delays: readers also poll.
    pub async fn events_committed(&self) {
        self.events_wake_local();
        if self.backend() != Backend::Postgres {
            return;
        }
        if let Err(e) = sqlx::query("SELECT pg_notify('cairn_events', '')").execute(self.pool()).await {
            tracing::debug!(error = %e, "could not NOTIFY cairn_events; other replicas poll");
        }
    }

    /// Wakes this replica's event readers (the Postgres listener calls it on `cairn_events`).
    pub fn events_wake_local(&self) {
        self.events_tick.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes whenever events may have been committed; readers wait on it between reads.
    pub fn events_changed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.events_tick.subscribe()
    }

    /// `tenant`'s events with `seq > after`, oldest first, at most `limit`, optionally of some
    /// kinds only.
    pub async fn events_after(
        &self,
        tenant: TenantId,
        after: i64,
        limit: i64,
        kinds: &[EventKind],
    ) -> StoreResult<Vec<Event>> {
        let mut sql = format!("SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND seq > $2");
        if !kinds.is_empty() {
            let list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
            sql.push_str(&format!(" AND kind IN ({})", list.join(", ")));
        }
        sql.push_str(" ORDER BY seq LIMIT $3");
        let mut q = sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql))
            .bind(tenant.to_string())
            .bind(after)
            .bind(limit);
        for k in kinds {
            q = q.bind(k.as_str());
        }
        q.fetch_all(self.pool()).await?.into_iter().map(EventRow::into_wire).collect()
    }

    /// The `seq` of `tenant`'s latest event (0 when it has none).
    pub async fn event_last_seq(&self, tenant: TenantId) -> StoreResult<i64> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT last_seq FROM event_counters WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map_or(0, |r| r.0))
    }

    /// Tenants with events `consumer` has not handled yet.
    pub async fn events_pending(&self, consumer: &'static str) -> StoreResult<Vec<TenantId>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT c.tenant_id FROM event_counters c LEFT JOIN event_cursors k \
             ON k.consumer = $1 AND k.tenant_id = c.tenant_id \
             WHERE c.last_seq > COALESCE(k.last_seq, 0) ORDER BY c.tenant_id",
        )
        .bind(consumer)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| parse_id(&r.0)).collect()
    }

    /// The next (at most `limit`) events of `tenant` that `consumer` has not handled, holding the
    /// consumer's cursor for that tenant until the batch is committed or dropped. `None` when
    /// there is nothing to do, or another replica holds the cursor now.
    pub async fn event_batch(
        &self,
        consumer: &'static str,
        tenant: TenantId,
        limit: i64,
    ) -> StoreResult<Option<EventBatch>> {
        let t = tenant.to_string();
        sqlx::query(
            "INSERT INTO event_cursors (consumer, tenant_id, last_seq, updated_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (consumer, tenant_id) DO NOTHING",
        )
        .bind(consumer)
        .bind(&t)
        .bind(ts(now()))
        .execute(self.pool())
        .await?;
        let mut tx = self.begin_write().await?;
        // Postgres: one replica works a (consumer, tenant) at a time, the others skip it. SQLite:
        // BEGIN IMMEDIATE already made this the only writer.
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let cursor: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT last_seq FROM event_cursors WHERE consumer = $1 AND tenant_id = $2{lock}"
        )))
        .bind(consumer)
        .bind(&t)
        .fetch_optional(&mut *tx)
        .await?;
        // Nothing to hand out: end the transaction now. A dropped one is rolled back only when
        // its pooled connection is next used, and until then it would keep the cursor row locked
        // (Postgres) or the write lock (SQLite).
        let Some((after,)) = cursor else {
            tx.rollback().await?;
            return Ok(None);
        };
        let rows: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        )))
        .bind(&t)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(None);
        }
        let events = rows.into_iter().map(EventRow::into_wire).collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(EventBatch { consumer, tenant, events, tx }))
    }
}
