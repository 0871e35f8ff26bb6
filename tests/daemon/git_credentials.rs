//! Issue 16 point 1: per-tenant git credentials. A repository served by `git http-backend` on
//! 127.0.0.1 behind HTTP basic authentication: tenant A's credential for 127.0.0.1 makes its
//! scan succeed; tenant B (no credential) gets the fixed "not public" reason; the token shows
//! up in no scan row, event, list, audit entry or log line; a sealed row copied into tenant B
//! does not decrypt; without a key the routes answer 409.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::e2e_git::vulnerable_repo;
use crate::harness::{Daemon, Db, Opts, PASSWORD, Session, expect_problem, unique_email};
use crate::ws::follow;

const TOKEN: &str = "ghp_CairnTestToken0123456789abcdefXYZ";
const USER: &str = "ci-bot";

/// `git clone --bare repo bare`, with the user's and the system's git configuration shut out.
pub fn bare_clone(repo: &Path, bare: &Path) {
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--bare", &repo.display().to_string(), &bare.display().to_string()])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git clone --bare");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A bare copy of `repo` behind basic auth (`USER`:`TOKEN`) over git's smart HTTP protocol.
async fn served_privately(repo: &Path, root: &Path) -> String {
    bare_clone(repo, &root.join("private.git"));
    let files = Arc::new(root.to_path_buf());
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::any(move |method: HttpMethod, uri: Uri, headers: HeaderMap, body: Bytes| {
            authorized_backend(files.clone(), method, uri, headers, body)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/private.git")
}

/// 401 unless the request carries the expected basic credentials, else `git http-backend`.
async fn authorized_backend(
    root: Arc<PathBuf>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (StatusCode::UNAUTHORIZED, [("www-authenticate", "Basic realm=\"private\"")], "")
            .into_response();
    }
    crate::git_http::git_http_backend(root, method, uri, headers, body).await
}

fn key_file(dir: &Path) -> PathBuf {
    let path = dir.join("git-credentials.key");
    std::fs::write(&path, "8f2c1d7e5a9b3c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5\n").expect("key");
    path
}

fn open_sources() -> String {
    "[sources]\nallow_private_hosts = true\nallow_http = true\n".to_owned()
}

/// A super admin who owns tenant A (so one session reads both the tenant and the audit log).
async fn root(d: &Daemon) -> Session {
    let email = unique_email("root");
    d.admin(
        &["create-user", "--email", &email, "--super-admin", "--tenant", "A", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    d.login(&email).await
}

/// Submits a git scan of `url` and follows it to its end; returns the final scan row and events.
pub async fn scan(d: &Daemon, who: &Session, url: &str) -> (Value, Vec<Value>) {
    let resp = d
        .send(
            who,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "git", "url": url}, "crypto": false})),
        )
        .await;
    assert_eq!(resp.status(), 202, "submit: {}", resp.text().await.unwrap_or_default());
    let id = resp.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let (frames, _end) = follow(d, &id, who).await;
    let row: Value =
        d.send(who, Method::GET, &format!("/api/v1/scans/{id}"), None).await.json().await.expect("scan");
    let events: Value = d
        .send(who, Method::GET, &format!("/api/v1/scans/{id}/events"), None)
        .await
        .json()
        .await
        .expect("events");
    let mut all = frames;
    all.push(events);
    (row, all)
}

