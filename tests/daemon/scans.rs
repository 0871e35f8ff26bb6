//! Scans end to end on real daemons: a path scan followed on the WebSocket to `completed`, its
//! results equal to the engine's in-process result, every document valid and served as the same
//! bytes; queued and running scans cancelled; a daemon killed mid-scan requeues and completes it;
//! two daemons on one Postgres share the queue and the progress stream.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cairn_engine::{NoProgress, ScanOptions, scan_path};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Daemon, Db, Opts, Session, expect_problem, postgres_server, unique_email};
use crate::schema::validate;
use crate::ws::{Frame, follow, open};
use crate::{both, ws};

pub const FORMATS: [&str; 8] =
    ["cyclonedx", "cyclonedx-1.5", "cyclonedx-1.7", "spdx", "spdx-2.3", "openvex", "sarif", "cbom"];

pub fn fixture_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/scan-tree")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A temp root holding a copy of the fixture tree at `root/tree`.
pub fn tree_root() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    copy_dir(&fixture_tree(), &tree);
    (root, tree)
}

/// A tree that takes the engine seconds (a thousand source files full of crypto calls), so a test
/// can act while the scan runs. Deterministic: the work is the files, not a timer.
pub fn slow_tree(root: &Path) -> PathBuf {
    let tree = root.join("slow");
    let body: String = (0..60)
        .map(|j| format!("h{j} = hashlib.sha256(b\"x{j}\")\nc{j} = AES.new(key, AES.MODE_GCM)\n"))
        .collect();
    for d in 0..6 {
        let dir = tree.join(format!("m{d}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for i in 0..200 {
            std::fs::write(
                dir.join(format!("f{i}.py")),
                format!("import hashlib\nfrom Crypto.Cipher import AES\n{body}"),
            )
            .expect("write");
        }
    }
    std::fs::write(tree.join("requirements.txt"), "flask==2.3.2\nwerkzeug==2.3.3\n").expect("write");
    tree
}

pub async fn submit(d: &Daemon, who: &Session, path: &Path) -> Value {
    let resp = d
        .send(who, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "path", "path": path}})))
        .await;
    assert_eq!(resp.status(), 202, "submit");
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let scan: Value = resp.json().await.expect("json");
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/scans/{}", scan["id"].as_str().expect("id")).as_str())
    );
    assert_eq!(scan["status"], "queued");
    scan
}

pub async fn get_json(d: &Daemon, who: &Session, path: &str) -> Value {
    let resp = d.send(who, Method::GET, path, None).await;
    assert_eq!(resp.status(), 200, "GET {path}");
    resp.json().await.expect("json")
}

/// Every item of a cursor-paged list.
pub async fn all_items(d: &Daemon, who: &Session, path: &str, limit: u32) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = format!("{path}?limit={limit}");
    loop {
        let page = get_json(d, who, &url).await;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{path}?limit={limit}&cursor={c}"),
            None => return items,
        }
    }
}

/// Events in order with no gaps, percent never going back, statuses in pipeline order.
pub fn check_events(events: &[Value]) {
    let order =
        ["queued", "fetching", "scanning", "matching", "evaluating", "completed", "failed", "cancelled"];
    let mut last_percent = 0;
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1, "events in order by seq: {events:?}");
        let p = e["percent"].as_i64().expect("percent");
        assert!(p >= last_percent, "percent went back at seq {}: {last_percent} -> {p}", i + 1);
        last_percent = p;
        assert!(order.contains(&e["status"].as_str().expect("status")), "status {}", e["status"]);
    }
}

/// The WebSocket `event` frames carry the event flattened with `type`; sync events are bare.
pub fn unwrap_events(frames: Vec<Value>) -> Vec<Value> {
    frames
        .into_iter()
        .map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("type");
            }
            v
        })
        .collect()
}

pub(crate) fn engine_purls(tree: &Path) -> BTreeSet<String> {
    let scan = scan_path(tree, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress)
        .expect("engine scan");
    scan.inventory.components.iter().map(|c| c.purl.clone()).collect()
}

