//! Re-evaluation jobs (`regate`): queued in the transaction of a change that can move gates — a
//! policy revision, an assignment, an approval decided or expired — and run by any replica's
//! workers, which evaluate again the latest gate of each project the change covers.

use cairn_sdk::types::{ProjectId, TenantId};
use serde::{Deserialize, Serialize};

use super::{Store, StoreResult, now, parse_id, ts};

/// The job kind of a re-evaluation.
pub(crate) const REGATE_KIND: &str = "regate";

/// Which projects' gates a re-evaluation covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "projects", rename_all = "snake_case")]
pub enum RegateScope {
    /// Every project of the tenant (the tenant default changed).
    All,
    /// These projects.
    Projects(Vec<ProjectId>),
}

impl RegateScope {
    /// One project, or every project for the tenant default (`None`).
    pub fn of(project: Option<ProjectId>) -> Self {
        match project {
            Some(p) => RegateScope::Projects(vec![p]),
            None => RegateScope::All,
        }
    }
}

/// A claimed re-evaluation job.
#[derive(Debug, Clone)]
pub struct ClaimedRegate {
    /// Job id.
    pub id: String,
    /// The tenant.
    pub tenant: TenantId,
    /// What it covers.
    pub scope: RegateScope,
}

/// Queues a re-evaluation of `scope` in `tx` (the transaction of the change).
pub(crate) async fn queue_regate(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    scope: &RegateScope,
) -> StoreResult<()> {
    let stamp = ts(now());
    let payload =
        serde_json::to_string(scope).map_err(|e| super::StoreError::Corrupt(format!("regate: {e}")))?;
    sqlx::query(
        "INSERT INTO jobs (id, tenant_id, kind, payload, state, priority, attempts, max_attempts, run_after, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', 0, 0, 5, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(tenant.to_string())
    .bind(REGATE_KIND)
    .bind(payload)
    .bind(&stamp)
    .bind(&stamp)
    .bind(&stamp)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Takes the oldest due re-evaluation job for `worker`.
    pub async fn job_claim_regate(&self, worker: &str) -> StoreResult<Option<ClaimedRegate>> {
        let Some(r) = self.job_claim_of_kind(worker, REGATE_KIND).await? else { return Ok(None) };
        let parsed = serde_json::from_str::<RegateScope>(&r.payload);
        let (Some(tenant), Ok(scope)) = (r.tenant_id, parsed) else {
            self.job_finish(
                &r.id,
                worker,
                super::JobEnd::Failed,
                Some("re-evaluation job without tenant or scope"),
            )
            .await?;
            return Ok(None);
        };
        Ok(Some(ClaimedRegate { id: r.id, tenant: parse_id(&tenant)?, scope }))
    }

    /// Re-evaluation jobs of `tenant` not finished yet (queued or running).
    pub async fn regate_pending(&self, tenant: TenantId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND kind = $2 AND state IN ('queued', 'running')",
        )
        .bind(tenant.to_string())
        .bind(REGATE_KIND)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// The tenant's projects that have a gate (what [`RegateScope::All`] covers).
    pub async fn gate_projects(&self, tenant: TenantId) -> StoreResult<Vec<ProjectId>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT project_id FROM gate_results WHERE tenant_id = $1 AND project_id IS NOT NULL \
             ORDER BY project_id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|(p,)| parse_id(&p)).collect()
    }
}