both!(a_tenant_clones_its_private_repository_and_no_other_tenant_can, |db: Db| async move {
    let root_dir = tempfile::tempdir().expect("root");
    let (repo, commit) = vulnerable_repo(root_dir.path());
    let url = served_privately(&repo, root_dir.path()).await;
    let opts = Opts {
        extra_config: open_sources(),
        git_credentials_key_file: Some(key_file(root_dir.path())),
        ..Opts::default()
    };
    let d = Daemon::start_with(db, opts).await;
    let a = root(&d).await;
    let b = d.register(&unique_email("other")).await;

    // Before any credential: tenant A is refused like anyone.
    let (before, _) = scan(&d, &a, &url).await;
    assert_eq!(before["status"], "failed", "{before}");

    let resp = d
        .send(
            &a,
            Method::POST,
            "/api/v1/git-credentials",
            Some(json!({"host": "127.0.0.1", "token": TOKEN, "username": USER})),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
    let created: Value = resp.json().await.expect("json");
    assert_eq!(
        (created["host_pattern"].as_str(), created["kind"].as_str(), created["username"].as_str()),
        (Some("127.0.0.1"), Some("token"), Some(USER)),
        "{created}"
    );
    assert_eq!(created["created_by"], a.user_id.as_str());
    // A second credential for the same pattern is a conflict, not a silent replacement.
    let again = d
        .send(
            &a,
            Method::POST,
            "/api/v1/git-credentials",
            Some(json!({"host": "127.0.0.1", "token": "other"})),
        )
        .await;
    expect_problem(again, 409, "CONFLICT").await;

    let (done, events_a) = scan(&d, &a, &url).await;
    assert_eq!(done["status"], "completed", "{done}\n{}", d.stderr());
    assert!(format!("{events_a:?}").contains(&commit), "the cloned commit {commit} is named: {events_a:?}");

    // Tenant B: same URL, no credential, the fixed reason.
    let (refused, events_b) = scan(&d, &b, &url).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    let error = refused["error"].to_string();
    assert!(error.contains("does not exist or is not public"), "{error}");
    // B does not see A's credentials; A's list has no secret.
    let listed_b: Value =
        d.send(&b, Method::GET, "/api/v1/git-credentials", None).await.json().await.expect("list");
    assert_eq!(listed_b["items"], json!([]), "{listed_b}");
    let listed_a: Value =
        d.send(&a, Method::GET, "/api/v1/git-credentials", None).await.json().await.expect("list");
    assert_eq!(listed_a["items"].as_array().map(Vec::len), Some(1), "{listed_a}");

    let audit: Value =
        d.send(&a, Method::GET, "/api/v1/admin/audit?limit=1000", None).await.json().await.expect("audit");
    let actions: Vec<&str> =
        audit["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"git_credential.create"), "{actions:?}");

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{TOKEN}"));
    for (what, text) in [
        ("the scan rows", format!("{before}{done}{refused}")),
        ("the scan events", format!("{events_a:?}{events_b:?}")),
        ("the credential lists", format!("{created}{listed_a}")),
        ("the audit log", audit.to_string()),
        ("the daemon's log", d.stderr()),
    ] {
        assert!(!text.contains(TOKEN) && !text.contains(&basic), "the token is in {what}: {text}");
    }

    // Deleting it: audited, and clones are anonymous again.
    let id = created["id"].as_str().expect("id");
    let resp = d.send(&b, Method::DELETE, &format!("/api/v1/git-credentials/{id}"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let resp = d.send(&a, Method::DELETE, &format!("/api/v1/git-credentials/{id}"), None).await;
    assert_eq!(resp.status(), 204);
    let (after, _) = scan(&d, &a, &url).await;
    assert_eq!(after["status"], "failed", "{after}");
    let audit: Value =
        d.send(&a, Method::GET, "/api/v1/admin/audit?limit=1000", None).await.json().await.expect("audit");
    assert!(audit.to_string().contains("git_credential.delete"), "{audit}");
});

both!(a_sealed_row_copied_into_another_tenant_does_not_decrypt, |db: Db| async move {
    let root_dir = tempfile::tempdir().expect("root");
    let (repo, _) = vulnerable_repo(root_dir.path());
    let url = served_privately(&repo, root_dir.path()).await;
    let opts = Opts {
        extra_config: open_sources(),
        git_credentials_key_file: Some(key_file(root_dir.path())),
        ..Opts::default()
    };
    let d = Daemon::start_with(db, opts).await;
    let a = d.register(&unique_email("owner")).await;
    let b = d.register(&unique_email("thief")).await;
    let resp = d
        .send(
            &a,
            Method::POST,
            "/api/v1/git-credentials",
            Some(json!({"host": "127.0.0.1", "token": TOKEN, "username": USER})),
        )
        .await;
    assert_eq!(resp.status(), 201);

    // Someone with database access copies A's sealed secret into a row of tenant B.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    let tenant_b = b.tenant.clone().expect("B's tenant");
    sqlx::query(
        "INSERT INTO git_credentials (id, tenant_id, host_pattern, kind, username, sealed, created_at, created_by) \
         SELECT $1, $2, host_pattern, kind, username, sealed, created_at, NULL FROM git_credentials",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&tenant_b)
    .execute(&pool)
    .await
    .expect("copy the row");
    pool.close().await;

    let (row, _) = scan(&d, &b, &url).await;
    assert_eq!(row["status"], "failed", "{row}");
    let error = row["error"].to_string();
    assert!(error.contains("does not decrypt"), "{error}");
    assert!(!error.contains(TOKEN), "{error}");
});

both!(without_a_key_git_credentials_are_disabled, |db: Db| async move {
    let d = Daemon::start(db).await;
    let a = d.register(&unique_email("nokey")).await;
    let body = json!({"host": "github.com", "token": TOKEN});
    let resp = d.send(&a, Method::POST, "/api/v1/git-credentials", Some(body)).await;
    let problem = expect_problem(resp, 409, "GIT_CREDENTIALS_DISABLED").await;
    assert!(!problem.to_string().contains(TOKEN), "{problem}");
    expect_problem(
        d.send(&a, Method::GET, "/api/v1/git-credentials", None).await,
        409,
        "GIT_CREDENTIALS_DISABLED",
    )
    .await;
});

both!(bad_credentials_are_refused_field_by_field, |db: Db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let d = Daemon::start_with(
        db,
        Opts { git_credentials_key_file: Some(key_file(dir.path())), ..Opts::default() },
    )
    .await;
    let a = d.register(&unique_email("bad")).await;
    for (body, field) in [
        (json!({"host": "https://github.com", "token": "t"}), "body.host"),
        (json!({"host": "github.com"}), "body.token"),
        (json!({"host": "github.com", "token": "t", "ssh_private_key": "k"}), "body.token"),
        (json!({"host": "github.com", "ssh_private_key": "not a key"}), "body.ssh_private_key"),
        (json!({"host": "github.com", "token": "a b"}), "body.token"),
        (json!({"host": "github.com", "token": "t", "username": "a:b"}), "body.username"),
    ] {
        let resp = d.send(&a, Method::POST, "/api/v1/git-credentials", Some(body.clone())).await;
        let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    // A member (not an admin) of the tenant may not manage credentials.
    let member = d.invite(&a, &unique_email("member"), "member").await;
    let resp = d
        .send(
            &member,
            Method::POST,
            "/api/v1/git-credentials",
            Some(json!({"host": "github.com", "token": "t"})),
        )
        .await;
    assert_eq!(resp.status(), 403);
});
