//! The client's error: a problem the daemon returned (typed from problem+json) or a failure to
//! reach it, kept apart so callers match on `code`, never on message text.

use std::time::Duration;

use crate::types::{FieldError, Problem};

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The daemon answered with an error (problem+json, or a bare status from something in between).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request never got an answer (connection refused, TLS, timeout, reset).
    #[error("cannot reach the daemon: {0}")]
    Transport(#[source] reqwest::Error),
    /// The daemon answered 2xx but the body is not what this SDK expects (version skew).
    #[error("unexpected response from {path}: {message}")]
    Decode {
        /// Request path.
        path: String,
        /// Why decoding failed.
        message: String,
    },
    /// The base URL or a path built from it is not a valid URL.
    #[error("invalid URL: {0}")]
    Url(String),
    /// The operation needs a credential the client does not hold (e.g. `refresh` without tokens).
    #[error("{0}")]
    Credential(&'static str),
    /// The WebSocket failed (handshake or protocol).
    #[error("websocket: {0}")]
    WebSocket(String),
    /// The daemon closed the WebSocket for good, with a close code (1008 policy: unauthorized or
    /// not allowed; 1001 with `newer_connection`: evicted) and its reason.
    #[error("websocket closed by the daemon ({code}): {reason}")]
    WebSocketClosed {
        /// The WebSocket close code.
        code: u16,
        /// The daemon's reason word (`unauthorized`, `not_found`, `newer_connection`, …).
        reason: String,
    },
    /// A setting the client reads from the environment is missing or unusable.
    #[error("{var} {reason}")]
    Env {
        /// The variable (`CAIRN_URL`, `CAIRN_API_KEY`).
        var: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A local file could not be written or read (a download's `save_to`).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// An error answer from the daemon.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The problem document; `None` when the body was not problem+json (a proxy's 502 page).
    pub problem: Option<Problem>,
    /// `Retry-After` of a 429/503 that was not retried (the wait was over the policy's bound).
    pub retry_after: Option<Duration>,
    /// The first bytes of a body that was not problem+json.
    pub body_excerpt: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            Some(p) => {
                write!(f, "{} ({}, {})", p.title, p.status, p.code)?;
                if let Some(d) = &p.detail {
                    write!(f, ": {d}")?;
                }
                for e in &p.errors {
                    // The daemon's detail already lists its field errors: say each once.
                    let said = format!("{}: {}", e.field, e.message);
                    if !p.detail.as_deref().is_some_and(|d| d.contains(&said)) {
                        write!(f, "; {said}")?;
                    }
                }
                if let Some(id) = &p.request_id {
                    write!(f, " [request {id}]")?;
                }
                Ok(())
            }
            None => {
                write!(f, "HTTP {}", self.status)?;
                if let Some(b) = &self.body_excerpt {
                    write!(f, ": {b}")?;
                }
                Ok(())
            }
        }
    }
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The stable problem code (`NOT_FOUND`, `PRECONDITION_FAILED`, …) of an API error, as the
    /// daemon spelled it.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
    }

    /// The problem code as a [`ProblemCode`] to match on; `None` unless the daemon sent
    /// problem+json.
    pub fn problem_code(&self) -> Option<ProblemCode> {
        self.code().map(ProblemCode::from_code)
    }

    /// The problem document of an API error.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Api(e) => e.problem.as_ref(),
            _ => None,
        }
    }

    /// The request id to quote when reporting.
    pub fn request_id(&self) -> Option<&str> {
        self.problem().and_then(|p| p.request_id.as_deref())
    }

    /// Field-level validation errors (empty unless `VALIDATION_FAILED`).
    pub fn field_errors(&self) -> &[FieldError] {
        self.problem().map(|p| p.errors.as_slice()).unwrap_or(&[])
    }

    /// On a 412: the object's current version, to re-read and retry with.
    pub fn current_version(&self) -> Option<i64> {
        self.problem().and_then(|p| p.current_version)
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for 409: the request conflicts with the current state (a name taken, a scan not
    /// finished yet).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// True for 412: the `If-Match` version is stale; [`Error::current_version`] has the new one.
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(412)
    }

    /// True for 429 (after the retries the policy allowed); [`ApiError::retry_after`] says when
    /// to come back.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// True for 401 and 403: the credential is missing, expired or lacks the scope.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// How long the daemon asked to wait (a 429 or 503 that was not waited out).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            _ => None,
        }
    }
}

/// Declares [`ProblemCode`] from `(Variant => "CODE")` rows: the codes of the daemon's problem
/// kinds (`daemon/src/error.rs`), each explained at `/problems/{slug}` on the daemon.
macro_rules! problem_codes {
    ($($variant:ident => $code:literal,)+) => {
        /// The daemon's problem codes (`Problem::code`), to match on; a code this SDK does not
        /// know yet is `Unknown` with its spelling.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProblemCode {
            $(#[doc = concat!("`", $code, "`")] $variant,)+
            /// A code this SDK does not know, as the daemon spelled it.
            Unknown(String),
        }

        impl ProblemCode {
            /// The code named `code`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => ProblemCode::$variant,)+
                    other => ProblemCode::Unknown(other.to_owned()),
                }
            }

            /// The daemon's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ProblemCode::$variant => $code,)+
                    ProblemCode::Unknown(code) => code,
                }
            }
        }
    };
}

