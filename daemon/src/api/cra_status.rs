//! `GET /versions/{id}/cra-status`: the version's CRA checklist (`evidence::cra`), computed now
//! from stored evidence.

use axum::Json;
use axum::extract::State;
use cairn_sdk::types::{CraStatus, Role, Scope, VersionId};

use serde::Deserialize;

use super::extract::{Path, Query};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::evidence::cra;
use crate::state::AppState;

/// No parameters: an unknown one (a misspelled filter, paging) is a 400 naming it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CraStatusParams {}

/// The CRA checklist of a version: a machine-readable SBOM, known exploited vulnerabilities
/// triaged, findings triaged within the tenant's SLA, a vulnerability handling policy and
/// contact, a support period, and the release frozen. Each item is `met`, `not_met` or
/// `not_applicable` with the evidence it was judged on; missing evidence is `not_met` with the
/// reason, never `met`.
#[utoipa::path(get, operation_id = "version_cra_status", path = "/versions/{id}/cra-status", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "Version id"), CraStatusParams),
    responses((status = 200, description = "The checklist", body = CraStatus),
        (status = 400, description = "A malformed version id, or a query parameter", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn cra_status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
    Query(_params): Query<CraStatusParams>,
) -> Result<Json<CraStatus>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let facts = cra::gather(&state.store, ctx.tenant, id, crate::store::now()).await?;
    Ok(Json(cra::judge(&facts)))
}
