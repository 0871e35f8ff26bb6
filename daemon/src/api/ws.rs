//! WebSockets `/api/v1/ws/scans/{id}` and `/api/v1/ws/events` (DESIGN.md): the first client frame
//! is `{"type":"auth","token":…}` within one second (else close 1008 `auth_timeout`; a bad token
//! closes 1008 `unauthorized`, another tenant's scan 1008 `not_found`); then one `sync` frame, then
//! `event` frames from the bus (deduplicated by scan and seq); the tenant socket also sends the
//! tenant's event stream (`feed` frames in `seq` order from the outbox, resumable with the auth
//! frame's `last_seq`, or `resync` when too far behind). A scan socket closes 1000 after the
//! terminal event. At most three sockets per user on this replica: the fourth evicts the oldest
//! with 1001 `newer_connection`. Not in the OpenAPI document (it has no WebSocket operations);
//! docs/daemon.md describes them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use cairn_sdk::types::{Role, ScanEvent, ScanId, Scope, TenantId, UserId, WsClientFrame, WsServerFrame};
use tokio::sync::{broadcast, oneshot};

use crate::auth::Principal;
use crate::state::AppState;

/// Sockets one user may hold on one replica.
pub const MAX_PER_USER: usize = 3;
/// How often an open socket checks that its user's session still stands (bounds how long a
/// socket on another replica outlives a password reset or deactivation).
pub const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// How often a socket reads the table for events the bus may have missed.
const CATCH_UP_EVERY: Duration = Duration::from_secs(2);
/// Largest frame or message a client may send (the auth frame is a token of a few hundred bytes
/// and nothing else is read): the default of 64 MiB let anyone make the daemon buffer that much
/// before authenticating.
pub const MAX_CLIENT_MESSAGE: usize = 4096;
/// Time the client has to send its auth frame.
const AUTH_WITHIN: Duration = Duration::from_secs(1);
/// Policy violation (RFC 6455).
const POLICY: u16 = 1008;
/// Going away.
const GOING_AWAY: u16 = 1001;
/// Normal closure.
const NORMAL: u16 = 1000;

/// A user's open sockets, oldest first, each with the sender that closes it (with the reason).
type Open = HashMap<UserId, VecDeque<(u64, oneshot::Sender<Ending>)>>;

/// Why the hub closes a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The user opened one socket too many.
    Evicted,
    /// The user's sessions ended (password changed or reset, account deactivated).
    SessionEnded,
}

/// Open sockets per user.
#[derive(Debug, Default)]
pub struct Sockets {
    next: AtomicU64,
    open: Mutex<Open>,
}

impl Sockets {
    /// Registers a socket; evicts the user's oldest beyond the limit.
    fn register(&self, user: UserId) -> (u64, oneshot::Receiver<Ending>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.with(|m| {
            let list = m.entry(user).or_default();
            list.push_back((id, tx));
            while list.len() > MAX_PER_USER {
                if let Some((_, evict)) = list.pop_front() {
                    let _ = evict.send(Ending::Evicted);
                }
            }
        });
        (id, rx)
    }

    /// Closes every socket `user` holds on this replica (1008 `session_ended`). Sockets on other
    /// replicas notice within [`RECHECK_EVERY`].
    pub fn close_user(&self, user: UserId) {
        let list = self.with(|m| m.remove(&user)).unwrap_or_default();
        for (_, end) in list {
            let _ = end.send(Ending::SessionEnded);
        }
    }

    fn unregister(&self, user: UserId, id: u64) {
        self.with(|m| {
            if let Some(list) = m.get_mut(&user) {
                list.retain(|(i, _)| *i != id);
                if list.is_empty() {
                    m.remove(&user);
                }
            }
        });
    }

    fn with<R>(&self, f: impl FnOnce(&mut Open) -> R) -> R {
        match self.open.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

/// The WebSocket routes (outside the OpenAPI list).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ws/scans/{id}", get(scan_socket))
        .route("/api/v1/ws/events", get(events_socket))
}

async fn scan_socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    // An unparsable id is simply a scan that is not found, told after auth like any other.
    let id = id.parse::<ScanId>().ok();
    capped(ws).on_upgrade(move |socket| run(state, socket, Some(id)))
}

async fn events_socket(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    capped(ws).on_upgrade(move |socket| run(state, socket, None))
}

fn capped(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.max_message_size(MAX_CLIENT_MESSAGE).max_frame_size(MAX_CLIENT_MESSAGE)
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let _ =
        socket.send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))).await;
}

