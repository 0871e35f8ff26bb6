//! CVE watches: the watches' rows, the hits recorded once per (watch, project, advisory,
//! component), what each project's latest results hold for a watch, and — inside the watch
//! consumer's event batch — recording a later hit together with its `cve_watch.hit` event.

use cairn_sdk::types::{
    CveWatch, CveWatchHit, CveWatchHitData, CveWatchHitId, CveWatchId, EventKind, ProjectId, ScanId,
    Severity, TenantId, UserId, WatchTarget,
};
use sqlx::FromRow;

use super::events::append;
use super::sql::Sql;
use super::{EventBatch, ListQuery, NewEvent, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// A place a watch may hit: an open finding (advisory watches) or a component (package watches)
/// of a project's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitCandidate {
    /// The project.
    pub project: ProjectId,
    /// The scan whose results hold it.
    pub scan: ScanId,
    /// The finding's advisory (OSV id); `None` for a component.
    pub advisory: Option<String>,
    /// The advisory's aliases.
    pub aliases: Vec<String>,
    /// The component's purl.
    pub purl: String,
    /// The finding.
    pub finding: Option<String>,
    /// The finding's severity.
    pub severity: Option<Severity>,
}

/// The identity of a watch's target: one watch per target and tenant.
fn target_key(t: &WatchTarget) -> String {
    match t {
        WatchTarget::Advisory { id } => format!("a:{id}"),
        WatchTarget::Package { purl, version_range } => {
            format!("p:{purl}|{}", version_range.as_deref().unwrap_or_default())
        }
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[derive(FromRow)]
struct WatchRow {
    id: String,
    kind: String,
    advisory: Option<String>,
    purl: Option<String>,
    version_range: Option<String>,
    created_by: Option<String>,
    created_at: String,
    hits: i64,
}

impl WatchRow {
    fn target(&self) -> StoreResult<WatchTarget> {
        match (self.kind.as_str(), &self.advisory, &self.purl) {
            ("advisory", Some(id), _) => Ok(WatchTarget::Advisory { id: id.clone() }),
            ("package", _, Some(purl)) => {
                Ok(WatchTarget::Package { purl: purl.clone(), version_range: self.version_range.clone() })
            }
            _ => Err(corrupt("cve watch", format!("kind {} without its target", self.kind))),
        }
    }

    fn into_wire(self) -> StoreResult<CveWatch> {
        Ok(CveWatch {
            target: self.target()?,
            id: parse_id(&self.id)?,
            hits: u64::try_from(self.hits).unwrap_or(0),
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

const WATCH_COLUMNS: &str = "w.id, w.kind, w.advisory, w.purl, w.version_range, w.created_by, w.created_at, \
     (SELECT COUNT(*) FROM cve_watch_hits h WHERE h.watch_id = w.id) AS hits";

#[derive(FromRow)]
struct HitRow {
    id: String,
    watch_id: String,
    project_id: String,
    scan_id: String,
    advisory: String,
    purl: String,
    finding_id: Option<String>,
    severity: Option<String>,
    event_id: Option<String>,
    created_at: String,
}

impl HitRow {
    fn into_wire(self) -> StoreResult<CveWatchHit> {
        Ok(CveWatchHit {
            id: parse_id(&self.id)?,
            watch: parse_id(&self.watch_id)?,
            project: parse_id(&self.project_id)?,
            scan: parse_id(&self.scan_id)?,
            advisory: Some(self.advisory).filter(|a| !a.is_empty()),
            purl: self.purl,
            finding: self.finding_id,
            severity: self.severity.as_deref().map(|s| s.parse().unwrap_or(Severity::Unknown)),
            at_creation: self.event_id.is_none(),
            found_at: parse_ts(&self.created_at)?,
        })
    }
}

const HIT_COLUMNS: &str = "h.id, h.watch_id, h.project_id, h.scan_id, h.advisory, h.purl, h.finding_id, h.severity, h.event_id, h.created_at";

/// Each project's latest completed scan (the findings list's "now"); ad-hoc scans are no
/// project's and are not watched.
const LATEST_PROJECT_SCANS: &str = "SELECT s.id FROM scans s WHERE s.tenant_id = $1 AND s.project_id IS NOT NULL \
     AND s.status = 'completed' AND NOT EXISTS (SELECT 1 FROM scans n WHERE n.tenant_id = s.tenant_id \
     AND n.project_id = s.project_id AND n.status = 'completed' \
     AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id)))";

#[derive(FromRow)]
struct CandidateRow {
    project_id: String,
    scan_id: String,
    vulnerability_id: Option<String>,
    aliases: Option<String>,
    purl: String,
    finding_id: Option<String>,
    severity: Option<String>,
}

impl CandidateRow {
    fn into_candidate(self) -> StoreResult<HitCandidate> {
        Ok(HitCandidate {
            project: parse_id(&self.project_id)?,
            scan: parse_id(&self.scan_id)?,
            advisory: self.vulnerability_id,
            aliases: match self.aliases.as_deref() {
                Some(a) => serde_json::from_str(a).map_err(|e| corrupt("aliases", e))?,
                None => Vec::new(),
            },
            purl: self.purl,
            finding: self.finding_id,
            severity: self.severity.as_deref().map(|s| s.parse().unwrap_or(Severity::Unknown)),
        })
    }
}

/// Open findings of the scans `scans` selects whose advisory is `id` or lists it as an alias.
/// LIKE's `_` and `%` only widen the match; the caller checks exactly.
fn advisory_candidates_sql(tenant: TenantId, scans: Scans<'_>, id: &str) -> Sql {
    let mut sql = Sql::new(
        "SELECT f.project_id, f.scan_id, f.vulnerability_id, v.aliases, f.purl, f.id AS finding_id, f.severity \
         FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE f.tenant_id = ",
    );
    sql.bind(tenant.to_string());
    sql.push(" AND f.project_id IS NOT NULL AND f.resolved_at IS NULL");
    scans.push(&mut sql, "f.");
    // ASCII case ignored, as the matcher does (`cve-…` is `CVE-…`).
    sql.push(" AND (LOWER(f.vulnerability_id) = ")
        .bind(id.to_ascii_lowercase())
        .push(" OR LOWER(v.aliases) LIKE ")
        .bind(format!("%\"{}\"%", id.to_ascii_lowercase().replace(['"', '\\'], "")))
        .push(") ORDER BY f.project_id, f.vulnerability_id, f.purl");
    sql
}

/// Components of the scans `scans` selects whose purl starts with `base` (`pkg:type/ns/name`);
/// the caller checks the version exactly.
fn package_candidates_sql(tenant: TenantId, scans: Scans<'_>, base: &str) -> Sql {
    let mut sql = Sql::new(
        "SELECT s.project_id, c.scan_id, NULL AS vulnerability_id, NULL AS aliases, c.purl, \
         NULL AS finding_id, NULL AS severity FROM components c JOIN scans s ON s.id = c.scan_id \
         WHERE c.tenant_id = ",
    );
    sql.bind(tenant.to_string());
    sql.push(" AND s.project_id IS NOT NULL");
    scans.push(&mut sql, "c.");
    sql.push(" AND c.purl LIKE ").bind(format!("{base}%")).push(" ORDER BY s.project_id, c.purl");
    sql
}

/// Which scans' results to look in.
#[derive(Debug, Clone, Copy)]
enum Scans<'a> {
    /// Each project's latest completed scan.
    Latest,
    /// This one.
    One(&'a ScanId),
}

impl Scans<'_> {
    fn push(self, sql: &mut Sql, prefix: &'static str) {
        match self {
            Scans::Latest => {
                sql.push(" AND ").push(prefix).push("scan_id IN (").push(LATEST_PROJECT_SCANS).push(")");
            }
            Scans::One(s) => {
                sql.push(" AND ").push(prefix).push("scan_id = ").bind(s.to_string());
            }
        }
    }
}

impl Store {
    /// Stores a watch (already checked) with the hits it has now (the candidates `hits` keeps).
    /// One transaction, serialized with the hits consumer's reading of the tenant's
    /// watches: a scan's events the consumer has not read yet cannot record a hit of "now" a
    /// second time as new, and a scan ending meanwhile is either in "now" or the consumer's.
    /// 409 (`Conflict`) when the tenant watches it already.
    pub async fn cve_watch_create(
        &self,
        tenant: TenantId,
        by: UserId,
        target: &WatchTarget,
        base: Option<&str>,
        hits: impl Fn(&HitCandidate) -> bool,
    ) -> StoreResult<CveWatchId> {
        let id = CveWatchId::new();
        let mut tx = self.begin_write().await?;
        lock_tenant_watches(&mut tx, self.backend(), tenant).await?;
        let hits: Vec<HitCandidate> = current_candidates(&mut tx, tenant, target, base)
            .await?
            .into_iter()
            .filter(|c| hits(c))
            .collect();
        let (kind, advisory, purl, range) = match target {
            WatchTarget::Advisory { id } => ("advisory", Some(id.clone()), None, None),
            WatchTarget::Package { purl, version_range } => {
                ("package", None, Some(purl.clone()), version_range.clone())
            }
        };
        sqlx::query(
            "INSERT INTO cve_watches (id, tenant_id, kind, advisory, purl, version_range, target_key, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(kind)
        .bind(advisory)
        .bind(purl)
        .bind(range)
        .bind(target_key(target))
        .bind(by.to_string())
        .bind(ts(now()))
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("this tenant already watches this".into()),
            other => other,
        })?;
        for h in &hits {
            insert_hit(&mut tx, tenant, id, h, CveWatchHitId::new(), None).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// One watch of the tenant.
    pub async fn cve_watch_get(&self, tenant: TenantId, id: CveWatchId) -> StoreResult<CveWatch> {
        let sql = format!("SELECT {WATCH_COLUMNS} FROM cve_watches w WHERE w.tenant_id = $1 AND w.id = $2");
        let row: WatchRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        row.into_wire()
    }

    /// A page of the tenant's watches, with the total.
    pub async fn cve_watch_list(&self, tenant: TenantId, q: &ListQuery) -> StoreResult<(Vec<CveWatch>, i64)> {
        let mut sql = Sql::new("SELECT ");
        sql.push(WATCH_COLUMNS).push(" FROM cve_watches w WHERE w.tenant_id = ").bind(tenant.to_string());
        q.push_page(&mut sql, "w.")?;
        let rows = sql.query_as::<WatchRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cve_watches WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok((rows.into_iter().map(WatchRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }

    /// Deletes a watch with its hits (its events stay in the stream).
    pub async fn cve_watch_delete(&self, tenant: TenantId, id: CveWatchId) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM cve_watches WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        // Explicit: SQLite's foreign keys may be off on a hand-opened database.
        sqlx::query("DELETE FROM cve_watch_hits WHERE watch_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of a watch's hits (oldest first), with the total; 404 for another tenant's watch.
    pub async fn cve_watch_hits(
        &self,
        tenant: TenantId,
        id: CveWatchId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<CveWatchHit>, i64)> {
        self.cve_watch_get(tenant, id).await?;
        let mut sql = Sql::new("SELECT ");
        sql.push(HIT_COLUMNS).push(" FROM cve_watch_hits h WHERE h.tenant_id = ").bind(tenant.to_string());
        sql.push(" AND h.watch_id = ").bind(id.to_string());
        q.push_page(&mut sql, "h.")?;
        let rows = sql.query_as::<HitRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cve_watch_hits WHERE watch_id = $1")
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok((rows.into_iter().map(HitRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }
}

/// What each project's latest results hold that `target` may name: open findings of the
/// advisory (by id or alias, to be checked exactly), or components of the package (by purl
/// prefix, the version to be checked). `base` is the package watch's canonical `pkg:type/ns/name`.
async fn current_candidates(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    target: &WatchTarget,
    base: Option<&str>,
) -> StoreResult<Vec<HitCandidate>> {
    let sql = match (target, base) {
        (WatchTarget::Advisory { id }, _) => advisory_candidates_sql(tenant, Scans::Latest, id),
        (WatchTarget::Package { .. }, Some(base)) => package_candidates_sql(tenant, Scans::Latest, base),
        (WatchTarget::Package { .. }, None) => return Ok(Vec::new()),
    };
    let rows = sql.query_as::<CandidateRow>().fetch_all(&mut *conn).await?;
    rows.into_iter().map(CandidateRow::into_candidate).collect()
}

/// Serializes a tenant's watch creation with the hits consumer's batches. SQLite's single
/// writer already does; on Postgres a transaction-scoped advisory lock keyed by the tenant.
async fn lock_tenant_watches(
    conn: &mut sqlx::AnyConnection,
    backend: super::Backend,
    tenant: TenantId,
) -> StoreResult<()> {
    if backend == super::Backend::Postgres {
        // Wrapped in a SELECT of an integer: the Any driver cannot describe `void`.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l")
            .bind(format!("cve_watches:{tenant}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts one hit unless recorded already; whether it was new.
async fn insert_hit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: TenantId,
    watch: CveWatchId,
    h: &HitCandidate,
    id: CveWatchHitId,
    event: Option<cairn_sdk::types::EventId>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO cve_watch_hits (id, tenant_id, watch_id, project_id, scan_id, advisory, purl, finding_id, \
         severity, event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (watch_id, project_id, advisory, purl) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(watch.to_string())
    .bind(h.project.to_string())
    .bind(h.scan.to_string())
    .bind(h.advisory.clone().unwrap_or_default())
    .bind(h.purl.clone())
    .bind(h.finding.clone())
    .bind(h.severity.map(|s| s.as_str()))
    .bind(event.map(|e| e.to_string()))
    .bind(ts(now()))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

impl EventBatch {
    /// The batch's tenant's watches, oldest first (a handful: matched in memory). Waits for a
    /// watch being created (see `Store::cve_watch_create`) and keeps it out until the batch ends.
    pub async fn cve_watches(
        &mut self,
        backend: super::Backend,
    ) -> StoreResult<Vec<(CveWatchId, WatchTarget)>> {
        lock_tenant_watches(&mut self.tx, backend, self.tenant).await?;
        let sql = format!(
            "SELECT {WATCH_COLUMNS} FROM cve_watches w WHERE w.tenant_id = $1 ORDER BY w.created_at, w.id"
        );
        let rows: Vec<WatchRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(self.tenant.to_string())
            .fetch_all(&mut *self.tx)
            .await?;
        rows.into_iter().map(|r| Ok((parse_id(&r.id)?, r.target()?))).collect()
    }

    /// Components of `scan` whose purl starts with `base`, in the batch's transaction.
    pub async fn cve_watch_scan_components(
        &mut self,
        scan: ScanId,
        base: &str,
    ) -> StoreResult<Vec<HitCandidate>> {
        let rows = package_candidates_sql(self.tenant, Scans::One(&scan), base)
            .query_as::<CandidateRow>()
            .fetch_all(&mut *self.tx)
            .await?;
        rows.into_iter().map(CandidateRow::into_candidate).collect()
    }

    /// Records `hit` of `watch` and, when it is new, its `cve_watch.hit` event, both in the
    /// batch's transaction; whether it was new.
    pub async fn cve_watch_hit(
        &mut self,
        watch: CveWatchId,
        target: &WatchTarget,
        hit: &HitCandidate,
    ) -> StoreResult<bool> {
        let tenant = self.tenant;
        let found_at = now();
        let id = CveWatchHitId::new();
        // A placeholder until the event exists; replaced below in the same transaction.
        let event_id = cairn_sdk::types::EventId::new();
        if !insert_hit(&mut self.tx, tenant, watch, hit, id, Some(event_id)).await? {
            return Ok(false);
        }
        let data = CveWatchHitData {
            target: target.clone(),
            hit: CveWatchHit {
                id,
                watch,
                project: hit.project,
                scan: hit.scan,
                advisory: hit.advisory.clone(),
                purl: hit.purl.clone(),
                finding: hit.finding.clone(),
                severity: hit.severity,
                at_creation: false,
                found_at,
            },
        };
        let mut e = NewEvent::new(EventKind::CveWatchHit, Some(hit.project), &data);
        if let Some(s) = hit.severity {
            e = e.with_severity(s);
        }
        let event = append(&mut self.tx, tenant, &e).await?;
        // The hit row names the event the stream carries.
        sqlx::query("UPDATE cve_watch_hits SET event_id = $1 WHERE id = $2")
            .bind(event.id.to_string())
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }
}
