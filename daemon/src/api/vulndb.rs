//! `/vulndb/status` (any signed-in user), `/admin/vulndb/{import,update}` and
//! `DELETE /admin/vulndb/sources/{name}` (super admins):
//! thin handlers over `crate::vulndb`.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use cairn_sdk::types::{VulnDbChange, VulnDbStatus, VulnDbUpdate};
use futures_util::StreamExt;
use serde::Deserialize;

use super::admin::Operator;
use super::extract::{Path, Query, parse_json};
use crate::auth::{Access, Principal};
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::vulndb::import::ImportItem;
use crate::vulndb::{VulnDbError, fetch, import, remove, status, update};

impl From<VulnDbError> for ApiError {
    fn from(e: VulnDbError) -> Self {
        match e {
            VulnDbError::Store(s) => s.into(),
            VulnDbError::Invalid(m) => ApiError::field("body", m),
            VulnDbError::UnknownSource(name) => {
                ApiError::new(Kind::NotFound, format!("no vulnerability data source named {name}"))
            }
            VulnDbError::Fetch(m) if m.contains("-byte limit") => ApiError::new(Kind::PayloadTooLarge, m),
            other => ApiError::internal(other),
        }
    }
}

/// The vulnerability data this replica matches against: state (none, fresh, stale), counts,
/// and every source's last check.
#[utoipa::path(get, operation_id = "vulndb_status", path = "/vulndb/status", tag = "vulndb", security(("bearer" = [])),
    responses((status = 200, description = "Status", body = VulnDbStatus),
        (status = 401, description = "Not authenticated", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get_status(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<VulnDbStatus>, ApiError> {
    principal.check(Access::User)?;
    Ok(axum::Json(status::status(&state.store, &state.config.vulndb, &state.vulndb).await?))
}

/// `?name=` of an import.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Source name (letters, digits, `.`, `-`, `_`; default `upload`): a source of that name is
    /// replaced, every other source stays.
    #[param(pattern = "^[A-Za-z0-9._-]{1,100}$")]
    pub name: Option<String>,
}

/// Imports the body (up to `[vulndb] max_download_bytes`) as the source `name`, replacing it
/// whole: an OSV zip (`Content-Type: application/zip`) or a CISA KEV catalogue
/// (`application/json`), told apart by content as `cairnd vulndb import` does. A zip without a
/// valid record, or a KEV catalogue with a bad entry, is refused (400) and changes nothing.
#[utoipa::path(post, operation_id = "admin_vulndb_import", path = "/admin/vulndb/import", tag = "admin", security(("bearer" = [])),
    params(ImportParams),
    request_body(description = "An OSV zip (`all.zip` layout), or a CISA Known Exploited Vulnerabilities catalogue (JSON)",
        content((Vec<u8> = "application/zip"), (Object = "application/json"))),
    responses((status = 200, description = "Imported", body = VulnDbChange),
        (status = 400, description = "Not a usable OSV zip or KEV catalogue", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the limit", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/zip nor application/json", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn import_zip(
    State(state): State<AppState>,
    _op: Operator,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<VulnDbChange>, ApiError> {
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = ctype.split(';').next().map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    if !matches!(media.as_str(), "application/zip" | "application/json") {
        return Err(ApiError::new(
            Kind::UnsupportedMediaType,
            "expected Content-Type: application/zip (an OSV zip) or application/json (a CISA KEV catalogue)",
        ));
    }
    let name = params.name.unwrap_or_else(|| "upload".into());
    if !valid_source_name(&name) {
        return Err(ApiError::field("query.name", "1-100 letters, digits, '.', '-' or '_'"));
    }
    let cfg = &state.config.vulndb;
    let stream = body.into_data_stream().map(|c| c.map_err(|e| format!("reading the upload: {e}")));
    let file = fetch::to_temp_zip(stream, cfg.max_download_bytes).await?;
    let item = ImportItem { path: file.path().to_owned(), location: format!("upload:{name}"), name };
    let change = import::import(&state.store, cfg, &state.vulndb, vec![item]).await?;
    // The change queued re-match jobs: this replica's idle workers take them now.
    state.jobs.wake.notify_waiters();
    if let Some(why) = change.failed.first() {
        return Err(ApiError::field("body", why.clone()));
    }
    Ok(axum::Json(change))
}

/// Fetches the configured ecosystems' zips from the mirror (conditional requests; a failed
/// ecosystem keeps its data and is listed in `failed`). Optional body: `{"ecosystems": [...]}`.
#[utoipa::path(post, operation_id = "admin_vulndb_update", path = "/admin/vulndb/update", tag = "admin", security(("bearer" = [])),
    request_body(content = Option<VulnDbUpdate>, content_type = "application/json"),
    responses((status = 200, description = "What changed", body = VulnDbChange),
        (status = 400, description = "An ecosystem that is not configured", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn run_update(
    State(state): State<AppState>,
    _op: Operator,
    body: Bytes,
) -> Result<axum::Json<VulnDbChange>, ApiError> {
    let cfg = &state.config.vulndb;
    // The body is optional: none, or JSON `null` (what the document's optional body admits), is
    // every configured ecosystem.
    let text = body.trim_ascii();
    let req: VulnDbUpdate =
        if text.is_empty() || text == b"null" { VulnDbUpdate::default() } else { parse_json(&body)? };
    if let Some(list) = &req.ecosystems
        && let Some(i) = list.iter().position(|e| !cfg.ecosystems.contains(e))
    {
        return Err(ApiError::field(
            format!("body.ecosystems[{i}]"),
            "not a configured ecosystem ([vulndb] ecosystems)",
        ));
    }
    let change = update::update(&state.store, cfg, &state.vulndb, req.ecosystems.as_deref()).await?;
    state.jobs.wake.notify_waiters();
    Ok(axum::Json(change))
}

/// A source name an upload may take: 1-100 letters, digits, `.`, `-`, `_` (it is shown in tables
/// and used in a URL path).
fn valid_source_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Removes one source (an import or a mirror ecosystem) and its advisories; every other source
/// stays. Audited, and other replicas reload on the new generation. A mirror ecosystem still
/// configured comes back at the next update.
#[utoipa::path(delete, operation_id = "admin_vulndb_remove", path = "/admin/vulndb/sources/{name}", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "Source name (as `GET /vulndb/status` lists it)")),
    responses((status = 200, description = "Removed; the status after", body = VulnDbChange),
        (status = 404, description = "No source of that name", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn remove_source(
    State(state): State<AppState>,
    _op: Operator,
    Path(name): Path<String>,
) -> Result<axum::Json<VulnDbChange>, ApiError> {
    let change = remove::remove(&state.store, &state.config.vulndb, &state.vulndb, &name).await?;
    state.jobs.wake.notify_waiters();
    Ok(axum::Json(change))
}
