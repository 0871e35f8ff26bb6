//! `POST /projects/{id}/vex`: imports an OpenVEX, CycloneDX VEX or CSAF VEX document (the JSON
//! document as the body, or the `document` field of a multipart form) into the project's triage;
//! the answer lists what was applied and every statement that set nothing, with the reason.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use cairn_sdk::types::{ProjectId, Role, Scope, VexImport};

use super::extract::Path;
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::triage::vex_import::{ImportError, import};

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(Kind::PayloadTooLarge, "the document exceeds the body limit")
    } else {
        ApiError::field("body", format!("unreadable multipart body: {}", e.body_text()))
    }
}

/// The document's bytes: the body itself, or a multipart form's `document` field.
async fn document(state: &AppState, req: Request) -> Result<Bytes, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        return Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(Kind::PayloadTooLarge, "the document exceeds the body limit")
            } else {
                ApiError::field("body", e.body_text())
            }
        });
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| ApiError::field("body", format!("not a multipart form: {}", e.body_text())))?;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("document") {
            return field.bytes().await.map_err(multipart_error);
        }
    }
    Err(ApiError::field("body.document", "a multipart form needs the document in a field named `document`"))
}

/// Imports a VEX document into the project's triage, matched to the findings of its latest
/// completed scan by advisory id or alias and component purl (versions, ranges, subcomponents).
/// Re-importing the same document changes nothing. The body is the JSON document, or a
/// `multipart/form-data` form with the document in the field `document`.
#[utoipa::path(post, operation_id = "projects_vex_import", path = "/projects/{id}/vex", tag = "findings", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    request_body(content = String, description = "An OpenVEX, CycloneDX VEX or CSAF 2.0 VEX JSON document (or multipart/form-data with it in the field `document`)", content_type = "application/json"),
    responses((status = 200, description = "Applied, with the statements that set nothing", body = VexImport),
        (status = 400, description = "Not a VEX document this reads (the field says where), or a form without `document`", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the body limit", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn import_vex(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    req: Request,
) -> Result<axum::Json<VexImport>, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    state.store.project_get(ctx.tenant, id).await?;
    let body = document(&state, req).await?;
    match import(&state.store, ctx.tenant, id, principal.user.id, &body).await {
        Ok(done) => Ok(axum::Json(done)),
        Err(ImportError::Unreadable(e)) => Err(ApiError::field("body", e.to_string())),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
