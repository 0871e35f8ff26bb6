//! `ApiError`: every failure a handler can return, rendered as RFC 7807 problem+json.
//!
//! Causes of 500s go to the log (with the request id of the span), never to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{FieldError, Problem};

use crate::store::StoreError;

/// Defines [`Kind`] and [`Kind::ALL`] from one list, so a new kind cannot be left out of the
/// `/problems` catalogue (the list used to be kept by hand beside the enum).
macro_rules! problem_kinds {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// The problem types Cairn emits, with their slug (for `/problems/{slug}`), code and title.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $variant,)+
        }

        impl Kind {
            /// Every kind, for the `/problems` catalogue (generated with the enum).
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)+];
        }
    };
}

problem_kinds! {
    /// 400: the body or query did not parse or failed validation.
    Validation,
    /// 400: the body is not valid JSON.
    MalformedJson,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 401: no or bad credentials.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 403: the API key lacks the scope.
    InsufficientScope,
    /// 404: no such object (or not in this tenant).
    NotFound,
    /// 404: no such route.
    RouteNotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: conflicts with existing state (duplicate name, illegal transition).
    Conflict,
    /// 412: `If-Match` does not match the current version.
    PreconditionFailed,
    /// 413: body too large.
    PayloadTooLarge,
    /// 422: the Idempotency-Key was used with a different request.
    IdempotencyKeyReused,
    /// 409: a request with this Idempotency-Key is still running.
    IdempotencyInProgress,
    /// 409: the request with this Idempotency-Key succeeded and its response held a secret shown
    /// once, which is not kept for replays.
    IdempotencySecretWithheld,
    /// 428: `If-Match` is required.
    PreconditionRequired,
    /// 429: rate limited.
    RateLimited,
    /// 429: the tenant reached one of its quotas (named in `errors[0].field`).
    QuotaExceeded,
    /// 403: registration is closed or needs an invitation.
    RegistrationClosed,
    /// 401: a refresh token was used twice; its family is revoked.
    TokenReused,
    /// 400: the OAuth `state` is unknown, used, expired or for another provider.
    OAuthStateInvalid,
    /// 502: the identity provider failed or answered with an error.
    OAuthProvider,
    /// 401: the provider's ID token did not verify.
    OAuthIdTokenInvalid,
    /// 403: the provider login was refused (by the user, the provider or the email rules).
    OAuthDenied,
    /// 409: an account has this email but is not linked to the provider account.
    OAuthAccountExists,
    /// 409: unlinking would leave the account without a way to log in.
    LastLoginMethod,
    /// 500: a bug or an unavailable dependency.
    Internal,
    /// 503: the database does not answer.
    Unavailable,
    /// 409: the scan has not completed, so it has no results or documents yet.
    ScanNotCompleted,
    /// 409: no git credentials key is configured, so credentials cannot be stored.
    GitCredentialsDisabled,
}

