//! `/admin/*` basics: users (list, read, activate, deactivate, operator role, password reset) and
//! the current tenant's teams.
//! Only super admins: an anonymous caller gets 401, an authenticated non-operator the router's 404.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{
    AddTeamMember, CreateTeam, PasswordResetIssued, Team, TeamId, TeamMember, TenantId, UpdateTeam,
    UpdateUserRole, UserAdmin, UserId,
};

use super::conventions::{if_match, no_content, with_etag};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::{Access, Principal};
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::ts;

/// A super admin (an API key needs the `admin` scope).
#[derive(Debug, Clone)]
pub struct Operator(pub Principal);

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A caller without working credentials is told to authenticate (401), as on every other
        // route; an authenticated caller who is not an operator gets the router's 404, so the
        // admin surface stays hidden from tenants.
        let principal = Principal::authenticate(state, &parts.headers)
            .await?
            .ok_or_else(|| ApiError::unauthorized("this route needs credentials"))?;
        principal.check(Access::SuperAdmin)?;
        Ok(Operator(principal))
    }
}

impl Operator {
    fn tenant(&self) -> Result<TenantId, ApiError> {
        self.0
            .tenant
            .map(|(t, _)| t)
            .ok_or_else(|| ApiError::new(Kind::NotFound, "you belong to no tenant; pick one with X-Tenant"))
    }
}

