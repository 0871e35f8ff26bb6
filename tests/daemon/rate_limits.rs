//! Issue 16 point 5: buckets belong to the authenticated principal, not to the header's text.
//! Both halves failed on the old code (a hash of the raw `Authorization` header keyed the bucket:
//! `bearer`, extra spaces and every random token got a fresh one).

use reqwest::Method;

use crate::both;
use crate::harness::{Daemon, Opts, expect_problem};

both!(spellings_of_one_credential_and_bad_credentials_share_buckets, |db| async move {
    let d = Daemon::start_with(db, Opts { reads_per_minute: 4, ..Opts::default() }).await;
    // `register` spends one read (/auth/me) of the user's bucket.
    let s = d.register("limits@example.test").await;
    for header in
        [format!("Bearer {}", s.token), format!("bearer {}", s.token), format!("Bearer   {}  ", s.token)]
    {
        let r =
            d.http.get(d.url("/api/v1/projects")).header("authorization", header).send().await.expect("send");
        assert_eq!(r.status(), 200);
    }
    let r = d.send(&s, Method::GET, "/api/v1/projects", None).await;
    expect_problem(r, 429, "RATE_LIMITED").await;

    // Credentials that do not authenticate count against the address, however they vary.
    for i in 0..4 {
        let r = d
            .http
            .get(d.url("/api/v1/projects"))
            .bearer_auth(format!("junk-{i}"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 401);
    }
    let r = d.http.get(d.url("/api/v1/projects")).bearer_auth("junk-fresh").send().await.expect("send");
    expect_problem(r, 429, "RATE_LIMITED").await;
});

/// Issue 16 point 5: two replicas on one Postgres spend one budget. On the old daemon each replica
/// kept its own buckets in memory, so a key alternating between them got twice its allowance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_a_keys_budget() {
    if crate::harness::postgres_server().is_none() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: the shared-budget test needs Postgres");
        return;
    }
    let opts = || Opts { reads_per_minute: 6, ..Opts::default() };
    let a = Daemon::start_with(crate::harness::Db::Postgres, opts()).await;
    let b = Daemon::start_sharing(&a, opts()).await;
    let owner = a.register(&crate::harness::unique_email("replicas")).await;
    let key = a.api_key(&owner, &["project:read"]).await;
    let mut allowed = 0;
    for i in 0..12 {
        let d = if i % 2 == 0 { &a } else { &b };
        let r = d.send(&key, Method::GET, "/api/v1/projects", None).await;
        match r.status().as_u16() {
            200 => allowed += 1,
            429 => {
                assert!(r.headers().contains_key("retry-after"), "a 429 says when to come back");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(allowed, 6, "the key's budget is 6 a minute across both replicas");
    // Either replica now refuses the key; another principal still has its own budget.
    expect_problem(b.send(&key, Method::GET, "/api/v1/projects", None).await, 429, "RATE_LIMITED").await;
    let other = b.register(&crate::harness::unique_email("replicas-other")).await;
    assert_eq!(a.send(&other, Method::GET, "/api/v1/projects", None).await.status(), 200);
}

/// A key allowed more than a million reads a minute is never refused for sending requests at
/// once: the shared bucket's interval rounded to 0 there, and of 40 simultaneous reads about half
/// were refused (a request whose clock read earlier than a concurrent one's found the bucket "full").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_shared_allowance_refuses_no_burst() {
    if crate::harness::postgres_server().is_none() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: the shared-bucket test needs Postgres");
        return;
    }
    let d = Daemon::start_with(
        crate::harness::Db::Postgres,
        Opts { reads_per_minute: 1_000_000_000, ..Opts::default() },
    )
    .await;
    let owner = d.register(&crate::harness::unique_email("huge-allowance")).await;
    let key = d.api_key(&owner, &["project:read"]).await;
    let sent = (0..40).map(|_| d.send(&key, Method::GET, "/api/v1/projects", None));
    let statuses: Vec<u16> =
        futures_util::future::join_all(sent).await.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

// Issue 16 point 13: the probes have a generous per-address limit of their own (on the old daemon
// they were not limited at all), and `/api/health` tells the version and the backend only to an
// authenticated caller (the old one told everybody).
both!(health_probes_are_limited_per_address_and_hide_the_version, |db| async move {
    let d = Daemon::start_with(db, Opts { health_per_minute: 5, ..Opts::default() }).await;
    let s = d.register(&crate::harness::unique_email("probe")).await;
    let anonymous: serde_json::Value =
        d.http.get(d.url("/api/health")).send().await.expect("send").json().await.expect("json");
    assert!(anonymous.get("version").is_none(), "{anonymous}");
    assert_eq!(anonymous["database"], "ok", "{anonymous}");
    let known: serde_json::Value =
        d.send(&s, Method::GET, "/api/health", None).await.json().await.expect("json");
    assert_eq!(known["version"], env!("CARGO_PKG_VERSION"), "{known}");
    assert!(known["database"].as_str().is_some_and(|t| t.ends_with(": ok") && t.len() > 4), "{known}");
    // Two spent above; three more of any probe, then 429 with Retry-After.
    for path in ["/healthz", "/readyz", "/healthz"] {
        assert_eq!(d.http.get(d.url(path)).send().await.expect("send").status(), 200, "{path}");
    }
    let limited = d.http.get(d.url("/healthz")).send().await.expect("send");
    assert!(limited.headers().contains_key("retry-after"));
    expect_problem(limited, 429, "RATE_LIMITED").await;
    // The API's own classes are untouched by the probes' budget.
    assert_eq!(d.send(&s, Method::GET, "/api/v1/projects", None).await.status(), 200);
});
