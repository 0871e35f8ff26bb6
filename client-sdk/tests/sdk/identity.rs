//! cairn-sdk's `Client` against a real daemon (the cairnd library serving on 127.0.0.1, SQLite and,
//! when CAIRN_TEST_POSTGRES_URL is set, Postgres): identity, projects with If-Match and a typed 412,
//! versions and their release state, API keys, problem+json decoding, paged streams over several pages, API-key credentials, token refresh on
//! 401, and a 429 whose Retry-After is waited out.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_daemon::config::RateLimits;
use cairn_sdk::types::{
    ApiKeyEnvironment, CreateApiKey, CreateProject, CreateVersion, ProjectKind, RegisterRequest,
    ReleaseState, ReleaseStateChange, Scope, UpdateProject, UpdateVersion,
};
use cairn_sdk::{Client, Credential, ListQuery, RetryPolicy};
use futures_util::TryStreamExt;

use crate::common::{Daemon, Opts};

const PASSWORD: &str = "correct horse battery staple";

async fn start(postgres: bool, rate_limits: RateLimits) -> Option<Daemon> {
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    Daemon::start_with(opts, |c| c.rate_limits = rate_limits).await
}

fn generous() -> RateLimits {
    RateLimits {
        login_per_minute: 10_000,
        reads_per_minute: 10_000,
        writes_per_minute: 10_000,
        uploads_per_hour: 10_000,
        health_per_minute: 10_000,
    }
}

async fn registered(daemon: &Daemon, email: &str) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: PASSWORD.into(),
                display_name: None,
                tenant_name: Some(format!("t-{email}")),
                invite_token: None,
            },
        )
        .await;
    client
}

fn project(name: &str) -> CreateProject {
    CreateProject {
        name: name.into(),
        kind: ProjectKind::Repo,
        repo_url: None,
        default_ref: None,
        team_id: None,
        tags: vec!["sdk".into()],
    }
}

