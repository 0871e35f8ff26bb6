//! `GET /versions/{id}/compliance-report?format=html|pdf`: the version's compliance report
//! (`evidence::report`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{ReportFormat, Role, Scope, VersionId};
use serde::Deserialize;

use super::extract::{Path, Query};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::evidence::report;
use crate::state::AppState;

/// The report's format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `html` (the default) or `pdf`.
    pub format: Option<ReportFormat>,
}

/// The compliance report of a version: summary, CRA checklist, findings by severity and triage,
/// known exploited findings, licenses, post-quantum readiness, changes since the previous
/// released version, and charts (severity mix, findings over time). HTML is one self-contained
/// page (no external asset, print CSS); the PDF is written without a browser.
#[utoipa::path(get, operation_id = "version_compliance_report", path = "/versions/{id}/compliance-report", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "Version id"), ReportParams),
    responses((status = 200, description = "The report: HTML (`format=html`) or PDF (`format=pdf`)",
            content((String = "text/html; charset=utf-8"), (Vec<u8> = "application/pdf"))),
        (status = 400, description = "A malformed version id or format", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant, or no completed scan of the version", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A scan to compare completed before results were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn compliance_report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
    Query(p): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let data = report::gather(&state, ctx.tenant, id).await?;
    let format = p.format.unwrap_or(ReportFormat::Html);
    let (bytes, media_type, ext) = match format {
        ReportFormat::Html => (report::html(&data).into_bytes(), "text/html; charset=utf-8", "html"),
        ReportFormat::Pdf => (
            tokio::task::spawn_blocking(move || report::pdf(&data))
                .await
                .map_err(|e| ApiError::internal(format!("writing the PDF stopped unexpectedly: {e}")))?,
            "application/pdf",
            "pdf",
        ),
    };
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"compliance-report-{id}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
