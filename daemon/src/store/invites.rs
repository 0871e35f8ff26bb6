//! Invitations into a tenant (for invite-only registration).

use cairn_sdk::types::{InviteId, Role, TenantId, UserId};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::{Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// An open invitation.
#[derive(Debug, Clone)]
pub struct InviteRecord {
    /// Id.
    pub id: InviteId,
    /// Tenant to join.
    pub tenant_id: TenantId,
    /// Address it was sent to.
    pub email: String,
    /// Role granted.
    pub role: Role,
    /// Expiry.
    pub expires_at: OffsetDateTime,
}

#[derive(FromRow)]
struct InviteRow {
    id: String,
    tenant_id: String,
    email: String,
    role: String,
    expires_at: String,
    accepted_at: Option<String>,
}

impl Store {
    /// Stores an invitation whose secret hashes to `token_hash`.
    pub async fn invite_create(
        &self,
        tenant: TenantId,
        by: UserId,
        email: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<InviteId> {
        let id = InviteId::new();
        sqlx::query(
            "INSERT INTO invites (id, tenant_id, email, role, token_hash, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(email)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(by.to_string())
        .bind(ts(now()))
        .bind(ts(expires_at))
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// An unaccepted, unexpired invitation by token hash.
    pub async fn invite_by_token(&self, token_hash: &str) -> StoreResult<InviteRecord> {
        let row: InviteRow = sqlx::query_as(
            "SELECT id, tenant_id, email, role, expires_at, accepted_at FROM invites WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_one(self.pool())
        .await?;
        let expires_at = parse_ts(&row.expires_at)?;
        if row.accepted_at.is_some() || expires_at <= OffsetDateTime::now_utc() {
            return Err(StoreError::NotFound);
        }
        Ok(InviteRecord {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            email: row.email,
            role: Role::parse(&row.role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {:?}", row.role)))?,
            expires_at,
        })
    }

    /// Marks an invitation accepted; `NotFound` if someone accepted it first.
    pub async fn invite_accept(&self, id: InviteId) -> StoreResult<()> {
        let done = sqlx::query("UPDATE invites SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL")
            .bind(ts(now()))
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
