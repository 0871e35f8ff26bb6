//! `/feature-requests`: feedback a tenant's members give the operators (a feature, a package to
//! support, a bug). Members ask and every member of the tenant reads them; tenant admins set the
//! status with `If-Match` (412 when stale). The audit middleware records both writes.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cairn_sdk::types::{
    CreateFeatureRequest, FEATURE_REQUEST_BODY_MAX, FEATURE_REQUEST_TITLE_MAX, FeatureRequest,
    FeatureRequestId, FeatureRequestKind, FeatureRequestStatus, FeatureRequestStatusChange, Role, Scope,
};
use serde::Deserialize;

use super::conventions::{if_match, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{FeatureRequestFilter, NewFeatureRequest, ts};

/// Filters of the feature request list, besides paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct FeatureRequestListParams {
    /// Only requests in this status.
    pub status: Option<FeatureRequestStatus>,
    /// Only requests of this kind.
    pub kind: Option<FeatureRequestKind>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// `created_at`, `updated_at`, `status`, `kind`; `-` for descending.
    pub sort: Option<String>,
}

/// A free text of at most `max` characters that Postgres can store (no NUL).
fn free_text(c: &mut Check, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        c.fail(field, format!("must be at most {max} characters"));
    } else if value.contains('\0') {
        c.fail(field, "must not contain NUL characters");
    }
}

fn checked(req: CreateFeatureRequest) -> Result<NewFeatureRequest, ApiError> {
    let mut c = Check::new();
    if req.title.trim().is_empty() {
        c.fail("body.title", "must not be empty");
    } else if req.title.chars().count() > FEATURE_REQUEST_TITLE_MAX {
        c.fail("body.title", format!("must be at most {FEATURE_REQUEST_TITLE_MAX} characters"));
    } else if req.title.chars().any(char::is_control) {
        c.fail("body.title", "must not contain control characters");
    }
    free_text(&mut c, "body.body", &req.body, FEATURE_REQUEST_BODY_MAX);
    c.finish()?;
    Ok(NewFeatureRequest { kind: req.kind, title: req.title.trim().to_owned(), body: req.body })
}

/// The tenant's feature requests.
#[utoipa::path(get, operation_id = "feature_requests_list", path = "/feature-requests", tag = "feature-requests", security(("bearer" = [])), params(FeatureRequestListParams),
    responses((status = 200, description = "Feature requests", body = cairn_sdk::types::Page<FeatureRequest>),
        (status = 400, description = "Invalid filter or paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(f): Query<FeatureRequestListParams>,
    uri: Uri,
) -> Result<PageResponse<FeatureRequest>, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let params = ListParams { limit: f.limit, offset: f.offset, cursor: f.cursor, sort: f.sort };
    let q = params.to_query(&["created_at", "updated_at", "status", "kind"])?;
    let filter = FeatureRequestFilter { status: f.status, kind: f.kind };
    let (rows, total) = state.store.feature_request_list(ctx.tenant, filter, &q).await?;
    Ok(page(rows, total, &q, |r| (ts(r.created_at), r.id.to_string()), &uri))
}

/// Asks for a feature, a package or a bug fix (`open`).
#[utoipa::path(post, operation_id = "feature_requests_create", path = "/feature-requests", tag = "feature-requests", security(("bearer" = [])), request_body = CreateFeatureRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Recorded; `ETag` is its version", body = FeatureRequest),
        (status = 400, description = "Invalid fields (each named in `errors`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateFeatureRequest>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let new = checked(req)?;
    let made = state.store.feature_request_create(ctx.tenant, principal.user.id, &new).await?;
    let location = format!("/api/v1/feature-requests/{}", made.id);
    Ok(with_location(with_etag(StatusCode::CREATED, made.version, &made), &location))
}

/// One feature request (`ETag` = its version).
#[utoipa::path(get, operation_id = "feature_requests_get", path = "/feature-requests/{id}", tag = "feature-requests", security(("bearer" = [])),
    params(("id" = FeatureRequestId, Path, description = "Feature request id")),
    responses((status = 200, description = "The request", body = FeatureRequest),
        (status = 400, description = "Not an id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<FeatureRequestId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let r = state.store.feature_request_get(ctx.tenant, id).await?;
    Ok(with_etag(StatusCode::OK, r.version, &r))
}

/// Sets a request's status (tenant admins; `If-Match`).
#[utoipa::path(post, operation_id = "feature_requests_status", path = "/feature-requests/{id}/status", tag = "feature-requests", security(("bearer" = [])), request_body = FeatureRequestStatusChange,
    params(("id" = FeatureRequestId, Path, description = "Feature request id"), ("If-Match" = String, Header, description = "ETag (version) of the request read, or *")),
    responses((status = 200, description = "Changed; `ETag` is the new version", body = FeatureRequest),
        (status = 400, description = "Invalid status, note or If-Match", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn set_status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<FeatureRequestId>,
    headers: HeaderMap,
    Json(req): Json<FeatureRequestStatusChange>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let wanted = if_match(&headers)?;
    let mut c = Check::new();
    if let Some(n) = &req.note {
        free_text(&mut c, "body.note", n, FEATURE_REQUEST_BODY_MAX);
    }
    c.finish()?;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let expected = match wanted {
        Some(v) => v,
        None => state.store.feature_request_get(ctx.tenant, id).await?.version,
    };
    let changed = state
        .store
        .feature_request_set_status(ctx.tenant, id, expected, principal.user.id, req.status, note)
        .await?;
    Ok(with_etag(StatusCode::OK, changed.version, &changed))
}
