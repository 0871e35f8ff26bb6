//! Versions: `/projects/{id}/versions`, `/versions/{id}` and `/versions/{id}/release-state`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cairn_sdk::types::{
    CreateVersion, ProjectId, ReleaseStateChange, Role, Scope, UpdateVersion, Version, VersionId,
};

use super::conventions::{if_match, no_content, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ts;

/// Lists a project's versions.
#[utoipa::path(get, operation_id = "versions_list", path = "/projects/{id}/versions", tag = "versions", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ListParams),
    responses((status = 200, description = "Versions", body = cairn_sdk::types::Page<Version>),
        (status = 404, description = "No such project here", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(project): Path<ProjectId>,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<Version>, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let q = params.to_query(&["name", "created_at", "updated_at", "release_state"])?;
    let (rows, total) = state.store.version_list(ctx.tenant, project, &q).await?;
    Ok(page(rows, total, &q, |v| (ts(v.created_at), v.id.to_string()), &uri))
}

/// Creates a draft version of a project.
#[utoipa::path(post, operation_id = "versions_create", path = "/projects/{id}/versions", tag = "versions", security(("bearer" = [])), request_body = CreateVersion,
    params(("id" = ProjectId, Path, description = "Project id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Created", body = Version),
        (status = 409, description = "Name taken in this project", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(project): Path<ProjectId>,
    Json(req): Json<CreateVersion>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let mut c = Check::new();
    c.text("body.name", &req.name, 100);
    c.finish()?;
    let v = state.store.version_create(ctx.tenant, project, &req).await?;
    let resp = with_etag(StatusCode::CREATED, v.version, &v);
    Ok(with_location(resp, &format!("/api/v1/versions/{}", v.id)))
}

/// Reads a version.
#[utoipa::path(get, operation_id = "versions_get", path = "/versions/{id}", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "Version id")),
    responses((status = 200, description = "The version", body = Version),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let v = state.store.version_get(ctx.tenant, id).await?;
    Ok(with_etag(StatusCode::OK, v.version, &v))
}

async fn expected(
    state: &AppState,
    headers: &HeaderMap,
    tenant: cairn_sdk::types::TenantId,
    id: VersionId,
) -> Result<i64, ApiError> {
    Ok(match if_match(headers)? {
        Some(v) => v,
        None => state.store.version_get(tenant, id).await?.version,
    })
}

/// Renames a version or sets its end of support; needs `If-Match`.
#[utoipa::path(patch, operation_id = "versions_update", path = "/versions/{id}", tag = "versions", security(("bearer" = [])), request_body = UpdateVersion,
    params(("id" = VersionId, Path, description = "Version id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "Updated", body = Version),
        (status = 409, description = "Another version of the project has this name", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
    headers: HeaderMap,
    Json(req): Json<UpdateVersion>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let mut c = Check::new();
    if let Some(n) = &req.name {
        c.text("body.name", n, 100);
    }
    c.finish()?;
    let exp = expected(&state, &headers, ctx.tenant, id).await?;
    let v = state.store.version_update(ctx.tenant, id, exp, &req).await?;
    Ok(with_etag(StatusCode::OK, v.version, &v))
}

/// Moves a version forward: draft -> released -> end_of_life; needs `If-Match`.
#[utoipa::path(patch, operation_id = "versions_release_state", path = "/versions/{id}/release-state", tag = "versions", security(("bearer" = [])), request_body = ReleaseStateChange,
    params(("id" = VersionId, Path, description = "Version id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "Moved", body = Version),
        (status = 409, description = "Not a forward move", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn release_state(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
    headers: HeaderMap,
    Json(req): Json<ReleaseStateChange>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let exp = expected(&state, &headers, ctx.tenant, id).await?;
    let v = state.store.version_set_state(ctx.tenant, id, exp, req.state, req.support_until).await?;
    Ok(with_etag(StatusCode::OK, v.version, &v))
}

/// Deletes a version; needs `If-Match` and the admin role.
#[utoipa::path(delete, operation_id = "versions_delete", path = "/versions/{id}", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "Version id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Admin)?;
    let exp = expected(&state, &headers, ctx.tenant, id).await?;
    state.store.version_delete(ctx.tenant, id, exp).await?;
    Ok(no_content())
}