impl Kind {
    /// `(status, slug, CODE, title, explanation)`.
    pub fn info(self) -> (StatusCode, &'static str, &'static str, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            Kind::Validation => (
                S::BAD_REQUEST,
                "validation-failed",
                "VALIDATION_FAILED",
                "Validation failed",
                "A field of the body, query or path is missing, has the wrong type or an invalid value; `errors` names each field.",
            ),
            Kind::MalformedJson => (
                S::BAD_REQUEST,
                "malformed-json",
                "MALFORMED_JSON",
                "Malformed JSON",
                "The body is not syntactically valid JSON (or not UTF-8).",
            ),
            Kind::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "UNSUPPORTED_MEDIA_TYPE",
                "Unsupported media type",
                "The endpoint takes `application/json` (or the form named in its documentation).",
            ),
            Kind::Unauthorized => (
                S::UNAUTHORIZED,
                "unauthorized",
                "UNAUTHORIZED",
                "Authentication required",
                "Send `Authorization: Bearer <access token or API key>`; the credentials were missing, malformed, expired or revoked.",
            ),
            Kind::Forbidden => (
                S::FORBIDDEN,
                "forbidden",
                "FORBIDDEN",
                "Forbidden",
                "Your role in this tenant does not allow this action.",
            ),
            Kind::InsufficientScope => (
                S::FORBIDDEN,
                "insufficient-scope",
                "INSUFFICIENT_SCOPE",
                "Insufficient scope",
                "The API key lacks the scope this endpoint needs; create a key with it.",
            ),
            Kind::NotFound => {
                (S::NOT_FOUND, "not-found", "NOT_FOUND", "Not found", "No such object in the current tenant.")
            }
            Kind::RouteNotFound => (
                S::NOT_FOUND,
                "route-not-found",
                "ROUTE_NOT_FOUND",
                "No such route",
                "The path is not part of the API; see /api/openapi.json.",
            ),
            Kind::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "METHOD_NOT_ALLOWED",
                "Method not allowed",
                "The path exists but does not take this method.",
            ),
            Kind::Conflict => (
                S::CONFLICT,
                "conflict",
                "CONFLICT",
                "Conflict",
                "The request conflicts with the current state: a duplicate name, a reference to something missing, or an illegal transition.",
            ),
            Kind::PreconditionFailed => (
                S::PRECONDITION_FAILED,
                "precondition-failed",
                "PRECONDITION_FAILED",
                "Precondition failed",
                "`If-Match` names an old version; `current_version` holds the current one. Re-read, re-apply, retry.",
            ),
            Kind::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "PAYLOAD_TOO_LARGE",
                "Payload too large",
                "The body exceeds the configured limit (`limits.max_body_bytes`).",
            ),
            Kind::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "IDEMPOTENCY_KEY_REUSED",
                "Idempotency key reused",
                "This Idempotency-Key was already used with a different request; use a fresh key per distinct request.",
            ),
            Kind::IdempotencyInProgress => (
                S::CONFLICT,
                "idempotency-in-progress",
                "IDEMPOTENCY_IN_PROGRESS",
                "Idempotency key in use",
                "A request with this Idempotency-Key is still being processed; retry after it finishes to get its response.",
            ),
            Kind::IdempotencySecretWithheld => (
                S::CONFLICT,
                "idempotency-secret-withheld",
                "IDEMPOTENCY_SECRET_WITHHELD",
                "Already done; the secret is not shown again",
                "The request with this Idempotency-Key succeeded, and its response carried a secret that is shown only once, so it is not replayed. List the object to see it without the secret, or create a new one.",
            ),
            Kind::PreconditionRequired => (
                S::PRECONDITION_REQUIRED,
                "precondition-required",
                "PRECONDITION_REQUIRED",
                "Precondition required",
                "Changes to this object need `If-Match` with the version from its `ETag`.",
            ),
            Kind::RateLimited => (
                S::TOO_MANY_REQUESTS,
                "rate-limited",
                "RATE_LIMITED",
                "Too many requests",
                "Slow down; `Retry-After` says when to retry.",
            ),
            Kind::QuotaExceeded => (
                S::TOO_MANY_REQUESTS,
                "quota-exceeded",
                "QUOTA_EXCEEDED",
                "Tenant quota reached",
                "Your team holds as much of this daemon as its quota allows (`errors[0].field` names it: \
                 `quotas.queued_scans`, `quotas.concurrent_uploads` or `quotas.uploads_per_hour`); wait for \
                 queued scans or uploads to finish, or `Retry-After` seconds for the hourly one.",
            ),
            Kind::RegistrationClosed => (
                S::FORBIDDEN,
                "registration-closed",
                "REGISTRATION_CLOSED",
                "Registration closed",
                "This server does not accept self-registration, or needs an invitation.",
            ),
            Kind::TokenReused => (
                S::UNAUTHORIZED,
                "token-reused",
                "TOKEN_REUSED",
                "Refresh token reused",
                "A refresh token was presented twice, which suggests theft; every token of that login was revoked. Log in again.",
            ),
            Kind::OAuthStateInvalid => (
                S::BAD_REQUEST,
                "oauth-state-invalid",
                "OAUTH_STATE_INVALID",
                "Invalid OAuth state",
                "The login's `state` is unknown, was already used, expired (10 minutes) or belongs to another provider. Start the login again.",
            ),
            Kind::OAuthProvider => (
                S::BAD_GATEWAY,
                "oauth-provider-error",
                "OAUTH_PROVIDER_ERROR",
                "Identity provider error",
                "The identity provider could not be reached or refused the request (for example the code or the PKCE verifier); `detail` quotes it.",
            ),
            Kind::OAuthIdTokenInvalid => (
                S::UNAUTHORIZED,
                "oauth-id-token-invalid",
                "OAUTH_ID_TOKEN_INVALID",
                "Invalid ID token",
                "The provider's ID token failed verification: signature, issuer, audience, expiry or nonce. `detail` says which.",
            ),
            Kind::OAuthDenied => (
                S::FORBIDDEN,
                "oauth-denied",
                "OAUTH_DENIED",
                "Login refused",
                "The provider login was refused: by the user or provider, or because the account's email is missing, unverified or outside the allowed domains.",
            ),
            Kind::OAuthAccountExists => (
                S::CONFLICT,
                "oauth-account-exists",
                "OAUTH_ACCOUNT_EXISTS",
                "Account exists",
                "An account with this email exists but is not linked to this provider account. Log in to it and start a link (`authorize?link=true`); Cairn never links by email alone.",
            ),
            Kind::LastLoginMethod => (
                S::CONFLICT,
                "last-login-method",
                "LAST_LOGIN_METHOD",
                "Last login method",
                "Removing this identity would leave the account with no password and no other identity. Set a password or link another provider first.",
            ),
            Kind::GitCredentialsDisabled => (
                S::CONFLICT,
                "git-credentials-disabled",
                "GIT_CREDENTIALS_DISABLED",
                "Git credentials are disabled",
                "This daemon has no key to encrypt git credentials with (`git_credentials_key_file`), so it stores none; clones are anonymous.",
            ),
            Kind::Internal => (
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "INTERNAL",
                "Internal error",
                "Something failed on the server; quote the request id when reporting.",
            ),
            Kind::Unavailable => (
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "UNAVAILABLE",
                "Service unavailable",
                "A dependency (the database) does not answer; retry later.",
            ),
            Kind::ScanNotCompleted => (
                S::CONFLICT,
                "scan-not-completed",
                "SCAN_NOT_COMPLETED",
                "Scan not completed",
                "The scan is still queued or running (or failed, or was cancelled); its documents exist once it completes. Follow it on /ws/scans/{id}.",
            ),
        }
    }

    /// Looks a kind up by its slug.
    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.info().1 == slug)
    }
}

