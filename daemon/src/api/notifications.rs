//! `/notifications`: the caller's notifications in the current tenant (made from events by the
//! notification consumer, per the caller's preferences), newest first, with the unread count and
//! marking read.

use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_sdk::types::{Notification, NotificationId, NotificationPage, TenantId, UnreadCount};
use serde::Deserialize;

use super::extract::{Path, Query};
use super::validate::Check;
use crate::auth::{Access, Principal};
use crate::error::{ApiError, Kind};
use crate::state::AppState;

/// Largest page.
const MAX_LIMIT: i64 = 1000;
/// Default page.
const DEFAULT_LIMIT: i64 = 50;

fn tenant_of(principal: &Principal, write: bool) -> Result<TenantId, ApiError> {
    principal.check(Access::Account { write })?.map(|c| c.tenant).ok_or_else(|| {
        ApiError::new(Kind::Forbidden, "notifications belong to a tenant; this account has none")
    })
}

/// Paging and the unread filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// The caller's notifications, newest first (`?unread=true`: unread only).
#[utoipa::path(get, operation_id = "notifications_list", path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationParams, ("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "Notifications", body = cairn_sdk::types::Page<Notification>),
        (status = 400, description = "Invalid parameters", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<NotificationParams>,
) -> Result<axum::Json<NotificationPage>, ApiError> {
    let tenant = tenant_of(&principal, false)?;
    let mut c = Check::new();
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        c.fail("query.limit", format!("must be between 1 and {MAX_LIMIT}"));
    }
    let before = match &p.cursor {
        None => None,
        Some(cur) => {
            let id = URL_SAFE_NO_PAD
                .decode(cur)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| s.parse::<NotificationId>().is_ok());
            if id.is_none() {
                c.fail("query.cursor", "not a cursor this list gave");
            }
            id
        }
    };
    c.finish()?;
    let (mut items, total) = state
        .store
        .notifications_list(
            tenant,
            principal.user.id,
            p.unread.unwrap_or(false),
            before.as_deref(),
            limit + 1,
        )
        .await?;
    let more = items.len() as i64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = more.then(|| items.last().map(|n| URL_SAFE_NO_PAD.encode(n.id.to_string()))).flatten();
    Ok(axum::Json(NotificationPage { items, total, limit, offset: 0, next_cursor }))
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, operation_id = "notifications_unread_count", path = "/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    params(("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "Unread count", body = UnreadCount),
        (status = 401, description = "Not signed in", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn unread_count(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<UnreadCount>, ApiError> {
    let tenant = tenant_of(&principal, false)?;
    Ok(axum::Json(UnreadCount { unread: state.store.notifications_unread(tenant, principal.user.id).await? }))
}

/// Marks one notification read; answers it as it is now.
#[utoipa::path(post, operation_id = "notification_read", path = "/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = NotificationId, Path, description = "Notification id"), ("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "The notification, read", body = Notification),
        (status = 400, description = "Not a notification id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key without the admin scope, or no tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not one of the caller's notifications", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<NotificationId>,
) -> Result<axum::Json<Notification>, ApiError> {
    let tenant = tenant_of(&principal, true)?;
    Ok(axum::Json(state.store.notification_read(tenant, principal.user.id, id).await?))
}

/// Marks every notification of the caller read; answers the unread count now (0).
#[utoipa::path(post, operation_id = "notifications_read_all", path = "/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    params(("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "Unread count after", body = UnreadCount),
        (status = 401, description = "Not signed in", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key without the admin scope, or no tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn read_all(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<UnreadCount>, ApiError> {
    let tenant = tenant_of(&principal, true)?;
    state.store.notifications_read_all(tenant, principal.user.id).await?;
    Ok(axum::Json(UnreadCount { unread: state.store.notifications_unread(tenant, principal.user.id).await? }))
}
