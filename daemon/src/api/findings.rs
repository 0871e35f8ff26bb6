//! `/findings`: the tenant's findings with their triage (cursor paged, filtered), one finding
//! with the advisory's details, and triage (`PATCH`, If-Match) with the VEX rules.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_engine::vuln::Advisory;
use cairn_sdk::types::{Finding, Page, ProjectId, Role, ScanId, Scope, Severity, TriageState, TriageUpdate};
use serde::Deserialize;

use super::conventions::{if_match, with_etag};
use super::extract::{Json, Path, Query};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageResponse, next_link};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{FindingsQuery, TriageWrite};

/// Longest triage note (the impact statement).
pub const MAX_NOTE: usize = 4000;

/// Filters and cursor paging of the findings list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // cursor paging only: `offset` and `sort` are refused, not ignored
pub struct FindingsParams {
    /// Only this project's findings.
    pub project: Option<String>,
    /// Only this scan's findings (any scan; without it, each project's latest completed scan).
    pub scan: Option<String>,
    /// Only this severity (a word serde refuses is a 400 naming `query.severity`).
    pub severity: Option<Severity>,
    /// A triage state, or `untriaged`.
    pub state: Option<String>,
    /// Only this advisory id (1-200 characters).
    #[param(min_length = 1, max_length = 200)]
    pub vulnerability: Option<String>,
    /// Only findings on this component purl (1-2048 characters).
    #[param(min_length = 1, max_length = 2048)]
    pub purl: Option<String>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
}

fn parse_query(p: &FindingsParams) -> Result<(FindingsQuery, i64, Option<String>), ApiError> {
    let mut c = Check::new();
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        c.fail("query.limit", format!("must be between 1 and {MAX_LIMIT}"));
    }
    let after = match &p.cursor {
        None => None,
        Some(cur) => {
            let id = URL_SAFE_NO_PAD
                .decode(cur)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("fid:").map(str::to_owned));
            if id.is_none() {
                c.fail("query.cursor", "not a valid cursor");
            }
            id
        }
    };
    let project = p.project.as_deref().and_then(|v| match v.parse::<ProjectId>() {
        Ok(id) => Some(id),
        Err(_) => {
            c.fail("query.project", "must be a project id");
            None
        }
    });
    let scan = p.scan.as_deref().and_then(|v| match v.parse::<ScanId>() {
        Ok(id) => Some(id),
        Err(_) => {
            c.fail("query.scan", "must be a scan id");
            None
        }
    });
    let state = match p.state.as_deref() {
        None => None,
        Some("untriaged") => Some(None),
        Some(s) => match s.parse::<TriageState>() {
            Ok(st) => Some(Some(st)),
            Err(_) => {
                c.fail(
                    "query.state",
                    "must be untriaged, in_triage, affected, not_affected, fixed or false_positive",
                );
                None
            }
        },
    };
    // Characters, as the document's maxLength counts.
    if p.vulnerability.as_ref().is_some_and(|v| v.is_empty() || v.chars().count() > 200) {
        c.fail("query.vulnerability", "must be 1-200 characters");
    }
    if p.purl.as_ref().is_some_and(|u| u.is_empty() || u.chars().count() > 2048) {
        c.fail("query.purl", "must be 1-2048 characters");
    }
    c.finish()?;
    let q = FindingsQuery {
        project,
        scan,
        severity: p.severity,
        state,
        vulnerability: p.vulnerability.clone(),
        purl: p.purl.clone(),
    };
    Ok((q, limit, after))
}

fn page_of(mut items: Vec<Finding>, total: i64, limit: i64, uri: &Uri) -> PageResponse<Finding> {
    let keep = usize::try_from(limit).unwrap_or(0);
    let has_more = items.len() > keep;
    items.truncate(keep);
    let next_cursor = if has_more {
        items.last().map(|f| URL_SAFE_NO_PAD.encode(format!("fid:{}", f.finding.id)))
    } else {
        None
    };
    let link = next_link(uri, next_cursor.as_deref());
    PageResponse { page: Page { items, total, limit, offset: 0, next_cursor }, link }
}

/// The tenant's findings with their triage: without `scan`, those of each project's latest
/// completed scan (what is true now); ordered by id.
#[utoipa::path(get, operation_id = "findings_list", path = "/findings", tag = "findings", security(("bearer" = [])),
    params(FindingsParams),
    responses((status = 200, description = "Findings", body = Page<Finding>),
        (status = 400, description = "Invalid filter", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<FindingsParams>,
    uri: Uri,
) -> Result<PageResponse<Finding>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let (q, limit, after) = parse_query(&p)?;
    let (items, total) = state.store.findings_list(ctx.tenant, &q, after.as_deref(), limit).await?;
    Ok(page_of(items, total, limit, &uri))
}

