//! Liveness and readiness: `/api/health`, `/healthz`, `/readyz`. Anonymous callers learn whether
//! the daemon and its database answer; the version and the backend are for authenticated ones.
//! The three are rate limited per address (`rate_limits.health_per_minute`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{Health, SpecVersions};

use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::state::AppState;

/// The health document; the version and the backend only for an authenticated caller.
async fn health_doc(state: &AppState, headers: &HeaderMap) -> (bool, Health) {
    let db_ok = state.store.ping().await.is_ok();
    // A credential that does not authenticate is simply anonymous here: probes never answer 401.
    let known = db_ok && matches!(Principal::authenticate(state, headers).await, Ok(Some(_)));
    let backend = state.store.backend().name();
    let answered = if db_ok { "ok" } else { "unreachable" };
    (
        db_ok,
        Health {
            status: if db_ok { "ok" } else { "degraded" }.into(),
            version: known.then(|| env!("CARGO_PKG_VERSION").into()),
            timestamp: crate::store::now(),
            spec_versions: SpecVersions {
                cyclonedx: "1.6".into(),
                spdx: "3.0.1".into(),
                openvex: "0.2.0".into(),
                sarif: "2.1.0".into(),
                osv: "1.7.0".into(),
            },
            database: if known { format!("{backend}: {answered}") } else { answered.into() },
            // Age since the data was last known current (a 304 from the mirror counts).
            vulndb_age: {
                let now = crate::store::now();
                let used = state.vulndb.used(now, state.config.vulndb.stale_after());
                used.current_as_of.map(|t| (now - t).whole_seconds())
            },
        },
    )
}

/// Health document.
#[utoipa::path(get, operation_id = "api_health", path = "/api/health", tag = "service",
    responses((status = 200, description = "Daemon health (version and backend for authenticated callers)", body = Health),
        (status = 429, description = "Too many probes from this address", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn api_health(State(state): State<AppState>, headers: HeaderMap) -> Json<Health> {
    Json(health_doc(&state, &headers).await.1)
}

/// Liveness: the process answers.
#[utoipa::path(get, operation_id = "healthz", path = "/healthz", tag = "service",
    responses((status = 200, description = "Alive", body = Health),
        (status = 429, description = "Too many probes from this address", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn healthz(State(state): State<AppState>, headers: HeaderMap) -> Json<Health> {
    Json(health_doc(&state, &headers).await.1)
}

/// Readiness: 200 when the database answers, else 503.
#[utoipa::path(get, operation_id = "readyz", path = "/readyz", tag = "service",
    responses((status = 200, description = "Ready", body = Health),
        (status = 429, description = "Too many probes from this address", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (ok, doc) = health_doc(&state, &headers).await;
    if ok {
        (StatusCode::OK, Json(doc)).into_response()
    } else {
        ApiError::new(Kind::Unavailable, doc.database).into_response()
    }
}
