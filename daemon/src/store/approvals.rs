//! Approvals (exceptions): the request, the decision (`pending` → `approved` | `rejected`, with
//! the row's version as the optimistic lock) and the expiry (`approved` → `expired`), each with
//! its `approval.changed` event in the same transaction; a decision or an expiry that can move
//! the project's gate queues its re-evaluation there too.

use cairn_sdk::types::{
    Approval, ApprovalId, ApprovalState, EventKind, GateSubject, ProjectId, TenantId, UserId,
};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::events::{NewEvent, append};
use super::regate::{RegateScope, queue_regate};
use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts};

#[derive(FromRow)]
struct ApprovalRow {
    id: String,
    project_id: String,
    rule: Option<String>,
    subject: String,
    finding_id: Option<String>,
    state: String,
    reason: String,
    expires_at: String,
    requested_by: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
    decision_note: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl ApprovalRow {
    fn into_wire(self) -> StoreResult<Approval> {
        Ok(Approval {
            id: parse_id(&self.id)?,
            project_id: parse_id(&self.project_id)?,
            rule: self.rule,
            subject: serde_json::from_str(&self.subject)
                .map_err(|e| StoreError::Corrupt(format!("approval subject: {e}")))?,
            finding_id: self.finding_id,
            state: ApprovalState::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("approval state {:?}", self.state)))?,
            reason: self.reason,
            expires_at: parse_ts(&self.expires_at)?,
            requested_by: self.requested_by.as_deref().map(parse_id).transpose()?,
            decided_by: self.decided_by.as_deref().map(parse_id).transpose()?,
            decided_at: parse_ts_opt(self.decided_at.as_deref())?,
            decision_note: self.decision_note,
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

const COLUMNS: &str = "a.id, a.project_id, a.rule, a.subject, a.finding_id, a.state, a.reason, a.expires_at, \
     a.requested_by, a.decided_by, a.decided_at, a.decision_note, a.version, a.created_at, a.updated_at";

/// A checked exception request.
#[derive(Debug, Clone)]
pub struct NewApproval {
    /// The project.
    pub project: ProjectId,
    /// The rule; `None` waives every rule on the subject.
    pub rule: Option<String>,
    /// The subject.
    pub subject: GateSubject,
    /// The engine's key of the subject.
    pub subject_key: String,
    /// The finding it was asked for.
    pub finding_id: Option<String>,
    /// Why.
    pub reason: String,
    /// Until when.
    pub expires_at: OffsetDateTime,
}

/// A decision on a pending approval.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// Who decides.
    pub by: UserId,
    /// `Approved` or `Rejected`.
    pub to: ApprovalState,
    /// The decider's note.
    pub note: Option<&'a str>,
    /// When.
    pub at: OffsetDateTime,
}

/// An approved exception in force, as the gate applies it.
#[derive(Debug, Clone)]
pub struct ActiveException {
    /// The approval.
    pub id: ApprovalId,
    /// The rule (`None`: any).
    pub rule: Option<String>,
    /// The subject's key.
    pub subject_key: String,
    /// When it stops.
    pub expires_at: OffsetDateTime,
}

async fn load(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    id: ApprovalId,
) -> StoreResult<Approval> {
    let row: ApprovalRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approvals a WHERE a.tenant_id = $1 AND a.id = $2"
    )))
    .bind(tenant.to_string())
    .bind(id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    row.into_wire()
}

impl Store {
    /// Records a request (`pending`) with its event.
    pub async fn approval_create(
        &self,
        tenant: TenantId,
        by: UserId,
        a: &NewApproval,
    ) -> StoreResult<Approval> {
        let id = ApprovalId::new();
        let stamp = ts(now());
        let subject = serde_json::to_string(&a.subject)
            .map_err(|e| StoreError::Corrupt(format!("approval subject: {e}")))?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO approvals (id, tenant_id, project_id, rule, subject_key, subject, finding_id, state, reason, \
             expires_at, requested_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, 1, $11, $12)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(a.project.to_string())
        .bind(a.rule.clone())
        .bind(a.subject_key.clone())
        .bind(subject)
        .bind(a.finding_id.clone())
        .bind(a.reason.clone())
        .bind(ts(a.expires_at))
        .bind(by.to_string())
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        let made = load(&mut tx, tenant, id).await?;
        append(&mut tx, tenant, &NewEvent::new(EventKind::ApprovalChanged, Some(a.project), &made)).await?;
        tx.commit().await?;
        self.events_committed().await;
        Ok(made)
    }

