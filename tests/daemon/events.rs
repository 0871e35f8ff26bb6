//! The event outbox: per-tenant sequences without gaps under concurrent writers, consumers that
//! see each event once (a failed batch comes again; two replicas never share one), and the
//! `scan.completed` / `scan.failed` events a real scan writes, read over `GET /events`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn_daemon::events::{Consumer, ConsumerFuture, dispatch};
use cairn_daemon::store::{EventBatch, NewEvent, Store};
use cairn_sdk::types::{EventKind, ScanEventData, ScanId, ScanStatus, TenantId};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::findings::scan_to_completion;
use crate::harness::{Daemon, Opts, expect_problem, in_process_state, unique_email};
use crate::scans::{get_json, tree_root};
use crate::ws::follow;

async fn tenant(store: &Store, name: &str) -> TenantId {
    let user = store.user_create(&format!("{name}@example.test"), name, None, false).await.expect("user");
    store.tenant_create(name, user.id).await.expect("tenant")
}

fn scan_event(status: ScanStatus) -> NewEvent {
    let data = ScanEventData { scan: ScanId::new(), status, severities: None, error: None };
    NewEvent::new(EventKind::ScanFailed, None, &data)
}

both!(sequences_have_no_gaps_under_concurrent_writers, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (state, _pg) = in_process_state(db, dir.path(), &[]).await;
    let (a, b) = (tenant(&state.store, "a").await, tenant(&state.store, "b").await);
    let writers = (0..5).map(|w| {
        let store = state.store.clone();
        tokio::spawn(async move {
            for _ in 0..10 {
                store
                    .event_record(if w % 2 == 0 { a } else { b }, &scan_event(ScanStatus::Failed))
                    .await
                    .expect("record");
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.expect("writer");
    }
    // Writers 0, 2 and 4 wrote to a, 1 and 3 to b: 30 and 20 events, numbered 1.. without gaps.
    for (t, n) in [(a, 30), (b, 20)] {
        let events = state.store.events_after(t, 0, 1000, &[]).await.expect("events");
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=n).collect::<Vec<_>>());
        assert!(events.iter().all(|e| e.tenant == t && e.kind == EventKind::ScanFailed));
        assert_eq!(state.store.event_last_seq(t).await.expect("last"), n);
    }
    let ids: BTreeSet<_> =
        state.store.events_after(a, 0, 1000, &[]).await.expect("events").iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 30, "ids are unique");
    // Reading from the middle, and by kind.
    let tail = state.store.events_after(a, 28, 1000, &[]).await.expect("tail");
    assert_eq!(tail.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![29, 30]);
    assert!(state.store.events_after(a, 0, 10, &[EventKind::ScanCompleted]).await.expect("none").is_empty());
});

/// Records the seqs it handled; fails its first `fail_first` batches.
struct Recorder {
    seen: std::sync::Mutex<Vec<(TenantId, i64)>>,
    fail_first: AtomicUsize,
}

impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        "test-recorder"
    }

    fn handle<'a>(&'a self, _store: &'a Store, batch: &'a mut EventBatch) -> ConsumerFuture<'a> {
        Box::pin(async move {
            if self.fail_first.load(Ordering::SeqCst) > 0 {
                self.fail_first.fetch_sub(1, Ordering::SeqCst);
                return Err(cairn_daemon::store::StoreError::Unavailable("refused by the test".into()));
            }
            // Yield inside the batch: a second replica tries the same cursor meanwhile.
            tokio::task::yield_now().await;
            let mut seen = self.seen.lock().expect("lock");
            seen.extend(batch.events.iter().map(|e| (batch.tenant, e.seq)));
            Ok(())
        })
    }
}

