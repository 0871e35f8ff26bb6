//! Pending open registrations: kept under the SHA-256 of the mailed token until the token comes
//! back (once) or expires. The password is kept as its argon2id hash only.

use time::{Duration, OffsetDateTime};

use super::{Store, StoreError, StoreResult, now, ts};

/// A registration request waiting for its mailed token.
#[derive(Debug, Clone)]
pub struct PendingRegistration {
    /// The (normalised) address the token was mailed to.
    pub email: String,
    /// Display name asked for.
    pub display_name: Option<String>,
    /// Name of the personal tenant asked for.
    pub tenant_name: Option<String>,
    /// argon2id hash of the chosen password.
    pub password_hash: String,
}

impl Store {
    /// Keeps `request` under `token_hash` for `ttl`; returns when it expires.
    pub async fn registration_request_create(
        &self,
        token_hash: &str,
        request: &PendingRegistration,
        ttl: Duration,
    ) -> StoreResult<OffsetDateTime> {
        let created = now();
        let expires = created + ttl;
        sqlx::query(
            "INSERT INTO registration_requests (id, token_hash, email, display_name, tenant_name, password_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(token_hash)
        .bind(&request.email)
        .bind(request.display_name.as_deref())
        .bind(request.tenant_name.as_deref())
        .bind(&request.password_hash)
        .bind(ts(created))
        .bind(ts(expires))
        .execute(self.pool())
        .await?;
        Ok(expires)
    }

    /// Consumes a token: marks its request used and returns it. `NotFound` when unknown, used or
    /// expired (one conditional `UPDATE`, so two concurrent uses cannot both succeed).
    pub async fn registration_request_consume(&self, token_hash: &str) -> StoreResult<PendingRegistration> {
        let stamp = ts(now());
        let row: Option<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
            "UPDATE registration_requests SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             AND expires_at > $3 RETURNING email, display_name, tenant_name, password_hash",
        )
        .bind(&stamp)
        .bind(token_hash)
        .bind(&stamp)
        .fetch_optional(self.pool())
        .await?;
        let (email, display_name, tenant_name, password_hash) = row.ok_or(StoreError::NotFound)?;
        Ok(PendingRegistration { email, display_name, tenant_name, password_hash })
    }

    /// Deletes requests that expired before `cutoff` or were used. Returns how many.
    pub async fn registration_requests_sweep(&self, cutoff: OffsetDateTime) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM registration_requests WHERE used_at IS NOT NULL OR expires_at < $1")
                .bind(ts(cutoff))
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}
