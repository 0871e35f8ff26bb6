//! The partner CBOM compatibility surface (`/api/v1/cbom/…`, paths and shapes as in
//! ../shared/API.md): thin adapters over Cairn's own scans — the same queue, rows and stored
//! documents, another shape.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_engine::crypto::quantum::METHODOLOGY;
use cairn_sdk::types::{
    BomFormat, CBOM_DEFAULT_PROJECT_VERSION, CbomBomFormat, CbomDetailTruncated, CbomHealth, CbomScan,
    CbomScanCreated, CbomScanDetail, CbomScanList, CbomScanRequest, CbomStatus, CreateProject, CreateVersion,
    Project, ProjectKind, Role, Scan, ScanId, ScanSource, ScanStatus, Scope, TenantId, TenantKind, VersionId,
};
use serde::Deserialize;

use super::audit::{actor, record};
use super::conventions::with_location;
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, MAX_LIMIT};
use super::scan_results::serve_document;
use super::scans::check_git_url;
use super::validate::Check;
use crate::auth::{Principal, TenantContext};
use crate::error::ApiError;
use crate::jobs::queue::{JobPayload, JobSource, enqueue};
use crate::state::AppState;
use crate::store::{AuditEvent, FindingFilter, NewScan, StoreError};

/// Which document `bom.json` serves.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BomJsonParams {
    /// `cyclonedx` (default: the CycloneDX 1.6 CBOM) or `spdx` (SPDX 3.0.1).
    pub format: Option<CbomBomFormat>,
}

/// `GET /cbom/scans?limit=`: the partner's paging (newest first).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CbomListParams {
    /// How many scans, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Scans to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The compatibility view of a scan.
pub(super) fn view(scan: &Scan, tenant: TenantId, kind: TenantKind) -> CbomScan {
    CbomScan {
        id: scan.id,
        status: CbomStatus::from_scan(scan.status),
        tenant_id: tenant,
        tenant_kind: kind,
        methodology_version: METHODOLOGY.to_owned(),
        repo_url: match &scan.source {
            ScanSource::Git { url, .. } => Some(url.clone()),
            _ => None,
        },
        project_id: scan.project_id,
        version_id: scan.version_id,
        score: scan.pqc.as_ref().and_then(|p| p.score),
        // `failed` covers a cancelled scan too; say which.
        error: scan
            .error
            .clone()
            .or_else(|| (scan.status == ScanStatus::Cancelled).then(|| "cancelled".to_owned())),
        created_at: scan.created_at,
        finished_at: scan.finished_at,
    }
}

/// Health of the surface (public).
#[utoipa::path(get, operation_id = "cbom_health", path = "/cbom/health", tag = "cbom",
    responses((status = 200, description = "Up; `degraded` when the database does not answer", body = CbomHealth)))]
