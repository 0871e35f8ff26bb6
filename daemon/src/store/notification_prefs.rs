//! Notification preferences: one JSON document per user and tenant.

use cairn_sdk::types::{TenantId, UserId};

use super::{Store, StoreResult};

impl Store {
    /// The stored preferences document, if the user ever saved one in this tenant.
    pub async fn notification_prefs_get(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT prefs FROM notification_prefs WHERE tenant_id = $1 AND user_id = $2")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Replaces the preferences document.
    pub async fn notification_prefs_put(
        &self,
        tenant: TenantId,
        user: UserId,
        prefs: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notification_prefs (tenant_id, user_id, prefs) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET prefs = excluded.prefs",
        )
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(prefs)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
