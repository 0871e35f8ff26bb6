//! Components beyond one scan: a project's current components (`/projects/{id}/components`, the
//! latest completed scan, filtered) and where a package is used across the tenant
//! (`/components/search`).

use axum::extract::State;
use axum::http::Uri;
use cairn_sdk::types::{ComponentUsage, Page, ProjectId, Role, ScanComponent, Scope, TenantId};
use serde::Deserialize;

use super::extract::{Path, Query};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageResponse, offset_page};
use super::scan_results::{cursor_page, paging};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{ComponentFilter, StoreError, UsageQuery};

/// The longest filter text accepted.
const MAX_FILTER: usize = 2048;

/// Filters and cursor paging of a project's components.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct ProjectComponentParams {
    /// Names containing this, any case.
    pub name: Option<String>,
    /// Only this purl type (`pypi`, `npm`, `cargo`, …).
    pub ecosystem: Option<String>,
    /// Concluded licenses containing this, any case (`MIT`, `GPL`).
    pub license: Option<String>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// What to look for across the tenant: `purl` or `name` (at least one).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// A purl: with `@version` that exact component, without it every version of the package.
    pub purl: Option<String>,
    /// A package name, any case (`log4j-core`).
    pub name: Option<String>,
    /// Only this version.
    pub version: Option<String>,
    /// Only this purl type.
    pub ecosystem: Option<String>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

fn bounded(field: &'static str, v: &Option<String>) -> Result<(), ApiError> {
    match v {
        Some(s) if s.is_empty() => Err(ApiError::field(field, "must not be empty")),
        Some(s) if s.len() > MAX_FILTER => {
            Err(ApiError::field(field, format!("must be at most {MAX_FILTER} bytes")))
        }
        _ => Ok(()),
    }
}

/// The project's latest completed scan, or a 404 that says there is none yet.
pub(super) async fn latest_scan(
    state: &AppState,
    tenant: TenantId,
    project: ProjectId,
) -> Result<cairn_sdk::types::Scan, ApiError> {
    state.store.project_get(tenant, project).await?;
    match state.store.scan_latest_completed(tenant, project).await {
        Ok(s) => Ok(s),
        Err(StoreError::NotFound) => {
            Err(ApiError::new(Kind::NotFound, "the project has no completed scan yet"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The components of the project's latest completed scan, filtered by name, ecosystem and
/// license, in inventory order.
#[utoipa::path(get, operation_id = "project_components", path = "/projects/{id}/components", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ProjectComponentParams),
    responses((status = 200, description = "Components", body = Page<ScanComponent>),
        (status = 400, description = "A bad filter or cursor", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or no completed scan of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_components(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(p): Query<ProjectComponentParams>,
    uri: Uri,
) -> Result<PageResponse<ScanComponent>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    bounded("query.name", &p.name)?;
    bounded("query.ecosystem", &p.ecosystem)?;
    bounded("query.license", &p.license)?;
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let scan = latest_scan(&state, ctx.tenant, id).await?;
    let filter = ComponentFilter { name: p.name, ecosystem: p.ecosystem, license: p.license };
    let (rows, total) =
        state.store.scan_components_filtered(ctx.tenant, scan.id, &filter, after, limit).await?;
    Ok(cursor_page(rows, total, limit, &uri))
}

/// Where a package is used: each project whose latest completed scan has it, with the project's
/// version, the scan, and every file and line that declares it.
#[utoipa::path(get, operation_id = "components_search", path = "/components/search", tag = "projects", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, description = "Usages", body = Page<ComponentUsage>),
        (status = 400, description = "Neither purl nor name, or a bad value", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn search(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<SearchParams>,
    uri: Uri,
) -> Result<PageResponse<ComponentUsage>, ApiError> {
    if p.purl.is_none() && p.name.is_none() {
        return Err(ApiError::field("query.purl", "give a purl or a name to look for"));
    }
    if p.purl.as_deref().is_some_and(|u| !u.starts_with("pkg:")) {
        return Err(ApiError::field("query.purl", "must be a package URL (pkg:type/name[@version])"));
    }
    for (field, v) in [
        ("query.purl", &p.purl),
        ("query.name", &p.name),
        ("query.version", &p.version),
        ("query.ecosystem", &p.ecosystem),
    ] {
        bounded(field, v)?;
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("query.limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::field("query.offset", "must not be negative"));
    }
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = UsageQuery { purl: p.purl, name: p.name, version: p.version, ecosystem: p.ecosystem };
    let (rows, total) = state.store.component_usage(ctx.tenant, &q, offset, limit).await?;
    Ok(offset_page(rows, total, limit, offset, &uri))
}