pub async fn health(State(state): State<AppState>) -> axum::Json<CbomHealth> {
    let ok = state.store.ping().await.is_ok();
    axum::Json(CbomHealth {
        status: if ok { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        methodology_version: METHODOLOGY.into(),
        cyclonedx: "1.6".into(),
        spdx: "3.0.1".into(),
    })
}

/// Whether a URL is one a project's `repo_url` may hold (network schemes, not file://).
fn project_repo_url(url: &str) -> Option<String> {
    let mut c = Check::new();
    c.repo_url("repo_url", url);
    c.finish().ok().map(|()| url.to_owned())
}

/// Audits an object created on the side of a scan request (the middleware records the scan).
async fn created(
    state: &AppState,
    principal: &Principal,
    action: &str,
    object: &str,
    id: String,
    name: &str,
) {
    let event = AuditEvent {
        action: action.into(),
        object_type: object.into(),
        object_id: Some(id),
        detail: serde_json::json!({"name": name, "via": "POST /api/v1/cbom/scans"}),
        ..actor(principal)
    };
    record(state, event).await;
}

/// The caller's project of that name, created (needs `project:write`) when there is none.
async fn project_named(
    state: &AppState,
    principal: &Principal,
    ctx: TenantContext,
    name: &str,
    repo_url: &str,
) -> Result<Project, ApiError> {
    match state.store.project_by_name(ctx.tenant, name).await {
        Ok(p) => return Ok(p),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let new = CreateProject {
        name: name.to_owned(),
        kind: ProjectKind::Repo,
        repo_url: project_repo_url(repo_url),
        default_ref: None,
        team_id: None,
        tags: Vec::new(),
    };
    match state.store.project_create(ctx.tenant, &new).await {
        Ok(p) => {
            created(state, principal, "project.create", "project", p.id.to_string(), name).await;
            Ok(p)
        }
        // Created meanwhile by a concurrent request: use that one.
        Err(StoreError::Conflict(_)) => Ok(state.store.project_by_name(ctx.tenant, name).await?),
        Err(e) => Err(e.into()),
    }
}

/// The project's version of that name, created (needs `project:write`) when there is none.
async fn version_named(
    state: &AppState,
    principal: &Principal,
    ctx: TenantContext,
    project: &Project,
    name: &str,
) -> Result<VersionId, ApiError> {
    match state.store.version_by_name(ctx.tenant, project.id, name).await {
        Ok(v) => return Ok(v.id),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    principal.tenant_access(Scope::ProjectWrite, Role::Member)?;
    let new = CreateVersion { name: name.to_owned(), support_until: None };
    match state.store.version_create(ctx.tenant, project.id, &new).await {
        Ok(v) => {
            created(state, principal, "version.create", "version", v.id.to_string(), name).await;
            Ok(v.id)
        }
        Err(StoreError::Conflict(_)) => {
            Ok(state.store.version_by_name(ctx.tenant, project.id, name).await?.id)
        }
        Err(e) => Err(e.into()),
    }
}

/// The repository's name, for a project named after it: the URL's last path segment without
/// `.git` (`https://host/o/app.git` and `git@host:o/app` both give `app`).
fn repository_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    let last = path.rsplit(['/', ':']).next()?;
    let name = last.strip_suffix(".git").unwrap_or(last);
    (!name.is_empty()).then(|| name.to_owned())
}

/// Queues a git scan (crypto on). A named project and version are found in the caller's tenant,
/// or created, which also needs `project:write`. With a project, `project_version` defaults to
/// `1.0.0`; a `project_version` without `project_name` names the project after the repository.
#[utoipa::path(post, operation_id = "cbom_scans_create", path = "/cbom/scans", tag = "cbom", security(("bearer" = [])), request_body = CbomScanRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Queued; poll /cbom/scans/{id}", body = CbomScanCreated),
        (status = 429, description = "A tenant quota reached (QUOTA_EXCEEDED naming `quotas.queued_scans`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 400, description = "Invalid repo_url, project_name or project_version", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CbomScanRequest>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanWrite, Role::Member)?;
    let mut c = Check::new();
    check_git_url(&mut c, "body.repo_url", &req.repo_url);
    if let Some(name) = &req.project_name {
        c.text("body.project_name", name, 200);
    }
    if let Some(v) = &req.project_version {
        c.text("body.project_version", v, 100);
    }
    let project_name = match (&req.project_name, &req.project_version) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(_)) => {
            let named = repository_name(&req.repo_url);
            if named.is_none() {
                c.fail("body.project_name", "needed with project_version: repo_url names no repository");
            }
            named
        }
        (None, None) => None,
    };
    c.finish()?;
    let (project, version) = match &project_name {
        Some(name) => {
            let project = project_named(&state, &principal, ctx, name, &req.repo_url).await?;
            let v = req.project_version.as_deref().unwrap_or(CBOM_DEFAULT_PROJECT_VERSION);
            let version = version_named(&state, &principal, ctx, &project, v).await?;
            (Some(project.id), Some(version))
        }
        None => (None, None),
    };
    let new = NewScan {
        project,
        version,
        source: ScanSource::Git { url: req.repo_url.clone(), reference: None },
        requested_by: Some(principal.user.id),
        crypto: true,
    };
    let payload = JobPayload { source: JobSource::Git { url: req.repo_url, reference: None }, crypto: true };
    let scan = enqueue(&state, ctx.tenant, &new, &payload, None).await?;
    let kind = state.store.tenant_kind(ctx.tenant).await?;
    let body = CbomScanCreated {
        id: scan.id,
        status: CbomStatus::from_scan(scan.status),
        tenant_id: ctx.tenant,
        tenant_kind: kind,
        methodology_version: METHODOLOGY.to_owned(),
    };
    let resp = (StatusCode::CREATED, axum::Json(body)).into_response();
    Ok(with_location(resp, &format!("/api/v1/cbom/scans/{}", scan.id)))
}

/// Lists the tenant's scans, newest first (every source kind; `repo_url` is set for git scans):
/// `{scans, count}`, `count` being the number of scans in this answer.
#[utoipa::path(get, operation_id = "cbom_scans_list", path = "/cbom/scans", tag = "cbom", security(("bearer" = [])), params(CbomListParams),
    responses((status = 200, description = "Scans", body = CbomScanList),
        (status = 400, description = "Invalid limit or offset", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<CbomListParams>,
) -> Result<axum::Json<CbomScanList>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let params =
        ListParams { limit: p.limit, offset: p.offset, cursor: None, sort: Some("-created_at".to_owned()) };
    let q = params.to_query(&["created_at"])?;
    let (rows, _total) = state.store.scan_list(Some(ctx.tenant), &Default::default(), &q).await?;
    let kind = state.store.tenant_kind(ctx.tenant).await?;
    // The store fetches one row past the limit (its paging's "is there more"); not shown here.
    let shown = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let scans: Vec<CbomScan> = rows.iter().take(shown).map(|s| view(s, ctx.tenant, kind)).collect();
    Ok(axum::Json(CbomScanList { count: scans.len(), scans }))
}

