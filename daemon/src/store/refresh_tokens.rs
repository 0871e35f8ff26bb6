//! Refresh tokens: opaque, stored hashed, single use, grouped in families for reuse detection.

use cairn_sdk::types::UserId;
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use super::{Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Valid: it is used up now, and the new token was stored in its family.
    Rotated {
        /// The owner.
        user: UserId,
    },
    /// Already used or revoked: the whole family is revoked now.
    Reused,
    /// Unknown or expired.
    Invalid,
}

#[derive(FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    family_id: String,
    expires_at: String,
    used_at: Option<String>,
    revoked_at: Option<String>,
}

impl Store {
    /// Starts a new family (a login) with its first token.
    pub async fn refresh_issue(&self, user: UserId, token_hash: &str, ttl: Duration) -> StoreResult<()> {
        let family = uuid::Uuid::now_v7().to_string();
        self.refresh_insert(user, &family, token_hash, ttl).await
    }

    async fn refresh_insert(
        &self,
        user: UserId,
        family: &str,
        token_hash: &str,
        ttl: Duration,
    ) -> StoreResult<()> {
        let created = now();
        sqlx::query(
            "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user.to_string())
        .bind(family)
        .bind(token_hash)
        .bind(ts(created))
        .bind(ts(created + ttl))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Uses the token with `old_hash` and, if it was valid, stores `new_hash` in its family.
    /// A second use of any token revokes the whole family (RFC 9700 §4.14.2).
    pub async fn refresh_rotate(
        &self,
        old_hash: &str,
        new_hash: &str,
        ttl: Duration,
    ) -> StoreResult<RefreshOutcome> {
        let row: Option<TokenRow> = sqlx::query_as(
            "SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(old_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(RefreshOutcome::Invalid) };
        let stamp = ts(now());
        if row.used_at.is_some() || row.revoked_at.is_some() {
            self.refresh_revoke_family(&row.family_id, &stamp).await?;
            return Ok(RefreshOutcome::Reused);
        }
        if parse_ts(&row.expires_at)? <= OffsetDateTime::now_utc() {
            return Ok(RefreshOutcome::Invalid);
        }
        // The conditional update makes two concurrent uses of one token count as reuse.
        let done = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(&stamp)
        .bind(&row.id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            self.refresh_revoke_family(&row.family_id, &stamp).await?;
            return Ok(RefreshOutcome::Reused);
        }
        let user: UserId = parse_id(&row.user_id)?;
        self.refresh_insert(user, &row.family_id, new_hash, ttl).await?;
        Ok(RefreshOutcome::Rotated { user })
    }

    /// Revokes the family of the token with this hash (logout). `NotFound` if unknown.
    pub async fn refresh_revoke(&self, token_hash: &str) -> StoreResult<UserId> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.pool())
                .await?;
        let Some((family, user)) = row else { return Err(StoreError::NotFound) };
        self.refresh_revoke_family(&family, &ts(now())).await?;
        parse_id(&user)
    }

    async fn refresh_revoke_family(&self, family: &str, stamp: &str) -> StoreResult<()> {
        sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL")
            .bind(stamp)
            .bind(family)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
