//! The retry policy on the wire, against a server the test starts: a creating POST carries an
//! Idempotency-Key and is retried with the same key after a 503; a PATCH with If-Match is retried
//! after a 429 (a repeat of a PATCH that landed meets a 412, never a second change); a Retry-After
//! beyond the policy's bound is returned, not waited out.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cairn_sdk::types::{CreateProject, Project, ProjectId, ProjectKind, UpdateProject};
use cairn_sdk::{Client, Credential, RetryPolicy};

/// (method, Idempotency-Key) of one request.
type Seen1 = (String, Option<String>);

#[derive(Clone, Default)]
struct Seen {
    /// Every request, in order.
    requests: Arc<Mutex<Vec<Seen1>>>,
}

fn problem(status: StatusCode, code: &str, retry_after: &str) -> Response {
    let body =
        serde_json::json!({"type": "/problems/x", "title": "t", "status": status.as_u16(), "code": code});
    (status, [("content-type", "application/problem+json"), ("retry-after", retry_after)], Json(body))
        .into_response()
}

fn record(seen: &Seen, method: &str, headers: &HeaderMap) -> usize {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut r = seen.requests.lock().expect("lock");
    r.push((method.to_owned(), key));
    r.len()
}

async fn start(seen: Seen) -> String {
    let app = axum::Router::new()
        .route(
            "/api/v1/projects",
            post(|State(s): State<Seen>, headers: HeaderMap, Json(body): Json<CreateProject>| async move {
                if record(&s, "POST", &headers) == 1 {
                    return problem(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "0");
                }
                let now = time::OffsetDateTime::UNIX_EPOCH;
                let p = Project {
                    id: ProjectId::new(),
                    name: body.name,
                    kind: body.kind,
                    repo_url: None,
                    default_ref: None,
                    team_id: None,
                    tags: body.tags,
                    product: Default::default(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    risk: None,
                };
                (StatusCode::CREATED, Json(p)).into_response()
            }),
        )
        .route(
            "/api/v1/projects/{id}",
            axum::routing::patch(|State(s): State<Seen>, headers: HeaderMap| async move {
                record(&s, "PATCH", &headers);
                if headers.get("if-match").and_then(|v| v.to_str().ok()) != Some("\"1\"") {
                    return problem(StatusCode::PRECONDITION_REQUIRED, "PRECONDITION_REQUIRED", "0");
                }
                if s.requests.lock().expect("lock").iter().filter(|(m, _)| m == "PATCH").count() == 1 {
                    return problem(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "0");
                }
                let now = time::OffsetDateTime::UNIX_EPOCH;
                let p = Project {
                    id: ProjectId::new(),
                    name: "renamed".into(),
                    kind: ProjectKind::Repo,
                    repo_url: None,
                    default_ref: None,
                    team_id: None,
                    tags: Vec::new(),
                    product: Default::default(),
                    version: 2,
                    created_at: now,
                    updated_at: now,
                    risk: None,
                };
                Json(p).into_response()
            })
            .get(|State(s): State<Seen>, headers: HeaderMap| async move {
                record(&s, "GET", &headers);
                problem(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "3600")
            }),
        )
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn creating_posts_retry_with_one_key_patches_with_if_match_retry_and_long_waits_are_returned() {
    let seen = Seen::default();
    let base = start(seen.clone()).await;
    let policy = RetryPolicy { base_delay: std::time::Duration::from_millis(1), ..RetryPolicy::default() };
    let client = Client::builder(&base)
        .credential(Credential::ApiKey("k".into()))
        .retry(policy)
        .build()
        .expect("client");

    let body = CreateProject::new("p", ProjectKind::Repo);
    let created = client.create_project(&body).await.expect("retried after the 503");
    assert_eq!(created.name, "p");
    let posts = seen.requests.lock().expect("lock").clone();
    assert_eq!(posts.len(), 2);
    let key = posts[0].1.clone().expect("an Idempotency-Key on the creating POST");
    assert_eq!(posts[1].1.as_deref(), Some(key.as_str()), "the retry reuses the key");

    // Before issue 15 a PATCH was never retried: triage-from-csv stopped at the rate limit.
    let renamed = client
        .update_project(created.id, 1, &UpdateProject::default().name("renamed"))
        .await
        .expect("retried after the 429");
    assert_eq!(renamed.version, 2);
    let patches = seen.requests.lock().expect("lock").iter().filter(|(m, _)| m == "PATCH").count();
    assert_eq!(patches, 2, "the PATCH with If-Match was sent again after the 429");

    let err = client.project(created.id).await.expect_err("429");
    let Some(cairn_sdk::Error::Api(api)) = Some(&err) else { panic!("an API error: {err}") };
    assert_eq!(api.retry_after, Some(std::time::Duration::from_secs(3600)));
    let gets = seen.requests.lock().expect("lock").iter().filter(|(m, _)| m == "GET").count();
    assert_eq!(gets, 1, "an hour's Retry-After is returned to the caller, not slept through");
}
