//! Projects and versions: CRUD, ETag/If-Match, release states, paging, idempotency.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, expect_problem, unique_email};

both!(project_crud_with_etags, |db| async move {
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("p")).await;
    let resp = d
        .send(&s, Method::POST, "/api/v1/projects", Some(json!({"name": "web", "kind": "repo", "repo_url": "https://example.test/web.git", "tags": ["prod"]})))
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let p: Value = resp.json().await.expect("json");
    let path = format!("/api/v1/projects/{}", p["id"].as_str().expect("id"));
    let got = d.send(&s, Method::GET, &path, None).await;
    assert_eq!(got.headers()["etag"], "\"1\"");

    // PATCH without If-Match: 428; stale: 412 with the current version; right: 200.
    let r = d.send(&s, Method::PATCH, &path, Some(json!({"name": "web2"}))).await;
    expect_problem(r, 428, "PRECONDITION_REQUIRED").await;
    let ok = d
        .http
        .patch(d.url(&path))
        .bearer_auth(&s.token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "web2", "tags": ["a", "b"]}))
        .send()
        .await
        .expect("patch");
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["etag"], "\"2\"");
    let ok: Value = ok.json().await.expect("json");
    assert_eq!((ok["name"].as_str(), ok["version"].as_i64()), (Some("web2"), Some(2)));
    assert_eq!(ok["repo_url"], "https://example.test/web.git");
    let stale = d
        .http
        .patch(d.url(&path))
        .bearer_auth(&s.token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "web3"}))
        .send()
        .await
        .expect("patch");
    let body = expect_problem(stale, 412, "PRECONDITION_FAILED").await;
    assert_eq!(body["current_version"], 2);
    let unchanged: Value = d.send(&s, Method::GET, &path, None).await.json().await.expect("json");
    assert_eq!(unchanged["name"], "web2");

    // Duplicate names conflict within the tenant.
    d.create_project(&s, "other").await;
    let dup = d
        .http
        .patch(d.url(&path))
        .bearer_auth(&s.token)
        .header("if-match", "\"2\"")
        .json(&json!({"name": "other"}))
        .send()
        .await
        .expect("patch");
    expect_problem(dup, 409, "CONFLICT").await;
    let dup =
        d.send(&s, Method::POST, "/api/v1/projects", Some(json!({"name": "other", "kind": "image"}))).await;
    expect_problem(dup, 409, "CONFLICT").await;

    // Delete needs If-Match too.
    expect_problem(d.send(&s, Method::DELETE, &path, None).await, 428, "PRECONDITION_REQUIRED").await;
    let del = d
        .http
        .delete(d.url(&path))
        .bearer_auth(&s.token)
        .header("if-match", "\"2\"")
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 204);
    expect_problem(d.send(&s, Method::GET, &path, None).await, 404, "NOT_FOUND").await;
});

both!(versions_and_release_states, |db| async move {
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("v")).await;
    let p = d.create_project(&s, "app").await;
    let pid = p["id"].as_str().expect("id");
    let r = d
        .send(&s, Method::POST, &format!("/api/v1/projects/{pid}/versions"), Some(json!({"name": "1.0.0"})))
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["release_state"], "draft");
    let vpath = format!("/api/v1/versions/{}", v["id"].as_str().expect("id"));
    let dup = d
        .send(&s, Method::POST, &format!("/api/v1/projects/{pid}/versions"), Some(json!({"name": "1.0.0"})))
        .await;
    expect_problem(dup, 409, "CONFLICT").await;

    let rs = format!("{vpath}/release-state");
    expect_problem(
        d.send(&s, Method::PATCH, &rs, Some(json!({"state": "released"}))).await,
        428,
        "PRECONDITION_REQUIRED",
    )
    .await;
    let ok = d
        .http
        .patch(d.url(&rs))
        .bearer_auth(&s.token)
        .header("if-match", "\"1\"")
        .json(&json!({"state": "released", "support_until": "2030-01-01T00:00:00Z"}))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.expect("json");
    assert_eq!(ok["release_state"], "released");
    assert!(ok["released_at"].is_string());
    assert_eq!(ok["support_until"], "2030-01-01T00:00:00Z");
    // Backwards is a conflict; unknown state a field error.
    let back = d
        .http
        .patch(d.url(&rs))
        .bearer_auth(&s.token)
        .header("if-match", "\"2\"")
        .json(&json!({"state": "draft"}))
        .send()
        .await
        .expect("send");
    expect_problem(back, 409, "CONFLICT").await;
    let bad = d
        .http
        .patch(d.url(&rs))
        .bearer_auth(&s.token)
        .header("if-match", "\"2\"")
        .json(&json!({"state": "shipped"}))
        .send()
        .await
        .expect("send");
    let b = expect_problem(bad, 400, "VALIDATION_FAILED").await;
    assert_eq!(b["errors"][0]["field"], "body.state");
    let eol = d
        .http
        .patch(d.url(&rs))
        .bearer_auth(&s.token)
        .header("if-match", "\"2\"")
        .json(&json!({"state": "end_of_life"}))
        .send()
        .await
        .expect("send");
    assert_eq!(eol.status(), 200);

    let list: Value = d
        .send(&s, Method::GET, &format!("/api/v1/projects/{pid}/versions"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 1);
    let ren = d
        .http
        .patch(d.url(&vpath))
        .bearer_auth(&s.token)
        .header("if-match", "\"3\"")
        .json(&json!({"name": "1.0.1"}))
        .send()
        .await
        .expect("send");
    assert_eq!(ren.status(), 200);
    let del = d
        .http
        .delete(d.url(&vpath))
        .bearer_auth(&s.token)
        .header("if-match", "\"4\"")
        .send()
        .await
        .expect("send");
    assert_eq!(del.status(), 204);
    // Deleting a project removes its versions.
    let v2: Value = d
        .send(&s, Method::POST, &format!("/api/v1/projects/{pid}/versions"), Some(json!({"name": "2"})))
        .await
        .json()
        .await
        .expect("json");
    let del = d
        .http
        .delete(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&s.token)
        .header("if-match", "*")
        .send()
        .await
        .expect("send");
    assert_eq!(del.status(), 204);
    expect_problem(
        d.send(&s, Method::GET, &format!("/api/v1/versions/{}", v2["id"].as_str().expect("id")), None).await,
        404,
        "NOT_FOUND",
    )
    .await;
});

