//! A scan's results: components, findings, licenses, crypto assets, diagnostics, warnings and events (cursor
//! paged), and its documents (`/scans/{id}/bom`, `/projects/{id}/sbom`), served from the bytes
//! stored at completion so every download is identical (ETag = SHA-256) until triage changes what
//! they state.

use std::io::Read;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_sdk::types::{
    BomFormat, CryptoAsset, Page, ProjectId, Role, Scan, ScanComponent, ScanDiagnostic, ScanEdge, ScanEvent,
    ScanFinding, ScanId, ScanLicense, ScanStatus, ScanWarning, Scope, Severity,
};
use serde::Deserialize;

use super::extract::{Path, Query};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageResponse, next_link};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::jobs::documents::{self, DocError};
use crate::state::AppState;
use crate::store::{FindingFilter, StoreError};

/// Cursor paging of a scan's result lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct ResultParams {
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// Filters and cursor paging of a scan's findings.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct FindingParams {
    /// Only this severity (a word serde refuses is a 400 naming `query.severity`).
    pub severity: Option<Severity>,
    /// Only findings on this component purl.
    pub purl: Option<String>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// Which document.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BomParams {
    /// `cyclonedx` (default), `cyclonedx-1.5`, `cyclonedx-1.7`, `spdx`, `spdx-2.3`, `openvex`, `sarif`, `cbom`.
    pub format: Option<BomFormat>,
}

pub(super) fn paging(limit: Option<i64>, cursor: Option<&str>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("query.limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let after = match cursor {
        None => -1,
        Some(c) => URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("ord:").and_then(|n| n.parse::<i64>().ok()))
            .ok_or_else(|| ApiError::field("query.cursor", "not a valid cursor"))?,
    };
    Ok((limit, after))
}

/// The envelope from rows fetched with `limit + 1`, each with its position.
pub(super) fn cursor_page<T: serde::Serialize>(
    mut rows: Vec<(i64, T)>,
    total: i64,
    limit: i64,
    uri: &Uri,
) -> PageResponse<T> {
    let has_more = rows.len() > usize::try_from(limit).unwrap_or(0);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if has_more {
        rows.last().map(|(ord, _)| URL_SAFE_NO_PAD.encode(format!("ord:{ord}")))
    } else {
        None
    };
    let link = next_link(uri, next_cursor.as_deref());
    PageResponse {
        page: Page {
            items: rows.into_iter().map(|(_, t)| t).collect(),
            total,
            limit,
            offset: 0,
            next_cursor,
        },
        link,
    }
}

async fn readable_scan(
    state: &AppState,
    principal: &Principal,
    id: ScanId,
    scope: Scope,
) -> Result<(cairn_sdk::types::TenantId, Scan), ApiError> {
    let ctx = principal.tenant_access(scope, Role::Viewer)?;
    Ok((ctx.tenant, state.store.scan_get(ctx.tenant, id).await?))
}

