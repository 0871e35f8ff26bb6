//! `POST /api/v1/cbom/demo`: the partner surface's public demo. Anonymous by design (the page
//! that offers it has no account); off unless `[cbom_demo] enabled`. The rules live in
//! [`crate::demo`], the rows in `store/cbom_demo.rs`; this handler parses, applies them and
//! answers with the scan's results.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cairn_engine::crypto::quantum::METHODOLOGY;
use cairn_sdk::types::{CbomDemoRequest, CbomStatus, FieldError, Scan, ScanId, ScanSource, TenantId};
use tokio::sync::broadcast::error::RecvError;

use super::audit::record;
use super::cbom_compat::detail;
use super::extract::Json;
use crate::demo::{CACHE_WINDOW, DemoClient, DemoRepo, PER_CLIENT_WINDOW};
use crate::error::{ApiError, Kind};
use crate::jobs::queue::{JobPayload, JobSource, enqueue};
use crate::state::AppState;
use crate::store::{AuditEvent, DemoClaim, NewScan, now};

/// The header saying whether the answer is an earlier scan of the repository (`HIT`) or a new
/// one (`MISS`).
pub const CACHE_HEADER: &str = "x-cache";

/// The peer's address, when the server knows it (it always does when served by `server::launch`).
pub struct Peer(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Scans a public GitHub repository without a key: one new scan per client (IPv4 address or
/// IPv6 /64) per 24 hours; the same repository asked again within 5 minutes is answered with
/// that scan (no new scan, not counted). Waits up to `[cbom_demo] wait_secs` for the scan to end.
#[utoipa::path(post, operation_id = "cbom_demo", path = "/cbom/demo", tag = "cbom", request_body = CbomDemoRequest,
    responses(
        (status = 200, description = "The scan has ended (`completed` or `failed`): its results", body = cairn_sdk::types::CbomScanDetail,
            headers(("X-Cache" = String, description = "`HIT`: a demo scan of the same repository from the last 5 minutes; `MISS`: a new scan"))),
        (status = 202, description = "Still running after `[cbom_demo] wait_secs`: ask again within 5 minutes for the same scan", body = cairn_sdk::types::CbomScanDetail,
            headers(("X-Cache" = String, description = "`HIT` or `MISS`"))),
        (status = 400, description = "Not a public GitHub repository URL", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The demo is not enabled on this server", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 429, description = "This client's demo scan of the last 24 hours was used; `Retry-After` says when", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn demo(
    State(state): State<AppState>,
    Peer(peer): Peer,
    body: Result<Json<CbomDemoRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let cfg = &state.config.cbom_demo;
    // Off means absent: nothing about the request is looked at.
    if !cfg.enabled {
        return Err(ApiError::new(Kind::NotFound, "the public demo is not enabled on this server"));
    }
    let Json(req) = body?;
    let repo = DemoRepo::parse(&req.repo_url, cfg.test_repo_base.as_deref()).map_err(|e| {
        ApiError::fields(vec![FieldError { field: "body.repo_url".into(), message: e.to_string() }])
    })?;
    let Some(ip) = peer else {
        return Err(ApiError::new(
            Kind::Unavailable,
            "the client address is unknown, so the demo's limit cannot apply",
        ));
    };
    let client = DemoClient::from_ip(ip);
    let tenant = state.store.cbom_demo_tenant().await?;
    let at = now();
    let (id, cache) = match state.store.cbom_demo_cached(repo.url(), at - CACHE_WINDOW).await? {
        Some(id) => (id, "HIT"),
        None => (start(&state, tenant, &client, &repo, at).await?, "MISS"),
    };
    let scan = ended_or_current(&state, tenant, id, Duration::from_secs(cfg.wait_secs)).await?;
    let body = detail(&state, tenant, &scan).await?;
    let status =
        if CbomStatus::from_scan(scan.status).is_terminal() { StatusCode::OK } else { StatusCode::ACCEPTED };
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(CACHE_HEADER, HeaderValue::from_static(cache));
    Ok(resp)
}

/// Claims the client's scan of the day and queues it in the demo tenant.
async fn start(
    state: &AppState,
    tenant: TenantId,
    client: &DemoClient,
    repo: &DemoRepo,
    at: time::OffsetDateTime,
) -> Result<ScanId, ApiError> {
    match state.store.cbom_demo_claim(client.as_str(), repo.url(), at, at - PER_CLIENT_WINDOW).await? {
        DemoClaim::Granted(_) => {}
        DemoClaim::Limited(claimed) => {
            let wait = (claimed + PER_CLIENT_WINDOW - at).whole_seconds().max(1);
            let mut err = ApiError::new(
                Kind::RateLimited,
                format!("one demo scan per client per 24 hours; the next in {wait} s"),
            );
            err.retry_after = Some(u64::try_from(wait).unwrap_or(1));
            return Err(err);
        }
    }
    let url = repo.url().to_owned();
    let new = NewScan {
        project: None,
        version: None,
        source: ScanSource::Git { url: url.clone(), reference: None },
        requested_by: None,
        crypto: true,
    };
    let payload = JobPayload { source: JobSource::Git { url, reference: None }, crypto: true };
    let scan = match enqueue(state, tenant, &new, &payload, None).await {
        Ok(scan) => scan,
        Err(e) => {
            // Not the client's fault: the claim goes back.
            if let Err(e) = state.store.cbom_demo_release(client.as_str(), at).await {
                tracing::error!(error = %e, "could not release a demo claim");
            }
            return Err(e.into());
        }
    };
    state.store.cbom_demo_attach(client.as_str(), at, scan.id).await?;
    let event = AuditEvent {
        tenant_id: Some(tenant.to_string()),
        action: "scan.create".into(),
        object_type: "scan".into(),
        object_id: Some(scan.id.to_string()),
        detail: serde_json::json!({
            "via": "POST /api/v1/cbom/demo",
            "repo_url": repo.url(),
            "client": client.as_str(),
            "methodology_version": METHODOLOGY,
        }),
        ..AuditEvent::default()
    };
    record(state, event).await;
    Ok(scan.id)
}

/// The scan once it has ended, or as it stands when `wait` runs out. Listens on the progress bus
/// (every replica's events reach it) and reads the row, so an end that came before the
/// subscription is not missed.
async fn ended_or_current(
    state: &AppState,
    tenant: TenantId,
    id: ScanId,
    wait: Duration,
) -> Result<Scan, ApiError> {
    let mut rx = state.jobs.bus.subscribe();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let scan = state.store.scan_get(tenant, id).await?;
        if scan.status.is_terminal() {
            return Ok(scan);
        }
        // Wait for this scan's terminal event (then read the row that holds its results).
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) => return Ok(state.store.scan_get(tenant, id).await?),
                Ok(Ok(e)) if e.event.scan_id == id && e.event.status.is_terminal() => break,
                Ok(Ok(_)) => {}
                // Missed events: read the row again.
                Ok(Err(RecvError::Lagged(_))) => break,
                Ok(Err(RecvError::Closed)) => return Ok(state.store.scan_get(tenant, id).await?),
            }
        }
    }
}
