//! The OpenAPI document: OpenAPI 3.1, internally consistent, and exactly what the router serves.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::authz::documented_routes;
use crate::both;
use crate::harness::{Daemon, PASSWORD};

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        out.insert(s.to_owned());
                    }
                } else {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

both!(openapi_is_3_1_and_matches_the_router, |db| async move {
    let d = Daemon::start(db).await;
    let doc: Value =
        d.http.get(d.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "openapi {}", doc["openapi"]);
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    // Internal consistency: refs resolve, operation ids are unique, path parameters declared,
    // every operation has responses.
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    for r in &refs {
        assert!(resolve(&doc, r).is_some(), "dangling $ref {r}");
    }
    let mut op_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        assert!(path.starts_with('/'));
        let params: BTreeSet<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        for (method, op) in item.as_object().expect("item") {
            let id =
                op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(op_ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            let declared: BTreeSet<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(declared, params, "{method} {path}: path parameters");
        }
    }

    // Every documented operation is served (as a super admin, who sees the admin routes too),
    // and methods the document does not list are 405 on every documented path.
    d.admin(
        &["create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let routes = documented_routes(&d).await;
    let zero = "00000000-0000-7000-8000-000000000000";
    let paths: BTreeSet<&String> = routes.iter().map(|(_, p)| p).collect();
    for path in paths {
        let concrete = path.replace("{id}", zero).replace("{user_id}", zero).replace("{slug}", "nope");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let resp = d
                .http
                .request(Method::from_bytes(method.as_bytes()).expect("m"), d.url(&concrete))
                .bearer_auth(&root.token)
                .send()
                .await
                .expect("send");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            let code = body["code"].as_str().unwrap_or_default().to_owned();
            if routes.contains(&(method.to_owned(), path.clone())) {
                assert!(
                    code != "ROUTE_NOT_FOUND" && code != "METHOD_NOT_ALLOWED",
                    "{method} {path} is documented but not served: {status} {body}"
                );
            } else {
                assert_eq!(
                    (status, code.as_str()),
                    (405, "METHOD_NOT_ALLOWED"),
                    "{method} {path} is served but not documented"
                );
            }
        }
    }

    // The WebSocket routes: served, not in the document (OpenAPI has no WebSocket operations),
    // named in one explicit list.
    for (method, path) in crate::authz::NOT_IN_OPENAPI {
        assert!(!routes.contains(&(method.to_string(), path.to_string())), "{path} is in the document");
        let concrete = path.replace("{id}", zero);
        let plain = d.http.get(d.url(&concrete)).send().await.expect("send");
        assert_ne!(plain.status().as_u16(), 404, "{path} is served (it wants an upgrade)");
        let resp = d.http.post(d.url(&concrete)).send().await.expect("send");
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(body["code"], "METHOD_NOT_ALLOWED", "POST {path}");
    }

    // The official validator, where the machine has it (CI images do).
    let have_validator = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if have_validator {
        let file = d.dir.path().join("openapi.json");
        std::fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("write");
        let out = std::process::Command::new("python3")
            .args(["-m", "openapi_spec_validator", "--schema", "3.1.0"])
            .arg(&file)
            .output()
            .expect("validator");
        assert!(
            out.status.success(),
            "openapi-spec-validator: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        eprintln!("openapi-spec-validator not installed: structural checks only");
    }
});

/// The statuses an operation documents.
fn documented(op: &Value) -> BTreeSet<u16> {
    op["responses"].as_object().map(|r| r.keys().filter_map(|k| k.parse().ok()).collect()).unwrap_or_default()
}

/// What a route must add when it answers a status its document does not list.
fn missing(method: &str, path: &str, status: u16, body: &str, op: &Value) -> String {
    format!(
        "{method} {path} answered {status} ({body}) but documents only {:?}: add `(status = {status}, description = \"…\", \
         body = cairn_sdk::types::Problem, content_type = \"application/problem+json\")` to its #[utoipa::path] responses \
         (or, if every route of its shape answers it, a rule in daemon/src/api/contract.rs), or stop the server answering it",
        documented(op)
    )
}

// The document lists what each route answers: the shared answers (docs/api.md) by the shape
// rules of `api::contract`, and the route's own. Every route is held to it by requests that
// provoke the shared ones: anonymous, a non-operator on the admin surface, malformed and unknown
// path ids, out-of-range `limit`, a body of the wrong media type and malformed JSON, a malformed
// `If-Match` and `Idempotency-Key`. A route added later is checked the same way.
both!(every_route_documents_what_it_answers, |db| async move {
    let d = Daemon::start(db).await;
    let doc: Value =
        d.http.get(d.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    let member = d.register(&crate::harness::unique_email("contract")).await;
    let zero = "00000000-0000-7000-8000-000000000000";
    let mut failures = Vec::new();
    let mut probes = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if !cairn_daemon::api::contract::is_method(method) {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let has = |place: &str, name: &str| params.iter().any(|p| p["in"] == place && p["name"] == name);
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let responses = documented(op);

            // The document's own shape rules, with what to add named.
            for (status, response) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let problem = &response["content"]["application/problem+json"];
                    if problem.is_null() {
                        failures.push(format!(
                            "{method} {path}: its {status} has no application/problem+json content: add \
                             `body = cairn_sdk::types::Problem, content_type = \"application/problem+json\"`"
                        ));
                    }
                }
            }
            for p in params.iter().filter(|p| p["in"] == "query" && p["name"] == "limit") {
                if p["schema"]["minimum"].is_null() || p["schema"]["maximum"].is_null() {
                    failures.push(format!(
                        "{method} {path}: query `limit` has no minimum/maximum: add \
                         `#[param(minimum = 1, maximum = 1000)]` to the field (every list is bounded)"
                    ));
                }
            }
            if secured && !responses.contains(&401) {
                failures.push(format!("{method} {path} needs credentials but does not document 401"));
            }

            let concrete = |id: &str| {
                path.split('/')
                    .map(|seg| if seg.starts_with('{') && seg.ends_with('}') { id } else { seg })
                    .collect::<Vec<_>>()
                    .join("/")
            };
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let mut check = |label: &str, status: u16, body: String, want: Option<u16>| {
                probes += 1;
                if !responses.contains(&status) {
                    failures.push(format!("{label}: {}", missing(method, path, status, &body, op)));
                }
                if let Some(w) = want
                    && w != status
                {
                    failures
                        .push(format!("{label}: {method} {path} answered {status}, expected {w}: {body}"));
                }
            };

            if !secured {
                continue;
            }
            // Anonymous: a route that needs credentials says 401, admin routes included.
            let resp = d.http.request(m.clone(), d.url(&concrete(zero))).send().await.expect("send");
            let status = resp.status().as_u16();
            check("anonymous", status, resp.text().await.unwrap_or_default(), Some(401));
            // An authenticated tenant member on the admin surface: hidden, 404.
            if path.contains("/admin/") || path == "/metrics" {
                let resp = d
                    .http
                    .request(m.clone(), d.url(&concrete(zero)))
                    .bearer_auth(&member.token)
                    .send()
                    .await
                    .expect("send");
                let status = resp.status().as_u16();
                check("non-operator", status, resp.text().await.unwrap_or_default(), Some(404));
                continue;
            }
            let authed = |url: String| d.http.request(m.clone(), url).bearer_auth(&member.token);
            // Path ids: malformed and unknown.
            if path.contains('{') {
                for id in ["not-an-id", zero] {
                    let resp = authed(d.url(&concrete(id))).send().await.expect("send");
                    let status = resp.status().as_u16();
                    check(&format!("path id {id}"), status, resp.text().await.unwrap_or_default(), None);
                }
            }
            let target = d.url(&concrete(zero));
            // Out-of-range limits.
            if has("query", "limit") {
                let max = params
                    .iter()
                    .find(|p| p["in"] == "query" && p["name"] == "limit")
                    .and_then(|p| p["schema"]["maximum"].as_i64())
                    .unwrap_or(1000);
                for limit in [0, max + 1] {
                    let resp = authed(format!("{target}?limit={limit}")).send().await.expect("send");
                    let status = resp.status().as_u16();
                    let body = resp.text().await.unwrap_or_default();
                    // A refusal that comes before the query is read (an unknown path id, a
                    // feature this daemon has off) is fine too, when documented.
                    let want = if matches!(status, 404 | 409) { None } else { Some(400) };
                    check(&format!("limit={limit}"), status, body, want);
                }
            }
            // A body of another media type, and malformed JSON.
            if op.get("requestBody").is_some() {
                let resp = authed(target.clone())
                    .header("content-type", "text/plain")
                    .body("hello")
                    .send()
                    .await
                    .expect("send");
                let status = resp.status().as_u16();
                check("text/plain body", status, resp.text().await.unwrap_or_default(), None);
                let resp = authed(target.clone())
                    .header("content-type", "application/json")
                    .body("{")
                    .send()
                    .await
                    .expect("send");
                let status = resp.status().as_u16();
                check("malformed JSON", status, resp.text().await.unwrap_or_default(), None);
            }
            if has("header", "If-Match") {
                let resp = authed(target.clone()).header("if-match", "3").send().await.expect("send");
                let status = resp.status().as_u16();
                check("If-Match 3 (unquoted)", status, resp.text().await.unwrap_or_default(), None);
            }
            if has("header", "Idempotency-Key") {
                let resp =
                    authed(target.clone()).header("idempotency-key", "a b").send().await.expect("send");
                let status = resp.status().as_u16();
                check("Idempotency-Key with a space", status, resp.text().await.unwrap_or_default(), None);
            }
        }
    }
    assert!(probes > 200, "only {probes} probes: the document lost its routes?");
    assert!(failures.is_empty(), "{} contract failures:\n{}", failures.len(), failures.join("\n"));
});
