//! Re-matching stored results on new vulnerability data: the `rematch` jobs a data change queues
//! (one per tenant, with its `vulndb.updated` event, in the change's transaction), the scans a
//! re-match covers, and one scan's findings brought up to date in one transaction — new ones
//! inserted (or reopened), ones the data no longer supports closed with `resolved_at`, each row
//! naming the data generation, the differences as `finding.new`/`finding.resolved` events.
//! Applying the same match twice changes nothing, so a re-match resumed after a crash is safe.

use std::collections::BTreeSet;

use cairn_sdk::types::{EventKind, ProjectId, ScanId, TenantId, VulndbUpdatedData};
use sqlx::FromRow;

use super::events::{NewEvent, append};
use super::finding_events::{OpenFinding, append_differences, open_findings};
use super::scan_results::{NewFinding, NewVulnerability, upsert_vulnerabilities};
use super::sql::Sql;
use super::{Store, StoreResult, now, parse_id, ts};

/// The job kind of a re-match.
pub(crate) const REMATCH_KIND: &str = "rematch";

/// A scan whose findings a re-match brings up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RematchTarget {
    /// The scan.
    pub scan: ScanId,
    /// Its project.
    pub project: ProjectId,
    /// Whether it is the project's latest completed scan (else a released version's): only the
    /// project's current results emit finding events, so a finding is announced once.
    pub latest: bool,
}

/// What a re-match of one scan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RematchOutcome {
    /// Findings added or reopened.
    pub new: usize,
    /// Findings closed.
    pub resolved: usize,
}

/// A claimed re-match job.
#[derive(Debug, Clone)]
pub struct ClaimedRematch {
    /// Job id.
    pub id: String,
    /// The tenant whose projects it re-matches.
    pub tenant: TenantId,
    /// Runs so far, this one included.
    pub attempts: i64,
}

#[derive(FromRow)]
struct TargetRow {
    id: String,
    project_id: String,
    latest: i64,
}

