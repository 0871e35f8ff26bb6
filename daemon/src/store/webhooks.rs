//! Tenants' outbound webhooks: their filters and their (stored, see `webhooks::secret`) signing
//! secrets. The secret never leaves this module in a wire type.

use cairn_sdk::types::{EventKind, ProjectId, Severity, TenantId, UserId, Webhook, WebhookId};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{
    EventBatch, ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts,
};

/// A webhook's settings, checked by the API.
#[derive(Debug, Clone)]
pub struct WebhookSettings<'a> {
    /// Target URL.
    pub url: &'a str,
    /// Kinds it receives.
    pub events: &'a [EventKind],
    /// Projects it is limited to.
    pub projects: Option<&'a [ProjectId]>,
    /// Minimum severity.
    pub min_severity: Option<Severity>,
}

/// What the delivery consumer matches events against, and the sender signs with.
#[derive(Debug, Clone)]
pub struct WebhookSubscription {
    /// Id.
    pub id: WebhookId,
    /// Kinds it receives.
    pub events: Vec<EventKind>,
    /// Projects it is limited to.
    pub projects: Option<Vec<ProjectId>>,
    /// Minimum severity.
    pub min_severity: Option<Severity>,
    /// When it was made (events before it are not its business).
    pub created_at: OffsetDateTime,
}

#[derive(FromRow)]
struct SubscriptionRow {
    id: String,
    events: String,
    projects: Option<String>,
    min_severity: Option<String>,
    created_at: String,
}

#[derive(FromRow)]
struct WebhookRow {
    id: String,
    url: String,
    events: String,
    projects: Option<String>,
    min_severity: Option<String>,
    previous_secret_until: Option<String>,
    consecutive_failures: i64,
    healthy: i64,
    version: i64,
    created_at: String,
    updated_at: String,
    created_by: Option<String>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("webhook {what}: {e}"))
}

fn parse_events(text: &str) -> StoreResult<Vec<EventKind>> {
    serde_json::from_str(text).map_err(|e| corrupt("events", e))
}

fn parse_projects(text: Option<&str>) -> StoreResult<Option<Vec<ProjectId>>> {
    text.map(|t| serde_json::from_str(t).map_err(|e| corrupt("projects", e))).transpose()
}

fn parse_severity(text: Option<&str>) -> StoreResult<Option<Severity>> {
    text.map(|s| s.parse().map_err(|e| corrupt("min_severity", e))).transpose()
}

