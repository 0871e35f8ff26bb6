//! `ScanWatcher` against a small WebSocket server started by the test: first-frame auth, sync then
//! events, a reconnect after the server drops the connection mid-stream (no event twice), the end
//! after the terminal status, a 1008 close ending the stream with an error, and the poll fallback
//! when the socket never gets as far as a sync frame.

use std::sync::{Arc, Mutex};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::routing::any;
use cairn_sdk::types::{
    Scan, ScanCounts, ScanEvent, ScanId, ScanSource, ScanStatus, WsClientFrame, WsServerFrame,
};
use cairn_sdk::{Client, Credential, ScanWatcher, WatchEvent, WatchOptions};
use futures_util::StreamExt;

#[derive(Clone, Default)]
struct Server {
    /// Auth frames received, one per connection, in order.
    auths: Arc<Mutex<Vec<WsClientFrame>>>,
    /// How the server behaves: `reject` closes every connection with 1008 unauthorized.
    reject: bool,
}

fn scan(id: ScanId, status: ScanStatus) -> Scan {
    Scan {
        id,
        project_id: None,
        version_id: None,
        status,
        source: ScanSource::Path { path: "/src".into() },
        requested_by: None,
        error: None,
        vulndb: None,
        counts: ScanCounts::default(),
        percent: 0,
        version: 1,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        started_at: None,
        finished_at: None,
        pqc: None,
    }
}

fn event(id: ScanId, seq: i64, status: ScanStatus, percent: u8) -> ScanEvent {
    ScanEvent {
        scan_id: id,
        seq,
        status,
        step: None,
        percent,
        message: Some(format!("event {seq}")),
        ts: time::OffsetDateTime::UNIX_EPOCH,
        counts: ScanCounts::default(),
    }
}

async fn send(socket: &mut WebSocket, frame: &WsServerFrame) {
    let text = serde_json::to_string(frame).expect("encode");
    socket.send(Message::Text(text.into())).await.expect("send");
}

async fn handle(mut socket: WebSocket, server: Server, id: ScanId) {
    let Some(Ok(Message::Text(first))) = socket.recv().await else { return };
    let auth: WsClientFrame = serde_json::from_str(first.as_str()).expect("the first frame is an auth frame");
    let connection = {
        let mut auths = server.auths.lock().expect("lock");
        auths.push(auth);
        auths.len()
    };
    if server.reject {
        let close = CloseFrame { code: 1008, reason: "unauthorized".into() };
        let _ = socket.send(Message::Close(Some(close))).await;
        return;
    }
    let e = |seq, status, pct| event(id, seq, status, pct);
    if connection == 1 {
        send(
            &mut socket,
            &WsServerFrame::Sync {
                scans: vec![scan(id, ScanStatus::Scanning)],
                events: vec![e(1, ScanStatus::Queued, 0)],
                latest_seq: None,
            },
        )
        .await;
        send(&mut socket, &WsServerFrame::Event(e(2, ScanStatus::Scanning, 20))).await;
        // Drop mid-stream without a close frame, as a crashed replica would.
        drop(socket);
        return;
    }
    // The reconnect: the sync frame holds every event so far; event 3 arrives again afterwards.
    let all =
        vec![e(1, ScanStatus::Queued, 0), e(2, ScanStatus::Scanning, 20), e(3, ScanStatus::Matching, 60)];
    send(
        &mut socket,
        &WsServerFrame::Sync { scans: vec![scan(id, ScanStatus::Matching)], events: all, latest_seq: None },
    )
    .await;
    send(&mut socket, &WsServerFrame::Event(e(3, ScanStatus::Matching, 60))).await;
    send(&mut socket, &WsServerFrame::Event(e(4, ScanStatus::Completed, 100))).await;
    // The client must stop on its own after the terminal event: keep the socket open until it does.
    while let Some(Ok(msg)) = socket.recv().await {
        if matches!(msg, Message::Close(_)) {
            break;
        }
    }
}

