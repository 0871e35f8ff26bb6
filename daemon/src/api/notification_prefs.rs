//! `/users/me/notification-prefs`: which channels notify the caller of each event kind, which
//! projects and from which severity, in the current tenant. Kinds never saved read as their
//! defaults; the kinds are [`EventKind`]'s (`vulnerability.found` is read as `finding.new`).

use axum::extract::State;
use cairn_sdk::types::{EventKind, NotificationPrefs, TenantId};

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

/// Defaults overlaid with the stored document (kinds no longer known are dropped).
pub fn merged(stored: Option<&str>) -> NotificationPrefs {
    match stored.and_then(|s| serde_json::from_str::<NotificationPrefs>(s).ok()) {
        Some(saved) => NotificationPrefs::over_defaults(saved),
        None => NotificationPrefs::defaults(),
    }
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
        (status = 400, description = "Unknown event kinds or projects, or bad values", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<NotificationPrefs>,
) -> Result<axum::Json<NotificationPrefs>, ApiError> {
    let tenant = tenant_of(&principal, true)?;
    let mut check = Check::new();
    for kind in req.events.keys() {
        if EventKind::parse(kind).is_none_or(|k| k == EventKind::Unknown) {
            let known: Vec<&str> = EventKind::ALL.iter().map(|e| e.as_str()).collect();
            let shown: String = kind.chars().take(64).collect();
            check.fail(
                &format!("body.events.{shown}"),
                format!("unknown event kind; known: {}", known.join(", ")),
            );
        }
    }
    for (i, project) in req.projects.iter().flatten().enumerate() {
        if state.store.project_get(tenant, *project).await.is_err() {
            check.fail(&format!("body.projects[{i}]"), "no such project in this tenant");
        }
    }
    check.finish()?;
    let prefs = NotificationPrefs::over_defaults(req);
    let text = serde_json::to_string(&prefs).map_err(ApiError::internal)?;
    state.store.notification_prefs_put(tenant, principal.user.id, &text).await?;
    Ok(axum::Json(prefs))
}