async fn identity_projects_and_errors(postgres: bool) {
    let Some(daemon) = start(postgres, generous()).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = registered(&daemon, "ada@example.test").await;
    assert_eq!(client.health().await.expect("health").status, "ok");

    // Login gives a working session.
    let session = Client::anonymous(&daemon.base).expect("client");
    session.login("ada@example.test", PASSWORD).await.expect("login");
    let me = session.me().await.expect("me");
    assert_eq!(me.user.email, "ada@example.test");
    let wrong =
        Client::anonymous(&daemon.base).expect("client").login("ada@example.test", "not the password!").await;
    assert_eq!(wrong.expect_err("bad password").status(), Some(401));

    // Projects: create, read, update with If-Match, a stale version is a typed 412.
    let p = client.create_project(&project("api")).await.expect("create");
    assert_eq!(client.project(p.id).await.expect("get").name, "api");
    let change = UpdateProject { name: Some("api-2".into()), ..UpdateProject::default() };
    let updated = client.update_project(p.id, p.version, &change).await.expect("update");
    assert_eq!((updated.name.as_str(), updated.version), ("api-2", p.version + 1));
    let stale = client.update_project(p.id, p.version, &change).await.expect_err("stale version");
    assert_eq!((stale.status(), stale.code()), (Some(412), Some("PRECONDITION_FAILED")));
    assert_eq!(stale.current_version(), Some(updated.version));
    assert!(stale.request_id().is_some_and(|r| !r.is_empty()), "problems carry the request id");

    // Validation problems keep their field paths.
    let invalid = client.create_project(&project("")).await.expect_err("empty name");
    assert_eq!(invalid.code(), Some("VALIDATION_FAILED"));
    assert!(invalid.field_errors().iter().any(|f| f.field == "body.name"), "{:?}", invalid.field_errors());

    // Versions under it.
    let v = client
        .create_version(p.id, &CreateVersion { name: "1.0.0".into(), support_until: None })
        .await
        .expect("version");
    let versions: Vec<_> = client.versions(p.id, ListQuery::default()).try_collect().await.expect("versions");
    assert_eq!(versions.iter().map(|x| x.id).collect::<Vec<_>>(), vec![v.id]);
    let page = client.versions_page(p.id, &ListQuery::limit(1)).await.expect("versions page");
    assert_eq!((page.items.len(), page.total), (1, 1));
    assert_eq!(client.version(v.id).await.expect("version").name, "1.0.0");
    let renamed = client
        .update_version(v.id, v.version, &UpdateVersion { name: Some("1.0.1".into()), support_until: None })
        .await
        .expect("update version");
    assert_eq!((renamed.name.as_str(), renamed.version), ("1.0.1", v.version + 1));
    let stale = client
        .set_release_state(
            v.id,
            v.version,
            &ReleaseStateChange { state: ReleaseState::Released, support_until: None },
        )
        .await
        .expect_err("stale release");
    assert_eq!(stale.status(), Some(412));
    let released = client
        .set_release_state(
            v.id,
            renamed.version,
            &ReleaseStateChange { state: ReleaseState::Released, support_until: None },
        )
        .await
        .expect("release");
    assert_eq!(released.release_state, ReleaseState::Released);
    assert!(released.released_at.is_some());
    let backwards = client
        .set_release_state(
            v.id,
            released.version,
            &ReleaseStateChange { state: ReleaseState::Draft, support_until: None },
        )
        .await
        .expect_err("only forward moves");
    assert_eq!(backwards.status().map(|s| s / 100), Some(4), "{backwards}");
    let extra = client
        .create_version(p.id, &CreateVersion { name: "2.0.0".into(), support_until: None })
        .await
        .expect("second version");
    client.delete_version(extra.id, extra.version).await.expect("delete version");
    assert!(client.version(extra.id).await.expect_err("deleted").is_not_found());

    // Paged streams cross pages: 7 projects, 2 per page.
    for i in 0..6 {
        client.create_project(&project(&format!("p{i}"))).await.expect("create");
    }
    let first = client.projects_page(&ListQuery::limit(2)).await.expect("page");
    assert_eq!((first.items.len(), first.total), (2, 7));
    let all: Vec<_> = client.projects(ListQuery::limit(2).sort("name")).try_collect().await.expect("stream");
    let names: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["api-2", "p0", "p1", "p2", "p3", "p4", "p5"]);

    // Delete needs the current version; afterwards the project is a typed 404.
    let gone = client.delete_project(p.id, p.version).await.expect_err("stale delete");
    assert_eq!(gone.status(), Some(412));
    client.delete_project(p.id, updated.version).await.expect("delete");
    let missing = client.project(p.id).await.expect_err("deleted");
    assert!(missing.is_not_found() && missing.code() == Some("NOT_FOUND"), "{missing}");

    // An API key works as a credential, with its scopes.
    let created = client
        .create_api_key(&CreateApiKey {
            name: "ci".into(),
            scopes: vec![Scope::ProjectRead],
            expires_at: None,
            environment: ApiKeyEnvironment::Test,
        })
        .await
        .expect("api key");
    let keyed = Client::new(&daemon.base, Credential::ApiKey(created.secret.clone())).expect("client");
    let me = keyed.me().await.expect("me with a key");
    assert_eq!(me.api_key_scopes, Some(vec![Scope::ProjectRead]));
    assert_eq!(keyed.projects(ListQuery::default()).try_collect::<Vec<_>>().await.expect("read").len(), 6);
    let denied = keyed.create_project(&project("nope")).await.expect_err("read-only key");
    assert_eq!(denied.status(), Some(403));
    let keys: Vec<_> = client.api_keys(ListQuery::default()).try_collect().await.expect("keys");
    assert!(keys.iter().any(|k| k.id == created.key.id));
    let keys_page = client.api_keys_page(&ListQuery::limit(10)).await.expect("keys page");
    assert!(keys_page.items.iter().any(|k| k.id == created.key.id));
    let fetched = client.api_key(created.key.id).await.expect("key");
    assert_eq!((fetched.name.as_str(), fetched.scopes.clone()), ("ci", vec![Scope::ProjectRead]));
    client.delete_api_key(created.key.id).await.expect("revoke");
    assert_eq!(keyed.me().await.expect_err("revoked").status(), Some(401));

    // An expired (here: unusable) access token is renewed with the refresh token, once, and the
    // listener sees the new pair.
    let Some(Credential::Tokens { refresh, .. }) = session.credential() else { panic!("a session") };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let renewing = Client::builder(&daemon.base)
        .credential(Credential::Tokens { access: "expired".into(), refresh: refresh.clone() })
        .on_token_refresh(Arc::new(move |t| seen2.lock().expect("lock").push(t.refresh_token.clone())))
        .build()
        .expect("client");
    assert_eq!(renewing.me().await.expect("renewed").user.email, "ada@example.test");
    let rotated = seen.lock().expect("lock").clone();
    assert_eq!(rotated.len(), 1);
    assert!(
        matches!(renewing.credential(), Some(Credential::Tokens { refresh: r, .. }) if r == rotated[0] && r != refresh)
    );
    // An explicit refresh rotates the pair again and keeps the client working.
    let before = renewing.credential();
    let tokens = renewing.refresh().await.expect("refresh");
    assert!(
        matches!(renewing.credential(), Some(Credential::Tokens { refresh: r, .. }) if r == tokens.refresh_token)
    );
    assert!(renewing.credential() != before, "a new pair");
    assert_eq!(renewing.me().await.expect("after refresh").user.email, "ada@example.test");

    // The spent refresh token no longer works.
    let reuse = Client::builder(&daemon.base)
        .credential(Credential::Tokens { access: "expired".into(), refresh })
        .build()
        .expect("client");
    assert_eq!(reuse.me().await.expect_err("spent refresh token").status(), Some(401));
    // Reuse revokes the whole family: the renewed session cannot refresh any more either.
    let revoked = renewing.refresh().await.expect_err("family revoked");
    assert_eq!(revoked.code(), Some("TOKEN_REUSED"));

    renewing.logout().await.expect("logout");
    assert!(renewing.credential().is_none());
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_projects_and_errors_sqlite() {
    identity_projects_and_errors(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_projects_and_errors_postgres() {
    identity_projects_and_errors(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_its_retry_after() {
    // 60 reads a minute: a burst of 60, then one more every second.
    let limits = RateLimits { reads_per_minute: 60, ..generous() };
    let daemon = start(false, limits).await.expect("daemon");
    let client = registered(&daemon, "rate@example.test").await;
    let Some(credential) = client.credential() else { panic!("a session") };
    let impatient = Client::builder(&daemon.base)
        .credential(credential.clone())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let limited = loop {
        match impatient.me().await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!((limited.status(), limited.code()), (Some(429), Some("RATE_LIMITED")));
    let Some(cairn_sdk::Error::Api(api)) = Some(&limited) else { panic!("an API error") };
    let wait = api.retry_after.expect("Retry-After on 429");
    assert!(wait >= Duration::from_secs(1), "{wait:?}");

    // The default policy waits it out and succeeds.
    let patient = Client::builder(&daemon.base).credential(credential).build().expect("client");
    let started = Instant::now();
    patient.me().await.expect("retried after Retry-After");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the wait was honoured: {:?}",
        started.elapsed()
    );
    daemon.shutdown().await;
}
