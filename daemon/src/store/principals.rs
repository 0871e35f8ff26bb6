//! The caller of a request, read in one statement: an API key with its owner and the owner's
//! memberships, or a user with theirs. Authentication runs on every request; three statements
//! (key, user, memberships) were three round trips to the database for each. Nothing is cached:
//! a revoked key, a deactivated user, a new token version or a changed role is what the next
//! request reads, on every replica.

use cairn_sdk::types::{TenantMembership, UserId};
use sqlx::FromRow;

use super::api_keys::KeyRow;
use super::tenants::MembershipRow;
use super::users::UserRow;
use super::{ApiKeyRecord, Store, StoreError, StoreResult, UserRecord};

/// The user's columns and each membership's (none when the user belongs to no tenant: the
/// membership columns are then NULL on the user's one row).
macro_rules! principal_columns {
    () => {
        "u.id AS u_id, u.email AS u_email, u.display_name AS u_display_name, \
     u.password_hash AS u_password_hash, u.super_admin AS u_super_admin, u.active AS u_active, \
     u.created_at AS u_created_at, u.last_login_at AS u_last_login_at, u.token_version AS u_token_version, \
     mt.id AS m_tenant_id, mt.slug AS m_slug, mt.name AS m_name, m.role AS m_role"
    };
}

/// Memberships joined to a user `u`, as `memberships_of` reads them.
macro_rules! memberships_join {
    () => {
        "LEFT JOIN (memberships m JOIN tenants mt ON mt.id = m.tenant_id) ON m.user_id = u.id"
    };
}

/// The user and one membership of a row (`u_*`, `m_*`).
#[derive(FromRow)]
struct UserMembershipRow {
    u_id: Option<String>,
    u_email: Option<String>,
    u_display_name: Option<String>,
    u_password_hash: Option<String>,
    u_super_admin: Option<i64>,
    u_active: Option<i64>,
    u_created_at: Option<String>,
    u_last_login_at: Option<String>,
    u_token_version: Option<i64>,
    m_tenant_id: Option<String>,
    m_slug: Option<String>,
    m_name: Option<String>,
    m_role: Option<String>,
}

impl UserMembershipRow {
    /// The user, `None` when the row has none (a key whose owner is gone).
    fn user(&self) -> StoreResult<Option<UserRecord>> {
        let (Some(id), Some(email), Some(display_name), Some(super_admin), Some(active), Some(created_at)) = (
            &self.u_id,
            &self.u_email,
            &self.u_display_name,
            self.u_super_admin,
            self.u_active,
            &self.u_created_at,
        ) else {
            return Ok(None);
        };
        UserRow {
            id: id.clone(),
            email: email.clone(),
            display_name: display_name.clone(),
            password_hash: self.u_password_hash.clone(),
            super_admin,
            active,
            created_at: created_at.clone(),
            last_login_at: self.u_last_login_at.clone(),
            token_version: self.u_token_version.unwrap_or_default(),
        }
        .into_record()
        .map(Some)
    }

    /// The row's membership, if it has one.
    fn membership(self) -> StoreResult<Option<TenantMembership>> {
        match (self.m_tenant_id, self.m_slug, self.m_name, self.m_role) {
            (Some(tenant_id), Some(slug), Some(name), Some(role)) => {
                MembershipRow { tenant_id, slug, name, role }.into_wire().map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// A user's rows: the user (from the first) and every membership.
fn user_and_memberships(
    rows: Vec<UserMembershipRow>,
) -> StoreResult<Option<(UserRecord, Vec<TenantMembership>)>> {
    let Some(user) = rows.first().map(UserMembershipRow::user).transpose()?.flatten() else {
        return Ok(None);
    };
    let memberships = rows
        .into_iter()
        .map(UserMembershipRow::membership)
        .filter_map(Result::transpose)
        .collect::<StoreResult<_>>()?;
    Ok(Some((user, memberships)))
}

/// An API key's row with its owner and one of the owner's memberships.
#[derive(FromRow)]
struct KeyPrincipalRow {
    #[sqlx(flatten)]
    key: KeyRow,
    #[sqlx(flatten)]
    user: UserMembershipRow,
}

/// A caller who presented an API key.
#[derive(Debug, Clone)]
pub struct KeyPrincipal {
    /// The key.
    pub key: ApiKeyRecord,
    /// Its owner, `None` when the owner's row is gone.
    pub owner: Option<(UserRecord, Vec<TenantMembership>)>,
}

impl Store {
    /// The key with this lookup (in any tenant), its owner and the owner's memberships, oldest
    /// first, in one statement.
    pub async fn principal_by_api_key(&self, lookup: &str) -> StoreResult<KeyPrincipal> {
        let sql = concat!(
            "SELECT k.id, k.tenant_id, k.user_id, k.name, k.environment, k.lookup, k.secret_hash, k.scopes, \
             k.created_at, k.expires_at, k.last_used_at, k.revoked_at, ",
            principal_columns!(),
            " FROM api_keys k LEFT JOIN users u ON u.id = k.user_id ",
            memberships_join!(),
            " WHERE k.lookup = $1 ORDER BY m.created_at, mt.id"
        );
        let rows: Vec<KeyPrincipalRow> = sqlx::query_as(sql).bind(lookup).fetch_all(self.pool()).await?;
        let mut rows = rows.into_iter();
        let Some(first) = rows.next() else { return Err(StoreError::NotFound) };
        let users = std::iter::once(first.user).chain(rows.map(|r| r.user)).collect();
        Ok(KeyPrincipal { key: first.key.into_record()?, owner: user_and_memberships(users)? })
    }

    /// A user and their memberships, oldest first, in one statement.
    pub async fn principal_by_user(&self, id: UserId) -> StoreResult<(UserRecord, Vec<TenantMembership>)> {
        let sql = concat!(
            "SELECT ",
            principal_columns!(),
            " FROM users u ",
            memberships_join!(),
            " WHERE u.id = $1 ORDER BY m.created_at, mt.id"
        );
        let rows: Vec<UserMembershipRow> =
            sqlx::query_as(sql).bind(id.to_string()).fetch_all(self.pool()).await?;
        user_and_memberships(rows)?.ok_or(StoreError::NotFound)
    }
}
