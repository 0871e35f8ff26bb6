//! Notifications: rows made per user from events (inside the notification consumer's batch, so an
//! event handled again adds nothing), listed newest first, counted and marked read.

use cairn_sdk::types::{Event, EventKind, Notification, NotificationId, Role, TenantId, UserId};
use sqlx::FromRow;

use super::{EventBatch, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// A notification to make for `user` from an event.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Who gets it.
    pub user: UserId,
    /// One line saying what happened.
    pub title: String,
}

/// A member who may receive notifications, with the preferences document they saved, if any.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The user.
    pub user: UserId,
    /// Their address (notification mail).
    pub email: String,
    /// Their stored preferences (JSON), `None` for the defaults.
    pub prefs: Option<String>,
    /// Their role in the tenant.
    pub role: Role,
}

#[derive(FromRow)]
struct NotificationRow {
    id: String,
    kind: String,
    event_id: Option<String>,
    project_id: Option<String>,
    severity: Option<String>,
    title: String,
    data: Option<String>,
    created_at: String,
    read_at: Option<String>,
}

impl NotificationRow {
    fn into_wire(self) -> StoreResult<Notification> {
        let event =
            self.event_id.ok_or_else(|| StoreError::Corrupt("notification without an event".into()))?;
        Ok(Notification {
            id: parse_id(&self.id)?,
            kind: self.kind.parse().unwrap_or(EventKind::Unknown),
            event: parse_id(&event)?,
            project: self.project_id.as_deref().map(parse_id).transpose()?,
            severity: self
                .severity
                .as_deref()
                .map(|s| s.parse().unwrap_or(cairn_sdk::types::Severity::Unknown)),
            title: self.title,
            data: match self.data {
                Some(d) => serde_json::from_str(&d)
                    .map_err(|e| StoreError::Corrupt(format!("notification data: {e}")))?,
                None => serde_json::Value::Null,
            },
            created_at: parse_ts(&self.created_at)?,
            read_at: self.read_at.as_deref().map(parse_ts).transpose()?,
        })
    }
}

// Rows made before 0027 have no event: they are not this feature's and are not listed.
const COLUMNS: &str = "id, kind, event_id, project_id, body AS severity, title, data, created_at, read_at";

impl EventBatch {
    /// The batch's tenant's active members (every role reads every project of its tenant).
    pub async fn notification_recipients(&mut self) -> StoreResult<Vec<Recipient>> {
        let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT m.user_id, u.email, p.prefs, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             LEFT JOIN notification_prefs p ON p.tenant_id = m.tenant_id AND p.user_id = m.user_id \
             WHERE m.tenant_id = $1 AND u.active = 1 ORDER BY m.user_id",
        )
        .bind(self.tenant.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|(u, email, prefs, role)| {
                let role = Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("membership role {role:?}")))?;
                Ok(Recipient { user: parse_id(&u)?, email, prefs, role })
            })
            .collect()
    }

    /// Makes `rows` from `event`, in the batch's transaction; one per user and event.
    pub async fn notifications_insert(&mut self, event: &Event, rows: &[NewNotification]) -> StoreResult<()> {
        let stamp = ts(now());
        for n in rows {
            sqlx::query(
                "INSERT INTO notifications (id, tenant_id, user_id, kind, title, body, link, created_at, read_at, \
                 event_id, project_id, data) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, $8, $9, $10) \
                 ON CONFLICT (user_id, event_id) DO NOTHING",
            )
            .bind(NotificationId::new().to_string())
            .bind(self.tenant.to_string())
            .bind(n.user.to_string())
            .bind(event.kind.as_str())
            .bind(&n.title)
            // `body` holds the event's severity word: the column predates events.
            .bind(event.severity.map(|s| s.as_str()))
            .bind(&stamp)
            .bind(event.id.to_string())
            .bind(event.project.map(|p| p.to_string()))
            .bind(event.data.to_string())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// `user`'s notifications in `tenant`, newest first, after the id `before` (cursor), unread
    /// only when asked; with the total.
    pub async fn notifications_list(
        &self,
        tenant: TenantId,
        user: UserId,
        unread_only: bool,
        before: Option<&str>,
        limit: i64,
    ) -> StoreResult<(Vec<Notification>, i64)> {
        let filter =
            "tenant_id = $1 AND user_id = $2 AND event_id IS NOT NULL AND ($3 = 0 OR read_at IS NULL)";
        let rows: Vec<NotificationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications WHERE {filter} AND ($4 IS NULL OR id < $5) ORDER BY id DESC LIMIT $6"
        )))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(i64::from(unread_only))
        .bind(before.map(str::to_owned))
        .bind(before.map(str::to_owned))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let (total,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM notifications WHERE {filter}")))
                .bind(tenant.to_string())
                .bind(user.to_string())
                .bind(i64::from(unread_only))
                .fetch_one(self.pool())
                .await?;
        let items = rows.into_iter().map(NotificationRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// `user`'s notifications in `tenant` made after the id `after` (all when `None`), oldest
    /// first: what a live socket has not sent yet.
    pub async fn notifications_after(
        &self,
        tenant: TenantId,
        user: UserId,
        after: Option<&str>,
    ) -> StoreResult<Vec<Notification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND event_id IS NOT NULL \
             AND ($3 IS NULL OR id > $4) ORDER BY id LIMIT 1000"
        )))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(after.map(str::to_owned))
        .bind(after.map(str::to_owned))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(NotificationRow::into_wire).collect()
    }

    /// The id of `user`'s newest notification in `tenant`.
    pub async fn notification_latest_id(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM notifications WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .bind(user.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// How many of `user`'s notifications in `tenant` are unread.
    pub async fn notifications_unread(&self, tenant: TenantId, user: UserId) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND event_id IS NOT NULL \
             AND read_at IS NULL",
        )
        .bind(tenant.to_string())
        .bind(user.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Marks one of `user`'s notifications read (kept as first read when already); `NotFound`
    /// when it is not theirs.
    pub async fn notification_read(
        &self,
        tenant: TenantId,
        user: UserId,
        id: NotificationId,
    ) -> StoreResult<Notification> {
        sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE tenant_id = $2 AND user_id = $3 \
             AND id = $4 AND event_id IS NOT NULL",
        )
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        let row: NotificationRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND id = $3 \
             AND event_id IS NOT NULL"
        )))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// Marks every unread notification of `user` in `tenant` read; how many.
    pub async fn notifications_read_all(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE tenant_id = $2 AND user_id = $3 AND read_at IS NULL \
             AND event_id IS NOT NULL",
        )
        .bind(ts(now()))
        .bind(tenant.to_string())
        .bind(user.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