both!(paging_offset_cursor_sort_and_links, |db| async move {
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("pg")).await;
    let names = ["delta", "alpha", "echo", "charlie", "bravo"];
    for n in names {
        d.create_project(&s, n).await;
    }
    // Offset paging with Link next/prev.
    let r = d.send(&s, Method::GET, "/api/v1/projects?limit=2&offset=2", None).await;
    let link = r.headers().get("link").and_then(|v| v.to_str().ok()).expect("link").to_owned();
    assert!(
        link.contains("rel=\"next\"")
            && link.contains("offset=4")
            && link.contains("rel=\"prev\"")
            && link.contains("offset=0"),
        "{link}"
    );
    let page: Value = r.json().await.expect("json");
    assert_eq!(
        (page["total"].as_i64(), page["limit"].as_i64(), page["offset"].as_i64()),
        (Some(5), Some(2), Some(2))
    );
    assert_eq!(page["items"].as_array().expect("items").len(), 2);

    // Cursor paging visits every project exactly once, in creation order.
    let mut seen = Vec::new();
    let mut url = "/api/v1/projects?limit=2".to_owned();
    loop {
        let page: Value = d.send(&s, Method::GET, &url, None).await.json().await.expect("json");
        for it in page["items"].as_array().expect("items") {
            seen.push(it["name"].as_str().expect("name").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/projects?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, names);

    // Sorting, filtering.
    let page: Value =
        d.send(&s, Method::GET, "/api/v1/projects?sort=-name", None).await.json().await.expect("json");
    let sorted: Vec<_> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("n").to_owned())
        .collect();
    assert_eq!(sorted, ["echo", "delta", "charlie", "bravo", "alpha"]);
    let page: Value =
        d.send(&s, Method::GET, "/api/v1/projects?name=HAR", None).await.json().await.expect("json");
    assert_eq!(page["total"], 1);
    let page: Value =
        d.send(&s, Method::GET, "/api/v1/projects?name=%25", None).await.json().await.expect("json");
    assert_eq!(page["total"], 0, "LIKE wildcards in the filter are literal");
    let r = d.send(&s, Method::GET, "/api/v1/projects?sort=password_hash", None).await;
    let b = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert_eq!(b["errors"][0]["field"], "query.sort");
    let r = d.send(&s, Method::GET, "/api/v1/projects?cursor=bm9wZQ", None).await;
    expect_problem(r, 400, "VALIDATION_FAILED").await;
    let names: BTreeSet<_> = seen.into_iter().collect();
    assert_eq!(names.len(), 5);
});

both!(idempotency_key_replays_and_rejects_changes, |db| async move {
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("i")).await;
    let post = |body: Value, key: &'static str| {
        d.http
            .post(d.url("/api/v1/projects"))
            .bearer_auth(&s.token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = post(json!({"name": "once", "kind": "repo"}), "k-1").await.expect("send");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let second = post(json!({"name": "once", "kind": "repo"}), "k-1").await.expect("send");
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotency-replayed"], "true");
    assert_eq!(second.headers()["etag"], "\"1\"");
    let second: Value = second.json().await.expect("json");
    assert_eq!(first["id"], second["id"]);
    let changed = post(json!({"name": "twice", "kind": "repo"}), "k-1").await.expect("send");
    expect_problem(changed, 422, "IDEMPOTENCY_KEY_REUSED").await;
    let list: Value = d.send(&s, Method::GET, "/api/v1/projects", None).await.json().await.expect("json");
    assert_eq!(list["total"], 1);
    // Keys are per user: another user's same key is independent.
    let o = d.register(&unique_email("i2")).await;
    let r = d
        .http
        .post(d.url("/api/v1/projects"))
        .bearer_auth(&o.token)
        .header("idempotency-key", "k-1")
        .json(&json!({"name": "mine", "kind": "repo"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("idempotency-replayed").is_none());
});
