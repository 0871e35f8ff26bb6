//! `POST /projects/{id}/vex`: imports an OpenVEX, CycloneDX VEX or CSAF VEX document (the JSON
//! document as the body) into the project's triage; the answer lists what was applied and every
//! statement that set nothing, with the reason.

use axum::body::Bytes;
use axum::extract::State;
use cairn_sdk::types::{ProjectId, Role, Scope, VexImport};

use super::extract::Path;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::triage::vex_import::{ImportError, import};

/// Imports a VEX document into the project's triage, matched to the findings of its latest
/// completed scan by advisory id or alias and component purl (versions, ranges, subcomponents).
/// Re-importing the same document changes nothing.
#[utoipa::path(post, operation_id = "projects_vex_import", path = "/projects/{id}/vex", tag = "findings", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    request_body(content = String, description = "An OpenVEX, CycloneDX VEX or CSAF 2.0 VEX JSON document", content_type = "application/json"),
    responses((status = 200, description = "Applied, with the statements that set nothing", body = VexImport),
        (status = 400, description = "Not a VEX document this reads (the field says where)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the body limit", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn import_vex(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    body: Bytes,
) -> Result<axum::Json<VexImport>, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    state.store.project_get(ctx.tenant, id).await?;
    match import(&state.store, ctx.tenant, id, principal.user.id, &body).await {
        Ok(done) => Ok(axum::Json(done)),
        Err(ImportError::Unreadable(e)) => Err(ApiError::field("body", e.to_string())),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