/// `details` and the reference URLs of a stored OSV record, read through the engine's advisory
/// model. Stored records were written from that model, so one that does not read is logged.
fn advisory_text(record: &str) -> (Option<String>, Vec<String>) {
    match Advisory::from_json(record.as_bytes()) {
        Ok(a) => (
            a.details().filter(|d| !d.is_empty()).map(str::to_owned),
            a.references().iter().map(|r| r.url.clone()).collect(),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "a stored OSV record does not read; the finding has no details");
            (None, Vec::new())
        }
    }
}

async fn load(state: &AppState, tenant: cairn_sdk::types::TenantId, id: &str) -> Result<Finding, ApiError> {
    if id.is_empty() || id.len() > 64 {
        return Err(ApiError::new(Kind::NotFound, "no such finding"));
    }
    let (mut f, osv) = state.store.finding_get(tenant, id).await?;
    if let Some(r) = osv {
        (f.details, f.references) = advisory_text(&r);
    }
    Ok(f)
}

/// One finding with its triage and the advisory's details (`ETag` = the triage version).
#[utoipa::path(get, operation_id = "findings_get", path = "/findings/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Finding id")),
    responses((status = 200, description = "The finding", body = Finding),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let f = load(&state, ctx.tenant, &id).await?;
    Ok(with_etag(StatusCode::OK, f.etag_version(), &f))
}

/// The triage `u` makes of `current`, checked against the VEX rules.
fn merge(
    current: &Finding,
    u: &TriageUpdate,
    user: cairn_sdk::types::UserId,
) -> Result<TriageWrite, ApiError> {
    let mut c = Check::new();
    let old = current.triage.as_ref();
    let state = match (u.state, old) {
        (Some(s), _) => Some(s),
        (None, Some(t)) => Some(t.state),
        (None, None) => {
            c.fail("body.state", "is required on the first triage");
            None
        }
    };
    let justification = match u.justification {
        Some(j) => j,
        None => old.and_then(|t| t.justification),
    };
    let response = match u.response {
        Some(r) => r,
        None => old.and_then(|t| t.response),
    };
    let note = match &u.note {
        Some(n) => n.clone(),
        None => old.and_then(|t| t.note.clone()),
    };
    let note = note.filter(|n| !n.trim().is_empty());
    if let Some(n) = &note
        && n.chars().count() > MAX_NOTE
    {
        c.fail("body.note", format!("must be at most {MAX_NOTE} characters"));
    }
    // Both are `not_affected` in OpenVEX, which needs a justification or an impact statement.
    if matches!(state, Some(TriageState::NotAffected | TriageState::FalsePositive))
        && justification.is_none()
        && note.is_none()
    {
        c.fail(
            "body.justification",
            "not_affected and false_positive need a justification or a note (an impact statement)",
        );
    }
    c.finish()?;
    let state = state.ok_or_else(|| ApiError::field("body.state", "is required on the first triage"))?;
    Ok(TriageWrite { state, justification, response, note, user })
}

/// Triage: sets the finding's state, justification, response and note; needs `If-Match` (`"0"`
/// before the first triage). The triage applies to every scan of the project with the same
/// advisory and purl (for an ad-hoc scan, to that scan).
#[utoipa::path(patch, operation_id = "findings_triage", path = "/findings/{id}", tag = "findings", security(("bearer" = [])),
    request_body = TriageUpdate,
    params(("id" = String, Path, description = "Finding id"), ("If-Match" = String, Header, description = "ETag of the version read (\"0\" before the first triage)")),
    responses((status = 200, description = "Triaged", body = Finding),
        (status = 400, description = "Invalid fields, or the VEX rules", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn triage(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<TriageUpdate>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    let wanted = if_match(&headers)?;
    let current = load(&state, ctx.tenant, &id).await?;
    let expected = wanted.unwrap_or_else(|| current.etag_version());
    if expected != current.etag_version() {
        return Err(ApiError::precondition_failed(current.etag_version()));
    }
    let write = merge(&current, &req, principal.user.id)?;
    state.store.triage_write(ctx.tenant, &current.finding, expected, &write).await?;
    let (project, scan) = (current.finding.project_id, current.finding.scan_id);
    // The triage is stored whatever the gate does; a gate that cannot be evaluated again is logged.
    if let Err(e) =
        crate::jobs::pipeline::gate::reevaluate_after_triage(&state, ctx.tenant, project, scan).await
    {
        tracing::error!(error = %e, %scan, "the gate could not be evaluated again after a triage change");
    }
    let f = load(&state, ctx.tenant, &id).await?;
    Ok(with_etag(StatusCode::OK, f.etag_version(), &f))
}
