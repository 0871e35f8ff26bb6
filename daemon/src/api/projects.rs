//! `/projects`: create, list, read, update (If-Match) and delete (If-Match) a tenant's projects;
//! reads carry each project's risk from its latest completed scan.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cairn_sdk::types::{CreateProject, Project, ProjectId, ProjectKind, Role, Scope, UpdateProject};
use serde::Deserialize;

use super::conventions::{if_match, no_content, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ts;

/// Filters of the project list, besides paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct ProjectFilter {
    /// Only projects whose name contains this (case-insensitive).
    pub name: Option<String>,
    /// Only projects of this kind (`image`: the image catalogue).
    pub kind: Option<ProjectKind>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// `name`, `created_at`, `updated_at`; `-` for descending.
    pub sort: Option<String>,
}

fn validate_create(p: &CreateProject) -> Result<(), ApiError> {
    let mut c = Check::new();
    c.text("body.name", &p.name, 200);
    if let Some(u) = &p.repo_url {
        c.repo_url("body.repo_url", u);
    }
    if let Some(r) = &p.default_ref {
        c.text("body.default_ref", r, 255);
    }
    c.tags("body.tags", &p.tags);
    c.finish()
}

/// Lists the tenant's projects.
#[utoipa::path(get, operation_id = "projects_list", path = "/projects", tag = "projects", security(("bearer" = [])), params(ProjectFilter),
    responses((status = 200, description = "Projects", body = cairn_sdk::types::Page<Project>),
        (status = 400, description = "Invalid filter or paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(f): Query<ProjectFilter>,
    uri: Uri,
) -> Result<PageResponse<Project>, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let params = ListParams { limit: f.limit, offset: f.offset, cursor: f.cursor, sort: f.sort };
    let q = params.to_query(&["name", "created_at", "updated_at"])?;
    if let Some(n) = &f.name
        && n.chars().count() > 200
    {
        return Err(ApiError::field("query.name", "must be at most 200 characters"));
    }
    let (mut rows, total) = state.store.project_list(ctx.tenant, f.name.as_deref(), f.kind, &q).await?;
    let ids: Vec<_> = rows.iter().map(|p| p.id).collect();
    let mut risks = state.store.project_risks(ctx.tenant, &ids).await?;
    for p in &mut rows {
        p.risk = risks.remove(&p.id);
    }
    Ok(page(rows, total, &q, |p| (ts(p.created_at), p.id.to_string()), &uri))
}

/// Creates a project.
#[utoipa::path(post, operation_id = "projects_create", path = "/projects", tag = "projects", security(("bearer" = [])), request_body = CreateProject,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Created", body = Project),
        (status = 400, description = "Invalid fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateProject>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    validate_create(&req)?;
    let project = state.store.project_create(ctx.tenant, &req).await?;
    let resp = with_etag(StatusCode::CREATED, project.version, &project);
    Ok(with_location(resp, &format!("/api/v1/projects/{}", project.id)))
}

/// Reads a project (with its `ETag`).
#[utoipa::path(get, operation_id = "projects_get", path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 200, description = "The project", body = Project),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let mut p = state.store.project_get(ctx.tenant, id).await?;
    p.risk = state.store.project_risks(ctx.tenant, &[id]).await?.remove(&id);
    Ok(with_etag(StatusCode::OK, p.version, &p))
}

/// Changes a project; needs `If-Match`.
#[utoipa::path(patch, operation_id = "projects_update", path = "/projects/{id}", tag = "projects", security(("bearer" = [])), request_body = UpdateProject,
    params(("id" = ProjectId, Path, description = "Project id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "Updated", body = Project),
        (status = 400, description = "Invalid fields (each named in `errors`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another project of the tenant has this name", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    headers: HeaderMap,
    Json(req): Json<UpdateProject>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let mut c = Check::new();
    if let Some(n) = &req.name {
        c.text("body.name", n, 200);
    }
    if let Some(u) = &req.repo_url {
        c.repo_url("body.repo_url", u);
    }
    if let Some(r) = &req.default_ref {
        c.text("body.default_ref", r, 255);
    }
    if let Some(t) = &req.tags {
        c.tags("body.tags", t);
    }
    if let Some(p) = &req.product {
        c.product("body.product", p);
    }
    c.finish()?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => state.store.project_get(ctx.tenant, id).await?.version,
    };
    let mut p = state.store.project_update(ctx.tenant, id, expected, &req).await?;
    p.risk = state.store.project_risks(ctx.tenant, &[id]).await?.remove(&id);
    Ok(with_etag(StatusCode::OK, p.version, &p))
}

/// Deletes a project with its versions; needs `If-Match` and the admin role.
#[utoipa::path(delete, operation_id = "projects_delete", path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 204, description = "Deleted"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Admin)?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => state.store.project_get(ctx.tenant, id).await?.version,
    };
    state.store.project_delete(ctx.tenant, id, expected).await?;
    Ok(no_content())
}
