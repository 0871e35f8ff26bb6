//! Tenants' registry credentials: the registry and user name in clear, the password sealed
//! (see `sources::credential_key`); this module never sees it in clear.

use cairn_sdk::types::{RegistryCredential, RegistryCredentialId, TenantId, UserId};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

#[derive(FromRow)]
struct CredentialRow {
    id: String,
    registry: String,
    username: String,
    created_at: String,
    created_by: Option<String>,
}

impl CredentialRow {
    fn into_wire(self) -> StoreResult<RegistryCredential> {
        Ok(RegistryCredential {
            id: parse_id(&self.id)?,
            registry: self.registry,
            username: self.username,
            created_at: parse_ts(&self.created_at)?,
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, registry, username, created_at, created_by"
    };
}

impl Store {
    /// Stores a credential for `tenant`'s pulls from `registry` (checked, lower case); `sealed` is
    /// the password already encrypted for the tenant. `Conflict` when the tenant has one for it.
    pub async fn registry_credential_create(
        &self,
        tenant: TenantId,
        by: UserId,
        registry: &str,
        username: &str,
        sealed: &str,
    ) -> StoreResult<RegistryCredential> {
        let id = RegistryCredentialId::new();
        sqlx::query(
            "INSERT INTO registry_credentials (id, tenant_id, registry, username, sealed, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(registry)
        .bind(username)
        .bind(sealed)
        .bind(ts(now()))
        .bind(by.to_string())
        .execute(self.pool())
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("this tenant already has a credential for the registry {registry}"))
            }
            other => other,
        })?;
        let row: CredentialRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM registry_credentials WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// A page of the tenant's registry credentials (never their passwords), with the total.
    pub async fn registry_credential_list(
        &self,
        tenant: TenantId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<RegistryCredential>, i64)> {
        let mut sql =
            Sql::new(concat!("SELECT ", columns!(), " FROM registry_credentials WHERE tenant_id = "));
        sql.bind(tenant.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<CredentialRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM registry_credentials WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        let items = rows.into_iter().map(CredentialRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// The tenant's credential for `registry`, if any: (id, user name, sealed password).
    pub async fn registry_credential_sealed(
        &self,
        tenant: TenantId,
        registry: &str,
    ) -> StoreResult<Option<(RegistryCredentialId, String, String)>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, username, sealed FROM registry_credentials WHERE tenant_id = $1 AND registry = $2",
        )
        .bind(tenant.to_string())
        .bind(registry)
        .fetch_optional(self.pool())
        .await?;
        row.map(|(id, username, sealed)| Ok((parse_id(&id)?, username, sealed))).transpose()
    }

    /// Deletes one of the tenant's registry credentials.
    pub async fn registry_credential_delete(
        &self,
        tenant: TenantId,
        id: RegistryCredentialId,
    ) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM registry_credentials WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
