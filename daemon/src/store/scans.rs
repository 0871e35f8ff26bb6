//! Scans of a tenant: the row, its job, its progress events, cancellation.

use cairn_sdk::types::{
    EventKind, PqcSummary, ProjectId, Scan, ScanCounts, ScanEvent, ScanEventData, ScanId, ScanSource,
    ScanStatus, TenantId, UserId, VersionId, VulnDataState, VulnDataUsed,
};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{ListQuery, NewEvent, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts};

#[derive(FromRow)]
struct ScanRow {
    id: String,
    tenant_id: String,
    project_id: Option<String>,
    version_id: Option<String>,
    status: String,
    source: String,
    requested_by: Option<String>,
    error: Option<String>,
    vulndb: Option<String>,
    counts: String,
    percent: i64,
    version: i64,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    pqc: Option<String>,
}

macro_rules! scan_columns {
    () => {
        "id, tenant_id, project_id, version_id, status, source, requested_by, error, vulndb, counts, percent, \
         version, created_at, started_at, finished_at, pqc"
    };
}

fn status_of(s: &str) -> StoreResult<ScanStatus> {
    ScanStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("scan status {s:?}")))
}

fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Rows from before git URLs with credentials were refused may hold them: never serve them.
fn served_source(source: ScanSource) -> ScanSource {
    match source {
        ScanSource::Git { url, reference } => {
            ScanSource::Git { url: crate::sources::url::without_credentials(&url), reference }
        }
        other => other,
    }
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Our own wire types always serialize; "null" keeps the column valid if one ever did not.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

impl ScanRow {
    fn into_wire(self) -> StoreResult<(TenantId, Scan)> {
        Ok((
            parse_id(&self.tenant_id)?,
            Scan {
                id: parse_id(&self.id)?,
                project_id: self.project_id.as_deref().map(parse_id).transpose()?,
                version_id: self.version_id.as_deref().map(parse_id).transpose()?,
                status: status_of(&self.status)?,
                source: served_source(json("source", &self.source)?),
                requested_by: self.requested_by.as_deref().map(parse_id).transpose()?,
                error: self.error,
                vulndb: self.vulndb.as_deref().map(|v| json::<VulnDataUsed>("vulndb", v)).transpose()?,
                counts: json("counts", &self.counts)?,
                percent: u8::try_from(self.percent.clamp(0, 100)).unwrap_or(0),
                version: self.version,
                created_at: parse_ts(&self.created_at)?,
                started_at: parse_ts_opt(self.started_at.as_deref())?,
                finished_at: parse_ts_opt(self.finished_at.as_deref())?,
                pqc: self.pqc.as_deref().map(|v| json::<PqcSummary>("pqc", v)).transpose()?,
            },
        ))
    }
}

#[derive(FromRow)]
struct EventRow {
    scan_id: String,
    seq: i64,
    status: String,
    step: Option<String>,
    percent: Option<i64>,
    message: Option<String>,
    counts: Option<String>,
    created_at: String,
}

impl EventRow {
    fn into_wire(self) -> StoreResult<ScanEvent> {
        Ok(ScanEvent {
            scan_id: parse_id(&self.scan_id)?,
            seq: self.seq,
            status: status_of(&self.status)?,
            step: self.step,
            percent: u8::try_from(self.percent.unwrap_or(0).clamp(0, 100)).unwrap_or(0),
            message: self.message,
            ts: parse_ts(&self.created_at)?,
            counts: self.counts.as_deref().map(|c| json("counts", c)).transpose()?.unwrap_or_default(),
        })
    }
}

/// A scan to create.
#[derive(Debug, Clone)]
pub struct NewScan {
    /// Its project.
    pub project: Option<ProjectId>,
    /// Its project version.
    pub version: Option<VersionId>,
    /// What it scans, as shown to users.
    pub source: ScanSource,
    /// Who asked.
    pub requested_by: Option<UserId>,
    /// Inventory cryptography too.
    pub crypto: bool,
}

/// Filters of the scan list.
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    /// Only this status.
    pub status: Option<ScanStatus>,
    /// Only this project.
    pub project: Option<ProjectId>,
    /// Only this source kind.
    pub source_kind: Option<cairn_sdk::types::SourceKind>,
}