impl WebhookRow {
    fn into_wire(self) -> StoreResult<Webhook> {
        Ok(Webhook {
            id: parse_id(&self.id)?,
            url: self.url,
            events: parse_events(&self.events)?,
            projects: parse_projects(self.projects.as_deref())?,
            min_severity: parse_severity(self.min_severity.as_deref())?,
            healthy: self.healthy != 0,
            consecutive_failures: u32::try_from(self.consecutive_failures).unwrap_or(u32::MAX),
            // A grace period that is over is no longer worth showing.
            previous_secret_until: parse_ts_opt(self.previous_secret_until.as_deref())?
                .filter(|until| *until > now()),
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, url, events, projects, min_severity, previous_secret_until, consecutive_failures, healthy, \
         version, created_at, updated_at, created_by"
    };
}

fn events_text(events: &[EventKind]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".into())
}

fn projects_text(projects: Option<&[ProjectId]>) -> Option<String> {
    projects.map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".into()))
}

impl Store {
    /// Stores a webhook for `tenant`; `stored_secret` is already in its at-rest form.
    pub async fn webhook_create(
        &self,
        tenant: TenantId,
        by: UserId,
        settings: &WebhookSettings<'_>,
        stored_secret: &str,
    ) -> StoreResult<Webhook> {
        let id = WebhookId::new();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO webhooks (id, tenant_id, url, events, projects, min_severity, secret, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(settings.url)
        .bind(events_text(settings.events))
        .bind(projects_text(settings.projects))
        .bind(settings.min_severity.map(|s| s.as_str()))
        .bind(stored_secret)
        .bind(by.to_string())
        .bind(&at)
        .bind(&at)
        .execute(self.pool())
        .await?;
        self.webhook_get(tenant, id).await
    }

    /// One of the tenant's webhooks.
    pub async fn webhook_get(&self, tenant: TenantId, id: WebhookId) -> StoreResult<Webhook> {
        let row: WebhookRow =
            sqlx::query_as(concat!("SELECT ", columns!(), " FROM webhooks WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_one(self.pool())
                .await?;
        row.into_wire()
    }

    /// A page of the tenant's webhooks, with the total.
    pub async fn webhook_list(&self, tenant: TenantId, q: &ListQuery) -> StoreResult<(Vec<Webhook>, i64)> {
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM webhooks WHERE tenant_id = "));
        sql.bind(tenant.to_string());
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<WebhookRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhooks WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        let items = rows.into_iter().map(WebhookRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// Replaces a webhook's settings; with `expected_version`, only if it is still that version.
    pub async fn webhook_update(
        &self,
        tenant: TenantId,
        id: WebhookId,
        settings: &WebhookSettings<'_>,
        expected_version: Option<i64>,
    ) -> StoreResult<Webhook> {
        let current = self.webhook_get(tenant, id).await?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::VersionMismatch(current.version));
        }
        let done = sqlx::query(
            "UPDATE webhooks SET url = $1, events = $2, projects = $3, min_severity = $4, version = version + 1, \
             updated_at = $5 WHERE tenant_id = $6 AND id = $7 AND version = $8",
        )
        .bind(settings.url)
        .bind(events_text(settings.events))
        .bind(projects_text(settings.projects))
        .bind(settings.min_severity.map(|s| s.as_str()))
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(current.version)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            // Changed between the read and the write.
            let now_version = self.webhook_get(tenant, id).await?.version;
            return Err(StoreError::VersionMismatch(now_version));
        }
        self.webhook_get(tenant, id).await
    }

    /// Deletes a webhook and its deliveries.
    pub async fn webhook_delete(&self, tenant: TenantId, id: WebhookId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The webhook's stored secret (for a rotation to keep as the previous one).
    pub async fn webhook_stored_secret(&self, tenant: TenantId, id: WebhookId) -> StoreResult<String> {
        let (secret,): (String,) =
            sqlx::query_as("SELECT secret FROM webhooks WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_one(self.pool())
                .await?;
        Ok(secret)
    }

    /// Makes `new_secret` the signing secret; the current one keeps signing until `grace_until`.
    pub async fn webhook_rotate_secret(
        &self,
        tenant: TenantId,
        id: WebhookId,
        new_secret: &str,
        grace_until: OffsetDateTime,
    ) -> StoreResult<Webhook> {
        let done = sqlx::query(
            "UPDATE webhooks SET previous_secret = secret, previous_secret_until = $1, secret = $2, \
             version = version + 1, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
        )
        .bind(ts(grace_until))
        .bind(new_secret)
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.webhook_get(tenant, id).await
    }

    /// The batch tenant's webhooks, read inside the batch (so a webhook deleted meanwhile gets
    /// nothing queued, and one made after the events is told apart by `created_at`).
    pub async fn webhook_subscriptions(
        &self,
        batch: &mut EventBatch,
    ) -> StoreResult<Vec<WebhookSubscription>> {
        let rows: Vec<SubscriptionRow> = sqlx::query_as(
            "SELECT id, events, projects, min_severity, created_at FROM webhooks WHERE tenant_id = $1",
        )
        .bind(batch.tenant.to_string())
        .fetch_all(&mut *batch.tx)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(WebhookSubscription {
                    id: parse_id(&r.id)?,
                    events: parse_events(&r.events)?,
                    projects: parse_projects(r.projects.as_deref())?,
                    min_severity: parse_severity(r.min_severity.as_deref())?,
                    created_at: parse_ts(&r.created_at)?,
                })
            })
            .collect()
    }
}
