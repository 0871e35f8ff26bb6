//! A project's scan history (`GET /projects/{id}/history`): per completed scan, the counts by
//! severity, the components and the readiness score, oldest first, for charts.

use axum::Json;
use axum::extract::State;
use cairn_sdk::types::{
    GateStatus, HistoryPoint, ProjectId, Role, Scan, ScanCounts, ScanHistory, Scope, SeverityCounts,
    VersionId, VulnDataState,
};
use serde::Deserialize;

use super::extract::{Path, Query};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// The most points a series carries (the newest ones).
const MAX_POINTS: i64 = 1000;

/// Which scans.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// Only this version's scans.
    pub version: Option<VersionId>,
    /// The newest this many scans, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The finding counts of a scan matched against `vulndb`; none when it was not matched (its zeros
/// would mean "not looked").
fn matched_counts(vulndb: VulnDataState, counts: &ScanCounts) -> (Option<u64>, Option<SeverityCounts>) {
    match vulndb {
        VulnDataState::Fresh | VulnDataState::Stale => (Some(counts.findings), Some(counts.severities)),
        VulnDataState::None | VulnDataState::Unknown => (None, None),
    }
}

/// One scan as a point of a series (the project's history and a version's scan history).
pub(super) fn point(scan: Scan, gate: Option<GateStatus>) -> HistoryPoint {
    let vulndb = scan.vulndb.map_or(VulnDataState::None, |v| v.state);
    let (findings, severities) = matched_counts(vulndb, &scan.counts);
    HistoryPoint {
        scan_id: scan.id,
        version_id: scan.version_id,
        finished_at: scan.finished_at,
        components: scan.counts.components,
        findings,
        severities,
        vulndb,
        readiness: scan.pqc.as_ref().and_then(|p| p.score),
        crypto_scanned: scan.pqc.is_some(),
        gate,
        image_digest: None,
        image_manifest_digest: None,
    }
}

/// The project's completed scans as a time series (of one version when `version` is given).
#[utoipa::path(get, operation_id = "project_history", path = "/projects/{id}/history", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), HistoryParams),
    responses((status = 200, description = "The series, oldest first", body = ScanHistory),
        (status = 400, description = "A bad version id or limit", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project or version", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn history(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(p): Query<HistoryParams>,
) -> Result<Json<ScanHistory>, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=MAX_POINTS).contains(&limit) {
        return Err(ApiError::field("query.limit", format!("must be between 1 and {MAX_POINTS}")));
    }
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    state.store.project_get(ctx.tenant, id).await?;
    if let Some(v) = p.version {
        let version = state.store.version_get(ctx.tenant, v).await?;
        if version.project_id != id {
            return Err(ApiError::field("query.version", "is a version of another project"));
        }
    }
    let scans = state.store.scans_completed_of_project(ctx.tenant, id, p.version, limit).await?;
    let gates = state.store.gate_statuses_of_project(ctx.tenant, id).await?;
    let ids: Vec<_> = scans.iter().map(|s| s.id).collect();
    let mut images = state.store.scan_images(ctx.tenant, &ids).await?;
    Ok(Json(ScanHistory {
        project_id: id,
        version_id: p.version,
        points: scans
            .into_iter()
            .map(|s| {
                let gate = gates.get(&s.id).copied();
                let image = images.remove(&s.id).unwrap_or_default();
                HistoryPoint {
                    image_digest: image.digest,
                    image_manifest_digest: image.manifest_digest,
                    ..point(s, gate)
                }
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unmatched_scan_has_no_finding_counts_rather_than_zeros() {
        let counts = ScanCounts { findings: 3, ..ScanCounts::default() };
        assert_eq!(matched_counts(VulnDataState::None, &counts), (None, None));
        assert_eq!(matched_counts(VulnDataState::Unknown, &counts), (None, None));
        for state in [VulnDataState::Fresh, VulnDataState::Stale] {
            let (findings, severities) = matched_counts(state, &counts);
            assert_eq!(findings, Some(3));
            assert_eq!(severities, Some(counts.severities));
        }
    }
}
