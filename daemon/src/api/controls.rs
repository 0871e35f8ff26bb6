//! `GET /frameworks` and `GET /controls?framework=`: the built-in catalogue's frameworks and
//! controls judged from the tenant's data now (`evidence::controls`). Both lists are cursor-paged
//! over the catalogue's order.

use axum::extract::State;
use axum::http::Uri;
use cairn_sdk::types::{Control, Framework, FrameworkId, Role, Scope};
use serde::Deserialize;

use super::extract::Query;
use super::pagination::PageResponse;
use super::scan_results::{cursor_page, paging};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::evidence::{catalogue, controls};
use crate::state::AppState;

/// Cursor paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FrameworkParams {
    /// Frameworks per page, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// The framework, and cursor paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ControlParams {
    /// Only this framework's controls (all frameworks' when absent).
    pub framework: Option<FrameworkId>,
    /// Controls per page, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

/// One page of `items` (all of them, in order) after position `after`.
fn page_of<T: serde::Serialize>(items: Vec<T>, after: i64, limit: i64, uri: &Uri) -> PageResponse<T> {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let rows: Vec<(i64, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i64::try_from(i).unwrap_or(i64::MAX), t))
        .filter(|(i, _)| *i > after)
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .collect();
    cursor_page(rows, total, limit, uri)
}

fn catalogue() -> Result<&'static [catalogue::FrameworkEntry], ApiError> {
    catalogue::frameworks().map_err(|e| ApiError::internal(e.to_string()))
}

/// The frameworks of the built-in catalogue (EU CRA Annex I, NIST SSDF SP 800-218, ISO/IEC
/// 27001:2022 A.8), each with its controls counted by status for the tenant now.
#[utoipa::path(get, operation_id = "frameworks_list", path = "/frameworks", tag = "tenants", security(("bearer" = [])),
    params(FrameworkParams),
    responses((status = 200, description = "Frameworks", body = cairn_sdk::types::Page<Framework>),
        (status = 400, description = "A bad limit or cursor, or an unknown parameter", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn frameworks(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<FrameworkParams>,
    uri: Uri,
) -> Result<PageResponse<Framework>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let catalogue = catalogue()?;
    let facts = controls::gather(&state.store, ctx.tenant, crate::store::now()).await?;
    let kinds = controls::judge_kinds(&facts);
    let items = catalogue.iter().map(|f| controls::framework(f, &kinds)).collect();
    Ok(page_of(items, after, limit, &uri))
}

/// The controls of a framework (of every framework without `framework`), each `met`,
/// `partially_met`, `not_met` or `not_assessed` with its evidence count and the kinds of the
/// tenant's evidence it rests on. A control Cairn's data cannot speak to, or whose evidence source
/// is missing (no SLA set, no scan matched), is `not_assessed` with the reason: never `met` or
/// `not_met` for lack of data.
#[utoipa::path(get, operation_id = "controls_list", path = "/controls", tag = "tenants", security(("bearer" = [])),
    params(ControlParams),
    responses((status = 200, description = "Controls", body = cairn_sdk::types::Page<Control>),
        (status = 400, description = "An unknown framework, a bad limit or cursor, or an unknown parameter", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<ControlParams>,
    uri: Uri,
) -> Result<PageResponse<Control>, ApiError> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let catalogue = catalogue()?;
    let chosen: Vec<&catalogue::FrameworkEntry> =
        catalogue.iter().filter(|f| p.framework.is_none_or(|want| f.id == want)).collect();
    let facts = controls::gather(&state.store, ctx.tenant, crate::store::now()).await?;
    let kinds = controls::judge_kinds(&facts);
    Ok(page_of(controls::controls(&chosen, &kinds), after, limit, &uri))
}
