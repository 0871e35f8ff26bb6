//! Versions (releases) of a tenant's projects.

use cairn_sdk::types::{CreateVersion, ProjectId, ReleaseState, TenantId, UpdateVersion, Version, VersionId};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts, ts_opt};

#[derive(FromRow)]
struct VersionRow {
    id: String,
    project_id: String,
    name: String,
    release_state: String,
    support_until: Option<String>,
    released_at: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
    image_digest: Option<String>,
}

impl VersionRow {
    fn into_wire(self) -> StoreResult<Version> {
        Ok(Version {
            id: parse_id(&self.id)?,
            project_id: parse_id(&self.project_id)?,
            name: self.name,
            release_state: ReleaseState::parse(&self.release_state)
                .ok_or_else(|| StoreError::Corrupt(format!("release_state {:?}", self.release_state)))?,
            support_until: parse_ts_opt(self.support_until.as_deref())?,
            released_at: parse_ts_opt(self.released_at.as_deref())?,
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            image_digest: self.image_digest,
        })
    }
}

macro_rules! columns {
    () => {
        "id, project_id, name, release_state, support_until, released_at, version, created_at, updated_at, \
         (SELECT s.image_digest FROM scans s WHERE s.tenant_id = project_versions.tenant_id \
          AND s.version_id = project_versions.id AND s.status = 'completed' AND s.image_digest IS NOT NULL \
          ORDER BY s.finished_at DESC, s.id DESC LIMIT 1) AS image_digest"
    };
}

impl Store {
    /// Creates a draft version of a project of the tenant.
    pub async fn version_create(
        &self,
        tenant: TenantId,
        project: ProjectId,
        v: &CreateVersion,
    ) -> StoreResult<Version> {
        // The project must be the tenant's: another tenant's project is NotFound.
        self.project_get(tenant, project).await?;
        let id = VersionId::new();
        let stamp = ts(now());
        sqlx::query(
            "INSERT INTO project_versions (id, tenant_id, project_id, name, release_state, support_until, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'draft', $5, 1, $6, $7)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(&v.name)
        .bind(ts_opt(v.support_until))
        .bind(&stamp)
        .bind(&stamp)
        .execute(self.pool())
        .await?;
        self.version_get(tenant, id).await
    }

    /// A version of the tenant.
    pub async fn version_get(&self, tenant: TenantId, id: VersionId) -> StoreResult<Version> {
        let row: VersionRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM project_versions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// The version of this exact name of a project of the tenant (unique within the project).
    pub async fn version_by_name(
        &self,
        tenant: TenantId,
        project: ProjectId,
        name: &str,
    ) -> StoreResult<Version> {
        let row: VersionRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM project_versions WHERE tenant_id = $1 AND project_id = $2 AND name = $3"
        ))
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(name)
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// The versions of a project of the tenant.
    pub async fn version_list(
        &self,
        tenant: TenantId,
        project: ProjectId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<Version>, i64)> {
        self.project_get(tenant, project).await?;
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM project_versions WHERE tenant_id = "));
        sql.bind(tenant.to_string()).push(" AND project_id = ").bind(project.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<VersionRow>().fetch_all(self.pool()).await?;
        let total: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM project_versions WHERE tenant_id = $1 AND project_id = $2")
                .bind(tenant.to_string())
                .bind(project.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok((rows.into_iter().map(VersionRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }

    /// Renames a version or changes its end of support, at version `expected`.
    pub async fn version_update(
        &self,
        tenant: TenantId,
        id: VersionId,
        expected: i64,
        patch: &UpdateVersion,
    ) -> StoreResult<Version> {
        let current = self.version_get(tenant, id).await?;
        let name = patch.name.clone().unwrap_or(current.name);
        let support = patch.support_until.or(current.support_until);
        self.version_write(tenant, id, expected, &name, current.release_state, support, current.released_at)
            .await
    }

    /// Moves a version forward in its life (`draft -> released -> end_of_life`), at version `expected`.
    pub async fn version_set_state(
        &self,
        tenant: TenantId,
        id: VersionId,
        expected: i64,
        state: ReleaseState,
        support_until: Option<OffsetDateTime>,
    ) -> StoreResult<Version> {
        let current = self.version_get(tenant, id).await?;
        if current.version != expected {
            return Err(StoreError::VersionMismatch(current.version));
        }
        if state <= current.release_state {
            return Err(StoreError::Conflict(format!(
                "a version moves only forward (draft -> released -> end_of_life); it is {} now",
                current.release_state.as_str()
            )));
        }
        let released_at = if state == ReleaseState::Released || current.released_at.is_none() {
            current.released_at.or(Some(now()))
        } else {
            current.released_at
        };
        let support = support_until.or(current.support_until);
        self.version_write(tenant, id, expected, &current.name, state, support, released_at).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn version_write(
        &self,
        tenant: TenantId,
        id: VersionId,
        expected: i64,
        name: &str,
        state: ReleaseState,
        support_until: Option<OffsetDateTime>,
        released_at: Option<OffsetDateTime>,
    ) -> StoreResult<Version> {
        let done = sqlx::query(
            "UPDATE project_versions SET name = $1, release_state = $2, support_until = $3, released_at = $4, \
             version = version + 1, updated_at = $5 WHERE tenant_id = $6 AND id = $7 AND version = $8",
        )
        .bind(name)
        .bind(state.as_str())
        .bind(ts_opt(support_until))
        .bind(ts_opt(released_at))
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(expected)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::VersionMismatch(self.version_get(tenant, id).await?.version));
        }
        self.version_get(tenant, id).await
    }

    /// Deletes a version at version `expected`.
    pub async fn version_delete(&self, tenant: TenantId, id: VersionId, expected: i64) -> StoreResult<()> {
        let current = self.version_get(tenant, id).await?;
        let done =
            sqlx::query("DELETE FROM project_versions WHERE tenant_id = $1 AND id = $2 AND version = $3")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(expected)
                .execute(self.pool())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::VersionMismatch(current.version));
        }
        Ok(())
    }
}