both!(consumers_see_each_event_once, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (state, _pg) = in_process_state(db, dir.path(), &[]).await;
    let (a, b) = (tenant(&state.store, "a").await, tenant(&state.store, "b").await);
    for i in 0..250 {
        state
            .store
            .event_record(if i % 5 == 0 { b } else { a }, &scan_event(ScanStatus::Failed))
            .await
            .expect("record");
    }
    let recorder = Arc::new(Recorder { seen: Default::default(), fail_first: AtomicUsize::new(1) });
    // A failing batch is rolled back: nothing is marked handled, and it comes again.
    assert!(dispatch::drain(&state.store, recorder.as_ref()).await.is_err());
    assert!(recorder.seen.lock().expect("lock").is_empty());
    // Two drains at once stand for two replicas: each event handled exactly once overall.
    let (r1, r2) = tokio::join!(
        dispatch::drain(&state.store, recorder.as_ref()),
        dispatch::drain(&state.store, recorder.as_ref())
    );
    r1.expect("drain");
    r2.expect("drain");
    // A replica that skipped a cursor the other held catches up on its next round.
    dispatch::drain(&state.store, recorder.as_ref()).await.expect("drain");
    let mut seen = recorder.seen.lock().expect("lock").clone();
    seen.sort();
    let mut expected: Vec<(TenantId, i64)> =
        (1..=200).map(|s| (a, s)).chain((1..=50).map(|s| (b, s))).collect();
    expected.sort();
    assert_eq!(seen, expected, "every event of every tenant once, none twice");
    // Nothing pending afterwards; a new event is handled on the next round only.
    assert!(state.store.events_pending("test-recorder").await.expect("pending").is_empty());
    state.store.event_record(a, &scan_event(ScanStatus::Failed)).await.expect("record");
    assert_eq!(state.store.events_pending("test-recorder").await.expect("pending"), vec![a]);
    dispatch::drain(&state.store, recorder.as_ref()).await.expect("drain");
    assert_eq!(recorder.seen.lock().expect("lock").last(), Some(&(a, 201)));
});

both!(a_scan_ending_is_an_event, |db| async move {
    let (root, tree) = tree_root();
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let alice = d.register(&unique_email("events")).await;
    let project = d.create_project(&alice, "evented").await;
    let project_id = project["id"].as_str().expect("id");
    let scan = scan_to_completion(&d, &alice, &tree, Some(project_id)).await;

    let feed = get_json(&d, &alice, "/api/v1/events").await;
    let items = feed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{feed}");
    let e = &items[0];
    assert_eq!(e["type"], "scan.completed");
    assert_eq!(e["seq"], 1);
    assert_eq!(e["version"], 1);
    assert_eq!(e["project"], project_id);
    assert_eq!(e["data"]["scan"], scan.as_str());
    assert_eq!(e["data"]["status"], "completed");
    // This daemon has no vulnerability data: the scan was not matched, so the event carries no
    // finding counts (zeros would read as "nothing found").
    let stored = get_json(&d, &alice, &format!("/api/v1/scans/{scan}")).await;
    assert_eq!(stored["vulndb"]["state"], "none", "{stored}");
    assert!(e["data"].get("severities").is_none(), "{e}");
    assert_eq!(feed["latest_seq"], 1);

    // A failing scan (the path vanished) is `scan.failed` with its reason.
    let gone = root.path().join("gone");
    std::fs::create_dir_all(&gone).expect("mkdir");
    let resp = d
        .send(&alice, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "path", "path": gone}})))
        .await;
    assert_eq!(resp.status(), 202);
    let id = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    std::fs::remove_dir_all(&gone).expect("rm");
    let (events, _) = follow(&d, &id, &alice).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("failed")));
    let feed = get_json(&d, &alice, "/api/v1/events?after=1&type=scan.failed,scan.completed").await;
    let failed = feed["items"][0].clone();
    assert_eq!(failed["type"], "scan.failed", "{failed}");
    assert_eq!(failed["seq"], 2);
    assert!(failed["data"]["error"].as_str().is_some_and(|m| !m.is_empty()), "{failed}");

    // Filters and bounds.
    let only: Value = get_json(&d, &alice, "/api/v1/events?type=vulnerability.found").await;
    assert_eq!(only["items"], json!([]), "the alias filters like finding.new");
    assert_eq!(get_json(&d, &alice, "/api/v1/events?after=2").await["items"], json!([]));
    let r = d.send(&alice, Method::GET, "/api/v1/events?limit=0", None).await;
    expect_problem(r, 400, "VALIDATION_FAILED").await;
    let r = d.send(&alice, Method::GET, "/api/v1/events?type=scan.exploded", None).await;
    let p = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert!(p.to_string().contains("query.type"), "{p}");

    // Another tenant sees none of it.
    let bob = d.register(&unique_email("events-other")).await;
    assert_eq!(get_json(&d, &bob, "/api/v1/events").await["items"], json!([]));
});
