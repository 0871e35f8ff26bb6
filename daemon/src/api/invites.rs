//! `/invites`: tenant admins invite people (the way in when registration is invite-only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{CreateInvite, CreatedInvite, Role, Scope};

use super::auth::may_grant;
use super::extract::Json;
use crate::accounts::normalize_email;
use crate::auth::Principal;
use crate::auth::secrets::{random_alphanumeric, sha256_hex};
use crate::error::{ApiError, Kind};
use crate::state::AppState;

/// Invites an email into the current tenant; the token is shown once.
#[utoipa::path(post, operation_id = "invites_create", path = "/invites", tag = "auth", security(("bearer" = [])), request_body = CreateInvite,
    responses((status = 201, description = "Created; `token` is shown only now", body = CreatedInvite),
        (status = 403, description = "Not a tenant admin, or role above yours", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateInvite>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let email = normalize_email(&req.email).map_err(|m| ApiError::field("body.email", m))?;
    if !may_grant(ctx.role, req.role) {
        return Err(ApiError::new(Kind::Forbidden, "cannot invite as owner or above your own role"));
    }
    let token = format!("cri_{}", random_alphanumeric(40));
    let expires_at = crate::store::now() + time::Duration::days(7);
    let id = state
        .store
        .invite_create(
            ctx.tenant,
            principal.user.id,
            &email,
            req.role,
            &sha256_hex(token.as_bytes()),
            expires_at,
        )
        .await?;
    let mut resp =
        (StatusCode::CREATED, axum::Json(CreatedInvite { id, email, role: req.role, token, expires_at }))
            .into_response();
    resp.extensions_mut().insert(super::idempotency::OneTimeSecret);
    Ok(resp)
}
