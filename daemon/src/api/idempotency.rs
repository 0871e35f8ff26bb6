//! `Idempotency-Key` on creating POSTs: the first successful response to a key is stored for
//! 24 hours and replayed for retries with the same request; a different request with the same
//! key is 422. The key is claimed before the request runs, so a second identical request that
//! arrives meanwhile gets 409 `IDEMPOTENCY_IN_PROGRESS` instead of running twice.
//!
//! A key belongs to one tenant and one credential (the user's access token, or one API key), so
//! another principal, tenant or key never sees its response; a replay is authorized against the
//! route's declared [`Access`](crate::auth::Access) first, like the request it repeats; and a
//! response carrying a one-time secret (marked [`OneTimeSecret`]) is never stored: its replay is
//! 409 `IDEMPOTENCY_SECRET_WITHHELD`.
//!
//! Multipart uploads are not buffered here (they may be far larger than `max_body_bytes`, and a
//! client's retry has a new boundary): the middleware hands their key to the handler as a
//! [`PendingKey`], and the handler fingerprints what it parsed (fields and the file's SHA-256)
//! and calls [`begin`] and [`finish`].

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::auth::principal::Credential;
use crate::auth::routes::access_of;
use crate::auth::secrets::sha256_hex;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{IdempotencyClaim, StoredResponse};

const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotency-replayed";
/// Headers worth replaying.
const KEPT: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// Routes whose bodies are multipart uploads, fingerprinted by their handlers.
pub const UPLOAD_PATHS: [&str; 2] = ["/api/v1/scans/upload", "/api/v1/sboms/ingest"];

/// Whether `path` is an upload route: the full path (outer layers) or the one inside the
/// `/api/v1` nest (this middleware sees the nested router's path).
pub fn is_upload_path(path: &str) -> bool {
    UPLOAD_PATHS.iter().any(|p| path == *p || p.strip_prefix("/api/v1") == Some(path))
}

/// Response extension of a handler whose body holds a secret shown only once (a new API key's
/// secret, an invite token): the response is sent but not kept for replays.
#[derive(Debug, Clone, Copy)]
pub struct OneTimeSecret;

/// Whose keys these are: the tenant the request acts in and the credential that made it. Keys
/// of a user's access tokens are shared across their sessions; each API key has its own.
fn owner(principal: &Principal) -> String {
    let tenant = principal.tenant.map_or_else(|| "-".to_owned(), |(t, _)| t.to_string());
    match &principal.credential {
        Credential::Jwt => format!("{tenant}/user:{}", principal.user.id),
        Credential::ApiKey { id, .. } => format!("{tenant}/key:{id}"),
    }
}

/// The stored response to send again, if the caller may still make the request it repeats.
fn authorized_replay(
    principal: &Principal,
    method: &Method,
    template: &str,
    stored: StoredResponse,
) -> Result<Response, ApiError> {
    let access = access_of(method, template).ok_or_else(|| {
        tracing::error!(%method, template, "a route without a declared access was asked to replay");
        ApiError::bare(Kind::Forbidden)
    })?;
    principal.check(access)?;
    if stored.secret_withheld {
        return Err(ApiError::bare(Kind::IdempotencySecretWithheld));
    }
    Ok(replay(stored))
}

/// An `Idempotency-Key` the middleware left to an upload handler.
#[derive(Debug, Clone)]
pub struct PendingKey {
    who: String,
    key: String,
    path: String,
    template: String,
    principal: Box<Principal>,
}

/// What [`begin`] decided.
pub enum Begin {
    /// The key is claimed: run the request, then [`finish`].
    Run(Claimed),
    /// The first response to this request, to send again.
    Replay(Response),
}

/// A claimed key and the request's fingerprint.
pub struct Claimed {
    pending: PendingKey,
    request_hash: String,
}

