//! The public CBOM demo's rows: its own tenant (created once, named in `settings`), and one claim
//! per client whose conditional upsert is the 24-hour limit, atomic on both databases.

use cairn_sdk::types::{ScanId, TenantId};
use time::OffsetDateTime;

use super::{Store, StoreResult, now, parse_id, parse_ts, ts};

/// The `settings` key naming the demo tenant.
const TENANT_SETTING: &str = "cbom_demo_tenant";

/// The outcome of a client's claim of a demo scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoClaim {
    /// The client may scan now; the claim is recorded with this time.
    Granted(OffsetDateTime),
    /// The client claimed at this time, within the window.
    Limited(OffsetDateTime),
}

impl Store {
    /// The demo tenant: a tenant of its own with no members, created by the first demo request
    /// of the installation (every replica agrees through the `settings` row).
    pub async fn cbom_demo_tenant(&self) -> StoreResult<TenantId> {
        if let Some(id) = self.cbom_demo_tenant_named().await? {
            return Ok(id);
        }
        let id = TenantId::new();
        let mut tx = self.begin_write().await?;
        let named =
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(TENANT_SETTING)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        if named.rows_affected() == 0 {
            tx.rollback().await?;
            return self.cbom_demo_tenant_named().await?.ok_or(super::StoreError::NotFound);
        }
        // The slug is unique by construction: a user's tenant can never be taken for it.
        sqlx::query(
            "INSERT INTO tenants (id, name, slug, created_at, kind) VALUES ($1, $2, $3, $4, 'organization')",
        )
        .bind(id.to_string())
        .bind("CBOM demo")
        .bind(format!("cbom-demo-{}", id.0.simple()))
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn cbom_demo_tenant_named(&self) -> StoreResult<Option<TenantId>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(TENANT_SETTING)
            .fetch_optional(self.pool())
            .await?;
        row.map(|(v,)| parse_id(&v)).transpose()
    }

    /// The newest demo scan of `repo_url` claimed at or after `since`.
    pub async fn cbom_demo_cached(
        &self,
        repo_url: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Option<ScanId>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT scan_id FROM cbom_demo_claims WHERE repo_url = $1 AND claimed_at >= $2 \
             AND scan_id IS NOT NULL ORDER BY claimed_at DESC LIMIT 1",
        )
        .bind(repo_url)
        .bind(ts(since))
        .fetch_optional(self.pool())
        .await?;
        row.map(|(v,)| parse_id(&v)).transpose()
    }

    /// Claims a demo scan of `repo_url` for `client` at `at`, unless the client's last claim is
    /// newer than `window_start`. One statement, so two requests at once cannot both win.
    pub async fn cbom_demo_claim(
        &self,
        client: &str,
        repo_url: &str,
        at: OffsetDateTime,
        window_start: OffsetDateTime,
    ) -> StoreResult<DemoClaim> {
        let done = sqlx::query(
            "INSERT INTO cbom_demo_claims (client, repo_url, scan_id, claimed_at) VALUES ($1, $2, NULL, $3) \
             ON CONFLICT (client) DO UPDATE SET repo_url = excluded.repo_url, scan_id = NULL, \
             claimed_at = excluded.claimed_at WHERE cbom_demo_claims.claimed_at < $4",
        )
        .bind(client)
        .bind(repo_url)
        .bind(ts(at))
        .bind(ts(window_start))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(DemoClaim::Granted(at));
        }
        let (claimed,): (String,) =
            sqlx::query_as("SELECT claimed_at FROM cbom_demo_claims WHERE client = $1")
                .bind(client)
                .fetch_one(self.pool())
                .await?;
        Ok(DemoClaim::Limited(parse_ts(&claimed)?))
    }

    /// Records the scan a granted claim created.
    pub async fn cbom_demo_attach(&self, client: &str, at: OffsetDateTime, scan: ScanId) -> StoreResult<()> {
        sqlx::query("UPDATE cbom_demo_claims SET scan_id = $1 WHERE client = $2 AND claimed_at = $3")
            .bind(scan.to_string())
            .bind(client)
            .bind(ts(at))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Gives a granted claim back when its scan could not be created (the client may try again).
    pub async fn cbom_demo_release(&self, client: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("DELETE FROM cbom_demo_claims WHERE client = $1 AND claimed_at = $2 AND scan_id IS NULL")
            .bind(client)
            .bind(ts(at))
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
