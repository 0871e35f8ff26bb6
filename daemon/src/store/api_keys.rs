//! API keys: stored as a public lookup plus the SHA-256 of the secret, never the secret itself.

use cairn_sdk::types::{ApiKey, ApiKeyEnvironment, ApiKeyId, Scope, TenantId, UserId};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts, ts_opt};

/// What the auth layer needs to verify a key and act as its owner.
#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    /// Id.
    pub id: ApiKeyId,
    /// The tenant the key acts in.
    pub tenant_id: TenantId,
    /// The owner.
    pub user_id: UserId,
    /// Hex SHA-256 of the secret part.
    pub secret_hash: String,
    /// Scopes.
    pub scopes: Vec<Scope>,
    /// Expiry.
    pub expires_at: Option<OffsetDateTime>,
    /// Revocation time.
    pub revoked_at: Option<OffsetDateTime>,
    /// The wire view.
    pub wire: ApiKey,
}

/// A key to insert.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    /// Label.
    pub name: &'a str,
    /// live or test.
    pub environment: ApiKeyEnvironment,
    /// The 16-character public lookup.
    pub lookup: &'a str,
    /// Hex SHA-256 of the secret.
    pub secret_hash: &'a str,
    /// Scopes.
    pub scopes: &'a [Scope],
    /// Expiry.
    pub expires_at: Option<OffsetDateTime>,
}

#[derive(FromRow)]
pub(super) struct KeyRow {
    pub(super) id: String,
    pub(super) tenant_id: String,
    pub(super) user_id: String,
    pub(super) name: String,
    pub(super) environment: String,
    pub(super) lookup: String,
    pub(super) secret_hash: String,
    pub(super) scopes: String,
    pub(super) created_at: String,
    pub(super) expires_at: Option<String>,
    pub(super) last_used_at: Option<String>,
    pub(super) revoked_at: Option<String>,
}

impl KeyRow {
    pub(super) fn into_record(self) -> StoreResult<ApiKeyRecord> {
        let scopes = self
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| Scope::parse(s).ok_or_else(|| StoreError::Corrupt(format!("scope {s:?}"))))
            .collect::<StoreResult<Vec<_>>>()?;
        let expires_at = parse_ts_opt(self.expires_at.as_deref())?;
        let id = parse_id(&self.id)?;
        let wire = ApiKey {
            id,
            name: self.name,
            prefix: format!("crn_{}_{}", self.environment, self.lookup),
            scopes: scopes.clone(),
            created_at: parse_ts(&self.created_at)?,
            expires_at,
            last_used_at: parse_ts_opt(self.last_used_at.as_deref())?,
        };
        Ok(ApiKeyRecord {
            id,
            tenant_id: parse_id(&self.tenant_id)?,
            user_id: parse_id(&self.user_id)?,
            secret_hash: self.secret_hash,
            scopes,
            expires_at,
            revoked_at: parse_ts_opt(self.revoked_at.as_deref())?,
            wire,
        })
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, user_id, name, environment, lookup, secret_hash, scopes, created_at, expires_at, last_used_at, revoked_at"
    };
}

impl Store {
    /// Stores a new key for `user` in `tenant`.
    pub async fn api_key_create(
        &self,
        tenant: TenantId,
        user: UserId,
        key: NewApiKey<'_>,
    ) -> StoreResult<ApiKey> {
        let id = ApiKeyId::new();
        let scopes = key.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
        let env = match key.environment {
            ApiKeyEnvironment::Live => "live",
            ApiKeyEnvironment::Test => "test",
        };
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, user_id, name, environment, lookup, secret_hash, scopes, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(key.name)
        .bind(env)
        .bind(key.lookup)
        .bind(key.secret_hash)
        .bind(scopes)
        .bind(ts(now()))
        .bind(ts_opt(key.expires_at))
        .execute(self.pool())
        .await?;
        Ok(self.api_key_get(tenant, user, id).await?.wire)
    }

    /// A key by its public lookup, in any tenant (authentication decides the tenant from it).
    pub async fn api_key_by_lookup(&self, lookup: &str) -> StoreResult<ApiKeyRecord> {
        let row: KeyRow = sqlx::query_as(concat!("SELECT ", columns!(), " FROM api_keys WHERE lookup = $1"))
            .bind(lookup)
            .fetch_one(self.pool())
            .await?;
        row.into_record()
    }

    /// One of the user's live (unrevoked) keys in the tenant.
    pub async fn api_key_get(
        &self,
        tenant: TenantId,
        user: UserId,
        id: ApiKeyId,
    ) -> StoreResult<ApiKeyRecord> {
        let row: KeyRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM api_keys WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL"
        ))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_record()
    }

    /// The user's unrevoked keys in the tenant.
    pub async fn api_key_list(
        &self,
        tenant: TenantId,
        user: UserId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<ApiKey>, i64)> {
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM api_keys WHERE tenant_id = "));
        sql.bind(tenant.to_string())
            .push(" AND user_id = ")
            .bind(user.to_string())
            .push(" AND revoked_at IS NULL");
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<KeyRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM api_keys WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(tenant.to_string())
        .bind(user.to_string())
        .fetch_one(self.pool())
        .await?;
        let keys = rows.into_iter().map(|r| r.into_record().map(|k| k.wire)).collect::<StoreResult<_>>()?;
        Ok((keys, total.0))
    }

    /// Revokes one of the user's keys.
    pub async fn api_key_revoke(&self, tenant: TenantId, user: UserId, id: ApiKeyId) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND user_id = $3 AND id = $4 AND revoked_at IS NULL",
        )
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a use of the key.
    pub async fn api_key_touch(&self, tenant: TenantId, id: ApiKeyId) -> StoreResult<()> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(ts(now()))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