async fn start(server: Server) -> String {
    let app = axum::Router::new()
        .route(
            "/api/v1/ws/scans/{id}",
            any(|ws: WebSocketUpgrade, State(s): State<Server>, Path(id): Path<ScanId>| async move {
                ws.on_upgrade(move |socket| handle(socket, s, id))
            }),
        )
        .with_state(server);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn fast() -> WatchOptions {
    WatchOptions {
        max_reconnects: 3,
        base_delay: std::time::Duration::from_millis(10),
        max_delay: std::time::Duration::from_millis(50),
        ..WatchOptions::default()
    }
}

#[tokio::test]
async fn reconnects_without_duplicates_and_stops_after_the_terminal_event() {
    let server = Server::default();
    let base = start(server.clone()).await;
    let client = Client::new(&base, Credential::ApiKey("crn_test_key".into())).expect("client");
    let id = ScanId::new();
    let all: Vec<WatchEvent> =
        ScanWatcher::new(&client, id).options(fast()).stream().map(|i| i.expect("no error")).collect().await;
    let reconnects = all.iter().filter(|e| matches!(e, WatchEvent::Reconnecting { .. })).count();
    assert_eq!(reconnects, 1, "the drop is announced once: {all:?}");
    let items: Vec<&WatchEvent> =
        all.iter().filter(|e| !matches!(e, WatchEvent::Reconnecting { .. })).collect();

    let seqs = |evs: &[ScanEvent]| evs.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(items.len(), 4, "{items:#?}");
    let WatchEvent::Sync { scan, events } = &items[0] else { panic!("first a sync frame: {items:?}") };
    assert_eq!((scan.status, seqs(events)), (ScanStatus::Scanning, vec![1]));
    assert!(matches!(&items[1], WatchEvent::Event(e) if e.seq == 2));
    let WatchEvent::Sync { scan, events } = &items[2] else {
        panic!("a sync after the reconnect: {items:?}")
    };
    assert_eq!((scan.status, seqs(events)), (ScanStatus::Matching, vec![3]), "only the missed event");
    assert!(matches!(&items[3], WatchEvent::Event(e) if e.seq == 4 && e.status == ScanStatus::Completed));

    let auths = server.auths.lock().expect("lock").clone();
    // The reconnect resumes by sequence: it names the last event it yielded (2).
    let first = WsClientFrame::Auth { token: "crn_test_key".into(), last_seq: None };
    let resumed = WsClientFrame::Auth { token: "crn_test_key".into(), last_seq: Some(2) };
    assert_eq!(auths, vec![first, resumed], "one auth frame first on each connection, the second resuming");
}

#[tokio::test]
async fn a_policy_close_ends_the_stream_with_an_error_and_no_reconnect() {
    let server = Server { reject: true, ..Server::default() };
    let base = start(server.clone()).await;
    let client = Client::new(&base, Credential::ApiKey("crn_test_bad".into())).expect("client");
    let items: Vec<_> = ScanWatcher::new(&client, ScanId::new()).options(fast()).stream().collect().await;
    assert_eq!(items.len(), 1);
    let err = items.into_iter().next().expect("one item").expect_err("an error");
    assert!(err.to_string().contains("unauthorized"), "{err}");
    assert!(
        matches!(&err, cairn_sdk::Error::WebSocketClosed { code: 1008, reason } if reason == "unauthorized"),
        "the close code and reason are fields: {err:?}"
    );
    assert_eq!(server.auths.lock().expect("lock").len(), 1, "no reconnect after 1008");
}

#[tokio::test]
async fn ws_url_follows_the_base_scheme_and_prefix() {
    let id = ScanId::new();
    let http = Client::new("http://h:1/prefix", Credential::ApiKey("k".into())).expect("client");
    assert_eq!(
        ScanWatcher::new(&http, id).url().expect("url"),
        format!("ws://h:1/prefix/api/v1/ws/scans/{id}")
    );
    let https = Client::new("https://h", Credential::ApiKey("k".into())).expect("client");
    assert_eq!(ScanWatcher::new(&https, id).url().expect("url"), format!("wss://h/api/v1/ws/scans/{id}"));
}

/// A socket that refuses the token `expired` with 1008 `unauthorized` and answers `fresh` with a
/// completed scan; `/auth/refresh` trades `r1` for `fresh`.
async fn start_refreshing(auths: Arc<Mutex<Vec<WsClientFrame>>>) -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/api/v1/ws/scans/{id}",
            any(
                |ws: WebSocketUpgrade,
                 State(a): State<Arc<Mutex<Vec<WsClientFrame>>>>,
                 Path(id): Path<ScanId>| async move {
                    ws.on_upgrade(move |mut socket| async move {
                        let Some(Ok(Message::Text(first))) = socket.recv().await else { return };
                        let auth: WsClientFrame = serde_json::from_str(first.as_str()).expect("auth frame");
                        a.lock().expect("lock").push(auth.clone());
                        let WsClientFrame::Auth { token, .. } = auth;
                        if token == "fresh" {
                            let frame = WsServerFrame::Sync {
                                scans: vec![scan(id, ScanStatus::Completed)],
                                events: vec![],
                                latest_seq: None,
                            };
                            send(&mut socket, &frame).await;
                        } else {
                            let close = CloseFrame { code: 1008, reason: "unauthorized".into() };
                            let _ = socket.send(Message::Close(Some(close))).await;
                        }
                    })
                },
            ),
        )
        .route(
            "/api/v1/auth/refresh",
            post(|body: axum::Json<serde_json::Value>| async move {
                assert_eq!(body["refresh_token"], "r1");
                axum::Json(serde_json::json!({
                    "access_token": "fresh", "token_type": "Bearer", "expires_in": 900, "refresh_token": "r2"
                }))
            }),
        )
        .with_state(auths);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_the_watch_goes_on() {
    let auths = Arc::new(Mutex::new(Vec::new()));
    let base = start_refreshing(auths.clone()).await;
    let client = Client::new(&base, Credential::Tokens { access: "expired".into(), refresh: "r1".into() })
        .expect("client");
    let items: Vec<_> = ScanWatcher::new(&client, ScanId::new())
        .options(fast())
        .stream()
        .filter(|i| std::future::ready(!matches!(i, Ok(WatchEvent::Reconnecting { .. }))))
        .collect()
        .await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        matches!(&items[0], Ok(WatchEvent::Sync { scan, .. }) if scan.status == ScanStatus::Completed),
        "{items:?}"
    );
    let tokens: Vec<_> =
        auths.lock().expect("lock").iter().map(|WsClientFrame::Auth { token, .. }| token.clone()).collect();
    assert_eq!(tokens, ["expired", "fresh"]);
    assert_eq!(
        client.credential(),
        Some(Credential::Tokens { access: "fresh".into(), refresh: "r2".into() })
    );
}