/// The scan's components, in inventory order.
#[utoipa::path(get, operation_id = "scan_components", path = "/scans/{id}/components", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Components", body = Page<ScanComponent>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn components(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanComponent>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_components(tenant, id, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// The scan's vulnerability findings.
#[utoipa::path(get, operation_id = "scan_findings", path = "/scans/{id}/findings", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), FindingParams),
    responses((status = 200, description = "Findings", body = Page<ScanFinding>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn findings(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<FindingParams>,
    uri: Uri,
) -> Result<PageResponse<ScanFinding>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    if p.purl.as_ref().is_some_and(|u| u.len() > 2048) {
        return Err(ApiError::field("query.purl", "must be at most 2048 bytes"));
    }
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let filter = FindingFilter { severity: p.severity, purl: p.purl };
    let (rows, total) = state.store.scan_findings(tenant, id, &filter, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// The scan's dependency edges (component purl to the purl it depends on), ordered by purl.
#[utoipa::path(get, operation_id = "scan_dependencies", path = "/scans/{id}/dependencies", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Edges", body = Page<ScanEdge>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn dependencies(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanEdge>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_edges(tenant, id, after + 1, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// License facts of the scan's components that have any.
#[utoipa::path(get, operation_id = "scan_licenses", path = "/scans/{id}/licenses", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Licenses", body = Page<ScanLicense>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn licenses(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanLicense>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_licenses(tenant, id, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// The scan's cryptographic assets.
#[utoipa::path(get, operation_id = "scan_crypto_assets", path = "/scans/{id}/crypto-assets", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Crypto assets", body = Page<CryptoAsset>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn crypto_assets(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<CryptoAsset>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_crypto_assets(tenant, id, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// What the scan could not read fully (a malformed lockfile, a file over the size cap), in the
/// order it reported them: the list behind `counts.diagnostics`.
#[utoipa::path(get, operation_id = "scan_diagnostics", path = "/scans/{id}/diagnostics", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Diagnostics", body = Page<ScanDiagnostic>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn diagnostics(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanDiagnostic>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_diagnostics(tenant, id, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// Informational advisories (RustSec unmaintained, unsound, notice) that apply to the scan's
/// components, in scan order: the list behind `counts.warnings`. Warnings are not findings.
#[utoipa::path(get, operation_id = "scan_warnings", path = "/scans/{id}/warnings", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Warnings", body = Page<ScanWarning>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn warnings(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanWarning>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let (rows, total) = state.store.scan_warnings(tenant, id, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// The scan's progress events, in order.
#[utoipa::path(get, operation_id = "scan_events", path = "/scans/{id}/events", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), ResultParams),
    responses((status = 200, description = "Events", body = Page<ScanEvent>),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn events(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<ResultParams>,
    uri: Uri,
) -> Result<PageResponse<ScanEvent>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let (tenant, _) = readable_scan(&state, &principal, id, Scope::ScanRead).await?;
    let rows = state.store.scan_events(tenant, id, after.max(0), limit + 1).await?;
    let total = state.store.scan_event_count(tenant, id).await?;
    Ok(cursor_page(rows.into_iter().map(|e| (e.seq, e)).collect(), total, limit, &uri))
}

pub(super) async fn serve_document(
    state: &AppState,
    tenant: cairn_sdk::types::TenantId,
    scan: &Scan,
    format: BomFormat,
) -> Result<Response, ApiError> {
    if scan.status != ScanStatus::Completed {
        return Err(ApiError::new(
            Kind::ScanNotCompleted,
            format!("scan {} is {}; documents exist once it completes", scan.id, scan.status.as_str()),
        ));
    }
    let doc = match documents::current(state, tenant, scan, format).await {
        Ok(Some(d)) => d,
        Ok(None) if format == BomFormat::OpenVex => {
            return Err(ApiError::new(
                Kind::NotFound,
                "no OpenVEX document: the scan has no findings to state",
            ));
        }
        Ok(None) => return Err(StoreError::NotFound.into()),
        Err(DocError::Store(e)) => return Err(e.into()),
        Err(DocError::Render(e)) => return Err(ApiError::internal(e)),
    };
    let mut bytes = Vec::with_capacity(usize::try_from(doc.bytes).unwrap_or(0));
    flate2::read::GzDecoder::new(doc.compressed.as_slice())
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::internal(format!("stored document does not decompress: {e}")))?;
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&doc.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", doc.sha256)) {
        h.insert(header::ETAG, v);
    }
    let ext = if format == BomFormat::Sarif { "sarif" } else { "json" };
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"scan-{}.{}.{ext}\"", scan.id, format.as_str()))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// A document of a completed scan; 409 `SCAN_NOT_COMPLETED` before.
#[utoipa::path(get, operation_id = "scan_bom", path = "/scans/{id}/bom", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id"), BomParams),
    responses((status = 200, description = "The document, as stored at completion (ETag = its SHA-256), in its format's media type (`BomFormat::media_type`)",
            content(("application/vnd.cyclonedx+json"), ("application/spdx+json"), ("application/json"), ("application/sarif+json"))),
        (status = 409, description = "The scan has not completed", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn bom(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
    Query(p): Query<BomParams>,
) -> Result<Response, ApiError> {
    let (tenant, scan) = readable_scan(&state, &principal, id, Scope::BomRead).await?;
    serve_document(&state, tenant, &scan, p.format.unwrap_or(BomFormat::CycloneDx)).await
}

/// A document of the project's latest completed scan.
#[utoipa::path(get, operation_id = "project_sbom", path = "/projects/{id}/sbom", tag = "scans", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), BomParams),
    responses((status = 200, description = "The document, in its format's media type (`BomFormat::media_type`)",
            content(("application/vnd.cyclonedx+json"), ("application/spdx+json"), ("application/json"), ("application/sarif+json"))),
        (status = 404, description = "No such project, or no completed scan of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_sbom(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(p): Query<BomParams>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::BomRead, Role::Viewer)?;
    state.store.project_get(ctx.tenant, id).await?;
    let scan = match state.store.scan_latest_completed(ctx.tenant, id).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => {
            return Err(ApiError::new(Kind::NotFound, "the project has no completed scan yet"));
        }
        Err(e) => return Err(e.into()),
    };
    serve_document(&state, ctx.tenant, &scan, p.format.unwrap_or(BomFormat::CycloneDx)).await
}
