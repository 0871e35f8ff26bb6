//! Bad input on every endpoint: malformed JSON, wrong types, unknown enum values, oversize and
//! non-UTF-8 bodies, deep nesting, huge and negative paging values, hostile strings. Always a
//! 4xx problem, never a 5xx, and nothing written.

use reqwest::Method;
use serde_json::{Value, json};

use crate::authz::{OAUTH_CONFIG, documented_routes};
use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, Session, http_client, unique_email};

const MAX_BODY: usize = 8192;
const HOSTILE_TAG: &str = "$(rm -rf /); DROP TABLE x;--";

struct Counts(Vec<(String, Value)>);

async fn counts(d: &Daemon, root: &Session, pid: &str) -> Counts {
    let mut out = Vec::new();
    for path in [
        "/api/v1/projects".to_owned(),
        format!("/api/v1/projects/{pid}/versions"),
        "/api/v1/api-keys".to_owned(),
        "/api/v1/admin/teams".to_owned(),
        "/api/v1/admin/users".to_owned(),
        format!("/api/v1/projects/{pid}"),
    ] {
        let v: Value = d.send(root, Method::GET, &path, None).await.json().await.expect("json");
        let key = if v.get("total").is_some() { v["total"].clone() } else { v["version"].clone() };
        out.push((path, key));
    }
    Counts(out)
}