/// A daemon behind a proxy that accepts the upgrade but drops every socket at once: the watcher
/// announces each reconnect, then polls `GET /scans/{id}` and its events until the scan ends.
async fn start_socketless(polls: Arc<Mutex<u32>>) -> String {
    use axum::routing::get;
    let app = axum::Router::new()
        .route(
            "/api/v1/ws/scans/{id}",
            any(|ws: WebSocketUpgrade| async move { ws.on_upgrade(|socket| async move { drop(socket) }) }),
        )
        .route(
            "/api/v1/scans/{id}",
            get(|State(p): State<Arc<Mutex<u32>>>, Path(id): Path<ScanId>| async move {
                let n = {
                    let mut polls = p.lock().expect("lock");
                    *polls += 1;
                    *polls
                };
                let status = if n < 2 { ScanStatus::Scanning } else { ScanStatus::Completed };
                axum::Json(scan(id, status))
            }),
        )
        .route(
            "/api/v1/scans/{id}/events",
            get(|State(p): State<Arc<Mutex<u32>>>, Path(id): Path<ScanId>| async move {
                let n = *p.lock().expect("lock");
                let mut items = vec![event(id, 1, ScanStatus::Scanning, 10)];
                if n >= 2 {
                    items.push(event(id, 2, ScanStatus::Completed, 100));
                }
                let total = items.len() as i64;
                axum::Json(cairn_sdk::types::Page { items, total, limit: 1000, offset: 0, next_cursor: None })
            }),
        )
        .with_state(polls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn without_a_working_socket_the_watcher_polls_until_the_scan_ends() {
    let polls = Arc::new(Mutex::new(0));
    let base = start_socketless(polls.clone()).await;
    let client = Client::new(&base, Credential::ApiKey("k".into())).expect("client");
    let options = WatchOptions { poll_interval: std::time::Duration::from_millis(10), ..fast() };
    let items: Vec<WatchEvent> = ScanWatcher::new(&client, ScanId::new())
        .options(options)
        .stream()
        .map(|i| i.expect("no error"))
        .collect()
        .await;
    let attempts: Vec<u32> = items
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Reconnecting { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2, 3], "each reconnect announced: {items:#?}");
    let rest: Vec<&WatchEvent> =
        items.iter().skip_while(|e| !matches!(e, WatchEvent::Polling { .. })).skip(1).collect();
    assert_eq!(rest.len(), 2, "{items:#?}");
    let WatchEvent::Sync { scan, events } = rest[0] else { panic!("{rest:?}") };
    assert_eq!(
        (scan.status, events.iter().map(|e| e.seq).collect::<Vec<_>>()),
        (ScanStatus::Scanning, vec![1])
    );
    let WatchEvent::Sync { scan, events } = rest[1] else { panic!("{rest:?}") };
    assert_eq!(
        (scan.status, events.iter().map(|e| e.seq).collect::<Vec<_>>()),
        (ScanStatus::Completed, vec![2]),
        "only the event not yielded before"
    );
    assert_eq!(*polls.lock().expect("lock"), 2, "no poll after the terminal status");
}

#[tokio::test]
async fn without_the_fallback_the_watcher_gives_up() {
    let base = start_socketless(Arc::new(Mutex::new(0))).await;
    let client = Client::new(&base, Credential::ApiKey("k".into())).expect("client");
    let options = WatchOptions { poll_fallback: false, ..fast() };
    let items: Vec<_> = ScanWatcher::new(&client, ScanId::new()).options(options).stream().collect().await;
    let err = items.last().expect("items").as_ref().expect_err("the last item is the error");
    assert!(err.to_string().contains("gave up after 3 reconnects"), "{err}");
}
