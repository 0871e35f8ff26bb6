//! The WebSocket protocol: first-frame auth within one second, bad tokens, another tenant's scan,
//! the sync frame, and three sockets per user (the fourth evicts the oldest).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::both;
use crate::harness::{Daemon, Opts, Session, unique_email};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What a socket yields next.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Json(Value),
    Close(u16, String),
    /// The stream ended without a close frame.
    End,
}

pub async fn connect(d: &Daemon, path: &str) -> Socket {
    let url = format!("{}{}", d.base.replacen("http://", "ws://", 1), path);
    tokio_tungstenite::connect_async(url).await.expect("ws connect").0
}

pub async fn auth(s: &mut Socket, token: &str) {
    s.send(Message::Text(json!({"type": "auth", "token": token}).to_string().into()))
        .await
        .expect("send auth");
}

/// The next data or close frame (pings skipped), waiting at most 60 s.
pub async fn next(s: &mut Socket) -> Frame {
    loop {
        let got = tokio::time::timeout(std::time::Duration::from_secs(60), s.next())
            .await
            .expect("a frame within 60 s");
        match got {
            None | Some(Err(_)) => return Frame::End,
            Some(Ok(Message::Text(t))) => {
                return Frame::Json(serde_json::from_str(t.as_str()).expect("json frame"));
            }
            Some(Ok(Message::Close(c))) => {
                return c.map_or(Frame::Close(1005, String::new()), |c| {
                    Frame::Close(u16::from(c.code), c.reason.as_str().to_owned())
                });
            }
            Some(Ok(_)) => continue,
        }
    }
}

/// Connects, authenticates and returns the socket with its sync frame.
pub async fn open(d: &Daemon, path: &str, who: &Session) -> (Socket, Value) {
    let mut s = connect(d, path).await;
    auth(&mut s, &who.token).await;
    match next(&mut s).await {
        Frame::Json(v) => {
            assert_eq!(v["type"], "sync", "first frame {v}");
            (s, v)
        }
        other => panic!("expected a sync frame, got {other:?}"),
    }
}

/// Follows a scan socket to its end: the sync frame's events plus every event frame, and the
/// close frame.
pub async fn follow(d: &Daemon, scan: &str, who: &Session) -> (Vec<Value>, Frame) {
    let (mut s, sync) = open(d, &format!("/api/v1/ws/scans/{scan}"), who).await;
    let mut events: Vec<Value> = sync["events"].as_array().cloned().unwrap_or_default();
    loop {
        match next(&mut s).await {
            Frame::Json(v) => {
                assert_eq!(v["type"], "event", "{v}");
                events.push(v);
            }
            end => return (events, end),
        }
    }
}

both!(auth_must_come_within_a_second, |db| async move {
    let d = Daemon::start(db).await;
    let mut s = connect(&d, "/api/v1/ws/events").await;
    // Say nothing: the daemon closes after its one-second deadline.
    assert_eq!(next(&mut s).await, Frame::Close(1008, "auth_timeout".into()));
});

both!(bad_tokens_and_frames_are_unauthorized, |db| async move {
    let d = Daemon::start(db).await;
    for token in ["not-a-token", "crn_live_0000000000000000_00000000000000000000000000000000", ""] {
        let mut s = connect(&d, "/api/v1/ws/events").await;
        auth(&mut s, token).await;
        assert_eq!(next(&mut s).await, Frame::Close(1008, "unauthorized".into()), "token {token:?}");
    }
    let mut s = connect(&d, "/api/v1/ws/events").await;
    s.send(Message::Text("{\"type\":\"hello\"}".into())).await.expect("send");
    assert_eq!(next(&mut s).await, Frame::Close(1008, "unauthorized".into()));
    // A key without scan:read cannot follow scans.
    let user = d.register(&unique_email("ws")).await;
    let key = d.api_key(&user, &["project:read"]).await;
    let mut s = connect(&d, "/api/v1/ws/events").await;
    auth(&mut s, &key.token).await;
    assert_eq!(next(&mut s).await, Frame::Close(1008, "unauthorized".into()));
});

both!(a_fourth_socket_evicts_the_oldest, |db| async move {
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("ws")).await;
    let (mut first, sync) = open(&d, "/api/v1/ws/events", &user).await;
    assert_eq!(sync["scans"], json!([]));
    assert_eq!(sync["events"], json!([]));
    let (_second, _) = open(&d, "/api/v1/ws/events", &user).await;
    let (_third, _) = open(&d, "/api/v1/ws/events", &user).await;
    let (_fourth, _) = open(&d, "/api/v1/ws/events", &user).await;
    assert_eq!(next(&mut first).await, Frame::Close(1001, "newer_connection".into()));
    // Another user's sockets are their own.
    let other = d.register(&unique_email("ws2")).await;
    let (_o, _) = open(&d, "/api/v1/ws/events", &other).await;
});

