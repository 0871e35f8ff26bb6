//! `Idempotency-Key` on creating POSTs: the first successful response to a key is stored for
//! 24 hours and replayed for retries with the same request; a different request with the same
//! key is 422. The key is claimed before the request runs, so a second identical request that
//! arrives meanwhile gets 409 `IDEMPOTENCY_IN_PROGRESS` instead of running twice.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::auth::secrets::sha256_hex;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{IdempotencyClaim, StoredResponse};

const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotency-replayed";
/// Headers worth replaying.
const KEPT: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// The middleware (on `/api/v1`; only POSTs outside `/auth` are considered).
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match handle(state, req, next).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let path = req.uri().path().to_owned();
    if req.method() != Method::POST || path.starts_with("/api/v1/auth/") {
        return Ok(next.run(req).await);
    }
    let Some(key) = req.headers().get(HEADER) else { return Ok(next.run(req).await) };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::field("header.Idempotency-Key", "must be 1-255 printable ASCII characters"))?
        .to_owned();
    // Keys are per user: resolve the caller (unauthenticated requests just pass on to their 401).
    let Ok(Some(principal)) = Principal::authenticate(&state, req.headers()).await else {
        return Ok(next.run(req).await);
    };
    let who = principal.user.id.to_string();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| ApiError::new(Kind::PayloadTooLarge, "the body exceeds the size limit"))?;
    let mut fingerprint = Vec::with_capacity(bytes.len() + path.len() + 8);
    fingerprint.extend_from_slice(b"POST ");
    fingerprint.extend_from_slice(path.as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(&bytes);
    let request_hash = sha256_hex(&fingerprint);

    match state.store.idempotency_claim(&who, &key, &path, &request_hash).await? {
        IdempotencyClaim::Claimed => {}
        IdempotencyClaim::InProgress { same_request: true } => {
            return Err(ApiError::bare(Kind::IdempotencyInProgress));
        }
        IdempotencyClaim::InProgress { same_request: false } => {
            return Err(ApiError::bare(Kind::IdempotencyKeyReused));
        }
        IdempotencyClaim::Done(stored) if stored.request_hash != request_hash => {
            return Err(ApiError::bare(Kind::IdempotencyKeyReused));
        }
        IdempotencyClaim::Done(stored) => return Ok(replay(stored)),
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(principal);
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        state.store.idempotency_abandon(&who, &key).await?;
        return Ok(resp);
    }
    let (parts, body) = resp.into_parts();
    let body = match to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            state.store.idempotency_abandon(&who, &key).await?;
            return Err(ApiError::internal(e));
        }
    };
    let headers = KEPT
        .iter()
        .filter_map(|h| {
            parts.headers.get(h).and_then(|v| v.to_str().ok()).map(|v| (h.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let stored = StoredResponse { request_hash, status: parts.status.as_u16(), headers, body: body.to_vec() };
    state.store.idempotency_complete(&who, &key, &stored).await?;
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, stored.body).into_response();
    for (name, value) in stored.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            resp.headers_mut().insert(n, v);
        }
    }
    resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}
