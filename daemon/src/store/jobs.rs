//! The durable job queue: claim (`FOR UPDATE SKIP LOCKED` on Postgres, one atomic UPDATE under
//! SQLite's single writer), heartbeats, finishing, and requeueing jobs whose worker died.

use cairn_sdk::types::{ScanId, TenantId};
use sqlx::FromRow;

use super::{Backend, Store, StoreResult, now, parse_id, ts};

/// A job this worker now holds.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Job id.
    pub id: String,
    /// Its tenant.
    pub tenant: TenantId,
    /// The scan it runs.
    pub scan: ScanId,
    /// What to obtain (JSON).
    pub payload: String,
    /// Runs so far, this one included.
    pub attempts: i64,
}

/// A running job whose heartbeat stopped.
#[derive(Debug, Clone)]
pub struct StaleJob {
    /// Job id.
    pub id: String,
    /// Its tenant.
    pub tenant: TenantId,
    /// Its scan.
    pub scan: ScanId,
    /// Runs so far.
    pub attempts: i64,
    /// Runs allowed.
    pub max_attempts: i64,
    /// The worker that held it.
    pub locked_by: Option<String>,
}

#[derive(FromRow)]
pub(super) struct ClaimRow {
    pub(super) id: String,
    pub(super) tenant_id: Option<String>,
    scan_id: Option<String>,
    pub(super) payload: String,
    pub(super) attempts: i64,
}

#[derive(FromRow)]
struct StaleRow {
    id: String,
    tenant_id: Option<String>,
    scan_id: Option<String>,
    attempts: i64,
    max_attempts: i64,
    locked_by: Option<String>,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEnd {
    /// Ran to the end (the scan completed).
    Done,
    /// Failed for good.
    Failed,
    /// Stopped on request.
    Cancelled,
}

impl JobEnd {
    fn as_str(self) -> &'static str {
        match self {
            JobEnd::Done => "done",
            JobEnd::Failed => "failed",
            JobEnd::Cancelled => "cancelled",
        }
    }
}

impl Store {
    /// Takes the oldest due scan job for `worker`, if any.
    pub async fn job_claim(&self, worker: &str) -> StoreResult<Option<ClaimedJob>> {
        let row = self.job_claim_of_kind(worker, "scan").await?;
        let Some(r) = row else { return Ok(None) };
        let (Some(tenant), Some(scan)) = (r.tenant_id, r.scan_id) else {
            // Not a scan job of ours (hand-inserted); fail it rather than spin on it.
            self.job_finish(&r.id, worker, JobEnd::Failed, Some("job without tenant or scan")).await?;
            return Ok(None);
        };
        Ok(Some(ClaimedJob {
            id: r.id,
            tenant: parse_id(&tenant)?,
            scan: parse_id(&scan)?,
            payload: r.payload,
            attempts: r.attempts,
        }))
    }