both!(another_tenants_scan_is_not_found, |db| async move {
    let tree = tempfile::tempdir().expect("tree");
    std::fs::write(tree.path().join("requirements.txt"), "flask==2.3.2\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![tree.path().to_path_buf()], workers: 0, ..Opts::default() },
    )
    .await;
    let owner = d.register(&unique_email("owner")).await;
    let stranger = d.register(&unique_email("stranger")).await;
    let resp = d
        .send(
            &owner,
            reqwest::Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "path", "path": tree.path()}})),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let scan: Value = resp.json().await.expect("json");
    let id = scan["id"].as_str().expect("id");
    let mut s = connect(&d, &format!("/api/v1/ws/scans/{id}")).await;
    auth(&mut s, &stranger.token).await;
    assert_eq!(next(&mut s).await, Frame::Close(1008, "not_found".into()));
    let mut s = connect(&d, "/api/v1/ws/scans/not-a-uuid").await;
    auth(&mut s, &owner.token).await;
    assert_eq!(next(&mut s).await, Frame::Close(1008, "not_found".into()));
    // The owner's socket syncs the queued scan (no worker runs here).
    let (_s, sync) = open(&d, &format!("/api/v1/ws/scans/{id}"), &owner).await;
    assert_eq!(sync["scans"][0]["id"], id);
    assert_eq!(sync["scans"][0]["status"], "queued");
    // The stranger's tenant stream does not list it.
    let (_s, sync) = open(&d, "/api/v1/ws/events", &stranger).await;
    assert_eq!(sync["scans"], json!([]));
    let (_s, sync) = open(&d, "/api/v1/ws/events", &owner).await;
    assert_eq!(sync["scans"][0]["id"], id);
});

both!(a_first_frame_beyond_a_few_kilobytes_is_refused, |db| async move {
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("big-frame")).await;
    // A valid auth frame padded to 64 KiB: the old daemon read up to 64 MiB before auth and
    // accepted this one.
    let frame = format!("{}{}", json!({"type": "auth", "token": user.token}), " ".repeat(64 * 1024));
    let mut s = connect(&d, "/api/v1/ws/events").await;
    let _ = s.send(Message::Text(frame.into())).await;
    match next(&mut s).await {
        Frame::Json(v) => panic!("a 64 KiB first frame was read: {v}"),
        Frame::Close(code, _) => assert_ne!(code, 1000),
        Frame::End => {}
    }
    // A normal one still works.
    let (_s, sync) = open(&d, "/api/v1/ws/events", &user).await;
    assert_eq!(sync["type"], "sync");
});

/// Authenticates resuming after `last_seq`.
async fn auth_resuming(s: &mut Socket, token: &str, last_seq: i64) {
    s.send(Message::Text(json!({"type": "auth", "token": token, "last_seq": last_seq}).to_string().into()))
        .await
        .expect("send auth");
}

/// The next JSON frame of a socket (a close or an end fails the test).
async fn next_json(s: &mut Socket) -> Value {
    match next(s).await {
        Frame::Json(v) => v,
        other => panic!("expected a frame, got {other:?}"),
    }
}

