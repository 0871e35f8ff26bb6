//! Conventions on every endpoint: problem+json for router errors, X-Request-ID, body limits,
//! rate limits, metrics, logs, graceful shutdown.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, expect_problem, unique_email};

both!(router_errors_are_problems_with_request_ids, |db| async move {
    let d = Daemon::start(db).await;
    let r = d.http.get(d.url("/api/v1/nope")).send().await.expect("send");
    let id = r.headers()["x-request-id"].to_str().expect("id").to_owned();
    let body = expect_problem(r, 404, "ROUTE_NOT_FOUND").await;
    assert_eq!(body["request_id"], id.as_str());
    assert_eq!(body["instance"], "/api/v1/nope");
    let parsed = uuid::Uuid::parse_str(&id).expect("uuid");
    assert_eq!(parsed.get_version_num(), 7);
    let r = d.http.put(d.url("/api/v1/projects")).send().await.expect("send");
    expect_problem(r, 405, "METHOD_NOT_ALLOWED").await;
    // A client's request id is echoed.
    let r = d.http.get(d.url("/healthz")).header("x-request-id", "trace-abc-123").send().await.expect("send");
    assert_eq!(r.headers()["x-request-id"], "trace-abc-123");
    // Outside the safe alphabet (a spreadsheet formula, spaces, quotes) or too long: a fresh id.
    for unsafe_id in ["=HYPERLINK(\"http://x\")", "a b", "x\"y", &"a".repeat(129)] {
        let r = d.http.get(d.url("/healthz")).header("x-request-id", unsafe_id).send().await.expect("send");
        let echoed = r.headers()["x-request-id"].to_str().expect("id").to_owned();
        assert_ne!(echoed, unsafe_id);
        assert_eq!(uuid::Uuid::parse_str(&echoed).expect("uuid").get_version_num(), 7, "{unsafe_id}");
    }
    // The problem catalogue explains each type.
    let p: Value = d
        .http
        .get(d.url("/problems/precondition-failed"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(p["code"], "PRECONDITION_FAILED");
    expect_problem(d.http.get(d.url("/problems/nope")).send().await.expect("send"), 404, "NOT_FOUND").await;
    // Health documents.
    let h: Value = d.http.get(d.url("/api/health")).send().await.expect("send").json().await.expect("json");
    assert_eq!(h["status"], "ok");
    assert_eq!(h["spec_versions"]["cyclonedx"], "1.6");
    assert_eq!(h["database"], "ok", "anonymous callers see no backend: {h}");
    assert!(h.get("version").is_none(), "anonymous callers see no version: {h}");
    // Swagger UI is served.
    let ui = d.http.get(d.url("/api/docs/")).send().await.expect("send");
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.expect("text").contains("swagger"));
});

both!(body_limit_and_media_type, |db| async move {
    let d = Daemon::start_with(db, Opts { max_body_bytes: 4096, ..Opts::default() }).await;
    let s = d.register(&unique_email("b")).await;
    let big = json!({"name": "x".repeat(5000), "kind": "repo"});
    expect_problem(d.send(&s, Method::POST, "/api/v1/projects", Some(big)).await, 413, "PAYLOAD_TOO_LARGE")
        .await;
    let r = d
        .http
        .post(d.url("/api/v1/projects"))
        .bearer_auth(&s.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("send");
    expect_problem(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
});

both!(rate_limits_send_headers_and_retry_after, |db| async move {
    let d =
        Daemon::start_with(db, Opts { login_per_minute: 3, reads_per_minute: 3, ..Opts::default() }).await;
    let email = unique_email("r");
    // Registration and its verification count as login attempts (2 of 3).
    let s = d.register(&email).await;
    let ok = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["x-ratelimit-limit"], "3");
    assert_eq!(ok.headers()["x-ratelimit-remaining"], "0");
    let limited = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    let retry: u64 = limited.headers()["retry-after"].to_str().expect("s").parse().expect("secs");
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert!(limited.headers().contains_key("x-ratelimit-reset"));
    expect_problem(limited, 429, "RATE_LIMITED").await;
    // Reads are limited per credential; probes have their own (here generous) per-address class.
    // (`register` used one read for /auth/me.)
    for _ in 0..2 {
        assert_eq!(d.send(&s, Method::GET, "/api/v1/projects", None).await.status(), 200);
    }
    expect_problem(d.send(&s, Method::GET, "/api/v1/projects", None).await, 429, "RATE_LIMITED").await;
    for _ in 0..10 {
        assert_eq!(d.http.get(d.url("/healthz")).send().await.expect("send").status(), 200);
    }
});

both!(metrics_logs_and_graceful_shutdown, |db| async move {
    let mut d = Daemon::start_with(db, Opts { json_logs: true, ..Opts::default() }).await;
    let s = d.register(&unique_email("m")).await;
    // Metrics: hidden from ordinary users, shown to super admins.
    expect_problem(d.send(&s, Method::GET, "/metrics", None).await, 404, "ROUTE_NOT_FOUND").await;
    // Anonymous: told to authenticate (the document promises 401), not a 404.
    let anonymous = d.http.get(d.url("/metrics")).send().await.expect("send");
    expect_problem(anonymous, 401, "UNAUTHORIZED").await;
    d.admin(
        &["create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let m = d.send(&root, Method::GET, "/metrics", None).await;
    assert_eq!(m.status(), 200);
    let text = m.text().await.expect("text");
    assert!(
        text.contains("cairnd_http_requests_total") && text.contains("route=\"/api/v1/auth/me\""),
        "{text}"
    );
    let r =
        d.http.get(d.url("/healthz")).header("x-request-id", "log-line-probe").send().await.expect("send");
    assert_eq!(r.status(), 200);
    let status = d.terminate();
    assert!(status.success(), "SIGTERM exits cleanly: {status:?}");
    let logs = d.stderr();
    let line = logs.lines().find(|l| l.contains("log-line-probe")).expect("a log line with the request id");
    let v: Value = serde_json::from_str(line).expect("json log line");
    assert_eq!(v["span"]["request_id"], "log-line-probe");
    assert!(!logs.contains(&s.token) && !logs.contains(PASSWORD), "secrets in logs");
});

// Issue 14 point 11: a 401 names its scheme; a redirected text log has no colour codes; a taken
// address is named when binding fails. Each failed on the code before the fix.
both!(unauthorized_names_bearer_logs_stay_plain_and_a_taken_address_is_named, |db| async move {
    let mut d = Daemon::start(db).await;
    let r = d.http.get(d.url("/api/v1/auth/me")).send().await.expect("send");
    assert_eq!(r.headers().get("www-authenticate").map(|v| v.to_str().expect("ascii")), Some("Bearer"));
    expect_problem(r, 401, "UNAUTHORIZED").await;
    let r = d.http.get(d.url("/api/v1/projects")).bearer_auth("crn_live_nope").send().await.expect("send");
    assert_eq!(r.headers().get("www-authenticate").map(|v| v.to_str().expect("ascii")), Some("Bearer"));

    // The same configuration on the address this daemon holds.
    let addr = d.base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairnd"))
        .args(["serve", "--config"])
        .arg(&d.config)
        .args(["--listen", &addr])
        .env_remove("CAIRN_LISTEN")
        .env_remove("CAIRN_DATABASE_URL")
        .output()
        .expect("run cairnd");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&addr) && err.contains("in use"), "{err}");

    let status = d.terminate();
    assert!(status.success(), "{status:?}");
    let logs = d.stderr();
    assert!(logs.contains("INFO"), "a text log: {logs}");
    assert!(!logs.contains('\x1b'), "colour codes in a redirected log: {logs}");
});
