//! OAuth identities: which provider account logs in as which user.

use cairn_sdk::types::{OAuthIdentity, OAuthIdentityId, UserId};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, UserRecord, now, parse_id, parse_ts, ts};

/// What unlinking did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlinkOutcome {
    /// The identity is gone.
    Unlinked,
    /// Refused: the user would have no password and no other identity.
    LastLoginMethod,
}

#[derive(FromRow)]
struct IdentityRow {
    id: String,
    provider: String,
    subject: String,
    email: Option<String>,
    created_at: String,
}

impl IdentityRow {
    fn into_wire(self) -> StoreResult<OAuthIdentity> {
        Ok(OAuthIdentity {
            id: parse_id(&self.id)?,
            provider: self.provider,
            subject: self.subject,
            email: self.email,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

const INSERT: &str = "INSERT INTO oauth_identities (id, user_id, provider, subject, email, created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// The user a provider account logs in as.
    pub async fn oauth_identity_user(&self, provider: &str, subject: &str) -> StoreResult<UserId> {
        let (user,): (String,) =
            sqlx::query_as("SELECT user_id FROM oauth_identities WHERE provider = $1 AND subject = $2")
                .bind(provider)
                .bind(subject)
                .fetch_one(self.pool())
                .await?;
        parse_id(&user)
    }

    /// Links a provider account to `user`; `Conflict` when it is linked already.
    pub async fn oauth_identity_link(
        &self,
        user: UserId,
        provider: &str,
        subject: &str,
        email: Option<&str>,
    ) -> StoreResult<OAuthIdentity> {
        let id = OAuthIdentityId::new();
        let created = now();
        sqlx::query(INSERT)
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(provider)
            .bind(subject)
            .bind(email)
            .bind(ts(created))
            .execute(self.pool())
            .await?;
        Ok(OAuthIdentity {
            id,
            provider: provider.to_owned(),
            subject: subject.to_owned(),
            email: email.map(str::to_owned),
            created_at: created,
        })
    }

    /// Creates a password-less user and its first identity in one transaction.
    pub async fn oauth_signup(
        &self,
        email: &str,
        display_name: &str,
        provider: &str,
        subject: &str,
    ) -> StoreResult<UserRecord> {
        let user = UserId::new();
        let created = ts(now());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, super_admin, active, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, 0, 1, $4, $5)",
        )
        .bind(user.to_string())
        .bind(email)
        .bind(display_name)
        .bind(&created)
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        sqlx::query(INSERT)
            .bind(OAuthIdentityId::new().to_string())
            .bind(user.to_string())
            .bind(provider)
            .bind(subject)
            .bind(email)
            .bind(&created)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.user_get(user).await
    }

    /// The user's identities, with the total.
    pub async fn oauth_identity_list(
        &self,
        user: UserId,
        q: &ListQuery,
    ) -> StoreResult<(Vec<OAuthIdentity>, i64)> {
        let mut sql = Sql::new(
            "SELECT id, provider, subject, email, created_at FROM oauth_identities WHERE user_id = ",
        );
        sql.bind(user.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<IdentityRow>().fetch_all(self.pool()).await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM oauth_identities WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_one(self.pool())
            .await?;
        let items = rows.into_iter().map(IdentityRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// Unlinks one of the user's identities unless it is their last way to log in.
    pub async fn oauth_identity_unlink(
        &self,
        user: UserId,
        id: OAuthIdentityId,
    ) -> StoreResult<UnlinkOutcome> {
        let mut tx = self.begin_write().await?;
        let (has_password,): (i64,) = sqlx::query_as(
            "SELECT CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1",
        )
        .bind(user.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let (others,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM oauth_identities WHERE user_id = $1 AND id <> $2")
                .bind(user.to_string())
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        let (mine,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM oauth_identities WHERE user_id = $1 AND id = $2")
                .bind(user.to_string())
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if mine == 0 {
            return Err(StoreError::NotFound);
        }
        if has_password == 0 && others == 0 {
            return Ok(UnlinkOutcome::LastLoginMethod);
        }
        sqlx::query("DELETE FROM oauth_identities WHERE user_id = $1 AND id = $2")
            .bind(user.to_string())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(UnlinkOutcome::Unlinked)
    }
}
