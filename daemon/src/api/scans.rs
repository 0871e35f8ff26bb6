//! `/scans`: submit (202, queued), list, read and cancel scans; `/projects/{id}/scans`; the
//! operator's `/admin/scans`. Handlers parse, authorize and hand over to the queue and the store.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use cairn_sdk::types::{
    CreateScan, ProjectId, Role, Scan, ScanId, ScanSource, ScanStatus, Scope, SubmitSource,
};
use serde::Deserialize;

use super::admin::Operator;
use super::conventions::{with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::{Principal, TenantContext};
use crate::error::{ApiError, Kind};
use crate::jobs::bus::BusEvent;
use crate::jobs::queue::{JobPayload, JobSource, enqueue, tenant_source_policy};
use crate::sources::{self, SourceSpec};
use crate::state::AppState;
use crate::store::{CancelOutcome, NewScan, ScanFilter, StoreError, ts};

/// Filters of the scan lists, besides paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct ScanListFilter {
    /// Only scans in this status (a word the SDK would decode as `unknown` is refused, not
    /// matched against nothing).
    #[serde(default, deserialize_with = "cairn_sdk::types::refuse_unknown")]
    pub status: Option<ScanStatus>,
    /// Only scans of this project.
    pub project: Option<ProjectId>,
    /// Only this source kind (a word serde refuses is a 400 naming `query.source`).
    pub source: Option<cairn_sdk::types::SourceKind>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// `created_at`, `status`, `finished_at`; `-` for descending.
    pub sort: Option<String>,
}

impl ScanListFilter {
    fn split(self) -> Result<(ScanFilter, crate::store::ListQuery), ApiError> {
        let params =
            ListParams { limit: self.limit, offset: self.offset, cursor: self.cursor, sort: self.sort };
        let q = params.to_query(&["created_at", "status", "finished_at"])?;
        Ok((ScanFilter { status: self.status, project: self.project, source_kind: self.source }, q))
    }
}

fn page_of(rows: Vec<Scan>, total: i64, q: &crate::store::ListQuery, uri: &Uri) -> PageResponse<Scan> {
    page(rows, total, q, |s: &Scan| (ts(s.created_at), s.id.to_string()), uri)
}

/// A git URL a scan may name: file:// as well as the network schemes; the sources module decides
/// what it may reach.
pub(super) fn check_git_url(c: &mut Check, field: &str, url: &str) {
    // The sources' own parser: what it would refuse when the job runs is this request's 400.
    if url.len() > 2048 {
        c.fail(field, "at most 2048 characters");
    } else if crate::sources::url::has_credentials(url) {
        // Refused before anything keeps the URL: rows, jobs, audit, logs.
        c.fail(field, crate::sources::url::CREDENTIALS_REFUSED);
    } else if let Err(e) = crate::sources::url::parse(url) {
        c.fail(field, e.to_string());
    }
}

/// Checks what a scan request names and turns it into the job's source.
async fn job_source(state: &AppState, ctx: TenantContext, req: &CreateScan) -> Result<JobSource, ApiError> {
    let mut c = Check::new();
    let source = match &req.source {
        SubmitSource::Git { url, reference } => {
            check_git_url(&mut c, "body.source.url", url);
            if let Some(r) = reference {
                c.text("body.source.ref", r, 255);
            }
            JobSource::Git { url: url.clone(), reference: reference.clone() }
        }
        SubmitSource::Path { path } => {
            let p = std::path::PathBuf::from(path);
            if path.is_empty() || path.len() > 4096 || !p.is_absolute() {
                c.fail("body.source.path", "must be an absolute path of at most 4096 bytes");
            }
            JobSource::Path { path: p }
        }
        SubmitSource::Image { reference, platform } => {
            if let Err(e) = crate::sources::image::parse_reference(reference) {
                c.fail("body.source.reference", e.to_string());
            }
            if let Some(p) = platform
                && let Err(e) = p.parse::<cairn_engine::image::Platform>()
            {
                c.fail("body.source.platform", e.to_string());
            }
            JobSource::Image { reference: reference.clone(), platform: platform.clone() }
        }
    };
    c.finish()?;
    if let Some(p) = req.project
        && let Err(StoreError::NotFound) = state.store.project_get(ctx.tenant, p).await
    {
        return Err(ApiError::field("body.project", "no such project in this tenant"));
    }
    if let Some(v) = req.version {
        match state.store.version_get(ctx.tenant, v).await {
            Err(StoreError::NotFound) => {
                return Err(ApiError::field("body.version", "no such version in this tenant"));
            }
            Ok(version) if req.project.is_some_and(|p| p != version.project_id) => {
                return Err(ApiError::field("body.version", "belongs to another project"));
            }
            _ => {}
        }
    }
    // A path is checked now (roots, existence), so a refusal is this request's 400, not a failed scan.
    if let JobSource::Path { path } = &source {
        let spec = SourceSpec::Path { path: path.clone() };
        if let Err(e) = sources::obtain(&spec, &tenant_source_policy(state, ctx.tenant)).await {
            return Err(ApiError::field("body.source.path", e.to_string()));
        }
    }
    Ok(source)
}

