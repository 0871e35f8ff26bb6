//! Teams of a tenant and their members.

use cairn_sdk::types::{Team, TeamId, TeamMember, TenantId, UserId};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

#[derive(FromRow)]
struct TeamRow {
    id: String,
    name: String,
    member_count: i64,
    version: i64,
    created_at: String,
}

impl TeamRow {
    fn into_wire(self) -> StoreResult<Team> {
        Ok(Team {
            id: parse_id(&self.id)?,
            name: self.name,
            member_count: self.member_count,
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

macro_rules! select {
    () => {
        "SELECT t.id, t.name, (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count, \
         t.version, t.created_at FROM teams t"
    };
}

impl Store {
    /// Creates a team; `Conflict` on a duplicate name.
    pub async fn team_create(&self, tenant: TenantId, name: &str) -> StoreResult<Team> {
        let id = TeamId::new();
        let stamp = ts(now());
        sqlx::query("INSERT INTO teams (id, tenant_id, name, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5)")
            .bind(id.to_string())
            .bind(tenant.to_string())
            .bind(name)
            .bind(&stamp)
            .bind(&stamp)
            .execute(self.pool())
            .await?;
        self.team_get(tenant, id).await
    }

    /// A team of the tenant.
    pub async fn team_get(&self, tenant: TenantId, id: TeamId) -> StoreResult<Team> {
        let row: TeamRow = sqlx::query_as(concat!(select!(), " WHERE t.tenant_id = $1 AND t.id = $2"))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        row.into_wire()
    }

    /// The tenant's teams.
    pub async fn team_list(&self, tenant: TenantId, q: &ListQuery) -> StoreResult<(Vec<Team>, i64)> {
        let mut sql = Sql::new(concat!(select!(), " WHERE t.tenant_id = "));
        sql.bind(tenant.to_string());
        q.push_page(&mut sql, "t.")?;
        let rows = sql.query_as::<TeamRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM teams WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok((rows.into_iter().map(TeamRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }

    /// Renames a team at version `expected`.
    pub async fn team_rename(
        &self,
        tenant: TenantId,
        id: TeamId,
        expected: i64,
        name: &str,
    ) -> StoreResult<Team> {
        let current = self.team_get(tenant, id).await?;
        let done = sqlx::query(
            "UPDATE teams SET name = $1, version = version + 1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND version = $5",
        )
        .bind(name)
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(expected)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::VersionMismatch(current.version));
        }
        self.team_get(tenant, id).await
    }

    /// Deletes a team at version `expected` (its projects keep existing, without a team).
    pub async fn team_delete(&self, tenant: TenantId, id: TeamId, expected: i64) -> StoreResult<()> {
        let current = self.team_get(tenant, id).await?;
        let done = sqlx::query("DELETE FROM teams WHERE tenant_id = $1 AND id = $2 AND version = $3")
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

    /// Adds a member of the tenant to a team of the tenant.
    pub async fn team_add_member(
        &self,
        tenant: TenantId,
        team: TeamId,
        user: UserId,
    ) -> StoreResult<TeamMember> {
        self.team_get(tenant, team).await?;
        if !self.is_member(tenant, user).await? {
            return Err(StoreError::Conflict("user_id must name a member of this tenant".into()));
        }
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id, tenant_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(team.to_string())
        .bind(user.to_string())
        .bind(tenant.to_string())
        .bind(ts(now()))
        .execute(self.pool())
        .await?;
        let row: (String, String, String) = sqlx::query_as(
            "SELECT m.user_id, u.email, m.created_at FROM team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.tenant_id = $1 AND m.team_id = $2 AND m.user_id = $3",
        )
        .bind(tenant.to_string())
        .bind(team.to_string())
        .bind(user.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(TeamMember { user_id: parse_id(&row.0)?, email: row.1, added_at: parse_ts(&row.2)? })
    }

    /// Removes a member from a team of the tenant.
    pub async fn team_remove_member(&self, tenant: TenantId, team: TeamId, user: UserId) -> StoreResult<()> {
        let done =
            sqlx::query("DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2 AND user_id = $3")
                .bind(tenant.to_string())
                .bind(team.to_string())
                .bind(user.to_string())
                .execute(self.pool())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