both!(a_path_scan_runs_end_to_end, |db| async move {
    let (root, tree) = tree_root();
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("scan")).await;
    let scan = submit(&d, &user, &tree).await;
    let id = scan["id"].as_str().expect("id").to_owned();

    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let events = unwrap_events(frames);
    check_events(&events);
    let last = events.last().expect("events");
    assert_eq!((last["status"].as_str(), last["percent"].as_i64()), (Some("completed"), Some(100)));
    let statuses: Vec<&str> = events.iter().filter_map(|e| e["status"].as_str()).collect();
    for s in ["fetching", "scanning", "matching", "evaluating", "completed"] {
        assert!(statuses.contains(&s), "{s} in {statuses:?}");
    }
    // No vulnerability data on this daemon: said loudly, never a bare "0 findings".
    assert!(
        events
            .iter()
            .any(|e| e["status"] == "matching"
                && e["message"].as_str().is_some_and(|m| m.contains("NOT checked"))),
        "{events:?}"
    );

    let done = get_json(&d, &user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["vulndb"]["state"], "none");
    assert_eq!(done["percent"], 100);
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());

    // Components equal the engine's in-process result for the same tree, through cursor paging.
    let expected = engine_purls(&tree);
    assert!(expected.len() > 50, "the fixture has real content: {}", expected.len());
    let components = all_items(&d, &user, &format!("/api/v1/scans/{id}/components"), 17).await;
    let got: BTreeSet<String> =
        components.iter().map(|c| c["purl"].as_str().expect("purl").to_owned()).collect();
    assert_eq!(got, expected);
    assert_eq!(components.len(), expected.len(), "no component twice");
    let counts = &done["counts"];
    assert_eq!(counts["components"], expected.len() as u64);
    assert_eq!(counts["findings"], 0);
    let crypto = all_items(&d, &user, &format!("/api/v1/scans/{id}/crypto-assets"), 1000).await;
    assert_eq!(counts["crypto_assets"], crypto.len() as u64);
    assert!(crypto.iter().any(|a| a["name"].as_str().is_some_and(|n| n.contains("HMAC"))), "{crypto:?}");
    let findings = get_json(&d, &user, &format!("/api/v1/scans/{id}/findings")).await;
    assert_eq!(findings["total"], 0);
    let listed = get_json(&d, &user, &format!("/api/v1/scans/{id}/events?limit=1000")).await;
    assert_eq!(listed["total"], events.len() as u64);
    let licenses = get_json(&d, &user, &format!("/api/v1/scans/{id}/licenses")).await;
    assert!(licenses["total"].is_number());

    // Every document: valid against its schema, the same bytes and ETag (= SHA-256) every time.
    for format in FORMATS {
        let path = format!("/api/v1/scans/{id}/bom?format={format}");
        let resp = d.send(&user, Method::GET, &path, None).await;
        if format == "openvex" {
            // Nothing to state without findings: the document does not exist.
            expect_problem(resp, 404, "NOT_FOUND").await;
            continue;
        }
        assert_eq!(resp.status(), 200, "{format}");
        let etag = resp.headers()["etag"].to_str().expect("etag").to_owned();
        assert!(resp.headers()["content-disposition"].to_str().expect("cd").starts_with("attachment;"));
        let bytes = resp.bytes().await.expect("bytes");
        let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(etag, format!("\"{sha}\""), "{format}: ETag is the SHA-256");
        let doc: Value = serde_json::from_slice(&bytes).expect("json document");
        let errors = validate(format, &doc);
        assert!(errors.is_empty(), "{format} invalid: {errors:?}");
        let again = d.send(&user, Method::GET, &path, None).await;
        assert_eq!(again.headers()["etag"].to_str().expect("etag"), etag);
        assert_eq!(again.bytes().await.expect("bytes"), bytes, "{format}: same bytes twice");
    }
    let resp = d.send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom?format=pdf"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;

    let list = get_json(&d, &user, "/api/v1/scans?status=completed&source=path").await;
    assert_eq!(list["total"], 1);
    let list = get_json(&d, &user, "/api/v1/scans?status=failed").await;
    assert_eq!(list["total"], 0);
    let list = get_json(&d, &user, "/api/v1/scans?source=git").await;
    assert_eq!(list["total"], 0);
    // Issue 15: the source filter is a SourceKind; another word is refused naming the field.
    let p = expect_problem(
        d.send(&user, Method::GET, "/api/v1/scans?source=ftp", None).await,
        400,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "query.source", "{p}");

    // Another tenant sees nothing of it.
    let stranger = d.register(&unique_email("stranger")).await;
    for path in [
        format!("/api/v1/scans/{id}"),
        format!("/api/v1/scans/{id}/bom"),
        format!("/api/v1/scans/{id}/components"),
        format!("/api/v1/scans/{id}/events"),
    ] {
        expect_problem(d.send(&stranger, Method::GET, &path, None).await, 404, "NOT_FOUND").await;
    }
    expect_problem(
        d.send(&stranger, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    drop(root);
});