/// A failed request.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// What kind of failure.
    pub kind: Kind,
    /// Detail for the client (never secrets, never internals).
    pub detail: Option<String>,
    /// Field errors for validation failures.
    pub errors: Vec<FieldError>,
    /// For 412: the current version.
    pub current_version: Option<i64>,
    /// For 405: the allowed methods; for 429: seconds to wait.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error of `kind` with a detail.
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Some(detail.into()),
            errors: Vec::new(),
            current_version: None,
            retry_after: None,
        }
    }

    /// An error of `kind` without detail.
    pub fn bare(kind: Kind) -> Self {
        Self { kind, detail: None, errors: Vec::new(), current_version: None, retry_after: None }
    }

    /// 400 with one field error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// 429 `QUOTA_EXCEEDED` naming the quota (`quotas.NAME`) and its limit; `retry_after` for a
    /// time-based one.
    pub fn quota(name: &str, limit: u32, retry_after: Option<u64>) -> Self {
        let field = format!("quotas.{name}");
        let message = format!("your team's limit is {limit}");
        Self {
            kind: Kind::QuotaExceeded,
            detail: Some(format!("{field}: {message}")),
            errors: vec![FieldError { field, message }],
            current_version: None,
            retry_after,
        }
    }

    /// 400 with several field errors.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        let detail =
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Self {
            kind: Kind::Validation,
            detail: Some(detail),
            errors,
            current_version: None,
            retry_after: None,
        }
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::bare(Kind::NotFound)
    }

    /// 401.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(Kind::Unauthorized, detail)
    }

    /// 500: logs the cause, tells the client nothing about it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::bare(Kind::Internal)
    }

    /// 412 with the current version.
    pub fn precondition_failed(current: i64) -> Self {
        let mut e = Self::new(Kind::PreconditionFailed, format!("the current version is {current}"));
        e.current_version = Some(current);
        e
    }

    /// The problem document (without request id and instance, which the middleware adds).
    pub fn to_problem(&self) -> Problem {
        let (status, slug, code, title, _) = self.kind.info();
        Problem {
            type_uri: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            instance: None,
            code: code.to_owned(),
            request_id: None,
            errors: self.errors.clone(),
            current_version: self.current_version,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (_, _, code, title, _) = self.kind.info();
        write!(f, "{code}: {title}")?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Renders a problem body. The request-id middleware re-renders it with `request_id` and
/// `instance` from the `Problem` response extension.
pub fn problem_response(problem: Problem, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if let Some(secs) = retry_after {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if status == StatusCode::UNAUTHORIZED {
        // RFC 9110 §11.6.1: a 401 names the scheme to authenticate with (API keys and access
        // tokens both go in `Authorization: Bearer`).
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp.extensions_mut().insert(problem);
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(self.to_problem(), self.retry_after)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(what) => ApiError::new(Kind::Conflict, what),
            StoreError::VersionMismatch(current) => ApiError::precondition_failed(current),
            StoreError::QuotaExceeded { quota, limit } => ApiError::quota(quota, limit, None),
            StoreError::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                ApiError::bare(Kind::Unavailable)
            }
            other => ApiError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;
    use std::collections::BTreeSet;

    /// `Kind::ALL` is generated with the enum (`problem_kinds!`), so no kind can be missing; this
    /// checks the rest of the catalogue: each kind once, found by its own slug, slugs and codes
    /// unique.
    #[test]
    fn every_kind_is_in_all_once_and_found_by_its_slug() {
        let slugs: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.info().1).collect();
        let codes: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.info().2).collect();
        assert_eq!((slugs.len(), codes.len()), (Kind::ALL.len(), Kind::ALL.len()));
        for k in Kind::ALL {
            assert_eq!(Kind::from_slug(k.info().1), Some(*k), "{k:?}");
        }
    }
}
