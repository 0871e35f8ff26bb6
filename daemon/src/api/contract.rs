//! The answers every route shares, added to the OpenAPI document once, here, from what the
//! server does: a route's [`Access`] (from [`ROUTES`](crate::auth::routes::ROUTES)) and its
//! operation's shape (path ids, query parameters, body, `If-Match`, `Idempotency-Key`) decide
//! which problem statuses it can answer. A handler's annotation lists only its own statuses
//! (200, 201, 409 …); routes added later get the shared ones without anyone remembering them.
//!
//! docs/api.md states these rules; tests/daemon/openapi.rs holds every route to them by sending
//! each the requests that provoke them.

use serde_json::{Map, Value, json};

use crate::auth::Access;
use crate::auth::routes::access_of;

/// The problem media type every error answers with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One shared answer: its status and why a route gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shared {
    /// The status.
    pub status: u16,
    /// Its description in the document.
    pub why: &'static str,
}

const fn shared(status: u16, why: &'static str) -> Shared {
    Shared { status, why }
}

/// The statuses `method path` can answer besides its own, for an operation shaped like `op` (an
/// OpenAPI operation object). `path` is the document's path (with `/api/v1`).
pub fn shared_answers(method: &str, path: &str, op: &Value) -> Vec<Shared> {
    let mut out = Vec::new();
    let access = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .ok()
        .and_then(|m| access_of(&m, path));
    match access {
        Some(Access::Public) | None => {}
        Some(Access::User) | Some(Access::Account { write: false }) => {
            out.push(shared(401, "No, malformed, unknown, expired or revoked credentials"));
        }
        Some(Access::Account { write: true }) => {
            out.push(shared(401, "No, malformed, unknown, expired or revoked credentials"));
            out.push(shared(403, "An API key without the admin scope may not change the account"));
        }
        Some(Access::Tenant { .. }) => {
            out.push(shared(401, "No, malformed, unknown, expired or revoked credentials"));
            out.push(shared(
                403,
                "The caller's role or the API key's scopes do not allow this, or it belongs to no tenant",
            ));
        }
        Some(Access::SuperAdmin) => {
            out.push(shared(401, "No, malformed, unknown, expired or revoked credentials"));
            out.push(shared(
                404,
                "The caller is not an operator (the admin surface is hidden from everyone else), or no such object",
            ));
        }
    }
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has = |place: &str| params.iter().any(|p| p["in"] == place);
    let header = |name: &str| params.iter().any(|p| p["in"] == "header" && p["name"].as_str() == Some(name));
    if has("path") {
        out.push(shared(400, "A path parameter is malformed, or a parameter or the body is invalid"));
        out.push(shared(404, "No such object in the caller's tenant"));
    }
    if has("query") {
        out.push(shared(400, "A query parameter is unknown, malformed or out of range (`errors` names it)"));
    }
    if op.get("requestBody").is_some() {
        out.push(shared(400, "The body is malformed or a field is invalid (`errors` names it)"));
        out.push(shared(413, "The body exceeds the size limit"));
        out.push(shared(415, "The body is not of the documented media type"));
    }
    if header("X-Tenant") {
        out.push(shared(404, "X-Tenant names no tenant the caller belongs to"));
    }
    if header("If-Match") {
        out.push(shared(400, "If-Match is not an ETag of this API"));
        out.push(shared(412, "If-Match does not name the current version (the problem carries it)"));
        out.push(shared(428, "If-Match is required"));
    }
    if header("Idempotency-Key") {
        out.push(shared(400, "Idempotency-Key is not 1-255 printable ASCII characters"));
        out.push(shared(
            409,
            "A request with this Idempotency-Key is still running, or its response held a secret that is not kept",
        ));
        out.push(shared(422, "This Idempotency-Key was used with a different request"));
    }
    if super::rate_limit::is_limited(path) {
        out.push(shared(429, "Rate limited (Retry-After says when to retry)"));
    }
    out.push(shared(500, "A bug; the details are in the log under the request id"));
    out.push(shared(503, "The database does not answer"));
    out
}

/// Adds every route's [`shared_answers`] to `doc` (an OpenAPI document as JSON), and gives every
/// error response without content the problem schema. Descriptions already present are kept: a
/// handler's own wording of its 404 stays.
pub fn complete(doc: &mut Value) {
    // Request bodies are read with serde's `deny_unknown_fields`: say so on their schemas.
    let mut doc_schemas = doc.pointer_mut("/components/schemas").map(std::mem::take);
    complete_paths(doc, doc_schemas.as_mut());
    if let Some(schemas) = doc_schemas
        && let Some(slot) = doc.pointer_mut("/components/schemas")
    {
        *slot = schemas;
    }
}

