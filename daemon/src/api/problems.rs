//! `/problems/{slug}`: what each problem type means (the `type` of every error links here).

use axum::Json;
use cairn_sdk::types::ProblemType;

use super::extract::Path;
use crate::error::{ApiError, Kind};

/// Describes a problem type.
#[utoipa::path(get, operation_id = "problem_type", path = "/problems/{slug}", tag = "service",
    params(("slug" = String, Path, description = "Problem slug, e.g. validation-failed")),
    responses((status = 200, description = "The problem type", body = ProblemType),
        (status = 404, description = "Unknown slug", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn problem_type(Path(slug): Path<String>) -> Result<Json<ProblemType>, ApiError> {
    let kind = Kind::from_slug(&slug).ok_or_else(ApiError::not_found)?;
    let (status, slug, code, title, description) = kind.info();
    Ok(Json(ProblemType {
        slug: slug.into(),
        status: status.as_u16(),
        code: code.into(),
        title: title.into(),
        description: description.into(),
    }))
}
