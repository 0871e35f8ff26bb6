//! A project's licenses, obligations and NOTICE, from its latest completed scan:
//! `/projects/{id}/licenses` (third-party components by concluded expression with its category,
//! and those whose license is not determined by reason), `/projects/{id}/obligations` (each
//! obligation the licenses ask, with the ids asking it and the components) — both the engine's
//! `license::groups` over the scan's stored input — and `/projects/{id}/notice` (the NOTICE the
//! pipeline rendered while the tree existed).

use std::io::Read;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cairn_engine::bom::BomInput;
use cairn_engine::inventory::Component;
use cairn_engine::license::groups;
use cairn_sdk::types::{
    LicenseCategory, LicensedComponent, Obligation, ProjectId, ProjectLicense, ProjectObligation, Role, Scan,
    Scope, TenantId,
};
use serde::Deserialize;

use super::components::latest_scan;
use super::extract::{Path, Query};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageResponse};
use super::scan_results::{cursor_page, paging};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::jobs::documents;
use crate::state::AppState;
use crate::store::StoreError;

/// Cursor paging of the groups, and how many components each group lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GroupParams {
    /// Groups per page, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// Components listed per group, 1-1000 (default 50); `components_total` counts them all.
    #[param(minimum = 1, maximum = 1000)]
    pub components_limit: Option<i64>,
}

impl GroupParams {
    /// `(limit, after, components_limit)`, or the 400 naming the field.
    fn parse(&self) -> Result<(i64, i64, usize), ApiError> {
        let (limit, after) = paging(self.limit, self.cursor.as_deref())?;
        let per_group = self.components_limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&per_group) {
            return Err(ApiError::field(
                "query.components_limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        Ok((limit, after, usize::try_from(per_group).unwrap_or(usize::MAX)))
    }
}

/// The stored input of the scan, or a 409 for a scan completed before inputs were kept.
async fn stored_input(state: &AppState, tenant: TenantId, scan: &Scan) -> Result<BomInput, ApiError> {
    let Some(packed) = state.store.scan_bom_input(tenant, scan.id).await? else {
        return Err(ApiError::new(
            Kind::ScanNotCompleted,
            format!("scan {} completed before scan results were kept for this view; scan again", scan.id),
        ));
    };
    tokio::task::spawn_blocking(move || documents::unpack(&packed))
        .await
        .map_err(|e| ApiError::internal(format!("reading the stored input stopped unexpectedly: {e}")))?
        .map_err(ApiError::internal)
}

fn listed(components: &[&Component], per_group: usize) -> Vec<LicensedComponent> {
    components
        .iter()
        .take(per_group)
        .map(|c| LicensedComponent {
            purl: c.purl.clone(),
            ecosystem: c.ecosystem.purl_type().to_owned(),
            name: c.name.clone(),
            version: c.version.clone(),
        })
        .collect()
}

/// An engine word as its wire enum (the same spelling); a mismatch is a bug, said as a 500.
fn wire<T: serde::de::DeserializeOwned>(word: impl serde::Serialize) -> Result<T, ApiError> {
    serde_json::to_value(word)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::internal(format!("an engine word does not map to its wire type: {e}")))
}

/// One page of `items` (all of them, in order) after position `after`.
fn page_of<T: serde::Serialize>(items: Vec<T>, after: i64, limit: i64, uri: &Uri) -> PageResponse<T> {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let rows: Vec<(i64, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, t)| (i64::try_from(i).unwrap_or(i64::MAX), t))
        .filter(|(i, _)| *i > after)
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .collect();
    cursor_page(rows, total, limit, uri)
}

