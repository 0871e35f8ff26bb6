//! Stored policies, every revision, and assignments (per project and the tenant default). A
//! change that can move a gate — a new revision of an assigned policy, an assignment made or
//! cleared — queues a re-evaluation (`store/regate.rs`) in its own transaction.

use cairn_sdk::types::{PolicyId, PolicyRevision, PolicySource, ProjectId, StoredPolicy, TenantId, UserId};
use sqlx::FromRow;

use super::regate::{RegateScope, queue_regate};
use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

#[derive(FromRow)]
struct PolicyRow {
    id: String,
    key: String,
    name: Option<String>,
    revision: i64,
    document: String,
    created_by: Option<String>,
    created_at: String,
    updated_by: Option<String>,
    updated_at: String,
}

impl PolicyRow {
    fn into_wire(self) -> StoreResult<StoredPolicy> {
        Ok(StoredPolicy {
            id: parse_id(&self.id)?,
            key: self.key,
            name: self.name,
            revision: revision(self.revision)?,
            document: self.document,
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
            created_at: parse_ts(&self.created_at)?,
            updated_by: self.updated_by.as_deref().map(parse_id).transpose()?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

#[derive(FromRow)]
struct RevisionRow {
    policy_id: String,
    revision: i64,
    document: String,
    created_by: Option<String>,
    created_at: String,
}

impl RevisionRow {
    fn into_wire(self) -> StoreResult<PolicyRevision> {
        Ok(PolicyRevision {
            policy_id: parse_id(&self.policy_id)?,
            revision: revision(self.revision)?,
            document: self.document,
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

fn revision(n: i64) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("policy revision {n}")))
}

const COLUMNS: &str =
    "p.id, p.key, p.name, p.revision, p.document, p.created_by, p.created_at, p.updated_by, p.updated_at";

/// A checked document to store: its `id` (the key), `name` and text.
#[derive(Debug, Clone, Copy)]
pub struct PolicyText<'a> {
    /// The document's `id`.
    pub key: &'a str,
    /// The document's `name`.
    pub name: Option<&'a str>,
    /// The text as submitted.
    pub document: &'a str,
}

/// What re-evaluating after a change of `policy` covers: every project when it is the tenant
/// default, else the projects it is assigned to; `None` when it is assigned nowhere.
async fn scope_of_policy(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    policy: PolicyId,
) -> StoreResult<Option<RegateScope>> {
    let rows: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT project_id FROM policy_assignments WHERE tenant_id = $1 AND policy_id = $2")
            .bind(tenant.to_string())
            .bind(policy.to_string())
            .fetch_all(&mut **tx)
            .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    if rows.iter().any(|(p,)| p.is_none()) {
        return Ok(Some(RegateScope::All));
    }
    let projects = rows.into_iter().filter_map(|(p,)| p).map(|p| parse_id(&p)).collect::<StoreResult<_>>()?;
    Ok(Some(RegateScope::Projects(projects)))
}

impl Store {
    /// Stores a new policy at revision 1.
    pub async fn policy_create(
        &self,
        tenant: TenantId,
        by: UserId,
        text: PolicyText<'_>,
    ) -> StoreResult<StoredPolicy> {
        let id = PolicyId::new();
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO policies (id, tenant_id, key, name, revision, document, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(text.key.to_owned())
        .bind(text.name.map(str::to_owned))
        .bind(text.document.to_owned())
        .bind(by.to_string())
        .bind(&stamp)
        .bind(by.to_string())
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        insert_revision(&mut tx, id, 1, by, text.document, &stamp).await?;
        tx.commit().await?;
        self.policy_get(tenant, id).await
    }

    /// The tenant's policies, paged.
    pub async fn policy_list(
        &self,
        tenant: TenantId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<StoredPolicy>, i64)> {
        let mut sql = Sql::new("SELECT ");
        sql.push(COLUMNS).push(" FROM policies p WHERE p.tenant_id = ").bind(tenant.to_string());
        q.push_page(&mut sql, "p.")?;
        let rows = sql.query_as::<PolicyRow>().fetch_all(self.pool()).await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM policies WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok((rows.into_iter().map(PolicyRow::into_wire).collect::<StoreResult<_>>()?, total))
    }

    /// One policy at its current revision.
    pub async fn policy_get(&self, tenant: TenantId, id: PolicyId) -> StoreResult<StoredPolicy> {
        let row: PolicyRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM policies p WHERE p.tenant_id = $1 AND p.id = $2"
        )))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// A policy's revisions, paged (oldest first).
    pub async fn policy_revisions(
        &self,
        tenant: TenantId,
        id: PolicyId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<(String, PolicyRevision)>, i64)> {
        // NotFound for another tenant's policy.
        self.policy_get(tenant, id).await?;
        let mut sql = Sql::new(
            "SELECT r.policy_id, r.revision, r.document, r.created_by, r.created_at, r.id AS cursor_id \
             FROM policy_revisions r WHERE r.policy_id = ",
        );
        sql.bind(id.to_string());
        q.push_page(&mut sql, "r.")?;
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            rev: RevisionRow,
            cursor_id: String,
        }
        let rows = sql.query_as::<Row>().fetch_all(self.pool()).await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM policy_revisions WHERE policy_id = $1")
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        let items =
            rows.into_iter().map(|r| Ok((r.cursor_id, r.rev.into_wire()?))).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// One revision of a policy.
    pub async fn policy_revision(
        &self,
        tenant: TenantId,
        id: PolicyId,
        revision: u32,
    ) -> StoreResult<PolicyRevision> {
        self.policy_get(tenant, id).await?;
        let row: RevisionRow = sqlx::query_as(
            "SELECT policy_id, revision, document, created_by, created_at FROM policy_revisions \
             WHERE policy_id = $1 AND revision = $2",
        )
        .bind(id.to_string())
        .bind(i64::from(revision))
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// Writes a new revision when the current one is `expected` (else `VersionMismatch`), and
    /// queues the re-evaluation of the gates it governs.
    pub async fn policy_update(
        &self,
        tenant: TenantId,
        id: PolicyId,
        expected: i64,
        by: UserId,
        text: PolicyText<'_>,
    ) -> StoreResult<StoredPolicy> {
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE policies SET key = $1, name = $2, document = $3, revision = revision + 1, updated_by = $4, \
             updated_at = $5 WHERE tenant_id = $6 AND id = $7 AND revision = $8",
        )
        .bind(text.key.to_owned())
        .bind(text.name.map(str::to_owned))
        .bind(text.document.to_owned())
        .bind(by.to_string())
        .bind(&stamp)
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(current_revision(&mut tx, tenant, id).await?);
        }
        insert_revision(&mut tx, id, expected + 1, by, text.document, &stamp).await?;
        if let Some(scope) = scope_of_policy(&mut tx, tenant, id).await? {
            queue_regate(&mut tx, tenant, &scope).await?;
        }
        tx.commit().await?;
        self.policy_get(tenant, id).await
    }

    /// Deletes a policy (and its revisions) at revision `expected`; a policy still assigned is a
    /// conflict (gates that used it keep its key and revision in their result).
    pub async fn policy_delete(&self, tenant: TenantId, id: PolicyId, expected: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let (assigned,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM policy_assignments WHERE tenant_id = $1 AND policy_id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        let done = sqlx::query("DELETE FROM policies WHERE tenant_id = $1 AND id = $2 AND revision = $3")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .bind(expected)
            .execute(&mut *tx)
            .await;
        let done = match done {
            Ok(d) => d,
            // The assignment's foreign key: checked above, raced here.
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(StoreError::Conflict(
                    "the policy is assigned; clear its assignments first".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if done.rows_affected() == 0 {
            return Err(current_revision(&mut tx, tenant, id).await?);
        }
        if assigned > 0 {
            return Err(StoreError::Conflict("the policy is assigned; clear its assignments first".into()));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Assigns `policy` to `project` (`None`: the tenant default), replacing what was there, and
    /// queues the re-evaluation of the gates it governs.
    pub async fn policy_assign(
        &self,
        tenant: TenantId,
        project: Option<ProjectId>,
        policy: PolicyId,
        by: UserId,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let owned: Option<(String,)> =
            sqlx::query_as("SELECT id FROM policies WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(policy.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if owned.is_none() {
            return Err(StoreError::Conflict("no such policy in this tenant".into()));
        }
        clear(&mut tx, tenant, project).await?;
        sqlx::query(
            "INSERT INTO policy_assignments (tenant_id, project_id, policy_id, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tenant.to_string())
        .bind(project.map(|p| p.to_string()))
        .bind(policy.to_string())
        .bind(by.to_string())
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?;
        queue_regate(&mut tx, tenant, &RegateScope::of(project)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Clears the assignment of `project` (`None`: the tenant default); whether there was one.
    pub async fn policy_unassign(&self, tenant: TenantId, project: Option<ProjectId>) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let cleared = clear(&mut tx, tenant, project).await?;
        if cleared {
            queue_regate(&mut tx, tenant, &RegateScope::of(project)).await?;
        }
        tx.commit().await?;
        Ok(cleared)
    }

    /// The policy `project`'s gate uses (`None`: the tenant default alone) and where it comes from.
    pub async fn policy_effective(
        &self,
        tenant: TenantId,
        project: Option<ProjectId>,
    ) -> StoreResult<(PolicySource, Option<StoredPolicy>)> {
        let rows: Vec<(Option<String>, String)> = sqlx::query_as(
            "SELECT project_id, policy_id FROM policy_assignments WHERE tenant_id = $1 \
             AND (project_id IS NULL OR project_id = $2)",
        )
        .bind(tenant.to_string())
        .bind(project.map(|p| p.to_string()))
        .fetch_all(self.pool())
        .await?;
        let own = rows.iter().find(|(p, _)| p.is_some()).map(|(_, id)| (PolicySource::Project, id));
        let default = rows.iter().find(|(p, _)| p.is_none()).map(|(_, id)| (PolicySource::TenantDefault, id));
        match own.or(default) {
            Some((source, id)) => Ok((source, Some(self.policy_get(tenant, parse_id(id)?).await?))),
            None => Ok((PolicySource::Builtin, None)),
        }
    }
}

async fn insert_revision(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    policy: PolicyId,
    revision: i64,
    by: UserId,
    document: &str,
    stamp: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO policy_revisions (id, policy_id, revision, document, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(policy.to_string())
    .bind(revision)
    .bind(document.to_owned())
    .bind(by.to_string())
    .bind(stamp.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Why a conditional write of `id` touched nothing: NotFound, or its current revision.
async fn current_revision(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    id: PolicyId,
) -> StoreResult<StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT revision FROM policies WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match row {
        Some((r,)) => StoreError::VersionMismatch(r),
        None => StoreError::NotFound,
    })
}

async fn clear(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    project: Option<ProjectId>,
) -> StoreResult<bool> {
    let done = match project {
        Some(p) => {
            sqlx::query("DELETE FROM policy_assignments WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant.to_string())
                .bind(p.to_string())
                .execute(&mut **tx)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM policy_assignments WHERE tenant_id = $1 AND project_id IS NULL")
                .bind(tenant.to_string())
                .execute(&mut **tx)
                .await?
        }
    };
    Ok(done.rows_affected() > 0)
}