    /// The tenant's approvals, optionally in one state, paged (oldest first).
    pub async fn approval_list(
        &self,
        tenant: TenantId,
        state: Option<ApprovalState>,
        q: &ListQuery,
    ) -> StoreResult<(Vec<Approval>, i64)> {
        let mut sql = Sql::new("SELECT ");
        sql.push(COLUMNS).push(" FROM approvals a WHERE a.tenant_id = ").bind(tenant.to_string());
        let mut count = Sql::new("SELECT COUNT(*) FROM approvals a WHERE a.tenant_id = ");
        count.bind(tenant.to_string());
        if let Some(s) = state {
            sql.push(" AND a.state = ").bind(s.as_str());
            count.push(" AND a.state = ").bind(s.as_str());
        }
        q.push_page(&mut sql, "a.")?;
        let rows = sql.query_as::<ApprovalRow>().fetch_all(self.pool()).await?;
        let (total,) = count.query_as::<(i64,)>().fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(ApprovalRow::into_wire).collect::<StoreResult<_>>()?, total))
    }

    /// One approval.
    pub async fn approval_get(&self, tenant: TenantId, id: ApprovalId) -> StoreResult<Approval> {
        let row: ApprovalRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM approvals a WHERE a.tenant_id = $1 AND a.id = $2"
        )))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// Approves or rejects a pending approval at version `expected`: `VersionMismatch` when it
    /// changed meanwhile, `Conflict` when it is no longer pending or (approving) has expired. An
    /// approval queues the re-evaluation of its project's gate.
    pub async fn approval_decide(
        &self,
        tenant: TenantId,
        id: ApprovalId,
        expected: i64,
        decision: Decision<'_>,
    ) -> StoreResult<Approval> {
        let Decision { by, to, note, at } = decision;
        let mut tx = self.begin_write().await?;
        let current = load(&mut tx, tenant, id).await?;
        if current.version != expected {
            return Err(StoreError::VersionMismatch(current.version));
        }
        if current.state != ApprovalState::Pending {
            return Err(StoreError::Conflict(format!("the approval is {}, not pending", current.state)));
        }
        if to == ApprovalState::Approved && current.expires_at <= at {
            return Err(StoreError::Conflict("the requested expiry has passed; request it again".into()));
        }
        let stamp = ts(at);
        let done = sqlx::query(
            "UPDATE approvals SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4, \
             version = version + 1, updated_at = $5 WHERE tenant_id = $6 AND id = $7 AND version = $8 AND state = 'pending'",
        )
        .bind(to.as_str())
        .bind(by.to_string())
        .bind(&stamp)
        .bind(note.map(str::to_owned))
        .bind(&stamp)
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let now = load(&mut tx, tenant, id).await?;
            return Err(StoreError::VersionMismatch(now.version));
        }
        let decided = load(&mut tx, tenant, id).await?;
        append(
            &mut tx,
            tenant,
            &NewEvent::new(EventKind::ApprovalChanged, Some(decided.project_id), &decided),
        )
        .await?;
        if to == ApprovalState::Approved {
            queue_regate(&mut tx, tenant, &RegateScope::Projects(vec![decided.project_id])).await?;
        }
        tx.commit().await?;
        self.events_committed().await;
        Ok(decided)
    }

    /// The approved exceptions of `project` in force at `at`.
    pub async fn approvals_active(
        &self,
        tenant: TenantId,
        project: ProjectId,
        at: OffsetDateTime,
    ) -> StoreResult<Vec<ActiveException>> {
        let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, rule, subject_key, expires_at FROM approvals WHERE tenant_id = $1 AND project_id = $2 \
             AND state = 'approved' AND expires_at > $3 ORDER BY created_at, id",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(ts(at))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, rule, subject_key, expires_at)| {
                Ok(ActiveException {
                    id: parse_id(&id)?,
                    rule,
                    subject_key,
                    expires_at: parse_ts(&expires_at)?,
                })
            })
            .collect()
    }

    /// Marks expired every approved exception whose time is over at `at` (each in its own
    /// transaction, conditional on still being approved, so two replicas sweeping at once expire
    /// each once), with its event and the re-evaluation of its project's gate. The expired ones,
    /// with their tenant.
    pub async fn approvals_expire_due(&self, at: OffsetDateTime) -> StoreResult<Vec<(TenantId, Approval)>> {
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT tenant_id, id FROM approvals WHERE state = 'approved' AND expires_at <= $1 \
             ORDER BY expires_at, id LIMIT 500",
        )
        .bind(ts(at))
        .fetch_all(self.pool())
        .await?;
        let mut expired = Vec::new();
        for (tenant, id) in due {
            let (tenant, id): (TenantId, ApprovalId) = (parse_id(&tenant)?, parse_id(&id)?);
            let mut tx = self.begin_write().await?;
            let done = sqlx::query(
                "UPDATE approvals SET state = 'expired', version = version + 1, updated_at = $1 \
                 WHERE tenant_id = $2 AND id = $3 AND state = 'approved'",
            )
            .bind(ts(at))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                continue;
            }
            let a = load(&mut tx, tenant, id).await?;
            append(&mut tx, tenant, &NewEvent::new(EventKind::ApprovalChanged, Some(a.project_id), &a))
                .await?;
            queue_regate(&mut tx, tenant, &RegateScope::Projects(vec![a.project_id])).await?;
            tx.commit().await?;
            expired.push((tenant, a));
        }
        if !expired.is_empty() {
            self.events_committed().await;
        }
        Ok(expired)
    }
}
