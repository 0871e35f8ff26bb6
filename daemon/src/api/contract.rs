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
    text_rules(doc);
    uuid_rules(doc);
    event_kind_rules(doc);
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        closed_variants(schemas);
    }
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

/// The tagged enums (`#[serde(tag = "kind", deny_unknown_fields)]`) read from request bodies: each
/// variant takes only its own fields, which utoipa does not state (it closes structs only).
pub const CLOSED_TAGGED_ENUMS: &[&str] = &["SubmitSource", "WatchTarget"];

/// Replaces the text-rule markers of request fields (`format = "cairn-text"` or `"cairn-word"`)
/// with the pattern of the server's check ([`cairn_sdk::types::check_text`], `check_word`): the
/// rule is written once, in the SDK, and the document states it.
fn text_rules(v: &mut Value) {
    use cairn_sdk::types::{TEXT_FORMAT, TEXT_PATTERN, WORD_FORMAT, WORD_PATTERN};
    match v {
        Value::Object(map) => {
            let pattern = match map.get("format").and_then(Value::as_str) {
                Some(TEXT_FORMAT) => Some(TEXT_PATTERN),
                Some(WORD_FORMAT) => Some(WORD_PATTERN),
                _ => None,
            };
            if let Some(pattern) = pattern {
                map.remove("format");
                map.insert("pattern".into(), Value::String(pattern.into()));
            }
            map.values_mut().for_each(text_rules);
        }
        Value::Array(items) => items.iter_mut().for_each(text_rules),
        _ => {}
    }
}

/// The spellings of a UUID the server's parser ([`uuid::Uuid::parse_str`], behind every typed
/// id) accepts: simple, hyphenated, braced and URN. `format: uuid` alone is an annotation many
/// validators skip, so a tool took `None` (a null id, printed) for a valid id; the pattern says it.
pub const UUID_PATTERN: &str = concat!(
    "^(?:[0-9a-fA-F]{32}",
    "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}",
    "|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
);

/// Gives every `format: uuid` string schema the [`UUID_PATTERN`].
fn uuid_rules(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("uuid") && !map.contains_key("pattern") {
                map.insert("pattern".into(), Value::String(UUID_PATTERN.into()));
            }
            map.values_mut().for_each(uuid_rules);
        }
        Value::Array(items) => items.iter_mut().for_each(uuid_rules),
        _ => {}
    }
}

/// What `str::trim` removes (Unicode `White_Space`), as an ECMA-262 class.
const TRIMMED: &str = r"[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// The words a request may name an event kind by: each kind's, and the `vulnerability.found`
/// alias (what [`cairn_sdk::types::EventKind::parse`] accepts).
pub fn event_kind_words() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = cairn_sdk::types::EventKind::ALL.iter().map(|k| k.as_str()).collect();
    words.push("vulnerability.found");
    words
}

/// The pattern of `GET /events?type=` ([`super::events::parse_kinds`]): known kinds,
/// comma-separated, each with any whitespace around it, or nothing.
pub fn event_kinds_pattern() -> String {
    let alternatives: Vec<String> = event_kind_words().iter().map(|w| w.replace('.', r"\.")).collect();
    let one = format!("{TRIMMED}*(?:{}){TRIMMED}*", alternatives.join("|"));
    format!("^(?:{one}(?:,{one})*)?$")
}

/// Event kinds where requests name them: the `type` filter of `GET /events` (a pattern) and the
/// keys of a notification preference's `events` map (`propertyNames`, which utoipa does not emit
/// for a map).
fn event_kind_rules(doc: &mut Value) {
    let pattern = event_kinds_pattern();
    if let Some(params) =
        doc.pointer_mut("/paths/~1api~1v1~1events/get/parameters").and_then(Value::as_array_mut)
    {
        for p in params.iter_mut().filter(|p| p["in"] == "query" && p["name"] == "type") {
            p["schema"]["pattern"] = Value::String(pattern.clone());
        }
    }
    if let Some(events) = doc.pointer_mut("/components/schemas/NotificationPrefs/properties/events") {
        events["propertyNames"] = json!({ "enum": event_kind_words() });
    }
}

