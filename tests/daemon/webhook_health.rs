//! What webhooks lacked: `PUT /webhooks/{id}` under `If-Match` like every versioned change (428
//! without it, 412 with a stale version naming the current one), and a webhook whose deliveries
//! keep failing for good turning unhealthy with a `webhook.unhealthy` event that notifies the
//! tenant's admins and owners, not its viewers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::finding_events::events_of;
use crate::harness::{Daemon, Opts, expect_problem, unique_email};
use crate::scans::get_json;
use crate::webhooks::{Answer, Receiver, create_webhook, private_targets};
use crate::ws::{Frame, next, open};

both!(updating_a_webhook_needs_if_match, |db| async move {
    let d = Daemon::start_with(db, Opts { extra_config: private_targets(""), ..Opts::default() }).await;
    let alice = d.register(&unique_email("ifmatch")).await;
    let receiver = Receiver::start(vec![]).await;
    let (hook, _) =
        create_webhook(&d, &alice, json!({"url": receiver.url(), "events": ["scan.completed"]})).await;
    let path = format!("/api/v1/webhooks/{hook}");
    let read = d.send(&alice, Method::GET, &path, None).await;
    let etag = read.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    assert_eq!(etag, "\"1\"");
    let body = json!({"url": receiver.url(), "events": ["scan.completed", "scan.failed"]});
    let put = |if_match: Option<&str>| {
        let mut req = d.http.put(d.url(&path)).bearer_auth(&alice.token).json(&body);
        if let Some(v) = if_match {
            req = req.header("if-match", v.to_owned());
        }
        req.send()
    };
    expect_problem(put(None).await.expect("send"), 428, "PRECONDITION_REQUIRED").await;
    let ok = put(Some(&etag)).await.expect("send");
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"2\""));
    let changed: Value = ok.json().await.expect("json");
    assert_eq!(changed["events"], json!(["scan.completed", "scan.failed"]));
    // The version read before that change is stale now.
    let p = expect_problem(put(Some(&etag)).await.expect("send"), 412, "PRECONDITION_FAILED").await;
    assert_eq!(p["current_version"], 2, "{p}");
    assert_eq!(get_json(&d, &alice, &path).await["version"], 2, "the stale write changed nothing");
});

both!(a_failing_webhook_turns_unhealthy_and_tells_the_admins, |db| async move {
    let d = Daemon::start_with(
        db,
        Opts {
            extra_config: private_targets("retry_base_ms = 100\nretry_for_secs = 1\nunhealthy_after = 2\n"),
            ..Opts::default()
        },
    )
    .await;
    let alice = d.register(&unique_email("health")).await;
    let viewer = d.invite(&alice, &unique_email("viewer"), "viewer").await;
    let failing = Receiver::start(vec![Answer::Status(500); 100]).await;
    let (hook, _) =
        create_webhook(&d, &alice, json!({"url": failing.url(), "events": ["scan.completed"]})).await;
    let (mut live, _) = open(&d, "/api/v1/ws/events", &alice).await;
    for _ in 0..2 {
        let r = d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
        assert_eq!(r.status(), 202);
    }
    let pushed = loop {
        match next(&mut live).await {
            Frame::Json(f)
                if f["type"] == "notification" && f["notification"]["type"] == "webhook.unhealthy" =>
            {
                break f["notification"].clone();
            }
            Frame::Json(_) => continue,
            other => panic!("the socket ended: {other:?}"),
        }
    };
    let origin = format!("http://{}", failing.addr);
    assert_eq!(pushed["data"]["webhook"], hook.as_str());
    assert_eq!(pushed["data"]["url"], origin.as_str(), "the origin, without the path");
    assert_eq!(pushed["data"]["consecutive_failures"], 2);
    assert_eq!(pushed["data"]["last_error"], "answered 500 Internal Server Error");
    assert!(pushed["title"].as_str().is_some_and(|t| t.contains("unhealthy")), "{pushed}");
    let shown = get_json(&d, &alice, &format!("/api/v1/webhooks/{hook}")).await;
    assert_eq!(shown["healthy"], false, "{shown}");
    let events = events_of(&d, &alice, "webhook.unhealthy", 0).await;
    assert_eq!(events.len(), 1, "said once: {events:?}");
    // The viewer's notifications come from the same batch: none of this kind.
    let theirs = get_json(&d, &viewer, "/api/v1/notifications").await;
    assert!(
        theirs["items"].as_array().expect("items").iter().all(|n| n["type"] != "webhook.unhealthy"),
        "{theirs}"
    );
});
