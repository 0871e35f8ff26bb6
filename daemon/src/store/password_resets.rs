//! Password-reset tokens: only their SHA-256 is stored; each works once, until it expires.

use cairn_sdk::types::UserId;
use time::{Duration, OffsetDateTime};

use super::{Store, StoreError, StoreResult, now, parse_id, ts};

impl Store {
    /// Stores a new reset token for `user`; earlier unused tokens of that user stop working.
    pub async fn password_reset_issue(
        &self,
        user: UserId,
        token_hash: &str,
        ttl: Duration,
    ) -> StoreResult<OffsetDateTime> {
        let created = now();
        let expires = created + ttl;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(ts(created))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user.to_string())
        .bind(token_hash)
        .bind(ts(created))
        .bind(ts(expires))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(expires)
    }

    /// Consumes a token: marks it used and returns its user. `NotFound` when unknown, used or
    /// expired (the single `UPDATE … WHERE used_at IS NULL` makes two concurrent uses impossible).
    pub async fn password_reset_consume(&self, token_hash: &str) -> StoreResult<UserId> {
        let stamp = ts(now());
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
        )
        .bind(&stamp)
        .bind(token_hash)
        .bind(&stamp)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some((user,)) => parse_id(&user),
            None => Err(StoreError::NotFound),
        }
    }
}
