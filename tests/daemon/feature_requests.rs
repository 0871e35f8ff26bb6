//! Feature requests (issue 21): a member asks, every member of the tenant (and nobody else) reads
//! them, filtered by status and kind and paged; only an admin sets the status, with `If-Match`
//! (428 without, 412 when stale), and each write is in the audit log. Bad fields are 400s naming
//! the field.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, PASSWORD, expect_problem, unique_email};
use crate::scans::get_json;

both!(members_ask_admins_decide, |db: Db| async move {
    let d = Daemon::start(db).await;
    let admin = d.register(&unique_email("fr-admin")).await;
    let member = d.invite(&admin, &unique_email("fr-member"), "member").await;
    let viewer = d.invite(&admin, &unique_email("fr-viewer"), "viewer").await;
    let stranger = d.register(&unique_email("fr-stranger")).await;

    let mut made = Vec::new();
    for (kind, title) in [
        ("feature", "  Scan Helm charts "),
        ("package", "Support Conan 2 lockfiles"),
        ("bug", "Wrong purl for epoch versions"),
    ] {
        let body = json!({"kind": kind, "title": title, "body": format!("details of {kind}\nline two")});
        let resp = d.send(&member, Method::POST, "/api/v1/feature-requests", Some(body)).await;
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.headers()["etag"], "\"1\"");
        let r: Value = resp.json().await.expect("json");
        assert_eq!((r["kind"].as_str(), r["status"].as_str()), (Some(kind), Some("open")));
        assert_eq!(r["title"], title.trim(), "stored trimmed");
        assert_eq!(r["requested_by"], member.user_id.as_str());
        made.push(r);
    }
    let resp = d
        .send(&viewer, Method::POST, "/api/v1/feature-requests", Some(json!({"kind": "bug", "title": "x"})))
        .await;
    expect_problem(resp, 403, "FORBIDDEN").await;

    // Bad fields: each a 400 naming the field.
    let long = "t".repeat(201);
    for (body, field) in [
        (json!({"kind": "wish", "title": "x"}), "kind"),
        (json!({"kind": "bug", "title": "   "}), "body.title"),
        (json!({"kind": "bug", "title": long}), "body.title"),
        (json!({"kind": "bug", "title": "a\u{7}b"}), "body.title"),
        (json!({"kind": "bug", "title": "x", "body": "b".repeat(10_001)}), "body.body"),
        (json!({"kind": "bug", "title": "x", "body": "nul\u{0}"}), "body.body"),
    ] {
        let resp = d.send(&member, Method::POST, "/api/v1/feature-requests", Some(body.clone())).await;
        let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        let named = problem["errors"].as_array().expect("errors").iter().any(|e| {
            e["field"].as_str().is_some_and(|f| f.contains(field))
                || e["message"].as_str().is_some_and(|m| m.contains(field))
        });
        assert!(named, "{body}: {problem}");
    }

    // Every member of the tenant reads them; another tenant sees none of them.
    let all = get_json(&d, &viewer, "/api/v1/feature-requests").await;
    assert_eq!(all["total"], 3);
    let bugs = get_json(&d, &viewer, "/api/v1/feature-requests?kind=bug").await;
    assert_eq!(bugs["total"], 1);
    assert_eq!(bugs["items"][0]["id"], made[2]["id"]);
    let page = get_json(&d, &viewer, "/api/v1/feature-requests?limit=2").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert!(page["next_cursor"].is_string(), "{page}");
    assert_eq!(get_json(&d, &stranger, "/api/v1/feature-requests").await["total"], 0);
    let id = made[0]["id"].as_str().expect("id");
    let resp = d.send(&stranger, Method::GET, &format!("/api/v1/feature-requests/{id}"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let resp = d.send(&viewer, Method::GET, "/api/v1/feature-requests?status=closed", None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;

    // Status: admins only, with If-Match.
    let status_path = format!("/api/v1/feature-requests/{id}/status");
    let planned = json!({"status": "planned", "note": "next quarter"});
    let resp = d
        .http
        .post(d.url(&status_path))
        .bearer_auth(&member.token)
        .header("if-match", "\"1\"")
        .json(&planned)
        .send()
        .await
        .expect("send");
    expect_problem(resp, 403, "FORBIDDEN").await;
    let resp =
        d.http.post(d.url(&status_path)).bearer_auth(&admin.token).json(&planned).send().await.expect("send");
    expect_problem(resp, 428, "PRECONDITION_REQUIRED").await;
    let resp = d
        .http
        .post(d.url(&status_path))
        .bearer_auth(&admin.token)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "someday"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    let resp = d
        .http
        .post(d.url(&status_path))
        .bearer_auth(&admin.token)
        .header("if-match", "\"1\"")
        .json(&planned)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let changed: Value = resp.json().await.expect("json");
    assert_eq!(changed["status"], "planned");
    assert_eq!(changed["status_note"], "next quarter");
    assert_eq!(changed["status_changed_by"], admin.user_id.as_str());
    // Stale: 412 with the current version.
    let resp = d
        .http
        .post(d.url(&status_path))
        .bearer_auth(&admin.token)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "done"}))
        .send()
        .await
        .expect("send");
    let problem = expect_problem(resp, 412, "PRECONDITION_FAILED").await;
    assert_eq!(problem["current_version"], 2, "{problem}");
    let planned_list = get_json(&d, &viewer, "/api/v1/feature-requests?status=planned").await;
    assert_eq!(planned_list["total"], 1);
    assert_eq!(get_json(&d, &viewer, &format!("/api/v1/feature-requests/{id}")).await["status"], "planned");

    // Both writes are audited (the operator reads the log).
    let root_email = unique_email("fr-root");
    d.admin(
        &["create-user", "--email", &root_email, "--super-admin", "--tenant", "ops", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login(&root_email).await;
    let audit = get_json(&d, &root, "/api/v1/admin/audit?limit=1000").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(actions.iter().filter(|a| **a == "feature_request.create").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "feature_request.status").count(), 1, "{actions:?}");
});