both!(queued_scans_have_no_documents_and_cancel_at_once, |db| async move {
    let (root, tree) = tree_root();
    // No workers: scans stay queued.
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], workers: 0, ..Opts::default() },
    )
    .await;
    let owner = d.register(&unique_email("owner")).await;
    // Idempotency-Key: a retried submission is the same scan.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let resp = d
            .http
            .post(d.url("/api/v1/scans"))
            .bearer_auth(&owner.token)
            .header("idempotency-key", "scan-once")
            .json(&json!({"source": {"kind": "path", "path": tree}}))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 202);
        ids.push(resp.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    let id = &ids[0];
    let list = get_json(&d, &owner, "/api/v1/scans").await;
    assert_eq!(list["total"], 1);

    let resp = d.send(&owner, Method::GET, &format!("/api/v1/scans/{id}/bom"), None).await;
    expect_problem(resp, 409, "SCAN_NOT_COMPLETED").await;

    // A member who did not ask for it may not cancel it; the requester may.
    let member = d.invite(&owner, &unique_email("member"), "member").await;
    let resp = d.send(&member, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None).await;
    expect_problem(resp, 403, "FORBIDDEN").await;
    let (mut socket, _) = open(&d, &format!("/api/v1/ws/scans/{id}"), &owner).await;
    let resp = d.send(&owner, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None).await;
    assert_eq!(resp.status(), 200);
    let scan: Value = resp.json().await.expect("json");
    assert_eq!(scan["status"], "cancelled");
    assert!(scan["finished_at"].is_string());
    match ws::next(&mut socket).await {
        Frame::Json(e) => assert_eq!(
            (e["type"].as_str(), e["status"].as_str(), e["seq"].as_i64()),
            (Some("event"), Some("cancelled"), Some(1))
        ),
        other => panic!("expected the cancel event, got {other:?}"),
    }
    assert_eq!(ws::next(&mut socket).await, Frame::Close(1000, "scan_ended".into()));
    // Cancelling again changes nothing; the documents never come.
    let again: Value = d
        .send(&owner, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (again["status"].as_str(), again["version"].as_i64()),
        (Some("cancelled"), scan["version"].as_i64())
    );
    let resp = d.send(&owner, Method::GET, &format!("/api/v1/scans/{id}/bom"), None).await;
    expect_problem(resp, 409, "SCAN_NOT_COMPLETED").await;

    // Bad input.
    for (body, field) in [
        (json!({"source": {"kind": "path", "path": "relative/dir"}}), "body.source.path"),
        (json!({"source": {"kind": "path", "path": "/etc"}}), "body.source.path"),
        (json!({"source": {"kind": "path", "path": tree.join("missing")}}), "body.source.path"),
        (json!({"source": {"kind": "git", "url": "not a url"}}), "body.source.url"),
        // What the clone would refuse is refused at submit, by the same parser.
        (json!({"source": {"kind": "git", "url": "ext::evil"}}), "body.source.url"),
        (json!({"source": {"kind": "git", "url": "--upload-pack=touch"}}), "body.source.url"),
        (json!({"source": {"kind": "git", "url": "gopher://example.com/repo"}}), "body.source.url"),
        (json!({"source": {"kind": "upload", "filename": "a.zip", "bytes": 3}}), "body.source.kind"),
        (
            json!({"source": {"kind": "path", "path": tree}, "project": "0190a000-0000-7000-8000-000000000000"}),
            "body.project",
        ),
    ] {
        let resp = d.send(&owner, Method::POST, "/api/v1/scans", Some(body.clone())).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }
    let resp = d
        .send(&owner, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "svn", "url": "x"}})))
        .await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let resp = d.send(&owner, Method::GET, "/api/v1/scans?status=bogus", None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let resp = d.send(&owner, Method::GET, &format!("/api/v1/scans/{id}/components?cursor=zzz"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    drop(root);
});

/// Waits on the socket until an event in `status` arrives; returns the frames seen.
pub(crate) async fn until_status(socket: &mut ws::Socket, status: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        match ws::next(socket).await {
            Frame::Json(v) => {
                let hit = v["status"] == status;
                seen.push(v);
                if hit {
                    return seen;
                }
            }
            other => panic!("socket ended before {status}: {other:?} after {seen:?}"),
        }
    }
}