fn assert_4xx_problem(status: u16, ct: &str, body: &str, what: &str) {
    assert!((400..500).contains(&status), "{what}: expected 4xx, got {status}: {body}");
    assert_eq!(ct, "application/problem+json", "{what}: {body}");
    let v: Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: problem body is JSON: {body}"));
    assert!(
        v["code"].as_str().is_some_and(|c| c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')),
        "{what}: {body}"
    );
}

both!(bad_input_on_every_endpoint_is_a_4xx_problem, |db| async move {
    let d = Daemon::start_with(
        db,
        Opts { max_body_bytes: MAX_BODY, extra_config: OAUTH_CONFIG.into(), ..Opts::default() },
    )
    .await;
    d.admin(
        &["create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let p = d.create_project(&root, "fixture").await;
    let pid = p["id"].as_str().expect("id").to_owned();
    let v: Value = d
        .send(&root, Method::POST, &format!("/api/v1/projects/{pid}/versions"), Some(json!({"name": "1"})))
        .await
        .json()
        .await
        .expect("v");
    let vid = v["id"].as_str().expect("vid").to_owned();
    let team: Value = d
        .send(&root, Method::POST, "/api/v1/admin/teams", Some(json!({"name": "t"})))
        .await
        .json()
        .await
        .expect("t");
    let tid = team["id"].as_str().expect("tid").to_owned();
    let key: Value = d
        .send(&root, Method::POST, "/api/v1/api-keys", Some(json!({"name": "k", "scopes": ["admin"]})))
        .await
        .json()
        .await
        .expect("k");
    let kid = key["key"]["id"].as_str().expect("kid").to_owned();
    let before = counts(&d, &root, &pid).await;

    let hostile = "'; DROP TABLE projects; -- $(rm -rf /) `id` | && > /tmp/x \"q\" \\ %_ <script>";
    let wrong_types = json!({"name": 5, "email": [], "password": {}, "kind": 1, "scopes": "admin", "state": true,
        "user_id": 7, "refresh_token": 9, "role": 3, "tags": "x", "expires_at": 5, "support_until": false});
    let unknown_enums = json!({"kind": "bogus", "role": "emperor", "state": "shipped", "scopes": ["root:all"], "environment": "prod"});
    let mut deep = String::new();
    for _ in 0..5000 {
        deep.push('[');
    }
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("malformed JSON", b"{\"name\": ".to_vec()),
        ("trailing garbage", b"{} {}".to_vec()),
        ("wrong types", wrong_types.to_string().into_bytes()),
        ("unknown enum values", unknown_enums.to_string().into_bytes()),
        ("array instead of object", b"[]".to_vec()),
        ("null", b"null".to_vec()),
        ("invalid UTF-8", vec![b'{', b'"', b'n', 0xff, 0xfe, b'"', b':', b'1', b'}']),
        ("deep nesting", deep.into_bytes()),
        ("huge number", b"{\"name\": 1e999999}".to_vec()),
        ("oversize", format!("{{\"name\": \"{}\"}}", "x".repeat(MAX_BODY)).into_bytes()),
        ("unknown field with hostile text", json!({"name": hostile, "kind": "repo", "x; rm -rf /": 1}).to_string().into_bytes()),
        ("NUL in a string", json!({"name": "a\u{0}b", "kind": "repo", "email": "a\u{0}@b", "password": "p\u{0}", "role": "viewer",
            "scopes": ["project:read"], "state": "released", "user_id": root.user_id, "refresh_token": "\u{0}"}).to_string().into_bytes()),
    ];
    let queries = [
        "limit=99999999999999999999999",
        "limit=1000001",
        "limit=0",
        "offset=-1",
        "limit=abc",
        "cursor=%27%3B%20DROP%20TABLE%20projects%3B--",
        "sort=name%3B%20DROP%20TABLE%20projects",
        "name=%FF%FE",
    ];

    let routes = documented_routes(&d).await;
    let doc: Value =
        d.http.get(d.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    for (method, template) in &routes {
        let takes_body = doc["paths"][template.as_str()][method.to_lowercase()].get("requestBody").is_some();
        let path = template
            .replace("/projects/{id}", &format!("/projects/{pid}"))
            .replace("/versions/{id}", &format!("/versions/{vid}"))
            .replace("/api-keys/{id}", &format!("/api-keys/{kid}"))
            .replace("/admin/teams/{id}", &format!("/admin/teams/{tid}"))
            .replace("/admin/users/{id}", &format!("/admin/users/{}", root.user_id))
            .replace("{user_id}", &root.user_id)
            .replace("{slug}", "validation-failed");
        let m = Method::from_bytes(method.as_bytes()).expect("method");
        // An optional body may be `null` (the document says so: `/admin/vulndb/update`'s is).
        let body_optional =
            doc["paths"][template.as_str()][method.to_lowercase()]["requestBody"]["required"] != json!(true);
        if takes_body {
            for (what, body) in bodies.iter().filter(|(what, _)| !(body_optional && *what == "null")) {
                let ctype = if template.ends_with("/auth/token") {
                    "application/x-www-form-urlencoded"
                } else {
                    "application/json"
                };
                let resp = d
                    .http
                    .request(m.clone(), d.url(&path))
                    .bearer_auth(&root.token)
                    .header("content-type", ctype)
                    .header("if-match", "*")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("send");
                let status = resp.status().as_u16();
                let ct = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let text = resp.text().await.unwrap_or_default();
                assert_4xx_problem(status, &ct, &text, &format!("{method} {template} with {what}"));
            }
        }
        // Paging parameters only mean something to GETs (a DELETE with them is still a DELETE).
        for q in queries.iter().filter(|_| method == "GET") {
            let resp = d
                .http
                .request(m.clone(), d.url(&format!("{path}?{q}")))
                .bearer_auth(&root.token)
                .header("if-match", "\"999\"")
                .send()
                .await
                .expect("send");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            assert!(status < 500, "{method} {template}?{q}: {status} {text}");
            let is_list = method == "GET" && (text.contains("\"items\"") || status == 400);
            if template.ends_with("s")
                && method == "GET"
                && !template.ends_with("/{slug}")
                && is_list
                && !q.starts_with("name=")
            {
                assert_eq!(status, 400, "{method} {template}?{q} should reject bad paging: {text}");
            }
        }
    }
    // Malformed path parameters.
    for bad in ["%27%20OR%201%3D1--", "not-a-uuid", "00000000-0000-0000-0000-00000000000g"] {
        let resp = d.send(&root, Method::GET, &format!("/api/v1/projects/{bad}"), None).await;
        let status = resp.status().as_u16();
        let ct =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_4xx_problem(status, &ct, &resp.text().await.unwrap_or_default(), &format!("project id {bad}"));
    }
    // Bad headers.
    let r = d
        .http
        .get(d.url("/api/v1/projects"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let r = d
        .http
        .patch(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&root.token)
        .header("if-match", "\"abc\"")
        .json(&json!({"tags": []}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);

    // OAuth and the caller's own resources: hostile queries, paths and bodies. Redirects are
    // read, not followed (the configured provider is never contacted).
    let raw = http_client(false);
    let long_invite = format!("/api/v1/auth/oauth/gh/authorize?invite_token={}", "x".repeat(300));
    let long_state = format!("/api/v1/auth/oauth/gh/callback?state={}&code=x", "s".repeat(5000));
    let oauth_bad: Vec<(Method, &str)> = vec![
        (Method::GET, "/api/v1/auth/oauth/gh/authorize?redirect_to=javascript%3Aalert(1)"),
        (Method::GET, "/api/v1/auth/oauth/gh/authorize?redirect_to=https%3A%2F%2Fevil.example%2F"),
        (Method::GET, "/api/v1/auth/oauth/gh/authorize?redirect_to=%FF%FE"),
        (Method::GET, "/api/v1/auth/oauth/gh/authorize?link=maybe"),
        (Method::GET, "/api/v1/auth/oauth/gh/authorize?link=true"),
        (Method::GET, &long_invite),
        (Method::GET, "/api/v1/auth/oauth/%27%20OR%201%3D1/authorize"),
        (
            Method::GET,
            "/api/v1/auth/oauth/gh/callback?state=%27%3B%20DROP%20TABLE%20oauth_states%3B--&code=x",
        ),
        (Method::GET, &long_state),
        (Method::GET, "/api/v1/auth/oauth/gh/callback?error=access_denied"),
        (Method::GET, "/api/v1/auth/oauth/gh/callback"),
        (Method::DELETE, "/api/v1/users/me/oauth-identities/not-a-uuid"),
        (Method::DELETE, "/api/v1/users/me/oauth-identities/%27%20OR%201%3D1--"),
    ];
    for (m, path) in oauth_bad {
        let mut req = raw.request(m.clone(), d.url(path));
        if m == Method::DELETE {
            req = req.bearer_auth(&root.token);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let ct =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_4xx_problem(status, &ct, &resp.text().await.unwrap_or_default(), &format!("{m} {path}"));
    }
    for body in [
        json!({"events": {hostile: {"in_app": true, "email": true}}}),
        json!({"events": {"scan.failed": {"in_app": true}}}),
        json!({"events": {"scan.failed": {"in_app": true, "email": true, "sms": true}}}),
        json!({"events": ["scan.failed"]}),
        json!({"events": {"scan.failed": null}}),
    ] {
        let resp =
            d.send(&root, Method::PUT, "/api/v1/users/me/notification-prefs", Some(body.clone())).await;
        let status = resp.status().as_u16();
        let ct =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_4xx_problem(status, &ct, &resp.text().await.unwrap_or_default(), &format!("prefs {body}"));
    }
    for code in ["", "coc_unknown", &"c".repeat(5000)] {
        let resp = d
            .http
            .post(d.url("/api/v1/auth/token"))
            .form(&[("grant_type", "authorization_code"), ("code", code)])
            .send()
            .await
            .expect("send");
        let status = resp.status().as_u16();
        let ct =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_4xx_problem(status, &ct, &resp.text().await.unwrap_or_default(), "authorization_code grant");
    }

    // Multipart uploads: broken framing, hostile names, oversize and non-UTF-8 fields.
    let boundary = "XyZbOuNdArY";
    let framed = |parts: &str| format!("{parts}--{boundary}--\r\n").into_bytes();
    let part = |headers: &str, body: &str| format!("--{boundary}\r\n{headers}\r\n\r\n{body}\r\n");
    let file = part("Content-Disposition: form-data; name=\"file\"; filename=\"a.tgz\"", "not an archive");
    let multipart_bodies: Vec<(&str, Vec<u8>, String)> = vec![
        ("no parts", framed(""), format!("multipart/form-data; boundary={boundary}")),
        ("truncated", file.clone().into_bytes(), format!("multipart/form-data; boundary={boundary}")),
        ("wrong boundary", framed(&file), "multipart/form-data; boundary=other".into()),
        ("no boundary", framed(&file), "multipart/form-data".into()),
        ("not an archive", framed(&file), format!("multipart/form-data; boundary={boundary}")),
        (
            "hostile field name",
            framed(&format!(
                "{file}{}",
                part(&format!("Content-Disposition: form-data; name=\"{hostile}\""), "x")
            )),
            format!("multipart/form-data; boundary={boundary}"),
        ),
        (
            "hostile file name",
            framed(&part(
                &format!("Content-Disposition: form-data; name=\"file\"; filename=\"../../{hostile}\""),
                "x",
            )),
            format!("multipart/form-data; boundary={boundary}"),
        ),
        (
            "oversize project field",
            framed(&format!(
                "{file}{}",
                part("Content-Disposition: form-data; name=\"project\"", &"p".repeat(5000))
            )),
            format!("multipart/form-data; boundary={boundary}"),
        ),
        (
            "project not an id",
            framed(&format!("{file}{}", part("Content-Disposition: form-data; name=\"project\"", hostile))),
            format!("multipart/form-data; boundary={boundary}"),
        ),
        ("file twice", framed(&format!("{file}{file}")), format!("multipart/form-data; boundary={boundary}")),
    ];
    let mut non_utf8 =
        format!("{file}--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n")
            .into_bytes();
    non_utf8.extend_from_slice(&[0xff, 0xfe, b'\r', b'\n']);
    non_utf8.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    for path in ["/api/v1/scans/upload", "/api/v1/sboms/ingest"] {
        let mut all = multipart_bodies.clone();
        all.push(("non-UTF-8 field", non_utf8.clone(), format!("multipart/form-data; boundary={boundary}")));
        for (what, body, ctype) in all {
            let resp = d
                .http
                .post(d.url(path))
                .bearer_auth(&root.token)
                .header("content-type", ctype)
                .header("idempotency-key", unique_email("k"))
                .body(body)
                .send()
                .await
                .expect("send");
            let status = resp.status().as_u16();
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert_4xx_problem(
                status,
                &ct,
                &resp.text().await.unwrap_or_default(),
                &format!("{path} with {what}"),
            );
        }
    }
    let scans: Value = d.send(&root, Method::GET, "/api/v1/scans", None).await.json().await.expect("json");
    assert_eq!(scans["total"], 0, "a refused upload queued a scan");

    let after = counts(&d, &root, &pid).await;
    assert_eq!(before.0, after.0, "bad input wrote something");

    // Hostile strings that are valid data are stored verbatim, and everything still works.
    let r = d
        .send(
            &root,
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": hostile, "kind": "repo", "tags": [HOSTILE_TAG]})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["name"], hostile);
    let found: Value = d
        .send(&root, Method::GET, "/api/v1/projects?name=%27%3B%20DROP%20TABLE%20projects%3B%20--", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["tags"][0], HOSTILE_TAG);
    let all: Value = d.send(&root, Method::GET, "/api/v1/projects", None).await.json().await.expect("json");
    assert_eq!(all["total"], 2);
    let _ = unique_email("unused");
});

// Issue 15: list filters were deserialized leniently, so `?nmae=web` listed every project.
both!(a_misspelled_list_filter_is_refused_by_name, |db| async move {
    let d = Daemon::start(db).await;
    let owner = d.register(&unique_email("filters")).await;
    let p = d.create_project(&owner, "web").await;
    let pid = p["id"].as_str().expect("id").to_owned();
    for (path, key) in [
        ("/api/v1/projects?nmae=web".to_owned(), "nmae"),
        ("/api/v1/scans?stauts=completed".to_owned(), "stauts"),
        (format!("/api/v1/projects/{pid}/versions?name=1.0"), "name"),
        (format!("/api/v1/projects/{pid}/scans?projct={pid}"), "projct"),
        ("/api/v1/api-keys?owner=me".to_owned(), "owner"),
    ] {
        let resp = d.send(&owner, Method::GET, &path, None).await;
        let status = resp.status().as_u16();
        let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = resp.text().await.expect("body");
        assert_4xx_problem(status, &ct, &body, &path);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains(&format!("`{key}`")), "{path}: the problem names the key: {body}");
    }
    // A status word the daemon does not know is refused too, not matched against nothing.
    let resp = d.send(&owner, Method::GET, "/api/v1/scans?status=archived", None).await;
    assert_eq!(resp.status().as_u16(), 400);
    let body = resp.text().await.expect("body");
    assert!(body.contains("query.status") && body.contains("archived"), "{body}");
    // The known filters still work.
    let resp = d.send(&owner, Method::GET, "/api/v1/projects?name=we&sort=-name", None).await;
    assert_eq!(resp.status().as_u16(), 200);
});
