//! `/approvals`: exception requests. A member asks for a violation (project, rule, subject) or a
//! finding to be waived, with a reason and an expiry; an admin approves or rejects it with
//! `If-Match` (412 when stale). An approved exception waives the violation in the project's gate
//! until it expires; approving and expiring queue the gate's re-evaluation.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use cairn_engine::policy::Subject;
use cairn_sdk::types::{
    Approval, ApprovalDecision, ApprovalId, ApprovalState, GateSubject, RequestApproval, Role, Scope,
};
use serde::Deserialize;

use super::conventions::{if_match, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Decision, NewApproval, StoreError, now, ts};

/// The longest reason or note (characters).
const MAX_TEXT: usize = 4000;
/// The furthest an exception may reach.
const MAX_DAYS: i64 = 366;

/// Filters of the approval list, besides paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApprovalFilter {
    /// Only approvals in this state (`pending` for the admins' queue).
    pub state: Option<ApprovalState>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// `created_at`, `expires_at`; `-` for descending.
    pub sort: Option<String>,
}

/// The engine's key of a wire subject (the same shape): what an exception matches in later scans.
pub fn subject_key(s: &GateSubject) -> Result<String, ApiError> {
    let v = serde_json::to_value(s).map_err(ApiError::internal)?;
    let subject: Subject = serde_json::from_value(v).map_err(ApiError::internal)?;
    Ok(subject.key())
}

async fn checked(
    state: &AppState,
    tenant: cairn_sdk::types::TenantId,
    req: RequestApproval,
) -> Result<NewApproval, ApiError> {
    let mut c = Check::new();
    if req.reason.trim().is_empty() {
        c.fail("body.reason", "must say why the exception is needed");
    } else if req.reason.chars().count() > MAX_TEXT {
        c.fail("body.reason", format!("must be at most {MAX_TEXT} characters"));
    }
    let at = now();
    if req.expires_at <= at {
        c.fail("body.expires_at", "must be in the future");
    } else if req.expires_at > at + time::Duration::days(MAX_DAYS) {
        c.fail("body.expires_at", format!("must be at most {MAX_DAYS} days ahead"));
    }
    if let Some(r) = &req.rule {
        c.text("body.rule", r, 200);
    }
    match (&req.subject, &req.finding_id) {
        (Some(_), Some(_)) => c.fail("body.finding_id", "give a subject or a finding, not both"),
        (None, None) => {
            c.fail("body.subject", "give a violation's subject (with project_id) or a finding_id")
        }
        (Some(_), None) if req.project_id.is_none() => {
            c.fail("body.project_id", "is required with a subject")
        }
        (None, Some(_)) if req.project_id.is_some() || req.rule.is_some() => {
            c.fail("body.finding_id", "a finding brings its own project and waives every rule on it")
        }
        _ => {}
    }
    c.finish()?;
    let (project, subject, finding_id) = match (req.subject, req.finding_id) {
        (Some(subject), _) => {
            let project = req
                .project_id
                .ok_or_else(|| ApiError::field("body.project_id", "is required with a subject"))?;
            match state.store.project_get(tenant, project).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(ApiError::field("body.project_id", "no such project in this tenant"));
                }
                Err(e) => return Err(e.into()),
            }
            (project, subject, None)
        }
        (None, Some(fid)) => {
            let (f, _) = match state.store.finding_get(tenant, &fid).await {
                Ok(f) => f,
                Err(StoreError::NotFound) => {
                    return Err(ApiError::field("body.finding_id", "no such finding in this tenant"));
                }
                Err(e) => return Err(e.into()),
            };
            let Some(project) = f.finding.project_id else {
                return Err(ApiError::field(
                    "body.finding_id",
                    "an ad-hoc scan's finding has no project gate to waive",
                ));
            };
            let subject = GateSubject::Finding {
                advisory: f.finding.vulnerability_id.clone(),
                purl: f.finding.purl.clone(),
            };
            (project, subject, Some(fid))
        }
        (None, None) => return Err(ApiError::field("body.subject", "give a subject or a finding_id")),
    };
    Ok(NewApproval {
        project,
        rule: req.rule,
        subject_key: subject_key(&subject)?,
        subject,
        finding_id,
        reason: req.reason.trim().to_owned(),
        expires_at: req.expires_at,
    })
}