/// In the transaction of a data change: `vulndb.updated` for every tenant, and a re-match job for
/// each tenant with projects that has none waiting (a waiting one will read the newest data).
pub(crate) async fn queue_rematches(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    change: &VulndbUpdatedData,
) -> StoreResult<()> {
    let tenants: Vec<(String, i64)> = sqlx::query_as(
        "SELECT t.id, (SELECT COUNT(*) FROM projects p WHERE p.tenant_id = t.id) FROM tenants t ORDER BY t.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let stamp = ts(now());
    for (tenant, projects) in tenants {
        let id: TenantId = parse_id(&tenant)?;
        append(tx, id, &NewEvent::new(EventKind::VulndbUpdated, None, change)).await?;
        if projects == 0 {
            continue;
        }
        let waiting: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM jobs WHERE tenant_id = $1 AND kind = $2 AND state = 'queued' LIMIT 1",
        )
        .bind(&tenant)
        .bind(REMATCH_KIND)
        .fetch_optional(&mut **tx)
        .await?;
        if waiting.is_some() {
            continue;
        }
        sqlx::query(
            "INSERT INTO jobs (id, tenant_id, kind, payload, state, priority, attempts, max_attempts, run_after, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', 0, 0, 5, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&tenant)
        .bind(REMATCH_KIND)
        .bind(serde_json::json!({"generation": change.generation}).to_string())
        .bind(&stamp)
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The statement of [`Store::scan_component_ids`] (its plan is checked with the lists').
pub(super) fn scan_component_ids_sql(tenant: TenantId, scan: ScanId) -> Sql {
    let mut sql = Sql::new("SELECT id, purl FROM components WHERE tenant_id = ");
    sql.bind(tenant.to_string()).push(" AND scan_id = ").bind(scan.to_string());
    sql
}

impl Store {
    /// The scans a re-match of `tenant` covers: each project's latest completed scan, and the
    /// latest completed scan of each released version.
    pub async fn rematch_targets(&self, tenant: TenantId) -> StoreResult<Vec<RematchTarget>> {
        let rows: Vec<TargetRow> = sqlx::query_as(
            "SELECT s.id, s.project_id, CASE WHEN NOT EXISTS (SELECT 1 FROM scans n WHERE n.tenant_id = s.tenant_id \
             AND n.project_id = s.project_id AND n.status = 'completed' \
             AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id))) THEN 1 ELSE 0 END \
             AS latest FROM scans s WHERE s.tenant_id = $1 AND s.status = 'completed' AND s.project_id IS NOT NULL \
             AND (NOT EXISTS (SELECT 1 FROM scans n WHERE n.tenant_id = s.tenant_id \
             AND n.project_id = s.project_id AND n.status = 'completed' \
             AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id))) \
             OR (EXISTS (SELECT 1 FROM project_versions v WHERE v.id = s.version_id AND v.release_state = 'released') \
             AND NOT EXISTS (SELECT 1 FROM scans n WHERE n.tenant_id = s.tenant_id AND n.version_id = s.version_id \
             AND n.status = 'completed' \
             AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id))))) \
             ORDER BY s.project_id, s.id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(RematchTarget {
                    scan: parse_id(&r.id)?,
                    project: parse_id(&r.project_id)?,
                    latest: r.latest == 1,
                })
            })
            .collect()
    }

    /// The component row ids of `scan` with their purls.
    pub async fn scan_component_ids(
        &self,
        tenant: TenantId,
        scan: ScanId,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(scan_component_ids_sql(tenant, scan).query_as().fetch_all(self.pool()).await?)
    }

    /// Brings `target`'s findings to what a match against data `generation` found (`findings`,
    /// referencing `vulnerabilities`), in one transaction with its events.
    pub async fn rematch_apply(
        &self,
        tenant: TenantId,
        target: &RematchTarget,
        generation: &str,
        vulnerabilities: &[NewVulnerability],
        findings: &[NewFinding],
    ) -> StoreResult<RematchOutcome> {
        let t = tenant.to_string();
        let s = target.scan.to_string();
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        let before = open_findings(&mut tx, tenant, target.scan).await?;
        let had: BTreeSet<(&str, &str)> =
            before.iter().map(|f| (f.advisory.as_str(), f.purl.as_str())).collect();
        let has: BTreeSet<(&str, &str)> =
            findings.iter().map(|f| (f.vulnerability_id.as_str(), f.purl.as_str())).collect();
        let added: Vec<&NewFinding> = findings
            .iter()
            .filter(|f| !had.contains(&(f.vulnerability_id.as_str(), f.purl.as_str())))
            .collect();
        let gone: Vec<&OpenFinding> =
            before.iter().filter(|f| !has.contains(&(f.advisory.as_str(), f.purl.as_str()))).collect();
        if added.is_empty() && gone.is_empty() {
            tx.rollback().await?;
            return Ok(RematchOutcome::default());
        }
        let reason = format!("the vulnerability data (generation {generation}) no longer supports it");
        for f in &gone {
            sqlx::query(
                "UPDATE findings SET resolved_at = $1, resolved_reason = $2 WHERE tenant_id = $3 AND id = $4",
            )
            .bind(&stamp)
            .bind(&reason)
            .bind(&t)
            .bind(&f.id)
            .execute(&mut *tx)
            .await?;
        }
        let wanted: BTreeSet<&str> = added.iter().map(|f| f.vulnerability_id.as_str()).collect();
        let refs: Vec<NewVulnerability> =
            vulnerabilities.iter().filter(|v| wanted.contains(v.id.as_str())).cloned().collect();
        upsert_vulnerabilities(self.backend(), &mut tx, &refs).await?;
        let (next,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(ord), -1) + 1 FROM findings WHERE tenant_id = $1 AND scan_id = $2",
        )
        .bind(&t)
        .bind(&s)
        .fetch_one(&mut *tx)
        .await?;
        let mut opened = Vec::with_capacity(added.len());
        for (i, f) in added.iter().enumerate() {
            // A finding closed by an earlier re-match and supported again is reopened, keeping its id.
            let (id,): (String,) = sqlx::query_as(
                "INSERT INTO findings (id, tenant_id, scan_id, project_id, component_id, vulnerability_id, severity, \
                 fixed_version, created_at, purl, ord, vulndb_generation) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (scan_id, component_id, vulnerability_id) DO UPDATE SET resolved_at = NULL, \
                 resolved_reason = NULL, severity = excluded.severity, fixed_version = excluded.fixed_version, \
                 vulndb_generation = excluded.vulndb_generation RETURNING id",
            )
            .bind(&f.id)
            .bind(&t)
            .bind(&s)
            .bind(target.project.to_string())
            .bind(&f.component_id)
            .bind(&f.vulnerability_id)
            .bind(f.severity.as_str())
            .bind(f.fixed_version.clone())
            .bind(&stamp)
            .bind(&f.purl)
            .bind(next + i64::try_from(i).unwrap_or(i64::MAX))
            .bind(generation)
            .fetch_one(&mut *tx)
            .await?;
            let aliases = refs.iter().find(|v| v.id == f.vulnerability_id).map(|v| v.aliases.clone());
            opened.push(OpenFinding {
                id,
                advisory: f.vulnerability_id.clone(),
                aliases: aliases.unwrap_or_default(),
                purl: f.purl.clone(),
                severity: f.severity,
                fixed_version: f.fixed_version.clone(),
            });
        }
        // The counts of open findings of the components this change touched follow (only those:
        // recounting every component rewrote all of a scan's rows, 11k per project, for a handful
        // of changed findings). `f.scan_id` first: a walk of the (scan_id, component_id, …) index.
        let touched: BTreeSet<&str> = added.iter().map(|f| f.component_id.as_str()).collect();
        for component in touched {
            sqlx::query(
                "UPDATE components SET findings = (SELECT COUNT(*) FROM findings f WHERE f.scan_id = components.scan_id \
                 AND f.component_id = components.id AND f.resolved_at IS NULL) \
                 WHERE tenant_id = $1 AND scan_id = $2 AND id = $3",
            )
            .bind(&t)
            .bind(&s)
            .bind(component)
            .execute(&mut *tx)
            .await?;
        }
        for f in &gone {
            sqlx::query(
                "UPDATE components SET findings = (SELECT COUNT(*) FROM findings f WHERE f.scan_id = components.scan_id \
                 AND f.component_id = components.id AND f.resolved_at IS NULL) \
                 WHERE tenant_id = $1 AND scan_id = $2 AND id = (SELECT component_id FROM findings WHERE id = $3)",
            )
            .bind(&t)
            .bind(&s)
            .bind(&f.id)
            .execute(&mut *tx)
            .await?;
        }
        super::finding_counts::refresh(&mut tx, tenant, target.scan).await?;
        let outcome = RematchOutcome { new: opened.len(), resolved: gone.len() };
        if target.latest {
            let closed: Vec<OpenFinding> = gone.into_iter().cloned().collect();
            append_differences(&mut tx, tenant, target.project, target.scan, &closed, &opened, |_| {
                reason.clone()
            })
            .await?;
        }
        tx.commit().await?;
        if target.latest {
            self.events_committed().await;
        }
        Ok(outcome)
    }

    /// Takes the oldest due re-match job for `worker`, in the scans' fair order across tenants.
    pub async fn job_claim_rematch(&self, worker: &str) -> StoreResult<Option<ClaimedRematch>> {
        let Some(r) = self.job_claim_of_kind(worker, REMATCH_KIND).await? else { return Ok(None) };
        let Some(tenant) = r.tenant_id else {
            self.job_finish(&r.id, worker, super::JobEnd::Failed, Some("re-match job without tenant"))
                .await?;
            return Ok(None);
        };
        Ok(Some(ClaimedRematch { id: r.id, tenant: parse_id(&tenant)?, attempts: r.attempts }))
    }

    /// Requeues running re-match and re-evaluation jobs whose heartbeat is older than `cutoff` (except those
    /// `skip`'s workers hold) or that `own` held, failing those out of attempts. How many.
    pub async fn job_requeue_stale_rematches(
        &self,
        cutoff: time::OffsetDateTime,
        own: Option<&str>,
        skip: Option<&str>,
    ) -> StoreResult<u64> {
        let stale = "kind = $1 AND state = 'running' AND ((heartbeat_at < $2 AND ($3 IS NULL OR locked_by NOT LIKE $4)) \
             OR ($5 IS NOT NULL AND locked_by LIKE $6))";
        let mut n = 0;
        // Re-evaluation jobs (`regate`) have no scan either and are requeued the same way.
        for kind in [REMATCH_KIND, super::regate::REGATE_KIND] {
            for (set, attempts) in [
                ("state = 'failed', last_error = $8", "attempts >= max_attempts"),
                ("state = 'queued', last_error = $8", "attempts < max_attempts"),
            ] {
                let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE jobs SET {set}, locked_by = NULL, heartbeat_at = NULL, updated_at = $7 WHERE {stale} AND {attempts}"
            )))
            .bind(kind)
            .bind(ts(cutoff))
            .bind(skip.map(str::to_owned))
            .bind(skip.map(|o| format!("{o}/%")))
            .bind(own.map(str::to_owned))
            .bind(own.map(|o| format!("{o}/%")))
            .bind(ts(now()))
            .bind("the worker running this job stopped")
            .execute(self.pool())
            .await?;
                n += done.rows_affected();
            }
        }
        Ok(n)
    }

    /// Re-match jobs of `tenant` not finished yet (queued or running).
    pub async fn rematch_pending(&self, tenant: TenantId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND kind = $2 AND state IN ('queued', 'running')",
        )
        .bind(tenant.to_string())
        .bind(REMATCH_KIND)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }
}
