//! `/users/me/notification-prefs`: which channels notify the caller of each event kind, in the
//! current tenant. Kinds never saved read as their defaults.

use std::collections::BTreeMap;

use axum::extract::State;
use cairn_sdk::types::{ChannelPrefs, NotificationEvent, NotificationPrefs, TenantId};

use super::extract::Json;
use super::validate::Check;
use crate::auth::{Access, Principal};
use crate::error::{ApiError, Kind};
use crate::state::AppState;

fn tenant_of(principal: &Principal, write: bool) -> Result<TenantId, ApiError> {
    principal.check(Access::Account { write })?.map(|c| c.tenant).ok_or_else(|| {
        ApiError::new(Kind::Forbidden, "notification preferences belong to a tenant; this account has none")
    })
}

/// Defaults overlaid with the stored kinds (kinds no longer known are dropped).
fn merged(stored: Option<&str>) -> NotificationPrefs {
    let mut prefs = NotificationPrefs::defaults();
    let saved: BTreeMap<String, ChannelPrefs> = stored
        .and_then(|s| serde_json::from_str::<NotificationPrefs>(s).ok())
        .map(|p| p.events)
        .unwrap_or_default();
    for (kind, channels) in saved {
        if NotificationEvent::parse(&kind).is_some() {
            prefs.events.insert(kind, channels);
        }
    }
    prefs
}

/// The caller's preferences, every event kind listed.
#[utoipa::path(get, operation_id = "notification_prefs_get", path = "/users/me/notification-prefs", tag = "auth", security(("bearer" = [])),
    params(("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "Preferences", body = NotificationPrefs),
        (status = 401, description = "Not authenticated", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<NotificationPrefs>, ApiError> {
    let tenant = tenant_of(&principal, false)?;
    let stored = state.store.notification_prefs_get(tenant, principal.user.id).await?;
    Ok(axum::Json(merged(stored.as_deref())))
}

/// Replaces the caller's preferences; kinds left out return to their defaults.
#[utoipa::path(put, operation_id = "notification_prefs_put", path = "/users/me/notification-prefs", tag = "auth", security(("bearer" = [])),
    request_body = NotificationPrefs,
    params(("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "The preferences now", body = NotificationPrefs),
        (status = 400, description = "Unknown event kinds or bad values", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<NotificationPrefs>,
) -> Result<axum::Json<NotificationPrefs>, ApiError> {
    let tenant = tenant_of(&principal, true)?;
    let mut check = Check::new();
    for kind in req.events.keys() {
        if NotificationEvent::parse(kind).is_none() {
            let known: Vec<&str> = NotificationEvent::ALL.iter().map(|e| e.as_str()).collect();
            let shown: String = kind.chars().take(64).collect();
            check.fail(
                &format!("body.events.{shown}"),
                format!("unknown event kind; known: {}", known.join(", ")),
            );
        }
    }
    check.finish()?;
    let mut prefs = NotificationPrefs::defaults();
    prefs.events.extend(req.events);
    let text = serde_json::to_string(&prefs).map_err(ApiError::internal)?;
    state.store.notification_prefs_put(tenant, principal.user.id, &text).await?;
    Ok(axum::Json(prefs))
}
