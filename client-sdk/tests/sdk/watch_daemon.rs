//! `ScanWatcher` against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL is set,
//! Postgres) that drops its socket: a restart (the watcher reconnects with backoff, syncs again and
//! yields the events it missed while the daemon was down, with no gap and no repeat, then ends
//! after the terminal one), and an eviction by the user's fourth socket (1001 `newer_connection`,
//! which the watcher reports instead of fighting the newer connection).

use crate::common::{Daemon, Opts};
use cairn_sdk::types::{CreateScan, RegisterRequest, Scan, ScanStatus, SubmitSource};
use cairn_sdk::{Client, ListQuery, ScanWatcher, WatchEvent, WatchStream};
use futures_util::StreamExt;

async fn first_sync(stream: &mut WatchStream) -> Vec<i64> {
    match stream.next().await {
        Some(Ok(WatchEvent::Sync { events, .. })) => events.iter().map(|e| e.seq).collect(),
        other => panic!("expected a sync, got {other:?}"),
    }
}

async fn queued(client: &Client, tree: &std::path::Path) -> Scan {
    client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: tree.display().to_string() },
            project: None,
            version: None,
            crypto: false,
        })
        .await
        .expect("create")
}

async fn watcher_survives_a_restart(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::write(tree.join("requirements.txt"), "flask==2.3.2\n").expect("write");
    // No workers: scans stay queued until the test ends them, so nothing races the reconnect.
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 0, vulndb: false };
    let Some(mut daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: "watch@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("watchers".into()),
                invite_token: None,
            },
        )
        .await;

    // A restart: the scan is cancelled while the daemon is down (through its store, as an
    // operator would), so the watcher learns it only from the sync after reconnecting.
    let scan = queued(&client, &tree).await;
    let mut watched = ScanWatcher::new(&client, scan.id).stream();
    let mut seqs = first_sync(&mut watched).await;
    let url = daemon.database_url.clone();
    daemon
        .restart(async move {
            cairn_daemon::test_support::cancel_scan_offline(&url, scan.id).await.expect("cancel while down");
        })
        .await;
    let mut syncs = 1;
    let mut last = None;
    while let Some(item) = watched.next().await {
        match item.expect("watch across the restart") {
            WatchEvent::Event(e) => {
                seqs.push(e.seq);
                last = Some(e.status);
            }
            WatchEvent::Sync { events, .. } => {
                syncs += 1;
                seqs.extend(events.iter().map(|e| e.seq));
                last = events.last().map(|e| e.status).or(last);
            }
            // Reconnecting across the restart; the Sync that follows carries what was missed.
            _ => {}
        }
    }
    assert!(syncs >= 2, "reconnected and synced again");
    let listed: Vec<i64> =
        client.scan_events(scan.id, ListQuery::limit(100)).map(|e| e.expect("event").seq).collect().await;
    assert!(!listed.is_empty());
    assert_eq!(seqs, listed, "every event once, in order, across the restart");
    assert_eq!(last, Some(ScanStatus::Cancelled));

    // An eviction: the user's fourth socket closes the oldest, and that watcher says so.
    let other = queued(&client, &tree).await;
    let mut oldest = ScanWatcher::new(&client, other.id).stream();
    first_sync(&mut oldest).await;
    let mut newer = Vec::new();
    for _ in 0..3 {
        let mut s = ScanWatcher::new(&client, other.id).stream();
        first_sync(&mut s).await;
        newer.push(s);
    }
    match oldest.next().await {
        Some(Err(e)) => assert!(e.to_string().contains("newer_connection"), "{e}"),
        other => panic!("expected the eviction, got {other:?}"),
    }
    drop(newer);
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_survives_a_restart_sqlite() {
    watcher_survives_a_restart(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_survives_a_restart_postgres() {
    watcher_survives_a_restart(true).await;
}
