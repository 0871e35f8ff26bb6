//! `/policies`: stored `cairn-policy/1` documents (checked by the engine; an error names the rule
//! and the field) with every revision kept, and which policy a project's gate uses
//! (`/projects/{id}/policy`, `/default-policy`). Admins write; everyone in the tenant reads. A
//! change that can move gates queues their re-evaluation (`jobs/regate.rs`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cairn_engine::policy::{Policy, PolicyError};
use cairn_sdk::types::{
    AssignPolicy, PolicyAssignment, PolicyBody, PolicyId, PolicyRevision, ProjectId, Role, Scope,
    StoredPolicy,
};

use super::conventions::{if_match, no_content, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{PolicyText, StoreError, ts};

/// The largest document accepted (bytes).
pub const MAX_DOCUMENT: usize = 256 * 1024;

/// The field a policy error names: `body.document`, then the rule and the field in the document.
fn error_field(e: &PolicyError) -> String {
    let mut field = "body.document".to_owned();
    if let Some(r) = &e.rule {
        field.push_str(&format!(".rules[{r}]"));
    }
    if let Some(f) = &e.field {
        field.push('.');
        field.push_str(f.trim_start_matches('.'));
    }
    field
}

/// The document checked by the engine.
fn checked(body: &PolicyBody) -> Result<Policy, ApiError> {
    if body.document.trim().is_empty() {
        return Err(ApiError::field("body.document", "must be a cairn-policy/1 document"));
    }
    if body.document.len() > MAX_DOCUMENT {
        return Err(ApiError::field("body.document", format!("must be at most {MAX_DOCUMENT} bytes")));
    }
    Policy::parse(&body.document).map_err(|e| ApiError::field(error_field(&e), e.message.clone()))
}

fn text<'a>(p: &'a Policy, body: &'a PolicyBody) -> PolicyText<'a> {
    PolicyText { key: &p.id, name: p.name.as_deref(), document: &body.document }
}

fn etagged(status: StatusCode, p: &StoredPolicy) -> Response {
    with_etag(status, i64::from(p.revision), p)
}

/// The tenant's policies.
#[utoipa::path(get, operation_id = "policies_list", path = "/policies", tag = "policies", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Policies at their current revision", body = cairn_sdk::types::Page<StoredPolicy>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<StoredPolicy>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = params.to_query(&["created_at", "key"])?;
    let (rows, total) = state.store.policy_list(ctx.tenant, &q).await?;
    Ok(page(rows, total, &q, |p| (ts(p.created_at), p.id.to_string()), &uri))
}