    /// Takes the oldest due job of `kind` (`scan`, `rematch`) for `worker`, in the same fair order
    /// for every kind.
    pub(super) async fn job_claim_of_kind(&self, worker: &str, kind: &str) -> StoreResult<Option<ClaimRow>> {
        let stamp = ts(now());
        // Postgres: concurrent claimers skip each other's locked row instead of waiting. SQLite:
        // one writer at a time, and the outer `state = 'queued'` re-check keeps it single-claim.
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Fair across tenants: the tenant with the fewest running jobs goes first, then the one
        // served longest ago (its latest claim; never served sorts first, as ''), then the oldest
        // job. A tenant queueing many scans cannot starve another, even with one worker.
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_at = $2, heartbeat_at = $3, \
             attempts = attempts + 1, updated_at = $4 \
             WHERE id = (SELECT q.id FROM jobs q WHERE q.state = 'queued' AND q.kind = $6 AND q.run_after <= $5 \
             ORDER BY q.priority DESC, \
             (SELECT COUNT(*) FROM jobs r WHERE r.tenant_id = q.tenant_id AND r.state = 'running'), \
             (SELECT COALESCE(MAX(s.locked_at), '') FROM jobs s WHERE s.tenant_id = q.tenant_id AND s.kind = $6), \
             q.created_at, q.id LIMIT 1{lock}) AND state = 'queued' \
             RETURNING id, tenant_id, scan_id, payload, attempts"
        );
        let row: Option<ClaimRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(&stamp)
            .bind(&stamp)
            .bind(&stamp)
            .bind(&stamp)
            .bind(kind)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// Records that `worker` still runs job `id`; false when the job is no longer its own
    /// (requeued by a reaper after a long pause), so the worker must stop.
    pub async fn job_heartbeat(&self, id: &str, worker: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'",
        )
        .bind(ts(now()))
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends job `id` if `worker` still holds it.
    pub async fn job_finish(
        &self,
        id: &str,
        worker: &str,
        end: JobEnd,
        error: Option<&str>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, last_error = $2, locked_by = NULL, updated_at = $3 \
             WHERE id = $4 AND locked_by = $5 AND state = 'running'",
        )
        .bind(end.as_str())
        .bind(error.map(str::to_owned))
        .bind(ts(now()))
        .bind(id)
        .bind(worker)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Running jobs whose heartbeat is older than `cutoff` (except those `skip` holds: the
    /// caller's own live workers, whose heartbeat may just be late), or held by `own` (this
    /// replica's name from a previous life, or at shutdown), whatever their heartbeat.
    pub async fn job_stale(
        &self,
        cutoff: time::OffsetDateTime,
        own: Option<&str>,
        skip: Option<&str>,
    ) -> StoreResult<Vec<StaleJob>> {
        let rows: Vec<StaleRow> = sqlx::query_as(
            "SELECT id, tenant_id, scan_id, attempts, max_attempts, locked_by FROM jobs WHERE state = 'running' \
             AND ((heartbeat_at < $1 AND ($2 IS NULL OR locked_by NOT LIKE $3)) OR ($4 IS NOT NULL AND locked_by LIKE $5)) \
             ORDER BY id LIMIT 100",
        )
        .bind(ts(cutoff))
        .bind(skip.map(str::to_owned))
        .bind(skip.map(|o| format!("{o}/%")))
        .bind(own.map(str::to_owned))
        .bind(own.map(|o| format!("{o}/%")))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if let (Some(t), Some(s)) = (r.tenant_id, r.scan_id) {
                out.push(StaleJob {
                    id: r.id,
                    tenant: parse_id(&t)?,
                    scan: parse_id(&s)?,
                    attempts: r.attempts,
                    max_attempts: r.max_attempts,
                    locked_by: r.locked_by,
                });
            }
        }
        Ok(out)
    }

    /// Every running scan job with its holder, whatever its heartbeat (the reaper judges holders
    /// it can see are dead).
    pub async fn job_running(&self) -> StoreResult<Vec<StaleJob>> {
        let rows: Vec<StaleRow> = sqlx::query_as(
            "SELECT id, tenant_id, scan_id, attempts, max_attempts, locked_by FROM jobs \
             WHERE state = 'running' AND kind = 'scan' ORDER BY id LIMIT 1000",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if let (Some(t), Some(s)) = (r.tenant_id, r.scan_id) {
                out.push(StaleJob {
                    id: r.id,
                    tenant: parse_id(&t)?,
                    scan: parse_id(&s)?,
                    attempts: r.attempts,
                    max_attempts: r.max_attempts,
                    locked_by: r.locked_by,
                });
            }
        }
        Ok(out)
    }

    /// Puts a stale job back in the queue, if it is still held by `locked_by` (another reaper may
    /// have been first). True when this call requeued it.
    pub async fn job_requeue(&self, id: &str, locked_by: Option<&str>, reason: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', locked_by = NULL, heartbeat_at = NULL, last_error = $1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND locked_by = $4",
        )
        .bind(reason)
        .bind(ts(now()))
        .bind(id)
        .bind(locked_by.map(str::to_owned))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Fails a stale job that has used its attempts, if still held by `locked_by`.
    pub async fn job_give_up(&self, id: &str, locked_by: Option<&str>, reason: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'failed', locked_by = NULL, last_error = $1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND locked_by = $4",
        )
        .bind(reason)
        .bind(ts(now()))
        .bind(id)
        .bind(locked_by.map(str::to_owned))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Wakes other replicas' workers (Postgres NOTIFY; nothing on SQLite, a single process).
    pub async fn job_notify(&self) -> StoreResult<()> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify('cairn_jobs', '')").execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Publishes a scan event to every replica (Postgres NOTIFY on `cairn_scan_events`).
    pub async fn scan_event_notify(&self, payload: &str) -> StoreResult<()> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify('cairn_scan_events', $1)")
                .bind(payload)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// The URL of the database, for a dedicated LISTEN connection.
    pub fn url(&self) -> &str {
        &self.url.0
    }
}
