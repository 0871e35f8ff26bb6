//! User accounts (installation-wide; tenancy comes from memberships).

use cairn_sdk::types::{User, UserAdmin, UserId};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{ListQuery, Store, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts};

/// A user row with its password hash (never leaves the daemon).
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// Id.
    pub id: UserId,
    /// Login name (lower-cased).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// argon2id PHC string; `None` for accounts that only log in through OAuth.
    pub password_hash: Option<String>,
    /// Operator of the installation.
    pub super_admin: bool,
    /// Can log in.
    pub active: bool,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last login.
    pub last_login_at: Option<OffsetDateTime>,
    /// Bumped when the user's sessions must end (password change or reset, deactivation);
    /// access tokens carry it and stop working once it moves on.
    pub token_version: i64,
}

impl UserRecord {
    /// The public view.
    pub fn to_wire(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            super_admin: self.super_admin,
            active: self.active,
            created_at: self.created_at,
        }
    }

    /// The operator's view.
    pub fn to_admin(&self) -> UserAdmin {
        UserAdmin {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            super_admin: self.super_admin,
            active: self.active,
            created_at: self.created_at,
            last_login_at: self.last_login_at,
        }
    }
}

#[derive(FromRow)]
pub(super) struct UserRow {
    pub(super) id: String,
    pub(super) email: String,
    pub(super) display_name: String,
    pub(super) password_hash: Option<String>,
    pub(super) super_admin: i64,
    pub(super) active: i64,
    pub(super) created_at: String,
    pub(super) last_login_at: Option<String>,
    pub(super) token_version: i64,
}

impl UserRow {
    pub(super) fn into_record(self) -> StoreResult<UserRecord> {
        Ok(UserRecord {
            id: parse_id(&self.id)?,
            email: self.email,
            display_name: self.display_name,
            password_hash: self.password_hash,
            super_admin: self.super_admin != 0,
            active: self.active != 0,
            created_at: parse_ts(&self.created_at)?,
            last_login_at: parse_ts_opt(self.last_login_at.as_deref())?,
            token_version: self.token_version,
        })
    }
}

macro_rules! columns {
    () => {
        "id, email, display_name, password_hash, super_admin, active, created_at, last_login_at, token_version"
    };
}

impl Store {
    /// Creates a user (`password_hash` `None` for OAuth-only accounts); `Conflict` when the email is taken.
    pub async fn user_create(
        &self,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
        super_admin: bool,
    ) -> StoreResult<UserRecord> {
        let id = UserId::new();
        let created = now();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, super_admin, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
        )
        .bind(id.to_string())
        .bind(email)
        .bind(display_name)
        .bind(password_hash)
        .bind(i64::from(super_admin))
        .bind(ts(created))
        .bind(ts(created))
        .execute(self.pool())
        .await?;
        self.user_get(id).await
    }

    /// A user by id.
    pub async fn user_get(&self, id: UserId) -> StoreResult<UserRecord> {
        let row: UserRow = sqlx::query_as(concat!("SELECT ", columns!(), " FROM users WHERE id = $1"))
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        row.into_record()
    }

    /// A user by (lower-cased) email.
    pub async fn user_by_email(&self, email: &str) -> StoreResult<UserRecord> {
        let row: UserRow = sqlx::query_as(concat!("SELECT ", columns!(), " FROM users WHERE email = $1"))
            .bind(email)
            .fetch_one(self.pool())
            .await?;
        row.into_record()
    }

    /// How many users exist.
    pub async fn user_count(&self) -> StoreResult<i64> {
        let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?;
        Ok(n.0)
    }

    /// All users (operators only), with the total.
    pub async fn user_list(&self, q: &ListQuery) -> StoreResult<(Vec<UserRecord>, i64)> {
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM users WHERE 1 = 1"));
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<UserRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(UserRow::into_record).collect::<StoreResult<_>>()?, total.0))
    }

    /// Activates or deactivates a user; deactivation also revokes their refresh tokens and bumps
    /// their token version (their access tokens stop working).
    /// Deactivating the last active super admin is a `Conflict`.
    pub async fn user_set_active(&self, id: UserId, active: bool) -> StoreResult<UserRecord> {
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        self.lock_operators(&mut tx).await?;
        let done = sqlx::query(
            "UPDATE users SET active = $1, updated_at = $2 WHERE id = $3 AND ($4 = 1 OR super_admin = 0 OR EXISTS \
             (SELECT 1 FROM users o WHERE o.super_admin = 1 AND o.active = 1 AND o.id <> $5))",
        )
        .bind(i64::from(active))
        .bind(&stamp)
        .bind(id.to_string())
        .bind(i64::from(active))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            self.user_get(id).await?;
            return Err(super::StoreError::Conflict(
                "the last active super admin cannot be deactivated".into(),
            ));
        }
        if !active {
            sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(&stamp)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.user_get(id).await
    }

    /// Grants or withdraws the operator flag. Withdrawing it from the last active super admin is
    /// a `Conflict` (the installation would have no operator).
    pub async fn user_set_super_admin(&self, id: UserId, super_admin: bool) -> StoreResult<UserRecord> {
        let mut tx = self.begin_write().await?;
        self.lock_operators(&mut tx).await?;
        let done = sqlx::query(
            "UPDATE users SET super_admin = $1, updated_at = $2 WHERE id = $3 AND ($4 = 1 OR EXISTS \
             (SELECT 1 FROM users o WHERE o.super_admin = 1 AND o.active = 1 AND o.id <> $5))",
        )
        .bind(i64::from(super_admin))
        .bind(ts(now()))
        .bind(id.to_string())
        .bind(i64::from(super_admin))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            // Either no such user, or the guard refused.
            self.user_get(id).await?;
            return Err(super::StoreError::Conflict("the last super admin cannot be demoted".into()));
        }
        self.user_get(id).await
    }

    /// Serializes changes that could leave the installation without an active super admin. On
    /// SQLite the single writer already does; on Postgres two transactions could each see the
    /// other's operator and both step down, so they take a transaction-scoped advisory lock.
    async fn lock_operators(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> StoreResult<()> {
        if self.backend() == super::Backend::Postgres {
            // Wrapped in a SELECT of an integer: the Any driver cannot describe `void`.
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(7243010)) AS l")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Replaces a user's password hash, revokes their refresh tokens and bumps their token
    /// version (their access tokens stop working).
    pub async fn user_set_password(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2, token_version = token_version + 1 WHERE id = $3")
            .bind(password_hash)
            .bind(&stamp)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(super::StoreError::NotFound);
        }
        sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(&stamp)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a successful login.
    pub async fn user_touch_login(&self, id: UserId) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(ts(now()))
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
