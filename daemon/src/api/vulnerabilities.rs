//! `/vulnerabilities`: the advisories affecting the tenant's projects now (searched by id, alias
//! or summary), and one advisory (by id or alias) with its record from the vulnerability data and
//! every project it affects with the triage.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use cairn_sdk::types::{
    AdvisoryDetail, AdvisorySummary, AffectedProject, Page, ProjectId, Role, Scope, TenantId,
};
use serde::Deserialize;

use super::extract::{Path, Query};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageResponse, offset_page};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{FindingsQuery, StoreError};

/// The longest advisory id or search text accepted.
const MAX_ID: usize = 200;
/// The most findings one advisory's detail lists.
const MAX_AFFECTED: i64 = 1000;

/// Search and paging of the advisories affecting the tenant.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityParams {
    /// Advisories whose id, aliases or summary contain this, any case (1-200 characters).
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The advisories with findings in the latest completed scan of some project, by id.
#[utoipa::path(get, operation_id = "vulnerabilities_list", path = "/vulnerabilities", tag = "findings", security(("bearer" = [])),
    params(VulnerabilityParams),
    responses((status = 200, description = "Advisories", body = Page<AdvisorySummary>),
        (status = 400, description = "A bad search or page", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<VulnerabilityParams>,
    uri: Uri,
) -> Result<PageResponse<AdvisorySummary>, ApiError> {
    // Characters, as the document's maxLength counts.
    if p.q.as_ref().is_some_and(|q| q.is_empty() || q.chars().count() > MAX_ID) {
        return Err(ApiError::field("query.q", format!("must be 1-{MAX_ID} characters")));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("query.limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::field("query.offset", "must not be negative"));
    }
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let (rows, total) = state.store.advisories_affecting(ctx.tenant, p.q.as_deref(), offset, limit).await?;
    Ok(offset_page(rows, total, limit, offset, &uri))
}

/// What the vulnerability data says of `id`: the records with that id or alias.
async fn records(state: &AppState, id: &str) -> Result<(Vec<String>, AdvisoryDetail), ApiError> {
    let mut detail = AdvisoryDetail {
        id: id.to_owned(),
        ids: Vec::new(),
        aliases: Vec::new(),
        summary: None,
        details: None,
        published: None,
        modified: None,
        references: Vec::new(),
        in_vulnerability_data: false,
        affected: Vec::new(),
    };
    let Some(snapshot) = state.vulndb.snapshot() else { return Ok((vec![id.to_owned()], detail)) };
    let db = snapshot.database.naming(&state.store, id).await?;
    // The record with this id first, then every record that names it as an alias.
    let mut found: Vec<&cairn_engine::vuln::Advisory> = db.advisory(id).into_iter().collect();
    found.extend(db.advisories().iter().filter(|a| a.id() != id && a.aliases().iter().any(|x| x == id)));
    let mut ids: BTreeSet<String> = BTreeSet::from([id.to_owned()]);
    let mut aliases = BTreeSet::new();
    for a in &found {
        ids.insert(a.id().to_owned());
        aliases.extend(a.aliases().iter().cloned());
    }
    if let Some(first) = found.first() {
        detail.in_vulnerability_data = true;
        detail.summary = found.iter().find_map(|a| a.summary()).map(str::to_owned);
        detail.details = first.details().filter(|d| !d.is_empty()).map(str::to_owned);
        detail.published = first.published().map(str::to_owned);
        detail.modified = Some(first.modified().to_owned());
        let refs: BTreeSet<String> =
            found.iter().flat_map(|a| a.references().iter().map(|r| r.url.clone())).collect();
        detail.references = refs.into_iter().collect();
    }
    detail.ids = found.iter().map(|a| a.id().to_owned()).collect();
    detail.aliases = aliases.into_iter().filter(|a| !ids.contains(a)).collect();
    // Findings carry one id of an alias group: any of these.
    let lookup: BTreeSet<String> = ids.into_iter().chain(detail.aliases.iter().cloned()).collect();
    Ok((lookup.into_iter().collect(), detail))
}

async fn project_names(
    state: &AppState,
    tenant: TenantId,
    ids: impl Iterator<Item = ProjectId>,
) -> Result<BTreeMap<ProjectId, String>, ApiError> {
    let mut out = BTreeMap::new();
    for id in ids.collect::<BTreeSet<_>>() {
        match state.store.project_get(tenant, id).await {
            Ok(p) => {
                out.insert(id, p.name);
            }
            // Deleted between the two reads: the finding went with it.
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// One advisory by id or alias (`CVE-…`, `GHSA-…`): its record from the vulnerability data, and
/// every project of the tenant it affects now (the latest completed scan of each) with the
/// triage. 404 when neither the data nor any finding knows the id.
#[utoipa::path(get, operation_id = "vulnerabilities_get", path = "/vulnerabilities/{id}", tag = "findings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Advisory id or alias")),
    responses((status = 200, description = "The advisory and the projects it affects", body = AdvisoryDetail),
        (status = 404, description = "Unknown to the vulnerability data and to every finding", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<AdvisoryDetail>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    if id.is_empty() || id.len() > MAX_ID {
        return Err(ApiError::new(Kind::NotFound, "no such advisory"));
    }
    let (lookup, mut detail) = records(&state, &id).await?;
    let mut findings = Vec::new();
    for v in &lookup {
        let q = FindingsQuery { vulnerability: Some(v.clone()), ..FindingsQuery::default() };
        let (items, _) = state.store.findings_list(ctx.tenant, &q, None, MAX_AFFECTED).await?;
        findings.extend(items);
    }
    if findings.is_empty() && !detail.in_vulnerability_data {
        return Err(ApiError::new(Kind::NotFound, format!("no advisory or finding is known by {id}")));
    }
    findings.sort_by(cairn_sdk::types::Finding::worst_first);
    findings.dedup_by(|a, b| a.finding.id == b.finding.id);
    if detail.summary.is_none() {
        detail.summary = findings.iter().find_map(|f| f.finding.summary.clone());
    }
    let names =
        project_names(&state, ctx.tenant, findings.iter().filter_map(|f| f.finding.project_id)).await?;
    detail.affected = findings
        .into_iter()
        .map(|f| AffectedProject {
            project_name: f.finding.project_id.and_then(|p| names.get(&p).cloned()),
            project_id: f.finding.project_id,
            scan_id: f.finding.scan_id,
            finding_id: f.finding.id,
            vulnerability_id: f.finding.vulnerability_id,
            purl: f.finding.purl,
            severity: f.finding.severity,
            fixed_version: f.finding.fixed_version,
            triage: f.triage.map(|t| t.state),
        })
        .collect();
    Ok(Json(detail))
}
