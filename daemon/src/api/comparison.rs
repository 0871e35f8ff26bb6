//! Comparison of two completed scans (`GET /comparison?from=&to=`) or of two project versions'
//! latest completed scans (`GET /versions/{id}/compare/{other}`): the engine's `diff::compare`
//! over the scans' stored inputs with the current triage applied and their stored gate results.

use axum::Json;
use axum::extract::State;
use cairn_engine::diff::{self, Side};
use cairn_engine::policy::GateResult as EngineGate;
use cairn_sdk::types::{
    Comparison, Role, Scan, ScanComparison, ScanId, ScanStatus, Scope, TenantId, VersionId, VulnDataState,
};
use serde::Deserialize;

use super::extract::{Path, Query};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::jobs::documents::{self, DocError};
use crate::state::AppState;
use crate::store::StoreError;

/// The two scans to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComparisonParams {
    /// The earlier scan.
    pub from: ScanId,
    /// The later scan.
    pub to: ScanId,
}

/// True when the scan was matched against vulnerability data (with none, an empty list of
/// findings means "not looked", not "none").
fn matched(scan: &Scan) -> bool {
    scan.vulndb.as_ref().is_some_and(|v| matches!(v.state, VulnDataState::Fresh | VulnDataState::Stale))
}

/// The scan's stored gate in the engine's model, or none for a scan from before gates were stored.
async fn gate_of(state: &AppState, tenant: TenantId, scan: &Scan) -> Result<Option<EngineGate>, ApiError> {
    match state.store.gate_of_scan(tenant, scan.id).await {
        // The wire gate is the engine's plus scan, project and time; a mismatch is a bug, a 500.
        Ok(gate) => serde_json::to_value(&gate)
            .and_then(serde_json::from_value)
            .map(Some)
            .map_err(|e| ApiError::internal(format!("gate result does not map to the engine's: {e}"))),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn compare_scans(
    state: &AppState,
    tenant: TenantId,
    from: Scan,
    to: Scan,
) -> Result<ScanComparison, ApiError> {
    let mut inputs = Vec::with_capacity(2);
    for scan in [&from, &to] {
        if scan.status != ScanStatus::Completed {
            return Err(ApiError::new(
                Kind::ScanNotCompleted,
                format!("scan {} is {}; it can be compared once it completes", scan.id, scan.status.as_str()),
            ));
        }
        match documents::triaged_input(state, tenant, scan).await {
            Ok(Some(input)) => inputs.push(input),
            Ok(None) => {
                return Err(ApiError::new(
                    Kind::ScanNotCompleted,
                    format!(
                        "scan {} completed before scan results were kept for comparison; scan again",
                        scan.id
                    ),
                ));
            }
            Err(DocError::Store(e)) => return Err(e.into()),
            Err(DocError::Render(e)) => return Err(ApiError::internal(e)),
        }
    }
    let gates = [gate_of(state, tenant, &from).await?, gate_of(state, tenant, &to).await?];
    let flags = |s: &Scan| (matched(s), s.pqc.is_some());
    let ((fm, fc), (tm, tc)) = (flags(&from), flags(&to));
    let comparison = tokio::task::spawn_blocking(move || {
        let from = Side {
            input: &inputs[0],
            vulnerabilities_matched: fm,
            crypto_scanned: fc,
            gate: gates[0].as_ref(),
        };
        let to = Side {
            input: &inputs[1],
            vulnerabilities_matched: tm,
            crypto_scanned: tc,
            gate: gates[1].as_ref(),
        };
        diff::compare(&from, &to)
    })
    .await
    .map_err(|e| ApiError::internal(format!("comparison stopped unexpectedly: {e}")))?;
    // The wire type mirrors the engine's field for field; a mismatch is a bug, said as a 500.
    let comparison: Comparison = serde_json::to_value(&comparison)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::internal(format!("comparison does not map to its wire type: {e}")))?;
    Ok(ScanComparison { from_scan: from.id, to_scan: to.id, comparison })
}

/// Compares two completed scans of the tenant (any projects): components added, removed and
/// changed (upgrade or downgrade in the ecosystem's version order), findings new, fixed and still
/// open, license and crypto changes, the readiness delta, and the policy gate's change (status
/// before and after, violations added and removed). A section a scan did not look at (no
/// vulnerability data, crypto off, no gate stored) is listed in `not_compared`, never counted as zero.
#[utoipa::path(get, operation_id = "comparison", path = "/comparison", tag = "scans", security(("bearer" = [])),
    params(ComparisonParams),
    responses((status = 200, description = "What changed", body = ScanComparison),
        (status = 400, description = "A missing or malformed scan id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "A scan not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A scan has not completed (or completed before results were kept)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn compare(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<ComparisonParams>,
) -> Result<Json<ScanComparison>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let from = state.store.scan_get(ctx.tenant, p.from).await?;
    let to = state.store.scan_get(ctx.tenant, p.to).await?;
    Ok(Json(compare_scans(&state, ctx.tenant, from, to).await?))
}

async fn latest_of(state: &AppState, tenant: TenantId, version: VersionId) -> Result<Scan, ApiError> {
    state.store.version_get(tenant, version).await?;
    match state.store.scan_latest_completed_of_version(tenant, version).await {
        Ok(s) => Ok(s),
        Err(StoreError::NotFound) => {
            Err(ApiError::new(Kind::NotFound, format!("version {version} has no completed scan yet")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Compares the latest completed scans of two versions (`id` the earlier, `other` the later).
#[utoipa::path(get, operation_id = "version_compare", path = "/versions/{id}/compare/{other}", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "The earlier version"), ("other" = VersionId, Path, description = "The later version")),
    responses((status = 200, description = "What changed", body = ScanComparison),
        (status = 400, description = "A malformed version id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "A version not in this tenant, or without a completed scan", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A scan completed before results were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn compare_versions(
    State(state): State<AppState>,
    principal: Principal,
    Path((a, b)): Path<(VersionId, VersionId)>,
) -> Result<Json<ScanComparison>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let from = latest_of(&state, ctx.tenant, a).await?;
    let to = latest_of(&state, ctx.tenant, b).await?;
    Ok(Json(compare_scans(&state, ctx.tenant, from, to).await?))
}
