//! The service endpoints through the SDK: liveness, readiness (which asks the database, so both
//! backends; a 503 asked once, against a stand-in server), metrics for a super admin only, and
//! problem types.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use cairn_sdk::{Client, Credential};

use crate::common::{Daemon, Opts};

async fn service_endpoints(postgres: bool) {
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let backend = if postgres { "postgres" } else { "sqlite" };
    let anonymous = Client::anonymous(&daemon.base).expect("client");

    let live = anonymous.healthz().await.expect("healthz");
    assert_eq!(live.status, "ok");
    // Anonymous callers learn that the database answers, not which one it is.
    let ready = anonymous.readyz().await.expect("readyz");
    assert_eq!((ready.status.as_str(), ready.database.as_str()), ("ok", "ok"));

    // Metrics are for super admins (or the metrics token): an anonymous caller is told to
    // authenticate (a signed-in non-operator gets a 404, tests/daemon/conventions.rs).
    let hidden = anonymous.metrics().await.expect_err("anonymous metrics");
    assert_eq!(hidden.status(), Some(401), "{hidden}");
    let admin = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    // Signed in, the backend is named.
    let health = admin.health().await.expect("health");
    assert_eq!(health.database, format!("{backend}: ok"));
    let text = admin.metrics().await.expect("metrics");
    assert!(text.contains("# TYPE") && text.contains("# EOF"), "Prometheus text: {text}");

    // A real problem's `type` explains itself through problem_type.
    let problem = anonymous.me().await.expect_err("me without a credential");
    let Some(cairn_sdk::Error::Api(api)) = Some(&problem) else { panic!("an API error: {problem}") };
    let slug =
        api.problem.as_ref().expect("problem+json").type_uri.rsplit('/').next().expect("slug").to_owned();
    let explained = anonymous.problem_type(&slug).await.expect("problem type");
    assert_eq!(
        (explained.slug.as_str(), explained.status, explained.code.as_str()),
        (slug.as_str(), 401, "UNAUTHORIZED")
    );
    assert!(!explained.description.is_empty());
    let unknown = anonymous.problem_type("no such/problem").await.expect_err("unknown slug");
    assert!(unknown.is_not_found(), "{unknown}");
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_endpoints_sqlite() {
    service_endpoints(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_endpoints_postgres() {
    service_endpoints(true).await;
}

/// A daemon whose database does not answer says 503 on `/readyz`: the SDK asks once (a probe
/// wants the answer now, not after the retry policy's backoff) and returns the problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_asks_once_and_returns_a_503_as_the_problem() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let app = axum::Router::new().route(
        "/readyz",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                let problem = serde_json::json!({"type": "/problems/unavailable", "title": "Service unavailable",
                    "status": 503, "code": "UNAVAILABLE", "detail": "sqlite: unreachable"});
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(CONTENT_TYPE, "application/problem+json"), (RETRY_AFTER, "1")],
                    problem.to_string(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let err = Client::anonymous(&base).expect("client").readyz().await.expect_err("not ready");
    assert_eq!((err.status(), err.code()), (Some(503), Some("UNAVAILABLE")), "{err}");
    assert_eq!(asked.load(Ordering::SeqCst), 1, "not retried");
}
