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
