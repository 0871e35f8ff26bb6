//! The service endpoints through the SDK: liveness, readiness (which asks the database, so both
//! backends), metrics for a super admin only, and problem types.

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
    let ready = anonymous.readyz().await.expect("readyz");
    assert_eq!((ready.status.as_str(), ready.database.as_str()), ("ok", format!("{backend}: ok").as_str()));

    // Metrics are for super admins (or the metrics token): anyone else gets a 404.
    let hidden = anonymous.metrics().await.expect_err("anonymous metrics");
    assert_eq!(hidden.status(), Some(404), "{hidden}");
    let admin = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
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