both!(a_running_scan_cancels_at_its_next_step, |db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("cancel")).await;
    let scan = submit(&d, &user, &tree).await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (mut socket, sync) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    assert!(
        sync["scans"][0]["finished_at"].is_null(),
        "ended before the socket opened: {sync}\n{}",
        d.stderr()
    );
    until_status(&mut socket, "scanning").await;
    let resp = d.send(&user, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None).await;
    assert_eq!(resp.status(), 200);
    let seen = until_status(&mut socket, "cancelled").await;
    assert!(seen.iter().all(|e| e["status"] != "completed"));
    assert_eq!(ws::next(&mut socket).await, Frame::Close(1000, "scan_ended".into()));
    let done = get_json(&d, &user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "cancelled");
    let resp = d.send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom"), None).await;
    expect_problem(resp, 409, "SCAN_NOT_COMPLETED").await;
});

both!(a_daemon_killed_mid_scan_requeues_and_completes_it, |db| async move {
    killed_mid_scan(db, Some("replica-a")).await;
});

// Without a configured name: the restarted process sees that the job's holder (its own earlier
// pid on this machine) is gone and requeues at once. The heartbeat rule is an hour away here, so
// only that can finish the scan.
both!(a_killed_daemon_without_a_replica_id_requeues_at_once, |db| async move {
    killed_mid_scan(db, None).await;
});

