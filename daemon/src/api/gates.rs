//! Policy gates: `/scans/{id}/gate-result` and `/projects/{id}/gate-result` (the latest).

use axum::extract::State;
use cairn_sdk::types::{GateResult, ProjectId, Role, ScanId, Scope};

use axum::Json;

use super::extract::Path;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// The policy gate evaluated at the end of a scan.
#[utoipa::path(get, operation_id = "scan_gate_result", path = "/scans/{id}/gate-result", tag = "scans", security(("bearer" = [])),
    params(("id" = ScanId, Path, description = "Scan id")),
    responses((status = 200, description = "The gate result", body = GateResult),
        (status = 404, description = "Not in this tenant, or the scan has no gate (not completed)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn scan_gate(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ScanId>,
) -> Result<Json<GateResult>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(Json(state.store.gate_of_scan(ctx.tenant, id).await?))
}

/// The policy gate of the project's latest completed scan.
#[utoipa::path(get, operation_id = "project_gate_result", path = "/projects/{id}/gate-result", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 200, description = "The latest gate result", body = GateResult),
        (status = 404, description = "Not in this tenant, or no completed scan yet", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn project_gate(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<Json<GateResult>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(Json(state.store.gate_of_project(ctx.tenant, id).await?))
}
