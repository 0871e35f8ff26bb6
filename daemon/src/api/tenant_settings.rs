//! `/tenant/settings`: the tenant's settings (the triage SLA the CRA checklist judges against);
//! everyone in the tenant reads them, admins change them with If-Match.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cairn_sdk::types::{Role, Scope, TenantSettings, UpdateTenantSettings};

use super::conventions::{if_match, with_etag};
use super::extract::Json;
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Reads the tenant's settings (with their `ETag`; `"0"` before the first change).
#[utoipa::path(get, operation_id = "tenant_settings_get", path = "/tenant/settings", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, description = "The settings", body = TenantSettings)))]
pub async fn get(State(state): State<AppState>, principal: Principal) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let s = state.store.tenant_settings(ctx.tenant).await?;
    Ok(with_etag(StatusCode::OK, s.version, &s))
}

/// Replaces the tenant's settings; needs `If-Match` (`"0"` before the first change) and the
/// admin role.
#[utoipa::path(put, operation_id = "tenant_settings_put", path = "/tenant/settings", tag = "tenants", security(("bearer" = [])),
    request_body = UpdateTenantSettings,
    params(("If-Match" = String, Header, description = "ETag of the settings read")),
    responses((status = 200, description = "Updated", body = TenantSettings),
        (status = 400, description = "Invalid fields (each named in `errors`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Json(req): Json<UpdateTenantSettings>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let mut c = Check::new();
    if let Some(sla) = &req.triage_sla {
        c.triage_sla("body.triage_sla", sla);
    }
    c.finish()?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => state.store.tenant_settings(ctx.tenant).await?.version,
    };
    let s = state.store.tenant_settings_put(ctx.tenant, expected, req.triage_sla.as_ref()).await?;
    Ok(with_etag(StatusCode::OK, s.version, &s))
}