async fn killed_mid_scan(db: Db, replica_id: Option<&str>) {
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let opts = Opts {
        scan_roots: vec![root.path().to_path_buf()],
        replica_id: replica_id.map(str::to_owned),
        stale_after_secs: 3600,
        ..Opts::default()
    };
    let mut d = Daemon::start_with(db, opts).await;
    let user = d.register(&unique_email("kill")).await;
    let scan = submit(&d, &user, &tree).await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (mut socket, _) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    until_status(&mut socket, "scanning").await;
    d.kill9();
    // Restarted (under the same replica id, or seeing its earlier pid is gone), it requeues what
    // it held at once and runs it again: within 5 s of the restart (the bound).
    d.restart().await;
    let restarted = time::OffsetDateTime::now_utc();
    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let events = unwrap_events(frames);
    check_events(&events);
    let statuses: Vec<&str> = events.iter().filter_map(|e| e["status"].as_str()).collect();
    assert!(statuses.contains(&"queued"), "requeued: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == "fetching").count(), 2, "ran twice: {statuses:?}");
    let rerun = events.iter().filter(|e| e["status"] == "fetching").nth(1).expect("the second run");
    let rerun_at = time::OffsetDateTime::parse(
        rerun["ts"].as_str().expect("ts"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("ts");
    assert!(
        rerun_at - restarted <= time::Duration::seconds(5),
        "running again {} after the restart, not within 5 s",
        rerun_at - restarted
    );
    assert_eq!(statuses.last(), Some(&"completed"), "{:?}", events.last());
    // No row lost or doubled.
    let expected = engine_purls(&tree);
    let components = all_items(&d, &user, &format!("/api/v1/scans/{id}/components"), 1000).await;
    assert_eq!(components.len(), expected.len());
    let got: BTreeSet<String> =
        components.iter().map(|c| c["purl"].as_str().expect("purl").to_owned()).collect();
    assert_eq!(got, expected);
}

/// Whether `d`'s log says it started running scan `id`.
fn ran_on(d: &Daemon, id: &str) -> bool {
    d.stderr().lines().any(|l| l.contains("scan started") && l.contains(id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_daemons_on_one_postgres_share_the_queue_and_the_stream() {
    if postgres_server().is_none() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: not run");
        return;
    }
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let small = root.path().join("small");
    copy_dir(&fixture_tree(), &small);
    let roots = vec![root.path().to_path_buf()];
    // A takes no jobs: everything submitted to A runs on B, and A's socket sees it via NOTIFY.
    let a =
        Daemon::start_with(Db::Postgres, Opts { scan_roots: roots.clone(), workers: 0, ..Opts::default() })
            .await;
    let b =
        Daemon::start_sharing(&a, Opts { scan_roots: roots.clone(), workers: 1, ..Opts::default() }).await;
    let user = a.register(&unique_email("pair")).await;
    let scan = submit(&a, &user, &small).await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (frames, end) = follow(&a, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let events = unwrap_events(frames);
    check_events(&events);
    assert_eq!(events.last().and_then(|e| e["status"].as_str()), Some("completed"));
    assert!(ran_on(&b, &id), "ran on B");
    assert!(!a.stderr().contains("scan started"), "A has no workers");

    // Both take jobs when both have workers, and no job runs twice.
    let c = Daemon::start_sharing(&a, Opts { scan_roots: roots, workers: 1, ..Opts::default() }).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(submit(&c, &user, &tree).await["id"].as_str().expect("id").to_owned());
    }
    for id in &ids {
        let (frames, _) = follow(&c, id, &user).await;
        let events = unwrap_events(frames);
        check_events(&events);
        let fetching = events.iter().filter(|e| e["status"] == "fetching").count();
        assert_eq!(fetching, 1, "scan {id} ran once");
        assert_eq!(events.last().and_then(|e| e["status"].as_str()), Some("completed"));
    }
    // The second submission finds C busy with the first (a slow tree), so B takes it.
    for id in &ids {
        assert!(ran_on(&b, id) != ran_on(&c, id), "scan {id} ran on exactly one replica");
    }
    assert!(
        ids.iter().any(|id| ran_on(&b, id)) && ids.iter().any(|id| ran_on(&c, id)),
        "both replicas ran scans"
    );
}

both!(a_project_scan_of_its_repository_fails_with_a_clear_error, |db| async move {
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("proj")).await;
    // Loopback and a closed port: nothing leaves the machine, whatever git support exists.
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "repo", "kind": "repo", "repo_url": "http://127.0.0.1:9/none.git", "default_ref": "main"})),
        )
        .await;
    let pid = resp.json::<Value>().await.expect("json")["id"].as_str().expect("pid").to_owned();
    let resp = d.send(&user, Method::POST, &format!("/api/v1/projects/{pid}/scans"), None).await;
    assert_eq!(resp.status(), 202);
    let scan: Value = resp.json().await.expect("json");
    assert_eq!(scan["source"], json!({"kind": "git", "url": "http://127.0.0.1:9/none.git", "ref": "main"}));
    assert_eq!(scan["project_id"], pid.as_str());
    let id = scan["id"].as_str().expect("id").to_owned();
    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let events = unwrap_events(frames);
    check_events(&events);
    let last = events.last().expect("events");
    assert_eq!(last["status"], "failed");
    let done = get_json(&d, &user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "failed");
    let error = done["error"].as_str().expect("error text");
    assert!(!error.is_empty() && last["message"] == error, "{error} / {last}");
    let list = get_json(&d, &user, &format!("/api/v1/projects/{pid}/scans")).await;
    assert_eq!(list["total"], 1);
    let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/sbom"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    // A project without a repository has nothing to scan.
    let bare = d.create_project(&user, "bare").await;
    let resp = d
        .send(
            &user,
            Method::POST,
            &format!("/api/v1/projects/{}/scans", bare["id"].as_str().expect("id")),
            None,
        )
        .await;
    expect_problem(resp, 409, "CONFLICT").await;
    // file:// URLs are accepted for git scans (absolute paths only).
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "git", "url": "file:///srv/repo.git"}})),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "git", "url": "file://relative"}})),
        )
        .await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
});