impl PendingKey {
    /// The path the key was sent to (part of the fingerprint).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// Claims `pending` for a request with fingerprint `request_hash` (SHA-256 hex of what the
/// handler parsed), or answers with the stored response or the key's conflict.
pub async fn begin(state: &AppState, pending: PendingKey, request_hash: String) -> Result<Begin, ApiError> {
    match state.store.idempotency_claim(&pending.who, &pending.key, &pending.path, &request_hash).await? {
        IdempotencyClaim::Claimed => Ok(Begin::Run(Claimed { pending, request_hash })),
        IdempotencyClaim::InProgress { same_request: true } => {
            Err(ApiError::bare(Kind::IdempotencyInProgress))
        }
        IdempotencyClaim::InProgress { same_request: false } => {
            Err(ApiError::bare(Kind::IdempotencyKeyReused))
        }
        IdempotencyClaim::Done(stored) if stored.request_hash != request_hash => {
            Err(ApiError::bare(Kind::IdempotencyKeyReused))
        }
        IdempotencyClaim::Done(stored) => Ok(Begin::Replay(authorized_replay(
            &pending.principal,
            &Method::POST,
            &pending.template,
            stored,
        )?)),
    }
}

/// Stores a claimed request's response (or frees the key when it failed) and returns it.
pub async fn finish(state: &AppState, claimed: Claimed, result: Result<Response, ApiError>) -> Response {
    let Claimed { pending, request_hash } = claimed;
    let resp = match result {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    match store_response(state, &pending.who, &pending.key, request_hash, resp).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// The form of an `Idempotency-Key`, as the OpenAPI document states it: 1-255 printable ASCII
/// characters, no spaces.
pub const KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// Whether `key` has [`KEY_PATTERN`]'s form.
fn acceptable_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether the middleware reads `Idempotency-Key` on `method path`: every POST under `/api/v1`
/// but the `/auth` routes (a replayed refresh would dodge reuse detection).
pub fn applies_to(method: &str, path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    method.eq_ignore_ascii_case("POST") && !path.starts_with("/auth/")
}

/// The middleware (on `/api/v1`; only POSTs outside `/auth` are considered).
pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match handle(state, req, next).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let path = req.uri().path().to_owned();
    // Inside the `/api/v1` nest the path arrives without its prefix; `applies_to` takes both.
    if !applies_to(req.method().as_str(), &path) {
        return Ok(next.run(req).await);
    }
    let Some(key) = req.headers().get(HEADER) else { return Ok(next.run(req).await) };
    // Keys are per user: resolve the caller first (unauthenticated requests pass on to their
    // 401, whatever their key looks like: credentials are checked before anything else).
    let Ok(Some(principal)) = Principal::authenticate(&state, req.headers()).await else {
        return Ok(next.run(req).await);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| acceptable_key(k))
        .ok_or_else(|| ApiError::field("header.Idempotency-Key", "must be 1-255 printable ASCII characters"))?
        .to_owned();
    let who = owner(&principal);
    let template =
        req.extensions().get::<MatchedPath>().map_or_else(|| path.clone(), |m| m.as_str().to_owned());
    if is_upload_path(&path) {
        let mut req = req;
        let pending = PendingKey { who, key, path, template, principal: Box::new(principal.clone()) };
        req.extensions_mut().insert(pending);
        req.extensions_mut().insert(principal);
        return Ok(next.run(req).await);
    }
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
        IdempotencyClaim::Done(stored) => {
            return authorized_replay(&principal, &Method::POST, &template, stored);
        }
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(principal);
    let resp = next.run(req).await;
    store_response(&state, &who, &key, request_hash, resp).await
}

/// Keeps a successful response for replays; a failed one frees the key for a retry.
async fn store_response(
    state: &AppState,
    who: &str,
    key: &str,
    request_hash: String,
    resp: Response,
) -> Result<Response, ApiError> {
    if !resp.status().is_success() {
        state.store.idempotency_abandon(who, key).await?;
        return Ok(resp);
    }
    if resp.extensions().get::<OneTimeSecret>().is_some() {
        let withheld = StoredResponse {
            request_hash,
            status: resp.status().as_u16(),
            headers: Vec::new(),
            body: Vec::new(),
            secret_withheld: true,
        };
        state.store.idempotency_complete(who, key, &withheld).await?;
        return Ok(resp);
    }
    let (parts, body) = resp.into_parts();
    let body = match to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            state.store.idempotency_abandon(who, key).await?;
            return Err(ApiError::internal(e));
        }
    };
    let headers = KEPT
        .iter()
        .filter_map(|h| {
            parts.headers.get(h).and_then(|v| v.to_str().ok()).map(|v| (h.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let stored = StoredResponse {
        request_hash,
        status: parts.status.as_u16(),
        headers,
        body: body.to_vec(),
        secret_withheld: false,
    };
    state.store.idempotency_complete(who, key, &stored).await?;
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