/// Stores a policy at revision 1.
#[utoipa::path(post, operation_id = "policies_create", path = "/policies", tag = "policies", security(("bearer" = [])), request_body = PolicyBody,
    responses((status = 201, description = "Stored; `ETag` is the revision", body = StoredPolicy),
        (status = 400, description = "The document does not read: `errors[0].field` names the rule and the field", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A policy with this document id exists", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<PolicyBody>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let policy = checked(&body)?;
    let stored = state.store.policy_create(ctx.tenant, principal.user.id, text(&policy, &body)).await?;
    let location = format!("/api/v1/policies/{}", stored.id);
    Ok(with_location(etagged(StatusCode::CREATED, &stored), &location))
}

/// One policy at its current revision (`ETag` = the revision).
#[utoipa::path(get, operation_id = "policies_get", path = "/policies/{id}", tag = "policies", security(("bearer" = [])),
    params(("id" = PolicyId, Path, description = "Policy id")),
    responses((status = 200, description = "The policy", body = StoredPolicy),
        (status = 404, description = "No such policy in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<PolicyId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(etagged(StatusCode::OK, &state.store.policy_get(ctx.tenant, id).await?))
}

/// Writes a new revision (`If-Match`: the revision read); the gates the policy governs are
/// evaluated again.
#[utoipa::path(put, operation_id = "policies_update", path = "/policies/{id}", tag = "policies", security(("bearer" = [])), request_body = PolicyBody,
    params(("id" = PolicyId, Path, description = "Policy id"), ("If-Match" = String, Header, description = "ETag (revision) of the policy read")),
    responses((status = 200, description = "The new revision", body = StoredPolicy),
        (status = 400, description = "The document does not read: `errors[0].field` names the rule and the field", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another policy has this document id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` is the current revision", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<PolicyId>,
    headers: HeaderMap,
    Json(body): Json<PolicyBody>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let wanted = if_match(&headers)?;
    let policy = checked(&body)?;
    let expected = match wanted {
        Some(v) => v,
        None => i64::from(state.store.policy_get(ctx.tenant, id).await?.revision),
    };
    let stored =
        state.store.policy_update(ctx.tenant, id, expected, principal.user.id, text(&policy, &body)).await?;
    crate::jobs::queue::wake(&state).await;
    Ok(etagged(StatusCode::OK, &stored))
}

/// Deletes a policy and its revisions (`If-Match`); refused while it is assigned.
#[utoipa::path(delete, operation_id = "policies_delete", path = "/policies/{id}", tag = "policies", security(("bearer" = [])),
    params(("id" = PolicyId, Path, description = "Policy id"), ("If-Match" = String, Header, description = "ETag (revision) of the policy read")),
    responses((status = 204, description = "Deleted"),
        (status = 400, description = "Unreadable If-Match", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still assigned to a project or as the tenant default", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<PolicyId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => i64::from(state.store.policy_get(ctx.tenant, id).await?.revision),
    };
    state.store.policy_delete(ctx.tenant, id, expected).await?;
    Ok(no_content())
}

/// A policy's revisions, oldest first.
#[utoipa::path(get, operation_id = "policies_revisions", path = "/policies/{id}/revisions", tag = "policies", security(("bearer" = [])),
    params(("id" = PolicyId, Path, description = "Policy id"), ListParams),
    responses((status = 200, description = "Revisions", body = cairn_sdk::types::Page<PolicyRevision>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn revisions(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<PolicyId>,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<PolicyRevision>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = params.to_query(&[])?;
    let (rows, total) = state.store.policy_revisions(ctx.tenant, id, &q).await?;
    // The cursor is the revision row's own id, found by the revision number of the page's last row.
    let keys: std::collections::HashMap<u32, (String, String)> =
        rows.iter().map(|(cid, r)| (r.revision, (ts(r.created_at), cid.clone()))).collect();
    let items: Vec<PolicyRevision> = rows.into_iter().map(|(_, r)| r).collect();
    Ok(page(items, total, &q, |r| keys.get(&r.revision).cloned().unwrap_or_default(), &uri))
}

/// One revision of a policy (what a gate naming it evaluated).
#[utoipa::path(get, operation_id = "policies_revision", path = "/policies/{id}/revisions/{revision}", tag = "policies", security(("bearer" = [])),
    params(("id" = PolicyId, Path, description = "Policy id"), ("revision" = u32, Path, description = "Revision", minimum = 1)),
    responses((status = 200, description = "The revision", body = PolicyRevision),
        (status = 400, description = "Not a revision number", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such policy or revision in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn revision(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, revision)): Path<(PolicyId, u32)>,
) -> Result<axum::Json<PolicyRevision>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(axum::Json(state.store.policy_revision(ctx.tenant, id, revision).await?))
}

async fn assignment(
    state: &AppState,
    tenant: cairn_sdk::types::TenantId,
    project: Option<ProjectId>,
) -> Result<PolicyAssignment, ApiError> {
    let (source, policy) = state.store.policy_effective(tenant, project).await?;
    Ok(PolicyAssignment { project_id: project, source, policy })
}

async fn assign(
    state: &AppState,
    principal: &Principal,
    project: Option<ProjectId>,
    req: &AssignPolicy,
) -> Result<PolicyAssignment, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    if let Some(p) = project {
        state.store.project_get(ctx.tenant, p).await?;
    }
    match state.store.policy_get(ctx.tenant, req.policy_id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(ApiError::field("body.policy_id", "no such policy in this tenant"));
        }
        Err(e) => return Err(e.into()),
    }
    state.store.policy_assign(ctx.tenant, project, req.policy_id, principal.user.id).await?;
    crate::jobs::queue::wake(state).await;
    assignment(state, ctx.tenant, project).await
}

async fn unassign(
    state: &AppState,
    principal: &Principal,
    project: Option<ProjectId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    if let Some(p) = project {
        state.store.project_get(ctx.tenant, p).await?;
    }
    // Clearing what is not there is already done: 204 either way.
    if state.store.policy_unassign(ctx.tenant, project).await? {
        crate::jobs::queue::wake(state).await;
    }
    Ok(no_content())
}

/// The policy the project's gate uses: its own, else the tenant default, else the built-in one.
#[utoipa::path(get, operation_id = "project_policy_get", path = "/projects/{id}/policy", tag = "policies", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 200, description = "The policy in force and where it comes from", body = PolicyAssignment),
        (status = 404, description = "No such project in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<axum::Json<PolicyAssignment>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    state.store.project_get(ctx.tenant, id).await?;
    Ok(axum::Json(assignment(&state, ctx.tenant, Some(id)).await?))
}

/// Assigns a stored policy to the project; its latest gate is evaluated again.
#[utoipa::path(put, operation_id = "project_policy_put", path = "/projects/{id}/policy", tag = "policies", security(("bearer" = [])), request_body = AssignPolicy,
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 200, description = "Assigned", body = PolicyAssignment),
        (status = 400, description = "No such policy (`body.policy_id`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_put(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Json(req): Json<AssignPolicy>,
) -> Result<axum::Json<PolicyAssignment>, ApiError> {
    Ok(axum::Json(assign(&state, &principal, Some(id), &req).await?))
}

/// Clears the project's own policy (the tenant default, else the built-in one, applies again).
#[utoipa::path(delete, operation_id = "project_policy_delete", path = "/projects/{id}/policy", tag = "policies", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 204, description = "Cleared (or none was assigned)"),
        (status = 404, description = "No such project in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<Response, ApiError> {
    unassign(&state, &principal, Some(id)).await
}

/// The tenant default policy (the built-in one when none is assigned).
#[utoipa::path(get, operation_id = "default_policy_get", path = "/default-policy", tag = "policies", security(("bearer" = [])),
    responses((status = 200, description = "The tenant default and where it comes from", body = PolicyAssignment)))]
pub async fn default_get(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<PolicyAssignment>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(axum::Json(assignment(&state, ctx.tenant, None).await?))
}

/// Makes a stored policy the tenant default; every project without its own is evaluated again.
#[utoipa::path(put, operation_id = "default_policy_put", path = "/default-policy", tag = "policies", security(("bearer" = [])), request_body = AssignPolicy,
    responses((status = 200, description = "Assigned", body = PolicyAssignment),
        (status = 400, description = "No such policy (`body.policy_id`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn default_put(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<AssignPolicy>,
) -> Result<axum::Json<PolicyAssignment>, ApiError> {
    Ok(axum::Json(assign(&state, &principal, None, &req).await?))
}

/// Clears the tenant default (the built-in policy applies again).
#[utoipa::path(delete, operation_id = "default_policy_delete", path = "/default-policy", tag = "policies", security(("bearer" = [])),
    responses((status = 204, description = "Cleared (or none was assigned)")))]
pub async fn default_delete(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, ApiError> {
    unassign(&state, &principal, None).await
}
