//! Events that cannot be lost across replicas: a replica whose LISTEN connection keeps dropping
//! still delivers every event of a scan that runs on another replica, in order and once, and its
//! scan sockets close after the terminal event (the sockets catch up from the table).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures_util::StreamExt;
use serde_json::Value;
use sqlx::Connection;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{Daemon, Db, Opts, postgres_server, unique_email};
use crate::scans::{check_events, copy_dir, fixture_tree, slow_tree, submit, unwrap_events};
use crate::ws::{Frame, follow, open};

/// The two tests here run one at a time: each loads the machine with replicas, scans and
/// connection kills, and the other's sockets then wait past their per-frame limits.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Terminates every LISTEN connection to `database` `every` so often until `stop`, counting the
/// kills.
async fn drop_listeners(
    server: String,
    database: String,
    every: std::time::Duration,
    stop: Arc<AtomicBool>,
    kills: Arc<AtomicUsize>,
) {
    let mut conn = sqlx::PgConnection::connect(&server).await.expect("connect");
    while !stop.load(Ordering::SeqCst) {
        let killed: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        )
        .bind(&database)
        .fetch_all(&mut conn)
        .await
        .expect("terminate");
        kills.fetch_add(killed.iter().filter(|k| k.0).count(), Ordering::SeqCst);
        tokio::time::sleep(every).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_drops_lose_no_events_on_the_other_replica() {
    let Some(server) = postgres_server() else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: not run");
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let root = tempfile::tempdir().expect("root");
    let slow = slow_tree(root.path());
    let small = root.path().join("small");
    copy_dir(&fixture_tree(), &small);
    let roots = vec![root.path().to_path_buf()];
    // A runs every scan; B only serves the sockets, which hear A's events through NOTIFY.
    let a =
        Daemon::start_with(Db::Postgres, Opts { scan_roots: roots.clone(), workers: 1, ..Opts::default() })
            .await;
    let b = Daemon::start_sharing(&a, Opts { scan_roots: roots, workers: 0, ..Opts::default() }).await;
    let user = a.register(&unique_email("drops")).await;
    let database = b.db_url.rsplit('/').next().expect("name").split('?').next().expect("name").to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    let every = std::time::Duration::from_millis(250);
    let killer = tokio::spawn(drop_listeners(server, database, every, stop.clone(), kills.clone()));
    let ids = [
        submit(&a, &user, &slow).await["id"].as_str().expect("id").to_owned(),
        submit(&a, &user, &small).await["id"].as_str().expect("id").to_owned(),
    ];
    let (first, second) = tokio::join!(follow(&b, &ids[0], &user), follow(&b, &ids[1], &user));
    stop.store(true, Ordering::SeqCst);
    killer.await.expect("killer");
    assert!(kills.load(Ordering::SeqCst) > 0, "the test dropped listeners");
    for (id, (frames, end)) in ids.iter().zip([first, second]) {
        assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "scan {id}'s socket closed after its end");
        let events = unwrap_events(frames);
        // Every event once, in order, from 1 to the terminal one.
        check_events(&events);
        assert_eq!(events.last().and_then(|e| e["status"].as_str()), Some("completed"), "scan {id}");
    }
}

// The acceptance run: at least 60 listener drops (every 100 ms) while 30 scans run on replica A, each
// followed by its own socket on replica B (ten users, three sockets each: the per-user cap).
// Every socket receives every event of its scan once and in order, and closes after the
// terminal one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_listener_drops_during_thirty_scans_lose_nothing() {
    let Some(server) = postgres_server() else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: not run");
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let root = tempfile::tempdir().expect("root");
    let small = root.path().join("small");
    copy_dir(&fixture_tree(), &small);
    let roots = vec![root.path().to_path_buf()];
    let a =
        Daemon::start_with(Db::Postgres, Opts { scan_roots: roots.clone(), workers: 2, ..Opts::default() })
            .await;
    let b = Daemon::start_sharing(&a, Opts { scan_roots: roots, workers: 0, ..Opts::default() }).await;
    let owner = a.register(&unique_email("accept")).await;
    let mut users = vec![owner.clone()];
    for i in 1..10 {
        users.push(a.invite(&owner, &unique_email(&format!("accept{i}")), "viewer").await);
    }
    let database = b.db_url.rsplit('/').next().expect("name").split('?').next().expect("name").to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    // Every 100 ms: thirty small scans end in seconds on an idle machine.
    let every = std::time::Duration::from_millis(100);
    let killer = tokio::spawn(drop_listeners(server, database, every, stop.clone(), kills.clone()));
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(submit(&a, &owner, &small).await["id"].as_str().expect("id").to_owned());
    }
    // Thirty scans queue behind two workers: a socket may wait minutes for its scan's first
    // event on a busy machine, longer than `ws::next` allows one frame.
    let follows = ids.iter().enumerate().map(|(i, id)| {
        let (b, who, id) = (&b, &users[i % users.len()], id.clone());
        async move {
            let (mut socket, sync) = open(b, &format!("/api/v1/ws/scans/{id}"), who).await;
            let mut frames: Vec<Value> = sync["events"].as_array().cloned().unwrap_or_default();
            let end = loop {
                let got = tokio::time::timeout(std::time::Duration::from_secs(600), socket.next())
                    .await
                    .expect("a frame within 10 minutes");
                match got {
                    Some(Ok(Message::Text(t))) => {
                        frames.push(serde_json::from_str(t.as_str()).expect("json"))
                    }
                    Some(Ok(Message::Close(c))) => {
                        break c.map_or(Frame::Close(1005, String::new()), |c| {
                            Frame::Close(u16::from(c.code), c.reason.as_str().to_owned())
                        });
                    }
                    Some(Ok(_)) => continue,
                    None | Some(Err(_)) => break Frame::End,
                }
            };
            (id, (frames, end))
        }
    });
    let ended = futures_util::future::join_all(follows).await;
    stop.store(true, Ordering::SeqCst);
    killer.await.expect("killer");
    let dropped = kills.load(Ordering::SeqCst);
    eprintln!(
        "acceptance: {dropped} listener drops during 30 scans followed by 30 sockets on the other replica"
    );
    assert!(dropped >= 60, "only {dropped} listener drops happened during the scans");
    for (id, (frames, end)) in ended {
        assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "scan {id}'s socket closed after its end");
        let events = unwrap_events(frames);
        check_events(&events);
        assert_eq!(events.last().and_then(|e| e["status"].as_str()), Some("completed"), "scan {id}");
    }
}
