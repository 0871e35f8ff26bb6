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
