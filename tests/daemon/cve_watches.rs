//! CVE watches end to end, the acceptance on both databases: a project scanned against
//! old OSV data (the engine's real PyPA fixtures without PYSEC-2021-19, lxml's CVE-2021-28957),
//! a watch on that advisory by its CVE alias (no hit yet) and one on `pkg:pypi/lxml` below 4.6.3
//! (a hit now, in the 201); then the real advisory imported: the watch fires once —
//! `cve_watch.hit` in the stream, a signed webhook body (verified here, a wrong secret refused)
//! and an unread notification — and not again when a later re-match reopens the same finding.
//! A second project scanned afterwards hits both watches once each. Field errors name the field;
//! another tenant sees none of it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::finding_events::events_of;
use crate::findings::scan_to_completion;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::rematch::{ADDED, events_until, import_added, latest_seq, old_osv, operator};
use crate::scans::{get_json, tree_root};
use crate::webhooks::{Receiver, create_webhook, private_targets};
use crate::ws::{Frame, next, open};
use cairn_sdk::types::{Event, EventKind};
use cairn_sdk::webhooks::{DEFAULT_TOLERANCE, VerifyError, verify};

/// CVE-2021-28957 is the alias PyPA's PYSEC-2021-19 lists (engine/tests/fixtures/osv/pypa).
const ALIAS: &str = "CVE-2021-28957";

async fn watch(d: &Daemon, who: &Session, target: Value) -> reqwest::Response {
    d.send(who, Method::POST, "/api/v1/cve-watches", Some(json!({"target": target}))).await
}

async fn hits(d: &Daemon, who: &Session, id: &str) -> Vec<Value> {
    let page = get_json(d, who, &format!("/api/v1/cve-watches/{id}/hits?limit=1000")).await;
    page["items"].as_array().cloned().expect("items")
}

