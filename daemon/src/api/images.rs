//! The image catalogue: where a registry image's scan lands (the project named by its repository,
//! the version named by its tag), a version's scan history (`/projects/{id}/versions/{vid}/scan-history`:
//! per completed scan its date, the digest the tag resolved to, counts and gate) and its documents
//! (`/projects/{id}/versions/{vid}/sbom`).
//!
//! A tag that moves (a new digest pushed under the same tag) stays one version: each scan records
//! the digest it pulled, so the version's history is the tag's digest history, as Docker Hub and
//! Harbor show a tag.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use cairn_sdk::types::{
    BomFormat, HistoryPoint, Page, ProjectId, ProjectKind, Role, Scope, TenantId, Version, VersionId,
};
use serde::Deserialize;

use super::extract::{Path, Query};
use super::history::point;
use super::pagination::{ListParams, PageResponse, page};
use super::scan_results::{BomParams, serve_document};
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::sources::image::parse_reference;
use crate::state::AppState;
use crate::store::{ImageDigests, StoreError, ts};

/// The catalogue's names of an image reference: the project (`registry/repository`, as the
/// reference names it, Docker Hub's `docker.io/library/…` spelled out) and the version (the tag,
/// else the pinned digest).
pub fn catalogue_names(reference: &str) -> Option<(String, String)> {
    let r = parse_reference(reference).ok()?;
    let project = format!("{}/{}", r.registry(), r.repository());
    let version = r.tag().or(r.digest())?.to_owned();
    Some((project, version))
}

/// Where an image scan lands when the request names no version: the project it names, else the
/// project named by the image's repository (found, or created as an `image` project when the
/// caller may create projects; otherwise the scan stays ad hoc); in an `image` project, the
/// version named by the tag (found or created).
pub(super) async fn place_image_scan(
    state: &AppState,
    principal: &Principal,
    tenant: TenantId,
    reference: &str,
    project: Option<ProjectId>,
    version: Option<VersionId>,
) -> Result<(Option<ProjectId>, Option<VersionId>), ApiError> {
    if version.is_some() {
        return Ok((project, version));
    }
    let Some((project_name, version_name)) = catalogue_names(reference) else {
        return Ok((project, version));
    };
    let project = match project {
        Some(id) => state.store.project_get(tenant, id).await?,
        None => {
            if principal.tenant_access(Scope::ProjectWrite, Role::Member).is_err() {
                return Ok((None, None));
            }
            state.store.image_project_find_or_create(tenant, &project_name).await?
        }
    };
    if project.kind != ProjectKind::Image {
        return Ok((Some(project.id), None));
    }
    let version = state.store.version_find_or_create(tenant, project.id, &version_name).await?;
    Ok((Some(project.id), Some(version.id)))
}

/// Paging of a version's scan history.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled parameter is a 400 naming it
pub struct ScanHistoryParams {
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// `created_at`, `finished_at`; `-` for descending (default: oldest first).
    pub sort: Option<String>,
}

/// The version of `project` (another project's version, or another tenant's, is not found).
async fn version_of(
    state: &AppState,
    tenant: TenantId,
    project: ProjectId,
    version: VersionId,
) -> Result<Version, ApiError> {
    state.store.project_get(tenant, project).await?;
    let v = state.store.version_get(tenant, version).await?;
    if v.project_id != project {
        return Err(StoreError::NotFound.into());
    }
    Ok(v)
}

fn with_digests(p: HistoryPoint, d: ImageDigests) -> HistoryPoint {
    HistoryPoint { image_digest: d.digest, image_manifest_digest: d.manifest_digest, ..p }
}

