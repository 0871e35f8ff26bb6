//! `GET /versions/{id}/export`: the version's technical file, a ZIP (`evidence::technical_file`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{Role, Scope, VersionId};

use super::extract::Path;
use crate::auth::Principal;
use crate::auth::principal::Credential;
use crate::error::ApiError;
use crate::evidence::technical_file;
use crate::state::AppState;

/// The technical file of a version: a ZIP of `manifest.json` (what, as of when, by whom, tool
/// and methodology versions, the SHA-256 of every file, what is not included and why), the SBOMs
/// (CycloneDX 1.6, SPDX 3.0.1), OpenVEX, the vulnerability report, the CRA checklist, the gate
/// result, the comparison with the previous released version, the audit extract and the
/// licenses. The same data gives the same bytes.
#[utoipa::path(get, operation_id = "version_export", path = "/versions/{id}/export", tag = "versions", security(("bearer" = [])),
    params(("id" = VersionId, Path, description = "Version id")),
    responses((status = 200, description = "The technical file", content_type = "application/zip", body = Vec<u8>),
        (status = 400, description = "A malformed version id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant, or no completed scan of the version", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A scan to compare completed before results were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<VersionId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::BomRead, Role::Viewer)?;
    let by = match &principal.credential {
        Credential::ApiKey { id, .. } => format!("api_key:{id}"),
        _ => format!("user:{}", principal.user.id),
    };
    let file = technical_file::export(&state, ctx.tenant, id, by).await?;
    let mut resp = (StatusCode::OK, Body::from(file.bytes)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(technical_file::MEDIA_TYPE));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
