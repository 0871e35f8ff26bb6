//! Tenants and memberships (who belongs where, with which role).

use cairn_sdk::types::{Role, TenantId, TenantKind, TenantMembership, UserId};
use sqlx::FromRow;

use super::{Store, StoreError, StoreResult, now, parse_id, ts};

#[derive(FromRow)]
pub(super) struct MembershipRow {
    pub(super) tenant_id: String,
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) role: String,
}

impl MembershipRow {
    pub(super) fn into_wire(self) -> StoreResult<TenantMembership> {
        Ok(TenantMembership {
            tenant_id: parse_id(&self.tenant_id)?,
            slug: self.slug,
            name: self.name,
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {:?}", self.role)))?,
        })
    }
}

impl Store {
    /// Creates an organization tenant with `owner` as its owner. The slug is derived from the
    /// name and made unique with a suffix.
    pub async fn tenant_create(&self, name: &str, owner: UserId) -> StoreResult<TenantId> {
        self.tenant_create_kind(name, owner, TenantKind::Organization).await
    }

    /// Creates a tenant of `kind` with `owner` as its owner (`Personal` for open sign-up).
    pub async fn tenant_create_kind(
        &self,
        name: &str,
        owner: UserId,
        kind: TenantKind,
    ) -> StoreResult<TenantId> {
        let id = TenantId::new();
        let base = slugify(name);
        let mut tx = self.begin_write().await?;
        let taken: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants WHERE slug = $1")
            .bind(&base)
            .fetch_one(&mut *tx)
            .await?;
        let slug = if taken.0 == 0 { base } else { format!("{base}-{}", &id.0.simple().to_string()[24..]) };
        let created = ts(now());
        sqlx::query("INSERT INTO tenants (id, name, slug, created_at, kind) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(name)
            .bind(&slug)
            .bind(&created)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)",
        )
        .bind(id.to_string())
        .bind(owner.to_string())
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How the tenant came to be (`personal` by open sign-up, else `organization`).
    pub async fn tenant_kind(&self, tenant: TenantId) -> StoreResult<TenantKind> {
        let row: Option<(String,)> = sqlx::query_as("SELECT kind FROM tenants WHERE id = $1")
            .bind(tenant.to_string())
            .fetch_optional(self.pool())
            .await?;
        let (kind,) = row.ok_or(StoreError::NotFound)?;
        TenantKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("tenant kind {kind:?}")))
    }

    /// Adds (or changes) a user's role in a tenant.
    pub async fn membership_set(&self, tenant: TenantId, user: UserId, role: Role) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(role.as_str())
        .bind(ts(now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every tenant the user belongs to, oldest membership first.
    pub async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<TenantMembership>> {
        let rows: Vec<MembershipRow> = sqlx::query_as(
            "SELECT t.id AS tenant_id, t.slug, t.name, m.role FROM memberships m \
             JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1 ORDER BY m.created_at, t.id",
        )
        .bind(user.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(MembershipRow::into_wire).collect()
    }

    /// Whether `user` belongs to `tenant` (for team membership checks).
    pub async fn is_member(&self, tenant: TenantId, user: UserId) -> StoreResult<bool> {
        let n: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND user_id = $2")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok(n.0 > 0)
    }
}

/// Lower-case ASCII letters, digits and single dashes; `tenant` when nothing is left.
fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    let mut slug: String = trimmed.chars().take(48).collect();
    if slug.is_empty() {
        slug = "tenant".into();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("  ;DROP TABLE--"), "drop-table");
        assert_eq!(slugify("日本"), "tenant");
    }
}