async fn submit(
    state: &AppState,
    ctx: TenantContext,
    new: NewScan,
    source: JobSource,
) -> Result<Response, ApiError> {
    let payload = JobPayload { source, crypto: new.crypto };
    let scan = enqueue(state, ctx.tenant, &new, &payload, None).await?;
    let resp = with_etag(StatusCode::ACCEPTED, scan.version, &scan);
    Ok(with_location(resp, &format!("/api/v1/scans/{}", scan.id)))
}

/// Queues a scan of a git repository, a directory under a configured root or a container image
/// pulled from a registry. An image scan without a `version` lands in the image catalogue: the
/// project named by the image's repository (`registry/repository`, created as an `image` project
/// when the caller may create projects) and, in an `image` project, the version named by its tag
/// (else its digest), created when new.
#[utoipa::path(post, operation_id = "scans_create", path = "/scans", tag = "scans", security(("bearer" = [])), request_body = CreateScan,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 202, description = "Queued; follow it on /ws/scans/{id} or poll Location", body = Scan),
        (status = 429, description = "A tenant quota reached (QUOTA_EXCEEDED naming `quotas.queued_scans`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 400, description = "Invalid source, project or version", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateScan>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanWrite, Role::Member)?;
    let source = job_source(&state, ctx, &req).await?;
    // An image lands in the catalogue: its repository's project, its tag's version.
    let (project, version) = match &req.source {
        SubmitSource::Image { reference, .. } => {
            super::images::place_image_scan(
                &state,
                &principal,
                ctx.tenant,
                reference,
                req.project,
                req.version,
            )
            .await?
        }
        _ => (req.project, req.version),
    };
    let new = NewScan {
        project,
        version,
        source: req.source.clone().into(),
        requested_by: Some(principal.user.id),
        crypto: req.crypto,
    };
    submit(&state, ctx, new, source).await
}

/// Lists the tenant's scans.
#[utoipa::path(get, operation_id = "scans_list", path = "/scans", tag = "scans", security(("bearer" = [])), params(ScanListFilter),
    responses((status = 200, description = "Scans", body = cairn_sdk::types::Page<Scan>)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(f): Query<ScanListFilter>,
    uri: Uri,
) -> Result<PageResponse<Scan>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let (filter, q) = f.split()?;
    let (rows, total) = state.store.scan_list(Some(ctx.tenant), &filter, &q).await?;
    Ok(page_of(rows, total, &q, &uri))
}

/// Reads a scan.
#[utoipa::path(get, operation_id = "scans_get", path = "/scans/{id}", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id")),
    responses((status = 200, description = "The scan", body = Scan),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let scan = state.store.scan_get(ctx.tenant, id).await?;
    Ok(with_etag(StatusCode::OK, scan.version, &scan))
}