async fn send(socket: &mut WebSocket, frame: &WsServerFrame) -> bool {
    match serde_json::to_string(frame) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// Who opened a socket, and where it resumes.
struct Caller {
    tenant: TenantId,
    user: UserId,
    /// The user's token version (a change ends the socket).
    version: i64,
    /// The auth frame's `last_seq`.
    resume: Option<i64>,
}

/// Authenticates the first frame: the caller, or the close reason.
async fn authenticate(state: &AppState, socket: &mut WebSocket) -> Result<Caller, &'static str> {
    let first = match tokio::time::timeout(AUTH_WITHIN, socket.recv()).await {
        Err(_) => return Err("auth_timeout"),
        Ok(None | Some(Err(_))) => return Err("unauthorized"),
        Ok(Some(Ok(m))) => m,
    };
    let text = match &first {
        Message::Text(t) => t.as_str().to_owned(),
        _ => return Err("unauthorized"),
    };
    let Ok(WsClientFrame::Auth { token, last_seq }) = serde_json::from_str::<WsClientFrame>(&text) else {
        return Err("unauthorized");
    };
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| "unauthorized")?;
    headers.insert(header::AUTHORIZATION, value);
    let principal = match Principal::authenticate(state, &headers).await {
        Ok(Some(p)) => p,
        _ => return Err("unauthorized"),
    };
    let ctx = principal.tenant_access(Scope::ScanRead, Role::Viewer).map_err(|_| "unauthorized")?;
    Ok(Caller {
        tenant: ctx.tenant,
        user: principal.user.id,
        version: principal.user.token_version,
        // 0 is a position (a client that synced an empty stream), not "none": reading it as
        // none started the socket at the latest event and skipped what came in between.
        resume: last_seq.filter(|s| *s >= 0),
    })
}

/// One socket: `scan` is `Some(id)` for a scan socket (`Some(None)`: an id that cannot exist),
/// `None` for the tenant's event stream.
async fn run(state: AppState, mut socket: WebSocket, scan: Option<Option<ScanId>>) {
    let Caller { tenant, user, version, resume } = match authenticate(&state, &mut socket).await {
        Ok(v) => v,
        Err(reason) => return close(socket, POLICY, reason).await,
    };
    // Subscribe before reading the state, so nothing falls between the sync frame and the stream.
    let mut rx = state.jobs.bus.subscribe();
    let mut last: HashMap<ScanId, i64> = HashMap::new();
    // The tenant socket's position in the tenant's event stream: the last `seq` sent.
    let mut feed: Option<i64> = None;
    let sync = match scan {
        Some(id) => {
            let Some(id) = id else { return close(socket, POLICY, "not_found").await };
            let Ok(s) = state.store.scan_get(tenant, id).await else {
                return close(socket, POLICY, "not_found").await;
            };
            // A failed read is not "no events": the client would never get them (a sync frame
            // sets where the socket resumes). Close; the client reconnects and syncs again.
            let Ok(mut events) = state.store.scan_events(tenant, id, 0, 100_000).await else {
                return close(socket, GOING_AWAY, "unavailable").await;
            };
            last.insert(id, events.last().map_or(0, |e| e.seq).max(resume.unwrap_or(0)));
            // The scan may end between the two reads: its terminal event then sits in `events`
            // (and is deduplicated off the bus), so it ends the socket here. A scan that ended
            // before the socket opened says so in the sync frame's scan, whatever `last_seq` cut.
            let done = s.status.is_terminal() || events.last().is_some_and(|e| e.status.is_terminal());
            // A reconnecting client holds the events up to its `last_seq`.
            events.retain(|e| e.seq > resume.unwrap_or(0));
            if !send(&mut socket, &WsServerFrame::Sync { scans: vec![s], events, latest_seq: None }).await {
                return;
            }
            if done {
                return close(socket, NORMAL, "scan_ended").await;
            }
            Some(id)
        }
        None => {
            // Read before the scans: a feed event committed in between is sent, not skipped.
            let Ok(latest) = state.store.event_last_seq(tenant).await else {
                return close(socket, GOING_AWAY, "unavailable").await;
            };
            let scans = state.store.scan_unfinished(tenant).await.unwrap_or_default();
            let frame = WsServerFrame::Sync { scans, events: Vec::new(), latest_seq: Some(latest) };
            if !send(&mut socket, &frame).await {
                return;
            }
            feed = Some(match resume {
                None => latest,
                // Within a page: the socket sends what the client missed, first thing.
                Some(seq) if seq <= latest && latest - seq <= FEED_CATCH_UP => seq,
                // Too far behind, or a `seq` this tenant never reached (another database?).
                Some(_) => {
                    if !send(&mut socket, &WsServerFrame::Resync { latest_seq: latest }).await {
                        return;
                    }
                    latest
                }
            });
            None
        }
    };
    let (conn, mut evicted) = state.sockets.register(user);
    let life = Lifeline { ended: &mut evicted, user, version };
    let end = stream(&state, &mut socket, &mut rx, life, (tenant, sync, &mut feed), &mut last).await;
    state.sockets.unregister(user, conn);
    if let Some((code, reason)) = end {
        close(socket, code, reason).await;
    }
}