/// The tenant's approvals (`state=pending`: the queue admins decide).
#[utoipa::path(get, operation_id = "approvals_list", path = "/approvals", tag = "policies", security(("bearer" = [])), params(ApprovalFilter),
    responses((status = 200, description = "Approvals", body = cairn_sdk::types::Page<Approval>),
        (status = 400, description = "Invalid filter or paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(f): Query<ApprovalFilter>,
    uri: Uri,
) -> Result<PageResponse<Approval>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let params = ListParams { limit: f.limit, offset: f.offset, cursor: f.cursor, sort: f.sort };
    let q = params.to_query(&["created_at", "expires_at"])?;
    let (rows, total) = state.store.approval_list(ctx.tenant, f.state, &q).await?;
    Ok(page(rows, total, &q, |a| (ts(a.created_at), a.id.to_string()), &uri))
}

/// Requests an exception (`pending` until an admin decides).
#[utoipa::path(post, operation_id = "approvals_create", path = "/approvals", tag = "policies", security(("bearer" = [])), request_body = RequestApproval,
    responses((status = 201, description = "Requested; `ETag` is its version", body = Approval),
        (status = 400, description = "Invalid fields (subject or finding, project, reason, expiry)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<RequestApproval>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    let new = checked(&state, ctx.tenant, req).await?;
    let made = state.store.approval_create(ctx.tenant, principal.user.id, &new).await?;
    let location = format!("/api/v1/approvals/{}", made.id);
    Ok(with_location(with_etag(StatusCode::CREATED, made.version, &made), &location))
}

/// One approval (`ETag` = its version).
#[utoipa::path(get, operation_id = "approvals_get", path = "/approvals/{id}", tag = "policies", security(("bearer" = [])),
    params(("id" = ApprovalId, Path, description = "Approval id")),
    responses((status = 200, description = "The approval", body = Approval),
        (status = 404, description = "No such approval in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ApprovalId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let a = state.store.approval_get(ctx.tenant, id).await?;
    Ok(with_etag(StatusCode::OK, a.version, &a))
}

async fn decide(
    state: &AppState,
    principal: &Principal,
    id: ApprovalId,
    headers: &HeaderMap,
    body: &ApprovalDecision,
    to: ApprovalState,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::Admin, Role::Admin)?;
    let wanted = if_match(headers)?;
    let note = body.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_TEXT) {
        return Err(ApiError::field("body.note", format!("must be at most {MAX_TEXT} characters")));
    }
    let expected = match wanted {
        Some(v) => v,
        None => state.store.approval_get(ctx.tenant, id).await?.version,
    };
    let decision = Decision { by: principal.user.id, to, note, at: now() };
    let decided = state.store.approval_decide(ctx.tenant, id, expected, decision).await?;
    if to == ApprovalState::Approved {
        crate::jobs::queue::wake(state).await;
    }
    Ok(with_etag(StatusCode::OK, decided.version, &decided))
}

/// Approves a pending request (`If-Match`); the project's gate is evaluated again with it.
#[utoipa::path(post, operation_id = "approvals_approve", path = "/approvals/{id}/approve", tag = "policies", security(("bearer" = [])), request_body = ApprovalDecision,
    params(("id" = ApprovalId, Path, description = "Approval id"), ("If-Match" = String, Header, description = "ETag (version) of the approval read")),
    responses((status = 200, description = "Approved", body = Approval),
        (status = 400, description = "Invalid note or If-Match", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such approval in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending, or its expiry has passed", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ApprovalId>,
    headers: HeaderMap,
    Json(body): Json<ApprovalDecision>,
) -> Result<Response, ApiError> {
    decide(&state, &principal, id, &headers, &body, ApprovalState::Approved).await
}

/// Rejects a pending request (`If-Match`).
#[utoipa::path(post, operation_id = "approvals_reject", path = "/approvals/{id}/reject", tag = "policies", security(("bearer" = [])), request_body = ApprovalDecision,
    params(("id" = ApprovalId, Path, description = "Approval id"), ("If-Match" = String, Header, description = "ETag (version) of the approval read")),
    responses((status = 200, description = "Rejected", body = Approval),
        (status = 400, description = "Invalid note or If-Match", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such approval in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ApprovalId>,
    headers: HeaderMap,
    Json(body): Json<ApprovalDecision>,
) -> Result<Response, ApiError> {
    decide(&state, &principal, id, &headers, &body, ApprovalState::Rejected).await
}