/// Lists every user of the installation.
#[utoipa::path(get, operation_id = "admin_users", path = "/admin/users", tag = "admin", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Users", body = cairn_sdk::types::Page<UserAdmin>)))]
pub async fn users(
    State(state): State<AppState>,
    _op: Operator,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<UserAdmin>, ApiError> {
    let q = params.to_query(&["email", "created_at", "last_login_at"])?;
    let (rows, total) = state.store.user_list(&q).await?;
    let rows = rows.iter().map(|u| u.to_admin()).collect();
    Ok(page(rows, total, &q, |u: &UserAdmin| (ts(u.created_at), u.id.to_string()), &uri))
}

/// Reads a user.
#[utoipa::path(get, operation_id = "admin_user", path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses((status = 200, description = "The user", body = UserAdmin)))]
pub async fn user(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<UserId>,
) -> Result<axum::Json<UserAdmin>, ApiError> {
    Ok(axum::Json(state.store.user_get(id).await?.to_admin()))
}

/// Deactivates a user: no logins, refresh tokens revoked, API keys stop working.
#[utoipa::path(patch, operation_id = "admin_deactivate", path = "/admin/users/{id}/deactivate", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses((status = 200, description = "Deactivated", body = UserAdmin),
        (status = 409, description = "Cannot deactivate yourself", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn deactivate(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<UserId>,
) -> Result<axum::Json<UserAdmin>, ApiError> {
    if op.0.user.id == id {
        return Err(ApiError::new(Kind::Conflict, "you cannot deactivate yourself"));
    }
    let user = state.store.user_set_active(id, false).await?;
    state.sockets.close_user(id);
    Ok(axum::Json(user.to_admin()))
}

/// Re-activates a user.
#[utoipa::path(patch, operation_id = "admin_activate", path = "/admin/users/{id}/activate", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses((status = 200, description = "Activated", body = UserAdmin)))]
pub async fn activate(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<UserId>,
) -> Result<axum::Json<UserAdmin>, ApiError> {
    Ok(axum::Json(state.store.user_set_active(id, true).await?.to_admin()))
}

/// Grants or withdraws the super admin flag; demoting the last active super admin is 409.
#[utoipa::path(patch, operation_id = "admin_user_role", path = "/admin/users/{id}/role", tag = "admin", security(("bearer" = [])), request_body = UpdateUserRole,
    params(("id" = UserId, Path, description = "User id")),
    responses((status = 200, description = "Changed", body = UserAdmin),
        (status = 409, description = "The last super admin", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn set_role(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<UserId>,
    Json(req): Json<UpdateUserRole>,
) -> Result<axum::Json<UserAdmin>, ApiError> {
    Ok(axum::Json(state.store.user_set_super_admin(id, req.super_admin).await?.to_admin()))
}

/// Mails the user a single-use reset token (to the admin outbox when no SMTP is configured).
#[utoipa::path(post, operation_id = "admin_user_password_reset", path = "/admin/users/{id}/password-reset", tag = "admin", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses((status = 202, description = "Token mailed", body = PasswordResetIssued),
        (status = 409, description = "The user is deactivated", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn password_reset(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<UserId>,
) -> Result<Response, ApiError> {
    let user = state.store.user_get(id).await?;
    if !user.active {
        return Err(ApiError::new(Kind::Conflict, "activate the user first"));
    }
    let expires_at = crate::auth::password_reset::issue(&state.store, &state.mailer, &user).await?;
    let body = PasswordResetIssued { email: user.email, expires_at };
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

/// Lists the current tenant's teams.
#[utoipa::path(get, operation_id = "admin_teams", path = "/admin/teams", tag = "admin", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Teams", body = cairn_sdk::types::Page<Team>)))]
pub async fn teams(
    State(state): State<AppState>,
    op: Operator,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<Team>, ApiError> {
    let q = params.to_query(&["name", "created_at"])?;
    let (rows, total) = state.store.team_list(op.tenant()?, &q).await?;
    Ok(page(rows, total, &q, |t| (ts(t.created_at), t.id.to_string()), &uri))
}

/// Creates a team in the current tenant.
#[utoipa::path(post, operation_id = "admin_create_team", path = "/admin/teams", tag = "admin", security(("bearer" = [])), request_body = CreateTeam,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Created", body = Team),
        (status = 409, description = "Name taken", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create_team(
    State(state): State<AppState>,
    op: Operator,
    Json(req): Json<CreateTeam>,
) -> Result<Response, ApiError> {
    let mut c = Check::new();
    c.text("body.name", &req.name, 100);
    c.finish()?;
    let team = state.store.team_create(op.tenant()?, &req.name).await?;
    Ok(with_etag(StatusCode::CREATED, team.version, &team))
}

/// Reads a team.
#[utoipa::path(get, operation_id = "admin_team", path = "/admin/teams/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = TeamId, Path, description = "Team id")),
    responses((status = 200, description = "The team", body = Team)))]
pub async fn team(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<TeamId>,
) -> Result<Response, ApiError> {
    let team = state.store.team_get(op.tenant()?, id).await?;
    Ok(with_etag(StatusCode::OK, team.version, &team))
}

/// Renames a team; needs `If-Match`.
#[utoipa::path(patch, operation_id = "admin_update_team", path = "/admin/teams/{id}", tag = "admin", security(("bearer" = [])), request_body = UpdateTeam,
    params(("id" = TeamId, Path, description = "Team id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "Renamed", body = Team),
        (status = 409, description = "Another team of the tenant has this name", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn update_team(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<TeamId>,
    headers: HeaderMap,
    Json(req): Json<UpdateTeam>,
) -> Result<Response, ApiError> {
    let tenant = op.tenant()?;
    let mut c = Check::new();
    c.text("body.name", &req.name, 100);
    c.finish()?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => state.store.team_get(tenant, id).await?.version,
    };
    let team = state.store.team_rename(tenant, id, expected, &req.name).await?;
    Ok(with_etag(StatusCode::OK, team.version, &team))
}

/// Deletes a team (its projects stay, without a team); needs `If-Match`.
#[utoipa::path(delete, operation_id = "admin_delete_team", path = "/admin/teams/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = TeamId, Path, description = "Team id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 204, description = "Deleted"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete_team(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<TeamId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tenant = op.tenant()?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => state.store.team_get(tenant, id).await?.version,
    };
    state.store.team_delete(tenant, id, expected).await?;
    Ok(no_content())
}

/// Adds a member of the tenant to a team.
#[utoipa::path(post, operation_id = "admin_add_member", path = "/admin/teams/{id}/members", tag = "admin", security(("bearer" = [])), request_body = AddTeamMember,
    params(("id" = TeamId, Path, description = "Team id")),
    responses((status = 201, description = "Added", body = TeamMember),
        (status = 409, description = "Already a member, or not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn add_member(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<TeamId>,
    Json(req): Json<AddTeamMember>,
) -> Result<Response, ApiError> {
    let member = state.store.team_add_member(op.tenant()?, id, req.user_id).await?;
    Ok((StatusCode::CREATED, axum::Json(member)).into_response())
}

/// Removes a member from a team.
#[utoipa::path(delete, operation_id = "admin_remove_member", path = "/admin/teams/{id}/members/{user_id}", tag = "admin", security(("bearer" = [])),
    params(("id" = TeamId, Path, description = "Team id"), ("user_id" = UserId, Path, description = "User id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_member(
    State(state): State<AppState>,
    op: Operator,
    Path((id, user)): Path<(TeamId, UserId)>,
) -> Result<Response, ApiError> {
    state.store.team_remove_member(op.tenant()?, id, user).await?;
    Ok(no_content())
}