/// Whether `user` is still active at token `version` (a failed read keeps the socket: the next
/// check decides).
async fn session_stands(state: &AppState, user: UserId, version: i64) -> bool {
    match state.store.user_get(user).await {
        Ok(u) => u.active && u.token_version == version,
        Err(crate::store::StoreError::NotFound) => false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot recheck a WebSocket's session");
            true
        }
    }
}

/// What ends a socket from outside: the hub's signal, and the session it was opened under.
struct Lifeline<'a> {
    ended: &'a mut oneshot::Receiver<Ending>,
    user: UserId,
    version: i64,
}

/// Forwards events until the scan ends, the socket is evicted or its session ends, or the client
/// leaves.
async fn stream(
    state: &AppState,
    socket: &mut WebSocket,
    rx: &mut broadcast::Receiver<crate::jobs::bus::BusEvent>,
    life: Lifeline<'_>,
    (tenant, scan, feed): (TenantId, Option<ScanId>, &mut Option<i64>),
    last: &mut HashMap<ScanId, i64>,
) -> Option<(u16, &'static str)> {
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    let mut catch_up = tokio::time::interval_at(tokio::time::Instant::now() + CATCH_UP_EVERY, CATCH_UP_EVERY);
    let mut reconnects = state.jobs.bus.reconnects();
    reconnects.borrow_and_update();
    // Scans whose terminal event this socket forwarded: nothing more to catch up on.
    let mut ended: HashSet<ScanId> = HashSet::new();
    // The tenant stream also pushes the user's notifications made from now on, read when events
    // (or notifications) commit here or on another replica, and every few seconds besides.
    let mut committed = state.store.events_changed();
    let mut sent = match scan {
        None => state.store.notification_latest_id(tenant, life.user).await.ok().flatten(),
        Some(_) => None,
    };
    let mut poll = tokio::time::interval(NOTIFICATION_POLL);
    // What a resuming client missed goes first.
    if !push_feed(state, socket, tenant, feed).await {
        return None;
    }
    loop {
        // The bus is fast but can miss what another replica published while this replica's
        // LISTEN connection was down: the table is the truth, read after every reconnect and
        // every CATCH_UP_EVERY for the scans this socket follows.
        let mut missed: Vec<ScanEvent> = Vec::new();
        tokio::select! {
            _ = catch_up.tick() => missed = caught_up(state, tenant, scan, last, &ended, false).await,
            changed = reconnects.changed() => {
                if changed.is_ok() {
                    missed = caught_up(state, tenant, scan, last, &ended, true).await;
                }
            }
            _ = committed.changed(), if scan.is_none() => {
                if !push_feed(state, socket, tenant, feed).await
                    || !push_notifications(state, socket, tenant, life.user, &mut sent).await
                {
                    return None;
                }
            }
            _ = poll.tick(), if scan.is_none() => {
                if !push_feed(state, socket, tenant, feed).await
                    || !push_notifications(state, socket, tenant, life.user, &mut sent).await
                {
                    return None;
                }
            }
            ending = &mut *life.ended => return Some(match ending {
                Ok(Ending::SessionEnded) => (POLICY, "session_ended"),
                Ok(Ending::Evicted) | Err(_) => (GOING_AWAY, "newer_connection"),
            }),
            _ = recheck.tick() => {
                if !session_stands(state, life.user, life.version).await {
                    return Some((POLICY, "session_ended"));
                }
            }
            msg = socket.recv() => match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
                Some(Ok(_)) => {}
            },
            got = rx.recv() => {
                missed = match got {
                    Ok(e) if e.tenant == tenant && scan.is_none_or(|s| s == e.event.scan_id) => vec![e.event],
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => match scan {
                        // Fell behind: catch up from the table (the scan socket; the tenant stream
                        // resumes with what comes next).
                        Some(id) => state.store.scan_events(tenant, id, last.get(&id).copied().unwrap_or(0), 100_000).await.unwrap_or_default(),
                        None => continue,
                    },
                    Err(broadcast::error::RecvError::Closed) => return Some((GOING_AWAY, "shutting_down")),
                };
            }
        }
        let mut queue: VecDeque<ScanEvent> = missed.into();
        while let Some(e) = queue.pop_front() {
            let seen = last.get(&e.scan_id).copied().unwrap_or(0);
            if e.seq <= seen {
                continue;
            }
            // On the tenant stream a scan first heard of mid-way starts where it is heard; a scan
            // socket holds every event from the first.
            if (seen > 0 || scan.is_some()) && e.seq > seen + 1 {
                // A gap (the bus skipped what another replica published while the listener was
                // down): the table has it, committed before it was published; send it in order.
                if let Ok(fill) = state.store.scan_events(tenant, e.scan_id, seen, 10_000).await
                    && fill.first().is_some_and(|f| f.seq == seen + 1)
                {
                    queue.push_front(e);
                    for f in fill.into_iter().rev() {
                        queue.push_front(f);
                    }
                    continue;
                }
            }
            last.insert(e.scan_id, e.seq);
            let terminal = e.status.is_terminal();
            if terminal {
                ended.insert(e.scan_id);
            }
            if !send(socket, &WsServerFrame::Event(e)).await {
                return None;
            }
            if terminal && scan.is_some() {
                return Some((NORMAL, "scan_ended"));
            }
        }
    }
}