both!(a_graceful_shutdown_puts_running_scans_back_in_the_queue, |db| async move {
    // A git server that accepts connections and never answers keeps the job running (fetching)
    // for as long as the test needs: no race with a scan that finishes first.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}/repo.git", listener.local_addr().expect("addr").port());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            match conn {
                Ok(c) => held.push(c),
                Err(_) => break,
            }
        }
    });
    // No replica id: only the shutdown itself can requeue at once (the reaper would wait 10 s).
    let extra = "[sources]\nallow_private_hosts = true\nallow_http = true\n".to_owned();
    let mut d = Daemon::start_with(db, Opts { extra_config: extra, ..Opts::default() }).await;
    let user = d.register(&unique_email("term")).await;
    let resp = d
        .send(&user, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "git", "url": url}})))
        .await;
    assert_eq!(resp.status(), 202, "submit");
    let id = resp.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let (mut socket, sync) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    // The scan's row and its events are read one after the other for the sync frame: the
    // `fetching` event may be in either (and is then not sent again).
    let seen = sync["scans"][0]["status"] == "fetching"
        || sync["events"].as_array().is_some_and(|ev| ev.iter().any(|e| e["status"] == "fetching"));
    if !seen {
        until_status(&mut socket, "fetching").await;
    }
    drop(socket);
    let status = d.terminate();
    assert!(status.success(), "{status:?}");
    let stopped = time::OffsetDateTime::now_utc();
    d.restart().await;
    // The requeued job runs again after the restart (attempt 2), still held by the silent server;
    // cancelling it ends the scan.
    let (mut socket, sync) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    let mut events: Vec<Value> = sync["events"].as_array().cloned().unwrap_or_default();
    // Runs again after the restart: a `fetching` event after the requeue's `queued` one.
    let rerun = |events: &[Value]| {
        let requeue = events.iter().rposition(|e| e["status"] == "queued" && e["seq"] != 1);
        requeue.is_some_and(|i| events[i..].iter().any(|e| e["status"] == "fetching"))
    };
    while !rerun(&events) {
        match tokio::time::timeout(std::time::Duration::from_secs(45), ws::next(&mut socket)).await {
            Ok(Frame::Json(v)) => events.push(v),
            Ok(other) => panic!("socket ended before the rerun: {other:?} after {events:?}\n{}", d.stderr()),
            Err(_) => panic!("no rerun within 45 s; events {events:?}\n{}", d.stderr()),
        }
    }
    let resp = d.send(&user, Method::POST, &format!("/api/v1/scans/{id}/cancel"), None).await;
    assert_eq!(resp.status(), 200);
    loop {
        match ws::next(&mut socket).await {
            Frame::Json(v) => events.push(v),
            end => {
                assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
                break;
            }
        }
    }
    let events = unwrap_events(events);
    check_events(&events);
    let requeued = events.iter().find(|e| e["status"] == "queued" && e["seq"] != 1).expect("a requeue event");
    let ts = time::OffsetDateTime::parse(
        requeued["ts"].as_str().expect("ts"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("ts");
    assert!(ts <= stopped, "requeued during shutdown ({ts}), not after ({stopped})");
    assert_eq!(events.last().and_then(|e| e["status"].as_str()), Some("cancelled"));
});