fn complete_paths(doc: &mut Value, mut doc_schemas: Option<&mut Value>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !is_method(method) {
                continue;
            }
            header_rules(method, path, op);
            closed_body(doc_schemas.as_deref_mut(), op);
            let answers = shared_answers(method, path, op);
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for answer in answers {
                responses
                    .entry(answer.status.to_string())
                    .or_insert_with(|| json!({ "description": answer.why }));
            }
            for (status, response) in responses.iter_mut() {
                if status.starts_with('4') || status.starts_with('5') {
                    problem_content(response);
                }
            }
        }
    }
}

/// The headers the server reads on `method path`, with their form: `If-Match` where a route
/// declares it, and `Idempotency-Key` on every POST the idempotency middleware reads (declared
/// or not: the middleware answers it either way).
fn header_rules(method: &str, path: &str, op: &mut Value) {
    let Some(op) = op.as_object_mut() else { return };
    let params = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
    let Some(params) = params.as_array_mut() else { return };
    let position = |params: &[Value], name: &str| {
        params.iter().position(|p| {
            p["in"] == "header" && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    if super::idempotency::applies_to(method, path) && position(params, "Idempotency-Key").is_none() {
        params.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Replays the first response for retries (docs/daemon.md, Conventions)",
        }));
    }
    let rules = [
        ("Idempotency-Key", super::idempotency::KEY_PATTERN, 255),
        ("If-Match", super::conventions::IF_MATCH_PATTERN, super::conventions::IF_MATCH_MAX_LEN),
    ];
    for (name, pattern, max) in rules {
        if let Some(i) = position(params, name) {
            params[i]["schema"] =
                json!({ "type": "string", "pattern": pattern, "minLength": 1, "maxLength": max });
        }
    }
    if params.is_empty() {
        op.remove("parameters");
    }
}

/// Marks the object schema a JSON request body refers to as closed (`additionalProperties:
/// false`): every request type refuses unknown fields (a misspelled field is a 400 naming it, never
/// silently ignored), which schemathesis checks by sending one.
fn closed_body(schemas: Option<&mut Value>, op: &Value) {
    let Some(schemas) = schemas else { return };
    let Some(reference) =
        op.pointer("/requestBody/content/application~1json/schema/$ref").and_then(Value::as_str)
    else {
        return;
    };
    let Some(name) = reference.strip_prefix("#/components/schemas/") else { return };
    if let Some(schema) = schemas.get_mut(name)
        && schema["type"] == "object"
        && schema.get("additionalProperties").is_none()
    {
        schema["additionalProperties"] = Value::Bool(false);
    }
}

/// Gives an error response the problem schema when it documents no content.
fn problem_content(response: &mut Value) {
    let Some(response) = response.as_object_mut() else { return };
    let content = response.entry("content").or_insert_with(|| Value::Object(Map::new()));
    if content.as_object().is_some_and(Map::is_empty) {
        *content = json!({ PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } });
    }
}

/// Whether an OpenAPI path item key is an operation.
pub fn is_method(key: &str) -> bool {
    matches!(key, "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(method: &str, path: &str, op: Value) -> Vec<u16> {
        let mut s: Vec<u16> = shared_answers(method, path, &op).iter().map(|a| a.status).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    #[test]
    fn each_shape_brings_its_statuses() {
        let id = json!({"parameters": [{"in": "path", "name": "id"}], "responses": {}});
        assert_eq!(statuses("get", "/api/v1/projects/{id}", id), [400, 401, 403, 404, 429, 500, 503]);
        let body = json!({"requestBody": {}, "parameters": [{"in": "header", "name": "Idempotency-Key"}]});
        assert_eq!(
            statuses("post", "/api/v1/projects", body),
            [400, 401, 403, 409, 413, 415, 422, 429, 500, 503]
        );
        let admin = json!({"parameters": []});
        assert_eq!(statuses("get", "/api/v1/admin/users", admin), [401, 404, 429, 500, 503]);
        assert_eq!(statuses("get", "/healthz", json!({})), [429, 500, 503]);
        assert_eq!(statuses("get", "/api/openapi.json", json!({})), [500, 503]);
    }

    #[test]
    fn completing_keeps_a_handlers_wording_and_adds_the_problem_schema() {
        let mut doc = json!({"paths": {"/api/v1/projects/{id}": {"get": {
            "parameters": [{"in": "path", "name": "id"}],
            "responses": {"200": {"description": "ok"}, "404": {"description": "No such project"}}
        }}}});
        complete(&mut doc);
        let r = &doc["paths"]["/api/v1/projects/{id}"]["get"]["responses"];
        assert_eq!(r["404"]["description"], "No such project");
        assert_eq!(r["401"]["content"][PROBLEM_JSON]["schema"]["$ref"], "#/components/schemas/Problem");
        assert!(r["200"].get("content").is_none());
    }
}