/// Events of the followed scans after what this socket has sent, from the table: the scan
/// socket's scan; on the tenant stream the scans it has seen and not seen end, plus (after a
/// reconnect) every unfinished scan, since one may have started while the bus was deaf.
async fn caught_up(
    state: &AppState,
    tenant: TenantId,
    scan: Option<ScanId>,
    last: &HashMap<ScanId, i64>,
    ended: &HashSet<ScanId>,
    reconnected: bool,
) -> Vec<ScanEvent> {
    let mut ids: Vec<ScanId> = match scan {
        Some(id) => vec![id],
        None => last.keys().filter(|id| !ended.contains(id)).copied().collect(),
    };
    if scan.is_none() && reconnected {
        for s in state.store.scan_unfinished(tenant).await.unwrap_or_default() {
            if !ids.contains(&s.id) && !ended.contains(&s.id) {
                ids.push(s.id);
            }
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let after = last.get(&id).copied().unwrap_or(0);
        match state.store.scan_events(tenant, id, after, 10_000).await {
            Ok(events) => out.extend(events),
            Err(e) => tracing::debug!(error = %e, scan = %id, "catching up a socket failed; next round"),
        }
    }
    out
}

/// The most tenant events a socket sends a resuming client; further behind, it gets `resync`
/// (and reads `GET /events`, which pages).
pub const FEED_CATCH_UP: i64 = 1000;

/// Sends the tenant's events after `feed` (the last sent) in `seq` order, from the outbox table:
/// the same rows `GET /events` reads, so a wake-up lost with a LISTEN connection delays an event
/// until the next poll but never loses it. False when the socket is gone. `None` (a scan socket)
/// sends nothing.
async fn push_feed(
    state: &AppState,
    socket: &mut WebSocket,
    tenant: TenantId,
    feed: &mut Option<i64>,
) -> bool {
    let Some(after) = feed.as_mut() else { return true };
    loop {
        let page = match state.store.events_after(tenant, *after, FEED_CATCH_UP, &[]).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the event stream for a socket; next round");
                return true;
            }
        };
        let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= FEED_CATCH_UP;
        for event in page {
            *after = event.seq;
            if !send(socket, &WsServerFrame::Feed { event: Box::new(event) }).await {
                return false;
            }
        }
        if !full {
            return true;
        }
    }
}

/// How often a tenant socket looks for notifications without a wake-up.
const NOTIFICATION_POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// Sends `user`'s notifications made after `sent`; false when the socket is gone.
async fn push_notifications(
    state: &AppState,
    socket: &mut WebSocket,
    tenant: TenantId,
    user: UserId,
    sent: &mut Option<String>,
) -> bool {
    let fresh = match state.store.notifications_after(tenant, user, sent.as_deref()).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read notifications for a socket");
            return true;
        }
    };
    for n in fresh {
        *sent = Some(n.id.to_string());
        if !send(socket, &WsServerFrame::Notification { notification: Box::new(n) }).await {
            return false;
        }
    }
    true
}
