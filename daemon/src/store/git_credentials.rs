//! Tenants' git credentials: the host pattern and kind in clear, the secret sealed (see
//! `sources::credential_key`); this module never sees it in clear.

use cairn_sdk::types::{GitCredential, GitCredentialId, GitCredentialKind, TenantId, UserId};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// A credential to insert; `sealed` is already encrypted for the tenant.
#[derive(Debug, Clone)]
pub struct NewGitCredential<'a> {
    /// Checked, lower-cased host pattern.
    pub host_pattern: &'a str,
    /// Token or ssh key.
    pub kind: GitCredentialKind,
    /// User name sent with a token.
    pub username: Option<&'a str>,
    /// The sealed secret.
    pub sealed: &'a str,
}

/// A credential's pattern and sealed secret, for choosing and opening one at clone time.
#[derive(Debug, Clone)]
pub struct SealedGitCredential {
    /// Id.
    pub id: GitCredentialId,
    /// Host pattern.
    pub host_pattern: String,
    /// The sealed secret.
    pub sealed: String,
}

#[derive(FromRow)]
struct CredentialRow {
    id: String,
    host_pattern: String,
    kind: String,
    username: Option<String>,
    created_at: String,
    created_by: Option<String>,
}

impl CredentialRow {
    fn into_wire(self) -> StoreResult<GitCredential> {
        Ok(GitCredential {
            id: parse_id(&self.id)?,
            host_pattern: self.host_pattern,
            kind: GitCredentialKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("git credential kind {:?}", self.kind)))?,
            username: self.username,
            created_at: parse_ts(&self.created_at)?,
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, host_pattern, kind, username, created_at, created_by"
    };
}

impl Store {
    /// Stores a credential for `tenant`; `Conflict` when the tenant has one for that pattern.
    pub async fn git_credential_create(
        &self,
        tenant: TenantId,
        by: UserId,
        new: NewGitCredential<'_>,
    ) -> StoreResult<GitCredential> {
        let id = GitCredentialId::new();
        sqlx::query(
            "INSERT INTO git_credentials (id, tenant_id, host_pattern, kind, username, sealed, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(new.host_pattern)
        .bind(new.kind.as_str())
        .bind(new.username)
        .bind(new.sealed)
        .bind(ts(now()))
        .bind(by.to_string())
        .execute(self.pool())
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("this tenant already has a git credential for {}", new.host_pattern))
            }
            other => other,
        })?;
        let row: CredentialRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM git_credentials WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// A page of the tenant's credentials (never their secrets), with the total.
    pub async fn git_credential_list(
        &self,
        tenant: TenantId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<GitCredential>, i64)> {
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM git_credentials WHERE tenant_id = "));
        sql.bind(tenant.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<CredentialRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM git_credentials WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        let items = rows.into_iter().map(CredentialRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// Every credential of the tenant, sealed (a handful per tenant: matched in memory).
    pub async fn git_credential_sealed(&self, tenant: TenantId) -> StoreResult<Vec<SealedGitCredential>> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, host_pattern, sealed FROM git_credentials WHERE tenant_id = $1")
                .bind(tenant.to_string())
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(id, host_pattern, sealed)| {
                Ok(SealedGitCredential { id: parse_id(&id)?, host_pattern, sealed })
            })
            .collect()
    }

    /// Deletes one of the tenant's credentials.
    pub async fn git_credential_delete(&self, tenant: TenantId, id: GitCredentialId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM git_credentials WHERE tenant_id = $1 AND id = $2")
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