async fn do_cancel(
    state: &AppState,
    tenant: Option<cairn_sdk::types::TenantId>,
    id: ScanId,
) -> Result<Response, ApiError> {
    let scan = match state.store.scan_cancel(tenant, id).await? {
        CancelOutcome::Cancelled(scan, event) => {
            let owner = match tenant {
                Some(t) => t,
                None => state.store.scan_get_any(id).await?.0,
            };
            state.jobs.bus.publish(&state.store, BusEvent { tenant: owner, event: *event }).await;
            scan
        }
        CancelOutcome::Requested(scan) => {
            // Here at once; another replica's worker sees the flag at its next heartbeat.
            state.jobs.cancels.signal(id);
            scan
        }
        CancelOutcome::AlreadyEnded(scan) => scan,
    };
    Ok(with_etag(StatusCode::OK, scan.version, &scan))
}

/// Cancels a scan: a queued one at once, a running one at its next step (the engine checks
/// between files). The requester may cancel their own scan; others need the admin role. A scan
/// that already ended is returned unchanged.
#[utoipa::path(post, operation_id = "scans_cancel", path = "/scans/{id}/cancel", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id")),
    responses((status = 200, description = "The scan, cancelled or being cancelled", body = Scan),
        (status = 403, description = "Neither the requester nor a tenant admin", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanWrite, Role::Member)?;
    let scan = state.store.scan_get(ctx.tenant, id).await?;
    if scan.requested_by != Some(principal.user.id) && ctx.role < Role::Admin {
        return Err(ApiError::new(
            Kind::Forbidden,
            "only the requester or a tenant admin may cancel this scan",
        ));
    }
    do_cancel(&state, Some(ctx.tenant), id).await
}

/// Lists a project's scans.
#[utoipa::path(get, operation_id = "project_scans_list", path = "/projects/{id}/scans", tag = "scans", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ScanListFilter),
    responses((status = 200, description = "Scans", body = cairn_sdk::types::Page<Scan>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_list(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(f): Query<ScanListFilter>,
    uri: Uri,
) -> Result<PageResponse<Scan>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    state.store.project_get(ctx.tenant, id).await?;
    let (mut filter, q) = f.split()?;
    filter.project = Some(id);
    let (rows, total) = state.store.scan_list(Some(ctx.tenant), &filter, &q).await?;
    Ok(page_of(rows, total, &q, &uri))
}

/// Queues a scan of the project's repository (`repo_url` at `default_ref`).
#[utoipa::path(post, operation_id = "project_scans_create", path = "/projects/{id}/scans", tag = "scans", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 202, description = "Queued", body = Scan),
        (status = 429, description = "A tenant quota reached (QUOTA_EXCEEDED naming `quotas.queued_scans`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The project has no repo_url", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_create(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanWrite, Role::Member)?;
    let project = state.store.project_get(ctx.tenant, id).await?;
    let Some(url) = project.repo_url.clone() else {
        return Err(ApiError::new(
            Kind::Conflict,
            "the project has no repo_url to scan; set one or POST /scans",
        ));
    };
    let source = ScanSource::Git { url: url.clone(), reference: project.default_ref.clone() };
    let new = NewScan {
        project: Some(id),
        version: None,
        source,
        requested_by: Some(principal.user.id),
        crypto: true,
    };
    submit(&state, ctx, new, JobSource::Git { url, reference: project.default_ref }).await
}

/// Every tenant's scans (operators).
#[utoipa::path(get, operation_id = "admin_scans", path = "/admin/scans", tag = "admin", security(("bearer" = [])), params(ScanListFilter),
    responses((status = 200, description = "Scans", body = cairn_sdk::types::Page<Scan>)))]
pub async fn admin_list(
    State(state): State<AppState>,
    _op: Operator,
    Query(f): Query<ScanListFilter>,
    uri: Uri,
) -> Result<PageResponse<Scan>, ApiError> {
    let (filter, q) = f.split()?;
    let (rows, total) = state.store.scan_list(None, &filter, &q).await?;
    Ok(page_of(rows, total, &q, &uri))
}

/// Cancels any tenant's scan (operators).
#[utoipa::path(post, operation_id = "admin_scans_cancel", path = "/admin/scans/{id}/cancel", tag = "admin", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id")),
    responses((status = 200, description = "The scan, cancelled or being cancelled", body = Scan),
        (status = 404, description = "No such scan", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn admin_cancel(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<ScanId>,
) -> Result<Response, ApiError> {
    do_cancel(&state, None, id).await
}