/// The licenses of the project's latest completed scan: its third-party components grouped by
/// concluded license expression (sorted), each with its ids and most demanding category, then
/// the components whose license is not determined, grouped by why (no category: nothing is
/// assumed about them).
#[utoipa::path(get, operation_id = "project_licenses", path = "/projects/{id}/licenses", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), GroupParams),
    responses((status = 200, description = "License groups", body = cairn_sdk::types::Page<ProjectLicense>),
        (status = 400, description = "A bad limit or cursor", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or no completed scan of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The latest scan completed before scan results were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn licenses(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(p): Query<GroupParams>,
    uri: Uri,
) -> Result<PageResponse<ProjectLicense>, ApiError> {
    let (limit, after, per_group) = p.parse()?;
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let scan = latest_scan(&state, ctx.tenant, id).await?;
    let input = stored_input(&state, ctx.tenant, &scan).await?;
    let items = groups::by_license(&input.inventory)
        .into_iter()
        .map(|g| {
            Ok(ProjectLicense {
                scan_id: scan.id,
                expression: g.expression,
                ids: g.ids,
                category: g.category.map(wire::<LicenseCategory>).transpose()?,
                not_determined: g.not_determined,
                components_total: g.components.len() as u64,
                components: listed(&g.components, per_group),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(page_of(items, after, limit, &uri))
}

/// The obligations the licenses of the project's latest completed scan ask (attribution, license
/// text, source disclosure, …), each with the license ids asking it and the third-party
/// components under them. Components whose license is not determined are in no group.
#[utoipa::path(get, operation_id = "project_obligations", path = "/projects/{id}/obligations", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), GroupParams),
    responses((status = 200, description = "Obligations", body = cairn_sdk::types::Page<ProjectObligation>),
        (status = 400, description = "A bad limit or cursor", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or no completed scan of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The latest scan completed before scan results were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn obligations(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
    Query(p): Query<GroupParams>,
    uri: Uri,
) -> Result<PageResponse<ProjectObligation>, ApiError> {
    let (limit, after, per_group) = p.parse()?;
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let scan = latest_scan(&state, ctx.tenant, id).await?;
    let input = stored_input(&state, ctx.tenant, &scan).await?;
    let items = groups::by_obligation(&input.inventory)
        .into_iter()
        .map(|g| {
            Ok(ProjectObligation {
                scan_id: scan.id,
                obligation: wire::<Obligation>(g.obligation)?,
                licenses: g.ids,
                components_total: g.components.len() as u64,
                components: listed(&g.components, per_group),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(page_of(items, after, limit, &uri))
}

/// Why a completed scan has no stored NOTICE.
fn no_notice(scan: &Scan) -> ApiError {
    ApiError::new(Kind::ScanNotCompleted, format!("scan {} {}", scan.id, documents::why_no_notice(scan)))
}

/// The NOTICE of the project's latest completed scan: every third-party component once with its
/// license, the copyright lines of its license files and their texts, then the standard texts of
/// licenses named without a file. Rendered at scan time, while the scanned tree existed.
#[utoipa::path(get, operation_id = "project_notice", path = "/projects/{id}/notice", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id")),
    responses((status = 200, description = "The NOTICE text (ETag = its SHA-256)", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 400, description = "A malformed project id", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or no completed scan of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The latest scan has no NOTICE: read from an SBOM, or completed before NOTICE files were kept", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn notice(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ProjectId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::BomRead, Role::Viewer)?;
    let scan = latest_scan(&state, ctx.tenant, id).await?;
    let doc = match state.store.scan_document(ctx.tenant, scan.id, documents::NOTICE_FORMAT).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Err(no_notice(&scan)),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::with_capacity(usize::try_from(doc.bytes).unwrap_or(0));
    flate2::read::GzDecoder::new(doc.compressed.as_slice())
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::internal(format!("stored NOTICE does not decompress: {e}")))?;
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&doc.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", doc.sha256)) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"NOTICE-{}.txt\"", scan.id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_words_map_to_the_wire_enums() {
        use cairn_engine::inventory::Category;
        for (engine, want) in [
            (Category::PublicDomain, LicenseCategory::PublicDomain),
            (Category::WeakCopyleft, LicenseCategory::WeakCopyleft),
            (Category::StrongCopyleft, LicenseCategory::StrongCopyleft),
            (Category::NetworkCopyleft, LicenseCategory::NetworkCopyleft),
            (Category::Proprietary, LicenseCategory::Proprietary),
            (Category::Unknown, LicenseCategory::Unknown),
        ] {
            assert_eq!(wire::<LicenseCategory>(engine).ok(), Some(want));
        }
        for name in cairn_engine::license::obligations::Obligations::NAMES {
            let o = wire::<Obligation>(name).expect("an obligation");
            assert_ne!(o, Obligation::Unrecognized, "{name}");
        }
    }

    #[test]
    fn pages_follow_the_cursor_position() {
        let uri: Uri = "/api/v1/projects/x/licenses".parse().expect("uri");
        let first = page_of(vec![1, 2, 3], -1, 2, &uri);
        assert_eq!((first.page.items.clone(), first.page.total), (vec![1, 2], 3));
        let (_, after) = paging(Some(2), first.page.next_cursor.as_deref()).expect("cursor");
        let second = page_of(vec![1, 2, 3], after, 2, &uri);
        assert_eq!((second.page.items, second.page.next_cursor), (vec![3], None));
    }
}