problem_codes! {
    Conflict => "CONFLICT",
    Forbidden => "FORBIDDEN",
    GitCredentialsDisabled => "GIT_CREDENTIALS_DISABLED",
    IdempotencyInProgress => "IDEMPOTENCY_IN_PROGRESS",
    IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
    IdempotencySecretWithheld => "IDEMPOTENCY_SECRET_WITHHELD",
    InsufficientScope => "INSUFFICIENT_SCOPE",
    Internal => "INTERNAL",
    LastLoginMethod => "LAST_LOGIN_METHOD",
    MalformedJson => "MALFORMED_JSON",
    MethodNotAllowed => "METHOD_NOT_ALLOWED",
    NotFound => "NOT_FOUND",
    OauthAccountExists => "OAUTH_ACCOUNT_EXISTS",
    OauthDenied => "OAUTH_DENIED",
    OauthIdTokenInvalid => "OAUTH_ID_TOKEN_INVALID",
    OauthProviderError => "OAUTH_PROVIDER_ERROR",
    OauthStateInvalid => "OAUTH_STATE_INVALID",
    PayloadTooLarge => "PAYLOAD_TOO_LARGE",
    PreconditionFailed => "PRECONDITION_FAILED",
    PreconditionRequired => "PRECONDITION_REQUIRED",
    QuotaExceeded => "QUOTA_EXCEEDED",
    RateLimited => "RATE_LIMITED",
    RegistrationClosed => "REGISTRATION_CLOSED",
    RouteNotFound => "ROUTE_NOT_FOUND",
    ScanNotCompleted => "SCAN_NOT_COMPLETED",
    TokenReused => "TOKEN_REUSED",
    Unauthorized => "UNAUTHORIZED",
    Unavailable => "UNAVAILABLE",
    UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
    ValidationFailed => "VALIDATION_FAILED",
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds an API error from a status, its headers' `Retry-After` and the body bytes.
pub(crate) fn api_error(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Error {
    let problem = serde_json::from_slice::<Problem>(body).ok();
    let body_excerpt = match problem {
        Some(_) => None,
        None if body.is_empty() => None,
        None => {
            let text = String::from_utf8_lossy(body);
            let excerpt: String = text.chars().take(200).collect();
            Some(excerpt.trim().to_owned())
        }
    };
    Error::Api(Box::new(ApiError { status, problem, retry_after, body_excerpt }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_becomes_a_typed_error() {
        let body = br#"{"type":"/problems/validation","title":"Invalid request","status":400,
            "code":"VALIDATION_FAILED","detail":"2 fields","request_id":"r-1",
            "errors":[{"field":"body.name","message":"must not be empty"}]}"#;
        let e = api_error(400, None, body);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.code(), Some("VALIDATION_FAILED"));
        assert_eq!(e.problem_code(), Some(ProblemCode::ValidationFailed));
        assert_eq!(e.request_id(), Some("r-1"));
        assert_eq!(e.field_errors()[0].field, "body.name");
        let text = e.to_string();
        assert!(
            text.contains("VALIDATION_FAILED") && text.contains("body.name: must not be empty"),
            "{text}"
        );
    }

    #[test]
    fn field_errors_the_detail_already_says_are_said_once() {
        // The daemon's validation problems: the detail joins the field errors (issue 14, point 10).
        let body = br#"{"type":"/problems/validation","title":"Invalid request","status":400,
            "code":"VALIDATION_FAILED","detail":"body.justification: needs a justification or a note",
            "errors":[{"field":"body.justification","message":"needs a justification or a note"},
            {"field":"body.note","message":"must be at most 4000 characters"}]}"#;
        let text = api_error(400, None, body).to_string();
        assert_eq!(text.matches("needs a justification").count(), 1, "{text}");
        assert!(text.contains("body.note: must be at most 4000 characters"), "{text}");
    }

    #[test]
    fn statuses_and_codes_are_asked_not_parsed() {
        let body = |status: u16, code: &str| {
            format!(r#"{{"type":"/problems/x","title":"t","status":{status},"code":"{code}"}}"#)
        };
        let conflict = api_error(409, None, body(409, "CONFLICT").as_bytes());
        assert!(conflict.is_conflict() && !conflict.is_not_found() && !conflict.is_rate_limited());
        assert_eq!(conflict.problem_code(), Some(ProblemCode::Conflict));
        let limited = api_error(429, Some(Duration::from_secs(9)), body(429, "RATE_LIMITED").as_bytes());
        assert!(limited.is_rate_limited());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(9)));
        assert!(api_error(412, None, b"").is_precondition_failed());
        assert!(api_error(404, None, b"").is_not_found());
        let new = api_error(400, None, body(400, "POLICY_VIOLATED").as_bytes());
        assert_eq!(new.problem_code(), Some(ProblemCode::Unknown("POLICY_VIOLATED".into())));
        assert_eq!(ProblemCode::from_code("SCAN_NOT_COMPLETED").to_string(), "SCAN_NOT_COMPLETED");
    }

    #[test]
    fn a_transport_error_keeps_its_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "read-only");
        let e = Error::Io { path: "/x/bom.json".into(), source: io };
        let cause = std::error::Error::source(&e).expect("a source");
        assert_eq!(cause.to_string(), "read-only");
    }

    #[test]
    fn a_non_problem_body_keeps_status_and_an_excerpt() {
        let e = api_error(502, None, b"<html>Bad Gateway</html>");
        assert_eq!(e.status(), Some(502));
        assert_eq!(e.code(), None);
        assert_eq!(e.to_string(), "HTTP 502: <html>Bad Gateway</html>");
    }
}