// The tenant socket carries the tenant's event stream by sequence: `feed` frames in `seq` order
// from the outbox; a client reconnecting with `last_seq` gets what it missed first; one that
// cannot be caught up (a `seq` the tenant never reached) gets `resync`.
both!(the_tenant_socket_carries_the_event_stream_and_resumes_by_sequence, |db| async move {
    let (root, tree) = crate::scans::tree_root();
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let alice = d.register(&unique_email("feed")).await;
    let (mut live, sync) = open(&d, "/api/v1/ws/events", &alice).await;
    assert_eq!(sync["latest_seq"], 0, "a new tenant's stream is empty: {sync}");

    let first = crate::findings::scan_to_completion(&d, &alice, &tree, None).await;
    let second = crate::findings::scan_to_completion(&d, &alice, &tree, None).await;
    // The live socket: scan progress frames and, in order, one feed frame per tenant event.
    let mut feed = Vec::new();
    while feed.len() < 2 {
        let v = next_json(&mut live).await;
        if v["type"] == "feed" {
            feed.push(v["event"].clone());
        }
    }
    let seqs: Vec<i64> = feed.iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
    assert_eq!(seqs, [1, 2], "{feed:?}");
    assert_eq!(feed[0]["type"], "scan.completed");
    assert_eq!(
        (feed[0]["data"]["scan"].as_str(), feed[1]["data"]["scan"].as_str()),
        (Some(first.as_str()), Some(second.as_str()))
    );

    // Reconnecting after seq 1: event 2 comes first, exactly once.
    let mut again = connect(&d, "/api/v1/ws/events").await;
    auth_resuming(&mut again, &alice.token, 1).await;
    let sync = next_json(&mut again).await;
    assert_eq!((sync["type"].as_str(), sync["latest_seq"].as_i64()), (Some("sync"), Some(2)), "{sync}");
    let missed = next_json(&mut again).await;
    assert_eq!(
        (missed["type"].as_str(), missed["event"]["seq"].as_i64()),
        (Some("feed"), Some(2)),
        "{missed}"
    );
    assert_eq!(missed["event"], feed[1], "the same envelope as live");

    // A client that saw the stream when it was empty (its position 0) and lost the socket
    // before the first event's frame resumes after 0: it gets event 1, not the stream from
    // "now" (the daemon once read `last_seq: 0` as no position and skipped what the client missed).
    let mut from_zero = connect(&d, "/api/v1/ws/events").await;
    auth_resuming(&mut from_zero, &alice.token, 0).await;
    assert_eq!(next_json(&mut from_zero).await["type"], "sync");
    let first_missed = next_json(&mut from_zero).await;
    assert_eq!(
        (first_missed["type"].as_str(), first_missed["event"]["seq"].as_i64()),
        (Some("feed"), Some(1)),
        "{first_missed}"
    );

    // A sequence this tenant never reached cannot be caught up: resync, then the stream goes on.
    let mut lost = connect(&d, "/api/v1/ws/events").await;
    auth_resuming(&mut lost, &alice.token, 50).await;
    assert_eq!(next_json(&mut lost).await["type"], "sync");
    let resync = next_json(&mut lost).await;
    assert_eq!(resync, json!({"type": "resync", "latest_seq": 2}));
    let third = crate::findings::scan_to_completion(&d, &alice, &tree, None).await;
    loop {
        let v = next_json(&mut lost).await;
        if v["type"] == "feed" {
            assert_eq!(
                (v["event"]["seq"].as_i64(), v["event"]["data"]["scan"].as_str()),
                (Some(3), Some(third.as_str()))
            );
            break;
        }
    }
});

// A scan socket opened after the scan ended still learns the end: the sync frame says completed
// (with the terminal event, or, resuming after it, without events) and the socket closes.
both!(a_socket_opened_after_the_end_hears_it, |db| async move {
    let (root, tree) = crate::scans::tree_root();
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let alice = d.register(&unique_email("late")).await;
    let scan = crate::findings::scan_to_completion(&d, &alice, &tree, None).await;
    let path = format!("/api/v1/ws/scans/{scan}");

    let (mut s, sync) = open(&d, &path, &alice).await;
    assert_eq!(sync["scans"][0]["status"], "completed", "{sync}");
    let events = sync["events"].as_array().expect("events");
    let terminal = events.last().expect("events");
    assert_eq!(terminal["status"], "completed");
    assert_eq!(next(&mut s).await, Frame::Close(1000, "scan_ended".into()));

    // Resuming after the terminal event: nothing more to send, the scan's state says it ended.
    let mut s = connect(&d, &path).await;
    auth_resuming(&mut s, &alice.token, terminal["seq"].as_i64().expect("seq")).await;
    let sync = next_json(&mut s).await;
    assert_eq!(
        (sync["type"].as_str(), sync["scans"][0]["status"].as_str()),
        (Some("sync"), Some("completed"))
    );
    assert_eq!(sync["events"], json!([]), "only what the client has not seen");
    assert_eq!(next(&mut s).await, Frame::Close(1000, "scan_ended".into()));

    // Resuming mid-scan: the sync frame carries the events after `last_seq` only.
    let mut s = connect(&d, &path).await;
    auth_resuming(&mut s, &alice.token, 1).await;
    let sync = next_json(&mut s).await;
    let seqs: Vec<i64> =
        sync["events"].as_array().expect("events").iter().map(|e| e["seq"].as_i64().expect("seq")).collect();
    assert_eq!(seqs.first(), Some(&2), "{sync}");
    assert_eq!(seqs.last(), terminal["seq"].as_i64().as_ref());
});
