//! A tenant's settings row (the triage SLA), versioned for If-Match.

use cairn_sdk::types::{TenantId, TenantSettings, TriageSla};

use super::{Store, StoreError, StoreResult, now, parse_ts, ts};

impl Store {
    /// The tenant's settings; version 0 and nothing set before the first change.
    pub async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings> {
        let row: Option<(Option<String>, i64, String)> = sqlx::query_as(
            "SELECT triage_sla, version, updated_at FROM tenant_settings WHERE tenant_id = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some((sla, version, updated_at)) = row else {
            return Ok(TenantSettings { triage_sla: None, version: 0, updated_at: None });
        };
        let triage_sla = sla
            .as_deref()
            .map(serde_json::from_str::<TriageSla>)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("triage_sla: {e}")))?;
        Ok(TenantSettings { triage_sla, version, updated_at: Some(parse_ts(&updated_at)?) })
    }

    /// Replaces the settings if they are still at `expected` (0: never set).
    pub async fn tenant_settings_put(
        &self,
        tenant: TenantId,
        expected: i64,
        sla: Option<&TriageSla>,
    ) -> StoreResult<TenantSettings> {
        let sla = sla
            .filter(|s| !s.is_empty())
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("triage_sla: {e}")))?;
        let stamp = ts(now());
        let done = if expected == 0 {
            // The row does not exist yet; a concurrent first write loses on the primary key.
            sqlx::query(
                "INSERT INTO tenant_settings (tenant_id, triage_sla, version, updated_at) VALUES ($1, $2, 1, $3) \
                 ON CONFLICT (tenant_id) DO NOTHING",
            )
            .bind(tenant.to_string())
            .bind(sla)
            .bind(&stamp)
            .execute(self.pool())
            .await?
        } else {
            sqlx::query(
                "UPDATE tenant_settings SET triage_sla = $1, version = version + 1, updated_at = $2 \
                 WHERE tenant_id = $3 AND version = $4",
            )
            .bind(sla)
            .bind(&stamp)
            .bind(tenant.to_string())
            .bind(expected)
            .execute(self.pool())
            .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::VersionMismatch(self.tenant_settings(tenant).await?.version));
        }
        self.tenant_settings(tenant).await
    }
}
