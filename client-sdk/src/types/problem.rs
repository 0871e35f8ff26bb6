//! RFC 7807 problem details (`application/problem+json`), Cairn's one error shape.

use serde::{Deserialize, Serialize};

/// An error response. `code` is a stable UPPER_SNAKE identifier to match on; `type` links to
/// `/problems/{slug}` on the daemon, which explains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI reference naming the problem type (`/problems/{slug}`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable machine-readable code, e.g. `VALIDATION_FAILED`.
    pub code: String,
    /// The request's `X-Request-ID`, to quote when reporting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Field-level validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On 412: the object's current version, to retry with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One invalid field: a path into the request (`body.tags[2]`, `query.limit`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Where: `body.<json path>`, `query.<name>`, `path.<name>` or `header.<name>`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_members_are_omitted_and_type_is_renamed() {
        let p = Problem {
            type_uri: "/problems/not-found".into(),
            title: "Not found".into(),
            status: 404,
            detail: None,
            instance: None,
            code: "NOT_FOUND".into(),
            request_id: None,
            errors: Vec::new(),
            current_version: None,
        };
        let v = serde_json::to_value(&p).expect("serialize");
        assert_eq!(
            v,
            serde_json::json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "code": "NOT_FOUND"})
        );
        assert_eq!(serde_json::from_value::<Problem>(v).expect("parse"), p);
    }
}

/// `GET /problems/{slug}`: the explanation of one problem type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemType {
    /// The slug.
    pub slug: String,
    /// HTTP status.
    pub status: u16,
    /// Stable code.
    pub code: String,
    /// Title.
    pub title: String,
    /// What it means and what to do.
    pub description: String,
}