both!(a_watch_fires_once_per_hit_through_events_webhooks_and_notifications, |db: Db| async move {
    let (root, tree) = tree_root();
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), "lxml==4.6.2\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![old_osv(root.path())],
            extra_config: private_targets(""),
            ..Opts::default()
        },
    )
    .await;
    let ops = operator(&d).await;
    let user = d.register(&unique_email("watcher")).await;
    let project = d.create_project(&user, "watched").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    scan_to_completion(&d, &user, &tree, Some(&pid)).await;

    // The advisory by its alias, in lower case: not in the old data, so no hit yet.
    let r = watch(&d, &user, json!({"kind": "advisory", "id": ALIAS.to_lowercase()})).await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("location").is_some());
    let created: Value = r.json().await.expect("json");
    let by_alias = created["watch"]["id"].as_str().expect("id").to_owned();
    assert_eq!(created["hits"], json!([]), "{created}");
    assert_eq!(created["watch"]["hits"], 0);
    // The package below the fix: lxml 4.6.2 is there now.
    let r = watch(&d, &user, json!({"kind": "package", "purl": "pkg:pypi/lxml", "version_range": "<4.6.3"}))
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("json");
    let by_package = created["watch"]["id"].as_str().expect("id").to_owned();
    let now = created["hits"].as_array().expect("hits");
    assert_eq!(now.len(), 1, "{created}");
    assert_eq!(now[0]["project"], pid.as_str());
    assert_eq!(now[0]["purl"], "pkg:pypi/lxml@4.6.2");
    assert_eq!(now[0]["at_creation"], true);
    assert!(now[0].get("advisory").is_none(), "a package hit names no advisory: {created}");
    assert_eq!(created["watch"]["hits"], 1);
    // A package outside the range: no hit.
    let r = watch(&d, &user, json!({"kind": "package", "purl": "pkg:pypi/lxml", "version_range": ">=4.6.3"}))
        .await;
    assert_eq!(r.json::<Value>().await.expect("json")["hits"], json!([]));

    // Bad input: the field named, nothing stored.
    for (target, field) in [
        (json!({"kind": "advisory", "id": "CVE 2021"}), "body.target.id"),
        (json!({"kind": "advisory", "id": ""}), "body.target.id"),
        (json!({"kind": "package", "purl": "lxml"}), "body.target.purl"),
        (
            json!({"kind": "package", "purl": "pkg:pypi/lxml", "version_range": ">="}),
            "body.target.version_range",
        ),
        (
            json!({"kind": "package", "purl": "pkg:pypi/lxml@4.6.2", "version_range": "<5"}),
            "body.target.version_range",
        ),
    ] {
        let p = expect_problem(watch(&d, &user, target.clone()).await, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], field, "{target}: {p}");
    }
    let r = watch(&d, &user, json!({"kind": "cpe", "id": "x"})).await;
    assert_eq!(r.status(), 400, "an unknown kind");
    let r = watch(&d, &user, json!({"kind": "advisory", "id": ALIAS.to_lowercase()})).await;
    expect_problem(r, 409, "CONFLICT").await;
    let listed = get_json(&d, &user, "/api/v1/cve-watches").await;
    assert_eq!(listed["total"], 3, "{listed}");

    // A webhook on new findings and watch hits, and a socket for the notification.
    let receiver = Receiver::start(vec![]).await;
    let (_, secret) =
        create_webhook(&d, &user, json!({"url": receiver.url(), "events": ["finding.new", "cve_watch.hit"]}))
            .await;
    let (mut live, _) = open(&d, "/api/v1/ws/events", &user).await;

    // New data: the advisory arrives and the re-match finds it in the project.
    let seq = latest_seq(&d, &user).await;
    import_added(&d, &ops).await;
    let fired = events_until(&d, &user, "cve_watch.hit", seq, |e| !e.is_empty()).await;
    assert_eq!(fired.len(), 1, "{fired:?}");
    let data = &fired[0]["data"];
    assert_eq!(data["watch"], by_alias.as_str());
    assert_eq!(data["target"], json!({"kind": "advisory", "id": ALIAS.to_lowercase()}));
    assert_eq!(data["advisory"], ADDED);
    assert_eq!(data["purl"], "pkg:pypi/lxml@4.6.2");
    assert_eq!(data["project"], pid.as_str());
    assert_eq!(data["at_creation"], false);
    assert!(data["finding"].is_string() && fired[0]["severity"].is_string(), "{fired:?}");
    assert_eq!(fired[0]["project"], pid.as_str());

    // The receiver gets the new finding and the hit, signed; a wrong secret does not verify.
    let got = received_of(&receiver, 1, 1).await;
    for r in &got {
        let signature = r.header("cairn-signature");
        assert_eq!(
            verify(&secret, &signature, &r.body, DEFAULT_TOLERANCE),
            Ok(()),
            "{}",
            r.header("cairn-event")
        );
        assert_eq!(
            verify("whsec_not_the_right_secret_at_all", &signature, &r.body, DEFAULT_TOLERANCE),
            Err(VerifyError::Mismatch)
        );
    }
    let envelopes: Vec<Event> =
        got.iter().map(|r| serde_json::from_slice(&r.body).expect("envelope")).collect();
    let hit = envelopes.iter().find(|e| e.kind == EventKind::CveWatchHit).expect("the hit");
    assert_eq!(hit.id.to_string(), fired[0]["id"].as_str().expect("id"));
    let new = envelopes.iter().find(|e| e.kind == EventKind::FindingNew).expect("the new finding");
    assert_eq!(new.data["advisory"], ADDED);

    // The notification, pushed and unread.
    let pushed = loop {
        match next(&mut live).await {
            Frame::Json(f) if f["type"] == "notification" && f["notification"]["type"] == "cve_watch.hit" => {
                break f["notification"].clone();
            }
            Frame::Json(_) => continue,
            other => panic!("the socket ended: {other:?}"),
        }
    };
    assert!(pushed["title"].as_str().is_some_and(|t| t.contains(ADDED) && t.contains("lxml")), "{pushed}");
    let unread = get_json(&d, &user, "/api/v1/notifications?unread=true").await;
    assert!(unread["items"].as_array().expect("items").iter().any(|n| n["id"] == pushed["id"]), "{unread}");
    let recorded = hits(&d, &user, &by_alias).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["at_creation"], false);
    assert_eq!(recorded[0]["advisory"], ADDED);

    // The source removed and imported again: the re-match reopens the same finding
    // (`finding.new` again), and the watch stays quiet.
    let r = d.send(&ops, Method::DELETE, "/api/v1/admin/vulndb/sources/newer", None).await;
    assert_eq!(r.status(), 200);
    let seq = latest_seq(&d, &user).await;
    import_added(&d, &ops).await;
    events_until(&d, &user, "finding.new", seq, |e| !e.is_empty()).await;
    // A second project scanned now: each watch hits it once. The consumer handles events in
    // order, so once these are there the reopened finding was handled too.
    let other = d.create_project(&user, "also-lxml").await;
    let oid = other["id"].as_str().expect("pid").to_owned();
    scan_to_completion(&d, &user, &tree, Some(&oid)).await;
    let later = events_until(&d, &user, "cve_watch.hit", seq, |e| e.len() >= 2).await;
    assert_eq!(later.len(), 2, "{later:?}");
    assert!(
        later.iter().all(|e| e["project"] == oid.as_str()),
        "nothing more for the first project: {later:?}"
    );
    let watches: Vec<&str> = later.iter().map(|e| e["data"]["watch"].as_str().expect("watch")).collect();
    assert!(watches.contains(&by_alias.as_str()) && watches.contains(&by_package.as_str()), "{later:?}");
    assert_eq!(hits(&d, &user, &by_package).await.len(), 2);
    assert_eq!(hits(&d, &user, &by_alias).await.len(), 2);
    assert_eq!(events_of(&d, &user, "cve_watch.hit", 0).await.len(), 3, "three hits, three events");
    let got = received_of(&receiver, 0, 3).await;
    let hits_sent = got.iter().filter(|r| r.header("cairn-event") == "cve_watch.hit").count();
    assert_eq!(hits_sent, 3, "each hit delivered once");

    // Another tenant sees none of it; deleting ends the watch.
    let bob = d.register(&unique_email("other")).await;
    let r = d.send(&bob, Method::GET, &format!("/api/v1/cve-watches/{by_alias}"), None).await;
    expect_problem(r, 404, "NOT_FOUND").await;
    let r = d.send(&bob, Method::DELETE, &format!("/api/v1/cve-watches/{by_alias}"), None).await;
    expect_problem(r, 404, "NOT_FOUND").await;
    assert_eq!(get_json(&d, &bob, "/api/v1/cve-watches").await["total"], 0);
    let r = d.send(&user, Method::DELETE, &format!("/api/v1/cve-watches/{by_alias}"), None).await;
    assert_eq!(r.status(), 204);
    let r = d.send(&user, Method::GET, &format!("/api/v1/cve-watches/{by_alias}/hits"), None).await;
    expect_problem(r, 404, "NOT_FOUND").await;
});

/// What the receiver got once it holds at least `new` `finding.new` and `hits` `cve_watch.hit`
/// deliveries (awaited request by request, bounded by the receiver's own limit).
async fn received_of(receiver: &Receiver, new: usize, hits: usize) -> Vec<crate::webhooks::Received> {
    loop {
        let got = receiver.received();
        let count = |kind: &str| got.iter().filter(|r| r.header("cairn-event") == kind).count();
        if count("finding.new") >= new && count("cve_watch.hit") >= hits {
            return got;
        }
        receiver.wait_for(got.len() + 1).await;
    }
}
