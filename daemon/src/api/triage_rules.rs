//! `/triage-rules`: triage applied to matching findings across projects — those there now (on
//! creation) and those of every later scan, until the rule expires. Members make and delete
//! rules; everyone in the tenant reads them.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_engine::vuln::PurlPattern;
use cairn_sdk::types::{
    CreateTriageRule, Role, Scope, TriageRule, TriageRuleCreated, TriageRuleId, TriageState,
};

use super::conventions::{no_content, with_location};
use super::extract::{Json, Path, Query};
use super::findings::MAX_NOTE;
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{now, ts};

/// The most projects one rule may list.
const MAX_PROJECTS: usize = 1000;

fn checked(state_projects: &[cairn_sdk::types::ProjectId], req: &CreateTriageRule) -> Result<(), ApiError> {
    let mut c = Check::new();
    c.word("body.vulnerability", &req.vulnerability, 200);
    if let Err(e) = PurlPattern::new(&req.purl, req.version_range.as_deref()) {
        let field = if req.version_range.is_some() && req.purl.starts_with("pkg:") {
            "body.version_range"
        } else {
            "body.purl"
        };
        c.fail(field, e.to_string());
    }
    if req.purl.len() > 2048 {
        c.fail("body.purl", "must be at most 2048 bytes");
    }
    if let Some(list) = &req.projects {
        if list.is_empty() || list.len() > MAX_PROJECTS {
            c.fail("body.projects", format!("must list 1 to {MAX_PROJECTS} projects, or be absent for all"));
        }
        if let Some(i) = list.iter().position(|p| !state_projects.contains(p)) {
            c.fail(&format!("body.projects[{i}]"), "no such project in this tenant");
        }
    }
    let note = req.note.as_deref().filter(|n| !n.trim().is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        c.fail("body.note", format!("must be at most {MAX_NOTE} characters"));
    }
    if matches!(req.state, TriageState::NotAffected | TriageState::FalsePositive)
        && req.justification.is_none()
        && note.is_none()
    {
        c.fail(
            "body.justification",
            "not_affected and false_positive need a justification or a note (an impact statement)",
        );
    }
    if req.expires_at.is_some_and(|e| e <= now()) {
        c.fail("body.expires_at", "must be in the future");
    }
    c.finish()
}

/// The tenant's triage rules (each with how many findings' triage it set).
#[utoipa::path(get, operation_id = "triage_rules_list", path = "/triage-rules", tag = "findings", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Rules", body = cairn_sdk::types::Page<TriageRule>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<TriageRule>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let q = params.to_query(&["created_at", "vulnerability", "purl"])?;
    let (rows, total) = state.store.triage_rule_list(ctx.tenant, &q, now()).await?;
    Ok(page(rows, total, &q, |r| (ts(r.created_at), r.id.to_string()), &uri))
}

/// Makes a rule and applies it at once to the findings of each project's latest scan (and of
/// ad-hoc scans, for a rule on every project) that nobody triaged; later scans get it at their
/// end. A rule never overrides an existing triage.
#[utoipa::path(post, operation_id = "triage_rules_create", path = "/triage-rules", tag = "findings", security(("bearer" = [])), request_body = CreateTriageRule,
    responses((status = 201, description = "Made and applied", body = TriageRuleCreated),
        (status = 400, description = "Invalid fields (purl, range, projects, the VEX rules, a past expiry)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateTriageRule>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    let known = match &req.projects {
        Some(list) => {
            let mut found = Vec::new();
            for p in list.iter().take(MAX_PROJECTS) {
                match state.store.project_get(ctx.tenant, *p).await {
                    Ok(_) => found.push(*p),
                    Err(crate::store::StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            found
        }
        None => Vec::new(),
    };
    checked(&known, &req)?;
    let mut req = req;
    req.note = req.note.filter(|n| !n.trim().is_empty());
    let id = state.store.triage_rule_create(ctx.tenant, principal.user.id, &req).await?;
    let rule = state.store.triage_rule_get(ctx.tenant, id, now()).await?;
    let applied_now = crate::triage::rules::apply_new(&state.store, ctx.tenant, &rule).await?;
    // `applied` counts what it set, including just now.
    let rule = state.store.triage_rule_get(ctx.tenant, id, now()).await?;
    let location = format!("/api/v1/triage-rules/{id}");
    let body = TriageRuleCreated { rule, applied_now };
    Ok(with_location((StatusCode::CREATED, axum::Json(body)).into_response(), &location))
}

/// One rule.
#[utoipa::path(get, operation_id = "triage_rules_get", path = "/triage-rules/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = TriageRuleId, Path, description = "Rule id")),
    responses((status = 200, description = "The rule", body = TriageRule),
        (status = 404, description = "No such rule in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<TriageRuleId>,
) -> Result<axum::Json<TriageRule>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    Ok(axum::Json(state.store.triage_rule_get(ctx.tenant, id, now()).await?))
}

/// Deletes a rule: it applies to no later finding; the triage it set stays, still naming it.
#[utoipa::path(delete, operation_id = "triage_rules_delete", path = "/triage-rules/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = TriageRuleId, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such rule in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<TriageRuleId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::FindingTriage, Role::Member)?;
    state.store.triage_rule_delete(ctx.tenant, id).await?;
    Ok(no_content())
}
