//! Cross-cutting conventions: `X-Request-ID`, problem+json on every error (router 404/405 too),
//! and `ETag` / `If-Match`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::Problem;
use tracing::Instrument;

use crate::error::{ApiError, Kind, problem_response};

/// The request id header.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Longest client request id kept.
const MAX_REQUEST_ID: usize = 128;

/// Whether a client's `X-Request-ID` is safe to keep: it reaches logs, the audit log and its CSV
/// export, so only letters, digits and `- _ . :` (enough for UUIDs, ULIDs and trace ids).
pub fn acceptable_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Accepts the client's `X-Request-ID` if [`acceptable_request_id`], else makes a UUIDv7; runs
/// the request in a span carrying it (so every log line has it), echoes it, and completes every
/// error response into a problem document with `request_id` and `instance`.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, %method, path = %path);
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status();
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request done"
        )
    });
    resp = finish_problem(resp, &id, &path);
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    resp
}

/// Fills `request_id` and `instance` into problem responses, and turns any other error response
/// (a layer's plain-text 408 or 413, say) into a problem too.
fn finish_problem(resp: Response, id: &str, path: &str) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let problem = resp.extensions().get::<Problem>().cloned();
    let mut problem = match problem {
        Some(p) => p,
        None => generic_problem(status),
    };
    problem.request_id = Some(id.to_owned());
    problem.instance = Some(path.to_owned());
    let (parts, _) = resp.into_parts();
    let mut fresh = problem_response(problem, None);
    *fresh.status_mut() = parts.status;
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

fn generic_problem(status: StatusCode) -> Problem {
    let kind = match status {
        StatusCode::NOT_FOUND => Kind::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => Kind::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Kind::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Kind::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => Kind::Unauthorized,
        StatusCode::FORBIDDEN => Kind::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => Kind::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => Kind::Unavailable,
        s if s.is_client_error() => Kind::Validation,
        _ => Kind::Internal,
    };
    let mut p = ApiError::bare(kind).to_problem();
    p.status = status.as_u16();
    p
}

/// Refuses a matched route that [`ROUTES`](crate::auth::routes::ROUTES) does not declare (a
/// `route_layer`, so 404 and 405 pass untouched): a route added without saying who may call it
/// fails closed, and the authorization matrix compares its rows with that table.
pub async fn declared_routes_only(req: Request, next: Next) -> Response {
    let template = req.extensions().get::<axum::extract::MatchedPath>().map(|m| m.as_str().to_owned());
    match template {
        Some(t) if crate::auth::routes::access_of(req.method(), &t).is_none() => {
            tracing::error!(method = %req.method(), template = %t, "a route declares no access: refused");
            ApiError::new(Kind::Internal, "this route declares no access requirement").into_response()
        }
        _ => next.run(req).await,
    }
}

/// Router fallback: 404 problem.
pub async fn route_not_found() -> ApiError {
    ApiError::bare(Kind::RouteNotFound)
}

/// Method fallback: 405 problem.
pub async fn method_not_allowed() -> ApiError {
    ApiError::bare(Kind::MethodNotAllowed)
}

/// `"<version>"`, the strong ETag of a versioned row.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// A JSON body with its ETag.
pub fn with_etag<T: serde::Serialize>(status: StatusCode, version: i64, body: T) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::ETAG, etag(version));
    resp
}

/// Sets `Location` on a 201 (or any) response; a path that is not a valid header value is left out.
pub fn with_location(mut resp: Response, path: &str) -> Response {
    if let Ok(v) = path.parse() {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The form of an `If-Match` this API reads, as the OpenAPI document states it: `*`, or one
/// (optionally weak) entity tag of a version, `"3"` or `W/"3"` (RFC 9110's quotes required).
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}")$"#;

/// The most digits a version in `If-Match` has (the `18` of [`IF_MATCH_PATTERN`]).
const IF_MATCH_DIGITS: usize = 18;

/// The longest `If-Match` the pattern allows: `W/`, the quotes and the digits.
pub const IF_MATCH_MAX_LEN: usize = IF_MATCH_DIGITS + 4;

/// The version `If-Match` names: 428 without it, 400 unless it has [`IF_MATCH_PATTERN`]'s form.
/// `*` matches any version and yields `None`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(Kind::PreconditionRequired, "send If-Match with the ETag of the object"));
    };
    let bad = || ApiError::field("header.If-Match", "must be * or an ETag from this API, like \"3\"");
    let text = value.to_str().map_err(|_| bad())?;
    if text == "*" {
        return Ok(None);
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let digits = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(bad)?;
    if digits.is_empty() || digits.len() > IF_MATCH_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    digits.parse::<i64>().map(Some).map_err(|_| bad())
}

/// The expected version: `If-Match`'s, or the current one for `*`.
pub fn expected_version(headers: &HeaderMap, current: impl FnOnce() -> i64) -> Result<i64, ApiError> {
    Ok(if_match(headers)?.unwrap_or_else(current))
}

/// Empty 204.
pub fn no_content() -> Response {
    (StatusCode::NO_CONTENT, Body::empty()).into_response()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::middleware;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::{IF_MATCH_DIGITS, IF_MATCH_MAX_LEN, IF_MATCH_PATTERN, declared_routes_only, if_match};

    #[tokio::test]
    async fn an_undeclared_route_is_refused_and_a_declared_one_served() {
        let app = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/api/v1/undeclared", get(|| async { "leak" }))
            .route_layer(middleware::from_fn(declared_routes_only));
        let status = |path: &'static str| {
            let app = app.clone();
            async move {
                let req = Request::builder().uri(path).body(Body::empty()).expect("request");
                app.oneshot(req).await.expect("response").status()
            }
        };
        assert_eq!(status("/healthz").await, StatusCode::OK);
        assert_eq!(status("/api/v1/undeclared").await, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn if_match_takes_star_and_quoted_versions_only() {
        let read = |v: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(axum::http::header::IF_MATCH, v.parse().expect("header"));
            if_match(&h).map_err(|e| e.to_problem().status)
        };
        assert_eq!(read("*"), Ok(None));
        assert_eq!(read("\"3\""), Ok(Some(3)));
        assert_eq!(read("W/\"12\""), Ok(Some(12)));
        // Each refused by IF_MATCH_PATTERN too (schemathesis holds the two together).
        for bad in ["3", "\"\"", "\"-1\"", "\"3", "\"3\"\"", "\"1234567890123456789\"", "W/3", "**"] {
            assert_eq!(read(bad), Err(400), "{bad}");
        }
        // The longest accepted form is exactly the documented maximum length, and the pattern
        // names the same digit count the parser allows.
        let longest = format!("W/\"{}\"", "9".repeat(IF_MATCH_DIGITS));
        assert_eq!(longest.len(), IF_MATCH_MAX_LEN);
        assert!(read(&longest).is_ok(), "{longest}");
        assert!(IF_MATCH_PATTERN.contains(&format!("{{1,{IF_MATCH_DIGITS}}}")));
        assert_eq!(read("\"123456789012345678\""), Ok(Some(123_456_789_012_345_678)));
    }
}
