//! Issue 16 point 5, per-tenant quotas (`[quotas]`): one team cannot fill the shared daemon's
//! queue or its upload capacity. Each test failed on the old daemon, which had no quotas: the
//! third queued scan and the third upload of the hour were accepted.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, expect_problem, unique_email};
use crate::uploads::{gzip, post_form, tar_with_entry};

both!(a_tenant_at_its_queued_scans_quota_is_refused_and_another_is_not, |db| async move {
    let root = tempfile::tempdir().expect("root");
    std::fs::write(root.path().join("requirements.txt"), "requests==2.31.0\n").expect("write");
    // No workers: every scan stays queued.
    let d = Daemon::start_with(
        db,
        Opts {
            workers: 0,
            scan_roots: vec![root.path().to_path_buf()],
            extra_config: "[quotas]\nqueued_scans = 2\n".into(),
            ..Opts::default()
        },
    )
    .await;
    let flooder = d.register(&unique_email("flood")).await;
    let other = d.register(&unique_email("calm")).await;
    let scan = json!({"source": {"kind": "path", "path": root.path()}});
    for _ in 0..2 {
        assert_eq!(d.send(&flooder, Method::POST, "/api/v1/scans", Some(scan.clone())).await.status(), 202);
    }
    let refused = d.send(&flooder, Method::POST, "/api/v1/scans", Some(scan.clone())).await;
    let body = expect_problem(refused, 429, "QUOTA_EXCEEDED").await;
    assert_eq!(body["errors"][0]["field"], "quotas.queued_scans", "{body}");
    // The refusal stored nothing: still two scans.
    let listed: Value =
        d.send(&flooder, Method::GET, "/api/v1/scans", None).await.json().await.expect("json");
    assert_eq!(listed["total"], 2, "{listed}");
    // Another tenant still gets its scan queued.
    assert_eq!(d.send(&other, Method::POST, "/api/v1/scans", Some(scan)).await.status(), 202);
});

both!(a_tenants_uploads_per_hour_count_all_its_members, |db| async move {
    let d = Daemon::start_with(
        db,
        Opts {
            workers: 0,
            extra_config: "[quotas]\nuploads_per_hour = 2\nqueued_scans = 0\n".into(),
            ..Opts::default()
        },
    )
    .await;
    let owner = d.register(&unique_email("uploads")).await;
    // Two keys of one tenant: separate rate-limit buckets, one tenant quota.
    let first = d.api_key(&owner, &["scan:write"]).await;
    let second = d.api_key(&owner, &["scan:write"]).await;
    let tgz = gzip(&tar_with_entry("a/requirements.txt"));
    for who in [&first, &second] {
        let r = post_form(&d, who, "/api/v1/scans/upload", Some(("a.tgz", tgz.clone())), &[], None).await;
        assert_eq!(r.status(), 202);
    }
    let refused =
        post_form(&d, &owner, "/api/v1/scans/upload", Some(("a.tgz", tgz.clone())), &[], None).await;
    let wait: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After on a time-based quota");
    assert!((1..=3600).contains(&wait), "{wait}");
    let body = expect_problem(refused, 429, "QUOTA_EXCEEDED").await;
    assert_eq!(body["errors"][0]["field"], "quotas.uploads_per_hour", "{body}");
    let stranger = d.register(&unique_email("uploads-other")).await;
    let r = post_form(&d, &stranger, "/api/v1/scans/upload", Some(("a.tgz", tgz)), &[], None).await;
    assert_eq!(r.status(), 202, "another tenant's hour is its own");
});
