//! Projects of a tenant.

use cairn_sdk::types::{
    CreateProject, ProductProfile, Project, ProjectId, ProjectKind, TenantId, UpdateProject,
};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

#[derive(FromRow)]
struct ProjectRow {
    id: String,
    name: String,
    kind: String,
    repo_url: Option<String>,
    default_ref: Option<String>,
    team_id: Option<String>,
    tags: String,
    product: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl ProjectRow {
    fn into_wire(self) -> StoreResult<Project> {
        Ok(Project {
            id: parse_id(&self.id)?,
            name: self.name,
            kind: ProjectKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("kind {:?}", self.kind)))?,
            // Rows from before such URLs were refused may hold credentials: never serve them.
            repo_url: self.repo_url.as_deref().map(crate::sources::url::without_credentials),
            default_ref: self.default_ref,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            tags: serde_json::from_str(&self.tags).map_err(|e| StoreError::Corrupt(format!("tags: {e}")))?,
            product: match self.product.as_deref() {
                Some(p) => {
                    serde_json::from_str(p).map_err(|e| StoreError::Corrupt(format!("product: {e}")))?
                }
                None => ProductProfile::default(),
            },
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            // Filled in by the risk query (issue 7's dashboard); absent until then.
            risk: None,
        })
    }
}

macro_rules! columns {
    () => {
        "id, name, kind, repo_url, default_ref, team_id, tags, product, version, created_at, updated_at"
    };
}

/// `team_id` must name a team of the same tenant; checked inside the statement.
const TEAM_CHECK: &str = "a team of this tenant";

impl Store {
    /// Creates a project; `Conflict` on a duplicate name or a team of another tenant.
    pub async fn project_create(&self, tenant: TenantId, p: &CreateProject) -> StoreResult<Project> {
        if let Some(team) = p.team_id {
            self.team_get(tenant, team)
                .await
                .map_err(|_| StoreError::Conflict(format!("team_id must name {TEAM_CHECK}")))?;
        }
        let id = ProjectId::new();
        let stamp = ts(now());
        sqlx::query(
            "INSERT INTO projects (id, tenant_id, name, kind, repo_url, default_ref, team_id, tags, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(&p.name)
        .bind(p.kind.as_str())
        .bind(p.repo_url.clone())
        .bind(p.default_ref.clone())
        .bind(p.team_id.map(|t| t.to_string()))
        .bind(serde_json::to_string(&p.tags).unwrap_or_else(|_| "[]".into()))
        .bind(&stamp)
        .bind(&stamp)
        .execute(self.pool())
        .await?;
        self.project_get(tenant, id).await
    }

    /// A project of the tenant.
    pub async fn project_get(&self, tenant: TenantId, id: ProjectId) -> StoreResult<Project> {
        let row: ProjectRow =
            sqlx::query_as(concat!("SELECT ", columns!(), " FROM projects WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_one(self.pool())
                .await?;
        row.into_wire()
    }

    /// The tenant's project of this exact name (names are unique within a tenant).
    pub async fn project_by_name(&self, tenant: TenantId, name: &str) -> StoreResult<Project> {
        let row: ProjectRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM projects WHERE tenant_id = $1 AND name = $2"
        ))
        .bind(tenant.to_string())
        .bind(name)
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// The tenant's projects, optionally only those whose name contains `name_like` and only
    /// those of `kind`.
    pub async fn project_list(
        &self,
        tenant: TenantId,
        name_like: Option<&str>,
        kind: Option<ProjectKind>,
        q: &ListQuery,
    ) -> StoreResult<(Vec<Project>, i64)> {
        let pattern = name_like
            .map(|n| format!("%{}%", n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE tenant_id = ").bind(tenant.to_string());
            if let Some(p) = &pattern {
                sql.push(" AND LOWER(name) LIKE LOWER(").bind(p.as_str()).push(") ESCAPE '\\'");
            }
            if let Some(k) = kind {
                sql.push(" AND kind = ").bind(k.as_str());
            }
        };
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM projects"));
        filter(&mut sql);
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<ProjectRow>().fetch_all(self.pool()).await?;
        let mut count = Sql::new("SELECT COUNT(*) FROM projects");
        filter(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(ProjectRow::into_wire).collect::<StoreResult<_>>()?, total))
    }

    /// Applies a patch if the row still has `expected` version.
    pub async fn project_update(
        &self,
        tenant: TenantId,
        id: ProjectId,
        expected: i64,
        patch: &UpdateProject,
    ) -> StoreResult<Project> {
        let current = self.project_get(tenant, id).await?;
        if expected != current.version {
            return Err(StoreError::VersionMismatch(current.version));
        }
        if let Some(team) = patch.team_id {
            self.team_get(tenant, team)
                .await
                .map_err(|_| StoreError::Conflict(format!("team_id must name {TEAM_CHECK}")))?;
        }
        let name = patch.name.clone().unwrap_or(current.name);
        let kind = patch.kind.unwrap_or(current.kind);
        let repo_url = patch.repo_url.clone().or(current.repo_url);
        let default_ref = patch.default_ref.clone().or(current.default_ref);
        let team = patch.team_id.or(current.team_id);
        let tags = patch.tags.clone().unwrap_or(current.tags);
        let product = patch.product.clone().unwrap_or(current.product);
        let product = if product.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&product).map_err(|e| StoreError::Corrupt(format!("product: {e}")))?)
        };
        let done = sqlx::query(
            "UPDATE projects SET name = $1, kind = $2, repo_url = $3, default_ref = $4, team_id = $5, tags = $6, \
             product = $11, version = version + 1, updated_at = $7 WHERE tenant_id = $8 AND id = $9 AND version = $10",
        )
        .bind(name)
        .bind(kind.as_str())
        .bind(repo_url)
        .bind(default_ref)
        .bind(team.map(|t| t.to_string()))
        .bind(serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()))
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(current.version)
        .bind(product)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            // Someone else changed it between our read and write.
            return Err(StoreError::VersionMismatch(self.project_get(tenant, id).await?.version));
        }
        self.project_get(tenant, id).await
    }

    /// Deletes a project (and, by cascade, its versions and scans) at version `expected`.
    pub async fn project_delete(&self, tenant: TenantId, id: ProjectId, expected: i64) -> StoreResult<()> {
        self.project_get(tenant, id).await?;
        let version = expected;
        let done = sqlx::query("DELETE FROM projects WHERE tenant_id = $1 AND id = $2 AND version = $3")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .bind(version)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::VersionMismatch(self.project_get(tenant, id).await?.version));
        }
        Ok(())
    }
}

impl super::EventBatch {
    /// The name of the batch tenant's project `id` (notification mail names it), if it exists.
    pub async fn project_name(&mut self, id: cairn_sdk::types::ProjectId) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT name FROM projects WHERE tenant_id = $1 AND id = $2")
                .bind(self.tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.map(|(n,)| n))
    }
}