/// Closes each variant object of the [`CLOSED_TAGGED_ENUMS`] (`additionalProperties: false`).
fn closed_variants(schemas: &mut Value) {
    for name in CLOSED_TAGGED_ENUMS {
        let Some(variants) =
            schemas.get_mut(*name).and_then(|s| s.get_mut("oneOf")).and_then(Value::as_array_mut)
        else {
            continue;
        };
        for variant in variants.iter_mut().filter(|v| v["type"] == "object") {
            variant["additionalProperties"] = Value::Bool(false);
        }
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

    /// Every code point alone, first, last and inside a word: the document's pattern (under
    /// the regex crate, whose reading of these explicit classes ECMA-262 and Python share) and
    /// the server's check give the same answer, so schemathesis' valid and invalid strings are
    /// the server's.
    #[test]
    fn the_uuid_pattern_is_the_servers_parsing() {
        let re = regex::Regex::new(UUID_PATTERN).expect("pattern");
        let id = uuid::Uuid::now_v7();
        let accepted = [
            id.simple().to_string(),
            id.hyphenated().to_string(),
            id.hyphenated().to_string().to_uppercase(),
            id.braced().to_string(),
            id.urn().to_string(),
        ];
        let refused = [
            "None".to_owned(),
            String::new(),
            format!("{}-", id.hyphenated()),
            format!(" {}", id.hyphenated()),
            id.simple().to_string()[1..].to_owned(),
            format!("{}0", id.simple()),
            id.hyphenated().to_string().replacen('-', "", 1),
            format!("{{{}", id.hyphenated()),
            id.hyphenated().to_string().replace(['a', '0'], "g"),
        ];
        for s in accepted.iter().chain(&refused) {
            assert_eq!(re.is_match(s), uuid::Uuid::parse_str(s).is_ok(), "{s:?}");
        }
        assert!(accepted.iter().all(|s| re.is_match(s)));
        let mut doc = json!({"components": {"schemas": {"ProjectId": {"type": "string", "format": "uuid"}}}});
        uuid_rules(&mut doc);
        assert_eq!(doc["components"]["schemas"]["ProjectId"]["pattern"], UUID_PATTERN);
    }

    #[test]
    fn the_text_patterns_are_the_servers_checks() {
        use cairn_sdk::types::{TEXT_PATTERN, WORD_PATTERN, check_text, check_word};
        let text = regex::Regex::new(TEXT_PATTERN).expect("text pattern");
        let word = regex::Regex::new(WORD_PATTERN).expect("word pattern");
        // The whole BMP, then a sample of the astral planes (no rule names a code point there).
        let chars = (0..0x1_0000u32).chain((0x1_0000..=0x10_FFFF).step_by(251)).filter_map(char::from_u32);
        let mut checked = 0;
        for c in chars {
            for s in [format!("{c}"), format!("a{c}"), format!("{c}b"), format!("a{c}b")] {
                assert_eq!(
                    text.is_match(&s),
                    check_text(&s, usize::MAX).is_none(),
                    "text {s:?} (U+{:04X})",
                    c as u32
                );
                assert_eq!(
                    word.is_match(&s),
                    check_word(&s, usize::MAX).is_none(),
                    "word {s:?} (U+{:04X})",
                    c as u32
                );
                checked += 1;
            }
        }
        assert!(checked > 4 * 60_000);
        for s in ["", " ", "a b", "a  b", "\u{3000}x", "x\u{a0}"] {
            assert_eq!(text.is_match(s), check_text(s, usize::MAX).is_none(), "text {s:?}");
            assert_eq!(word.is_match(s), check_word(s, usize::MAX).is_none(), "word {s:?}");
        }
    }

    fn completed(schemas: Value) -> Value {
        let mut doc = json!({"paths": {}, "components": {"schemas": schemas}});
        complete(&mut doc);
        doc["components"]["schemas"].take()
    }

    fn schema_of<T: utoipa::PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).expect("schema")
    }

    #[test]
    fn text_fields_carry_the_servers_pattern_and_bounds() {
        use cairn_sdk::types::{CreateProject, TEXT_PATTERN, UpdateProject, WORD_PATTERN, WatchTarget};
        let s = completed(json!({
            "CreateProject": schema_of::<CreateProject>(),
            "UpdateProject": schema_of::<UpdateProject>(),
            "WatchTarget": schema_of::<WatchTarget>(),
        }));
        let create = &s["CreateProject"]["properties"];
        assert_eq!(create["name"]["pattern"], TEXT_PATTERN);
        assert_eq!(create["name"]["maxLength"], 200);
        assert!(create["name"].get("format").is_none(), "the marker is gone: {}", create["name"]);
        assert_eq!(create["tags"]["maxItems"], cairn_sdk::types::MAX_TAGS);
        assert_eq!(create["tags"]["items"]["pattern"], TEXT_PATTERN);
        assert_eq!(create["tags"]["items"]["maxLength"], cairn_sdk::types::MAX_TAG_CHARS);
        let update = &s["UpdateProject"]["properties"];
        assert_eq!(update["default_ref"]["pattern"], TEXT_PATTERN);
        assert_eq!(update["tags"]["type"], json!(["array", "null"]));
        assert_eq!(update["tags"]["items"]["pattern"], TEXT_PATTERN);
        let variants = s["WatchTarget"]["oneOf"].as_array().expect("variants");
        assert_eq!(variants.len(), 2);
        assert!(variants.iter().all(|v| v["additionalProperties"] == false), "{variants:?}");
        assert_eq!(variants[0]["properties"]["id"]["pattern"], WORD_PATTERN);
    }

    /// What [`CLOSED_TAGGED_ENUMS`] claims: each refuses a field of another variant.
    #[test]
    fn the_closed_tagged_enums_refuse_other_variants_fields() {
        use cairn_sdk::types::{SubmitSource, WatchTarget};
        assert!(serde_json::from_value::<WatchTarget>(json!({"kind": "advisory", "id": "CVE-1"})).is_ok());
        assert!(
            serde_json::from_value::<WatchTarget>(
                json!({"kind": "advisory", "id": "CVE-1", "purl": "pkg:x/y"})
            )
            .is_err()
        );
        assert!(serde_json::from_value::<SubmitSource>(json!({"kind": "path", "path": "/x"})).is_ok());
        assert!(
            serde_json::from_value::<SubmitSource>(json!({"kind": "path", "path": "/x", "url": "https://x"}))
                .is_err()
        );
        assert_eq!(CLOSED_TAGGED_ENUMS.len(), 2, "a new entry needs its line above");
    }

    /// The `type` filter's pattern and the preference keys' names are what the server parses.
    #[test]
    fn event_kind_rules_are_the_servers_parsing() {
        use cairn_sdk::types::EventKind;
        let pattern = regex::Regex::new(&event_kinds_pattern()).expect("pattern");
        let samples = [
            "",
            " ",
            ",",
            "scan.completed",
            " scan.completed ,finding.new",
            "scan.completed,",
            "unknown",
            "Scan.Completed",
            "vulnerability.found",
            "scan.completed\u{3000}",
            "\u{a0}finding.new",
            "x",
            "scan.completed,,finding.new",
            "scan_completed",
            "finding.new\n",
        ];
        for s in samples {
            assert_eq!(pattern.is_match(s), super::super::events::parse_kinds(s).is_ok(), "type={s:?}");
        }
        let words = event_kind_words();
        for s in samples.iter().copied().chain(words.iter().copied()) {
            let accepted = EventKind::parse(s).is_some_and(|k| k != EventKind::Unknown);
            assert_eq!(words.contains(&s), accepted, "preference key {s:?}");
        }
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