/// A progress step to record: the event and the scan row change in one transaction.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Status now.
    pub status: ScanStatus,
    /// Finer step.
    pub step: Option<String>,
    /// Overall percent (the caller keeps it monotonic).
    pub percent: u8,
    /// Detail for people.
    pub message: Option<String>,
    /// Counts so far.
    pub counts: ScanCounts,
    /// The failure, for `failed`.
    pub error: Option<String>,
    /// The vulnerability data used, once matched.
    pub vulndb: Option<VulnDataUsed>,
}

/// What a cancel request did.
#[derive(Debug)]
pub enum CancelOutcome {
    /// The scan was queued and is now cancelled; the event says so.
    Cancelled(Scan, Box<ScanEvent>),
    /// The scan is running; its worker stops at the next step.
    Requested(Scan),
    /// The scan had already ended.
    AlreadyEnded(Scan),
}

impl Store {
    /// Creates a queued scan, its job and (for uploads) the uploaded file in one transaction;
    /// `QuotaExceeded` when the tenant already has `max_queued` jobs waiting (0 = no limit).
    pub async fn scan_create(
        &self,
        tenant: TenantId,
        new: &NewScan,
        payload: &serde_json::Value,
        max_attempts: u32,
        max_queued: u32,
        upload: Option<&super::NewUpload>,
    ) -> StoreResult<Scan> {
        if let Some(p) = new.project {
            self.project_get(tenant, p)
                .await
                .map_err(|_| StoreError::Conflict("project: no such project".into()))?;
        }
        if let Some(v) = new.version {
            let version = self
                .version_get(tenant, v)
                .await
                .map_err(|_| StoreError::Conflict("version: no such project version".into()))?;
            if new.project.is_some_and(|p| p != version.project_id) {
                return Err(StoreError::Conflict("version: belongs to another project".into()));
            }
        }
        let id = ScanId::new();
        let stamp = ts(now());
        let mut payload = payload.clone();
        if let Some(o) = payload.as_object_mut() {
            o.insert("scan_id".into(), serde_json::Value::String(id.to_string()));
        }
        let mut tx = self.begin_write().await?;
        if max_queued > 0 {
            if self.backend == super::Backend::Postgres {
                // Serialises one tenant's submissions (on any replica) so two cannot both take
                // the last place; SQLite's write transaction is already exclusive.
                sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
                    .bind(tenant.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            }
            let (waiting,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND state = 'queued'")
                    .bind(tenant.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
            if waiting >= i64::from(max_queued) {
                return Err(StoreError::QuotaExceeded { quota: "queued_scans", limit: max_queued });
            }
        }
        sqlx::query(
            "INSERT INTO scans (id, tenant_id, project_id, version_id, status, source_kind, source, requested_by, \
             counts, percent, crypto, version, created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, 0, $9, 1, $10)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(new.project.map(|p| p.to_string()))
        .bind(new.version.map(|v| v.to_string()))
        .bind(new.source.kind().as_str())
        .bind(to_json(&new.source))
        .bind(new.requested_by.map(|u| u.to_string()))
        .bind(to_json(&ScanCounts::default()))
        .bind(i64::from(new.crypto))
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO jobs (id, tenant_id, kind, payload, state, priority, attempts, max_attempts, run_after, \
             created_at, updated_at, scan_id) VALUES ($1, $2, 'scan', $3, 'queued', 0, 0, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(tenant.to_string())
        .bind(payload.to_string())
        .bind(i64::from(max_attempts))
        .bind(&stamp)
        .bind(&stamp)
        .bind(&stamp)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if let Some(u) = upload {
            super::scan_uploads::insert(&mut tx, tenant, id, u, &stamp).await?;
        }
        tx.commit().await?;
        self.scan_get(tenant, id).await
    }

    /// Replaces what the scan records of its source: the job fills in what only reading the
    /// upload tells (an ingested document's format).
    pub async fn scan_set_source(
        &self,
        tenant: TenantId,
        id: ScanId,
        source: &ScanSource,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE scans SET source = $1, version = version + 1 WHERE tenant_id = $2 AND id = $3",
        )
        .bind(to_json(source))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A scan of the tenant.
    pub async fn scan_get(&self, tenant: TenantId, id: ScanId) -> StoreResult<Scan> {
        let row: ScanRow = sqlx::query_as(concat!(
            "SELECT ",
            scan_columns!(),
            " FROM scans WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.into_wire()?.1)
    }

    /// A scan of any tenant, with its tenant (workers and operators).
    pub async fn scan_get_any(&self, id: ScanId) -> StoreResult<(TenantId, Scan)> {
        let row: ScanRow = sqlx::query_as(concat!("SELECT ", scan_columns!(), " FROM scans WHERE id = $1"))
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        row.into_wire()
    }

    /// Scans of the tenant (or, for operators, of every tenant), filtered and paged.
    pub async fn scan_list(
        &self,
        tenant: Option<TenantId>,
        f: &ScanFilter,
        q: &ListQuery,
    ) -> StoreResult<(Vec<Scan>, i64)> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE 1 = 1");
            if let Some(t) = tenant {
                sql.push(" AND tenant_id = ").bind(t.to_string());
            }
            if let Some(s) = f.status {
                sql.push(" AND status = ").bind(s.as_str());
            }
            if let Some(p) = f.project {
                sql.push(" AND project_id = ").bind(p.to_string());
            }
            if let Some(k) = &f.source_kind {
                sql.push(" AND source_kind = ").bind(k.as_str());
            }
        };
        let mut sql = Sql::new(concat!("SELECT ", scan_columns!(), " FROM scans"));
        filter(&mut sql);
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<ScanRow>().fetch_all(self.pool()).await?;
        let mut count = Sql::new("SELECT COUNT(*) FROM scans");
        filter(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        let scans = rows.into_iter().map(|r| r.into_wire().map(|(_, s)| s)).collect::<StoreResult<_>>()?;
        Ok((scans, total))
    }

    /// The tenant's scans that have not ended, oldest first.
    pub async fn scan_unfinished(&self, tenant: TenantId) -> StoreResult<Vec<Scan>> {
        let rows: Vec<ScanRow> = sqlx::query_as(concat!(
            "SELECT ",
            scan_columns!(),
            " FROM scans WHERE tenant_id = $1 AND status NOT IN ('completed', 'failed', 'cancelled') \
             ORDER BY created_at, id LIMIT 1000"
        ))
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| r.into_wire().map(|(_, s)| s)).collect()
    }

    /// The project's most recently finished completed scan.
    pub async fn scan_latest_completed(&self, tenant: TenantId, project: ProjectId) -> StoreResult<Scan> {
        let row: ScanRow = sqlx::query_as(concat!(
            "SELECT ",
            scan_columns!(),
            " FROM scans WHERE tenant_id = $1 AND project_id = $2 AND status = 'completed' \
             ORDER BY finished_at DESC, id DESC LIMIT 1"
        ))
        .bind(tenant.to_string())
        .bind(project.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.into_wire()?.1)
    }

    /// The latest completed scan of a project version.
    pub async fn scan_latest_completed_of_version(
        &self,
        tenant: TenantId,
        version: VersionId,
    ) -> StoreResult<Scan> {
        let row: ScanRow = sqlx::query_as(concat!(
            "SELECT ",
            scan_columns!(),
            " FROM scans WHERE tenant_id = $1 AND version_id = $2 AND status = 'completed' \
             ORDER BY finished_at DESC, id DESC LIMIT 1"
        ))
        .bind(tenant.to_string())
        .bind(version.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.into_wire()?.1)
    }

    /// A project's completed scans, oldest first (of one version when given), at most `limit`
    /// of the newest: the history's time series.
    pub async fn scans_completed_of_project(
        &self,
        tenant: TenantId,
        project: ProjectId,
        version: Option<VersionId>,
        limit: i64,
    ) -> StoreResult<Vec<Scan>> {
        let rows: Vec<ScanRow> = sqlx::query_as(concat!(
            "SELECT ",
            scan_columns!(),
            " FROM scans WHERE tenant_id = $1 AND project_id = $2 AND status = 'completed' \
             AND ($3 IS NULL OR version_id = $3) ORDER BY finished_at DESC, id DESC LIMIT $4"
        ))
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(version.map(|v| v.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut scans = rows.into_iter().map(|r| Ok(r.into_wire()?.1)).collect::<StoreResult<Vec<Scan>>>()?;
        scans.reverse();
        Ok(scans)
    }

    /// Whether someone asked the scan to stop.
    pub async fn scan_cancel_requested(&self, id: ScanId) -> StoreResult<bool> {
        let row: (i64,) = sqlx::query_as("SELECT cancel_requested FROM scans WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.0 != 0)
    }

    /// Cancels a queued scan at once (scan, job and event in one transaction), or flags a running
    /// one for its worker. `tenant` None = an operator acting on any tenant.
    pub async fn scan_cancel(&self, tenant: Option<TenantId>, id: ScanId) -> StoreResult<CancelOutcome> {
        let (owner, scan) = match tenant {
            Some(t) => (t, self.scan_get(t, id).await?),
            None => self.scan_get_any(id).await?,
        };
        if scan.status.is_terminal() {
            return Ok(CancelOutcome::AlreadyEnded(scan));
        }
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        // Only while still queued: a worker claims jobs, never cancelled ones.
        let job = sqlx::query(
            "UPDATE jobs SET state = 'cancelled', updated_at = $1 WHERE scan_id = $2 AND state = 'queued'",
        )
        .bind(&stamp)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if job.rows_affected() > 0 {
            let progress = Progress {
                status: ScanStatus::Cancelled,
                step: None,
                percent: scan.percent,
                message: Some("cancelled before it started".into()),
                counts: scan.counts,
                error: None,
                vulndb: None,
            };
            let event = append_event(&mut tx, owner, id, &progress, &stamp).await?;
            tx.commit().await?;
            return Ok(CancelOutcome::Cancelled(self.scan_get(owner, id).await?, Box::new(event)));
        }
        sqlx::query("UPDATE scans SET cancel_requested = 1 WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let scan = self.scan_get(owner, id).await?;
        Ok(if scan.status.is_terminal() {
            CancelOutcome::AlreadyEnded(scan)
        } else {
            CancelOutcome::Requested(scan)
        })
    }

    /// Records a progress step: the next event (seq = last + 1) and the scan row, atomically.
    pub async fn scan_progress(&self, tenant: TenantId, id: ScanId, p: &Progress) -> StoreResult<ScanEvent> {
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        let event = append_event(&mut tx, tenant, id, p, &stamp).await?;
        tx.commit().await?;
        if p.status.is_terminal() {
            self.events_committed().await;
        }
        Ok(event)
    }

    /// Events of a scan with `seq > after`, in order.
    pub async fn scan_events(
        &self,
        tenant: TenantId,
        id: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ScanEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT scan_id, seq, status, step, percent, message, counts, created_at FROM scan_events \
             WHERE tenant_id = $1 AND scan_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(EventRow::into_wire).collect()
    }

    /// How many events a scan has.
    pub async fn scan_event_count(&self, tenant: TenantId, id: ScanId) -> StoreResult<i64> {
        let row: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM scan_events WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok(row.0)
    }
}

/// Whether a scan's stored `vulndb` says it was matched against vulnerability data.
pub(super) fn matched(vulndb: Option<&str>) -> StoreResult<bool> {
    let used = vulndb.map(|v| json::<VulnDataUsed>("vulndb", v)).transpose()?;
    Ok(used.is_some_and(|u| matches!(u.state, VulnDataState::Fresh | VulnDataState::Stale)))
}

/// Inserts the next event and applies it to the scan row, inside `tx`.
async fn append_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    id: ScanId,
    p: &Progress,
    stamp: &str,
) -> StoreResult<ScanEvent> {
    let last: (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM scan_events WHERE scan_id = $1")
        .bind(id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let seq = last.0.unwrap_or(0) + 1;
    let counts = to_json(&p.counts);
    sqlx::query(
        "INSERT INTO scan_events (id, tenant_id, scan_id, seq, status, step, percent, message, counts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(tenant.to_string())
    .bind(id.to_string())
    .bind(seq)
    .bind(p.status.as_str())
    .bind(p.step.clone())
    .bind(i64::from(p.percent))
    .bind(p.message.clone())
    .bind(&counts)
    .bind(stamp)
    .execute(&mut **tx)
    .await?;
    let started = matches!(p.status, ScanStatus::Fetching).then(|| stamp.to_owned());
    let finished = p.status.is_terminal().then(|| stamp.to_owned());
    let updated: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "UPDATE scans SET status = $1, step = $2, percent = $3, counts = $4, error = COALESCE($5, error), \
         vulndb = COALESCE($6, vulndb), started_at = COALESCE(started_at, $7), finished_at = COALESCE($8, finished_at), \
         version = version + 1 WHERE tenant_id = $9 AND id = $10 RETURNING project_id, vulndb",
    )
    .bind(p.status.as_str())
    .bind(p.step.clone())
    .bind(i64::from(p.percent))
    .bind(&counts)
    .bind(p.error.clone())
    .bind(p.vulndb.as_ref().map(to_json))
    .bind(started)
    .bind(finished)
    .bind(tenant.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((project, vulndb)) = updated else {
        return Err(StoreError::NotFound);
    };
    // The outbox event of a scan's end commits with the end itself.
    let ended = match p.status {
        ScanStatus::Completed => Some(EventKind::ScanCompleted),
        ScanStatus::Failed => Some(EventKind::ScanFailed),
        _ => None,
    };
    if let Some(kind) = ended {
        let data = ScanEventData {
            scan: id,
            status: p.status,
            // Counts only for a scan that was matched: without data its zeros mean "not looked".
            severities: (p.status == ScanStatus::Completed && matched(vulndb.as_deref())?)
                .then_some(p.counts.severities),
            error: p.error.clone(),
        };
        let project = project.as_deref().map(parse_id).transpose()?;
        super::events::append(tx, tenant, &NewEvent::new(kind, project, &data)).await?;
    }
    if p.status.is_terminal() {
        // Completed, failed or cancelled: the upload is no longer needed (until now a requeued
        // job could still read it).
        super::scan_uploads::delete(tx, id).await?;
    }
    Ok(ScanEvent {
        scan_id: id,
        seq,
        status: p.status,
        step: p.step.clone(),
        percent: p.percent,
        message: p.message.clone(),
        ts: parse_ts(stamp).unwrap_or_else(|_| OffsetDateTime::now_utc()),
        counts: p.counts.clone(),
    })
}

/// The digests recorded when a scan's image was pulled from a registry (issue 21's catalogue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageDigests {
    /// What the reference resolved to: the index of a multi-platform image, else the manifest.
    pub digest: Option<String>,
    /// The platform's image manifest that was read.
    pub manifest_digest: Option<String>,
}

#[derive(FromRow)]
struct ScanImageRow {
    #[sqlx(flatten)]
    scan: ScanRow,
    image_digest: Option<String>,
    image_manifest_digest: Option<String>,
}

impl ScanImageRow {
    fn into_wire(self) -> StoreResult<(Scan, ImageDigests)> {
        let digests = ImageDigests { digest: self.image_digest, manifest_digest: self.image_manifest_digest };
        Ok((self.scan.into_wire()?.1, digests))
    }
}

impl Store {
    /// Records the digests a scan's image reference resolved to when it was pulled.
    pub async fn scan_set_image(
        &self,
        tenant: TenantId,
        id: ScanId,
        digest: &str,
        manifest_digest: &str,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE scans SET image_digest = $1, image_manifest_digest = $2, version = version + 1 \
             WHERE tenant_id = $3 AND id = $4",
        )
        .bind(digest)
        .bind(manifest_digest)
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The image digests of some scans of the tenant (those without any are left out).
    pub async fn scan_images(
        &self,
        tenant: TenantId,
        ids: &[ScanId],
    ) -> StoreResult<std::collections::HashMap<ScanId, ImageDigests>> {
        let mut out = std::collections::HashMap::new();
        // Bounded statements: a history has at most 1000 points.
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT id, image_digest, image_manifest_digest FROM scans WHERE image_digest IS NOT NULL \
                 AND tenant_id = ",
            );
            sql.bind(tenant.to_string()).push(" AND id IN (").bind_list(chunk.iter().map(|i| i.to_string()));
            sql.push(")");
            let rows =
                sql.query_as::<(String, Option<String>, Option<String>)>().fetch_all(self.pool()).await?;
            for (id, digest, manifest_digest) in rows {
                out.insert(parse_id(&id)?, ImageDigests { digest, manifest_digest });
            }
        }
        Ok(out)
    }

    /// A version's completed scans with their image digests, paged in creation order (the
    /// version's scan history).
    pub async fn version_scan_history(
        &self,
        tenant: TenantId,
        version: VersionId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<(Scan, ImageDigests)>, i64)> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE tenant_id = ").bind(tenant.to_string());
            sql.push(" AND version_id = ").bind(version.to_string()).push(" AND status = 'completed'");
        };
        let mut sql =
            Sql::new(concat!("SELECT ", scan_columns!(), ", image_digest, image_manifest_digest FROM scans"));
        filter(&mut sql);
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<ScanImageRow>().fetch_all(self.pool()).await?;
        let mut count = Sql::new("SELECT COUNT(*) FROM scans");
        filter(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(ScanImageRow::into_wire).collect::<StoreResult<_>>()?, total))
    }
}