/// The first `cap` rows of a cursor-paged scan result list, a page at a time, and how many there are.
async fn first_rows<T, F, Fut>(cap: i64, mut fetch: F) -> Result<(Vec<T>, i64), ApiError>
where
    F: FnMut(i64, i64) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<(i64, T)>, i64), StoreError>>,
{
    let mut out = Vec::new();
    let mut after = -1;
    let mut total = 0;
    loop {
        let left = cap - i64::try_from(out.len()).unwrap_or(i64::MAX);
        let page = left.min(MAX_LIMIT);
        if page <= 0 {
            return Ok((out, total));
        }
        let (mut rows, all) = fetch(after, page).await?;
        total = all;
        // The store may return one row past the page (its "is there more"); it is not ours yet.
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= page;
        rows.truncate(usize::try_from(page).unwrap_or(usize::MAX));
        if let Some((ord, _)) = rows.last() {
            after = *ord;
        }
        out.extend(rows.into_iter().map(|(_, t)| t));
        if !full {
            return Ok((out, total));
        }
    }
}

/// A scan with its components, vulnerability findings, cryptographic assets and readiness `score`.
#[utoipa::path(get, operation_id = "cbom_scans_get", path = "/cbom/scans/{id}", tag = "cbom", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id")),
    responses((status = 200, description = "The scan and its results so far, each list capped at `[scans] detail_max_items` (`truncated` then names the totals and where the rest is)", body = CbomScanDetail),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
) -> Result<axum::Json<CbomScanDetail>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let scan = state.store.scan_get(ctx.tenant, id).await?;
    Ok(axum::Json(detail(&state, ctx.tenant, &scan).await?))
}

/// A scan with its components, findings and cryptographic assets stored so far, each list capped
/// at `[scans] detail_max_items` (one answer never holds an unbounded scan); `truncated` names the
/// totals and the paged lists and document that hold the rest.
pub(super) async fn detail(state: &AppState, t: TenantId, scan: &Scan) -> Result<CbomScanDetail, ApiError> {
    let id = scan.id;
    let kind = state.store.tenant_kind(t).await?;
    let store = &state.store;
    let limit = state.config.scans.detail_max_items.max(1);
    let cap = i64::from(limit);
    let (components, components_total) =
        first_rows(cap, |after, n| store.scan_components(t, id, after, n)).await?;
    let filter = FindingFilter::default();
    let (findings, findings_total) =
        first_rows(cap, |after, n| store.scan_findings(t, id, &filter, after, n)).await?;
    let (crypto_assets, crypto_assets_total) =
        first_rows(cap, |after, n| store.scan_crypto_assets(t, id, after, n)).await?;
    let truncated =
        [components_total, findings_total, crypto_assets_total].iter().any(|n| *n > cap).then(|| {
            CbomDetailTruncated {
                limit,
                components_total,
                findings_total,
                crypto_assets_total,
                components: format!("/api/v1/scans/{id}/components"),
                findings: format!("/api/v1/scans/{id}/findings"),
                crypto_assets: format!("/api/v1/scans/{id}/crypto-assets"),
                document: format!("/api/v1/cbom/scans/{id}/bom.json"),
            }
        });
    Ok(CbomScanDetail {
        scan: view(scan, t, kind),
        pqc: scan.pqc.clone(),
        components,
        findings,
        crypto_assets,
        truncated,
    })
}

/// The scan's document: `cyclonedx` is the stored CBOM (CycloneDX 1.6 with the cryptographic
/// assets and the libraries that provide them), `spdx` the stored SPDX 3.0.1; 409 until the scan
/// completes.
#[utoipa::path(get, operation_id = "cbom_scans_bom", path = "/cbom/scans/{id}/bom.json", tag = "cbom", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), BomJsonParams),
    responses((status = 200, description = "The document, as stored at completion (ETag = its SHA-256): CycloneDX or SPDX",
            content(("application/vnd.cyclonedx+json"), ("application/spdx+json"))),
        (status = 409, description = "The scan has not completed", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn bom_json(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<BomJsonParams>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::BomRead, Role::Viewer)?;
    let scan = state.store.scan_get(ctx.tenant, id).await?;
    let format = match p.format.unwrap_or(CbomBomFormat::Cyclonedx) {
        CbomBomFormat::Cyclonedx => BomFormat::Cbom,
        CbomBomFormat::Spdx => BomFormat::Spdx,
    };
    serve_document(&state, ctx.tenant, &scan, format).await
}

#[cfg(test)]
mod tests {
    use super::repository_name;

    #[test]
    fn a_project_is_named_after_the_repository() {
        for (url, name) in [
            ("https://github.com/acme/app.git", Some("app")),
            ("https://github.com/acme/app/", Some("app")),
            ("git@github.com:acme/app.git", Some("app")),
            ("ssh://git@host:2222/acme/app", Some("app")),
            ("file:///srv/repos/app", Some("app")),
            ("https://host/", Some("host")),
            ("", None),
        ] {
            assert_eq!(repository_name(url).as_deref(), name, "{url}");
        }
    }
}
