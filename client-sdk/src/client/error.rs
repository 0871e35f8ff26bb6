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
    /// The WebSocket failed (handshake, protocol, or the server closed it with a reason).
    #[error("websocket: {0}")]
    WebSocket(String),
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

    /// The stable problem code (`NOT_FOUND`, `PRECONDITION_FAILED`, …) of an API error.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
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
    fn a_non_problem_body_keeps_status_and_an_excerpt() {
        let e = api_error(502, None, b"<html>Bad Gateway</html>");
        assert_eq!(e.status(), Some(502));
        assert_eq!(e.code(), None);
        assert_eq!(e.to_string(), "HTTP 502: <html>Bad Gateway</html>");
    }
}