/// A version's completed scans as a paged time series: per scan its date, the image digest it
/// pulled, counts by severity (absent when not matched), components and gate.
#[utoipa::path(get, operation_id = "version_scan_history", path = "/projects/{id}/versions/{vid}/scan-history", tag = "versions", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ("vid" = VersionId, Path, description = "Version id (of that project)"), ScanHistoryParams),
    responses((status = 200, description = "The version's completed scans, oldest first unless sorted", body = Page<HistoryPoint>),
        (status = 400, description = "Invalid paging or sort", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or no such version of it", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn scan_history(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, vid)): Path<(ProjectId, VersionId)>,
    Query(p): Query<ScanHistoryParams>,
    uri: Uri,
) -> Result<PageResponse<HistoryPoint>, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer)?;
    let params = ListParams { limit: p.limit, offset: p.offset, cursor: p.cursor, sort: p.sort };
    let q = params.to_query(&["created_at", "finished_at"])?;
    version_of(&state, ctx.tenant, id, vid).await?;
    let (rows, total) = state.store.version_scan_history(ctx.tenant, vid, &q).await?;
    let gates = state.store.gate_statuses_of_project(ctx.tenant, id).await?;
    // Keyed by creation for the cursor; the point itself carries no creation time.
    let keyed: Vec<(String, String, HistoryPoint)> = rows
        .into_iter()
        .map(|(scan, digests)| {
            let gate = gates.get(&scan.id).copied();
            (ts(scan.created_at), scan.id.to_string(), with_digests(point(scan, gate), digests))
        })
        .collect();
    let paged = page(keyed, total, &q, |(created, id, _)| (created.clone(), id.clone()), &uri);
    let PageResponse { page: Page { items, total, limit, offset, next_cursor }, link } = paged;
    let items = items.into_iter().map(|(_, _, p)| p).collect();
    Ok(PageResponse { page: Page { items, total, limit, offset, next_cursor }, link })
}

/// A document of the version's latest completed scan (SPDX 2.3, CycloneDX 1.5, … as `format`
/// says; CycloneDX 1.6 by default).
#[utoipa::path(get, operation_id = "version_sbom", path = "/projects/{id}/versions/{vid}/sbom", tag = "versions", security(("bearer" = [])),
    params(("id" = ProjectId, Path, description = "Project id"), ("vid" = VersionId, Path, description = "Version id (of that project)"), BomParams),
    responses((status = 200, description = "The document, as stored at completion (ETag = its SHA-256), in its format's media type (`BomFormat::media_type`)",
            content(("application/vnd.cyclonedx+json"), ("application/spdx+json"), ("application/json"), ("application/sarif+json"))),
        (status = 400, description = "Unknown format", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project or version of it, no completed scan of the version, or (OpenVEX) nothing to state", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn version_sbom(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, vid)): Path<(ProjectId, VersionId)>,
    Query(p): Query<BomParams>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::BomRead, Role::Viewer)?;
    version_of(&state, ctx.tenant, id, vid).await?;
    let scan = match state.store.scan_latest_completed_of_version(ctx.tenant, vid).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => {
            return Err(ApiError::new(Kind::NotFound, "the version has no completed scan yet"));
        }
        Err(e) => return Err(e.into()),
    };
    serve_document(&state, ctx.tenant, &scan, p.format.unwrap_or(BomFormat::CycloneDx)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_its_project_by_repository_and_its_version_by_tag_else_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let cases = [
            ("ghcr.io/acme/app:1.2", Some(("ghcr.io/acme/app", "1.2".to_owned()))),
            ("127.0.0.1:5000/cairn/debian:12", Some(("127.0.0.1:5000/cairn/debian", "12".to_owned()))),
            ("alpine", Some(("docker.io/library/alpine", "latest".to_owned()))),
            (&*format!("ghcr.io/acme/app@{digest}"), Some(("ghcr.io/acme/app", digest.clone()))),
            (&*format!("ghcr.io/acme/app:2@{digest}"), Some(("ghcr.io/acme/app", "2".to_owned()))),
            ("https://ghcr.io/acme/app:1", None),
        ];
        for (reference, want) in cases {
            let got = catalogue_names(reference);
            assert_eq!(got, want.map(|(p, v)| (p.to_owned(), v)), "{reference}");
        }
    }
}
