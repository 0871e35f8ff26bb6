//! `/cve-watches`: advisories (an OSV id or any alias) and packages (a purl, optionally a version
//! range) watched across the tenant's projects. Creating one answers with its hits now (each
//! project's latest results); later hits become `cve_watch.hit` events (`watches::consumer`).
//! Members make and delete watches; everyone in the tenant reads them.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{
    CreateCveWatch, CveWatch, CveWatchCreated, CveWatchHit, CveWatchId, Role, Scope, WatchTarget,
};

use super::conventions::{no_content, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, MAX_LIMIT, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{ListQuery, Paging, ts};
use crate::watches::Matcher;

/// Longest advisory id or alias accepted.
const MAX_ADVISORY: usize = 200;
/// Longest purl accepted.
const MAX_PURL: usize = 2048;
/// Longest version range accepted.
const MAX_RANGE: usize = 1000;

/// The target checked field by field, with its matcher.
fn checked(target: &WatchTarget) -> Result<Matcher, ApiError> {
    let mut c = Check::new();
    match target {
        WatchTarget::Advisory { id } => {
            c.word("body.target.id", id, MAX_ADVISORY);
        }
        WatchTarget::Package { purl, version_range } => {
            // Characters, as the document's maxLength counts them.
            if purl.chars().count() > MAX_PURL {
                c.fail("body.target.purl", format!("must be at most {MAX_PURL} characters"));
            }
            if version_range.as_ref().is_some_and(|r| r.chars().count() > MAX_RANGE || r.trim().is_empty()) {
                c.fail(
                    "body.target.version_range",
                    format!("must be 1 to {MAX_RANGE} characters, or absent"),
                );
            }
        }
    }
    let matcher = Matcher::new(target);
    if let (Err(e), WatchTarget::Package { purl, version_range }) = (&matcher, target) {
        let field = if version_range.is_some() && purl.starts_with("pkg:") {
            "body.target.version_range"
        } else {
            "body.target.purl"
        };
        c.fail(field, e.to_string());
    }
    c.finish()?;
    matcher.map_err(ApiError::internal)
}

/// The tenant's watches, each with its count of hits.
#[utoipa::path(get, operation_id = "cve_watches_list", path = "/cve-watches", tag = "findings", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Watches", body = cairn_sdk::types::Page<CveWatch>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<CveWatch>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = params.to_query(&["created_at"])?;
    let (rows, total) = state.store.cve_watch_list(ctx.tenant, &q).await?;
    Ok(page(rows, total, &q, |w| (ts(w.created_at), w.id.to_string()), &uri))
}

/// Watches an advisory or a package. The answer lists its hits now (each project's latest
/// results; no event is sent for them); later hits are `cve_watch.hit` events, once per (watch,
/// project, advisory, component).
#[utoipa::path(post, operation_id = "cve_watches_create", path = "/cve-watches", tag = "findings", security(("bearer" = [])), request_body = CreateCveWatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Watching; its current hits", body = CveWatchCreated),
        (status = 400, description = "Invalid fields (advisory id, purl, range)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tenant watches this already", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateCveWatch>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    let matcher = checked(&req.target)?;
    let id = state
        .store
        .cve_watch_create(ctx.tenant, principal.user.id, &req.target, matcher.base(), |c| matcher.hits(c))
        .await?;
    let watch = state.store.cve_watch_get(ctx.tenant, id).await?;
    let first = ListQuery { limit: MAX_LIMIT, paging: Paging::Offset(0), sort: Vec::new() };
    let (mut hits, _) = state.store.cve_watch_hits(ctx.tenant, id, &first).await?;
    // The store reads one row past the page to say whether there is more.
    hits.truncate(usize::try_from(MAX_LIMIT).unwrap_or(1000));
    let location = format!("/api/v1/cve-watches/{id}");
    Ok(with_location(
        (StatusCode::CREATED, axum::Json(CveWatchCreated { watch, hits })).into_response(),
        &location,
    ))
}

/// One watch.
#[utoipa::path(get, operation_id = "cve_watches_get", path = "/cve-watches/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = CveWatchId, Path, description = "Watch id")),
    responses((status = 200, description = "The watch", body = CveWatch),
        (status = 404, description = "No such watch in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<CveWatchId>,
) -> Result<axum::Json<CveWatch>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(axum::Json(state.store.cve_watch_get(ctx.tenant, id).await?))
}

/// A watch's hits, oldest first: those present at its creation and each later one.
#[utoipa::path(get, operation_id = "cve_watches_hits", path = "/cve-watches/{id}/hits", tag = "findings", security(("bearer" = [])),
    params(("id" = CveWatchId, Path, description = "Watch id"), ListParams),
    responses((status = 200, description = "Hits", body = cairn_sdk::types::Page<CveWatchHit>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such watch in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn hits(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<CveWatchId>,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<CveWatchHit>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = params.to_query(&["created_at"])?;
    let (rows, total) = state.store.cve_watch_hits(ctx.tenant, id, &q).await?;
    Ok(page(rows, total, &q, |h| (ts(h.found_at), h.id.to_string()), &uri))
}

/// Stops watching; the hits go, their events stay in the stream.
#[utoipa::path(delete, operation_id = "cve_watches_delete", path = "/cve-watches/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = CveWatchId, Path, description = "Watch id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such watch in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<CveWatchId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    state.store.cve_watch_delete(ctx.tenant, id).await?;
    Ok(no_content())
}
