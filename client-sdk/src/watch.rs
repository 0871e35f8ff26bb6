//! `ScanWatcher`: follows one scan over `/api/v1/ws/scans/{id}` — first-frame auth, the sync frame,
//! then events — reconnecting with backoff when the connection drops (each attempt announced as
//! [`WatchEvent::Reconnecting`]), never yielding an event twice (events are deduplicated by
//! `seq`), and ending after the scan's terminal status. When the socket cannot be kept (a proxy
//! that refuses WebSockets, a flaky network), it falls back to polling `GET /scans/{id}` and its
//! events every few seconds.

use std::time::Duration;

use futures_util::{SinkExt, Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::client::{Client, Credential, Error};
use crate::types::{Scan, ScanEvent, ScanId, WsClientFrame, WsServerFrame};

/// Reconnection settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// Consecutive failed connections before giving up (a connection that reaches the sync frame
    /// resets the count).
    pub max_reconnects: u32,
    /// First wait before reconnecting; doubles per consecutive failure.
    pub base_delay: Duration,
    /// The longest wait between reconnects.
    pub max_delay: Duration,
    /// Once the reconnects are spent, poll `GET /scans/{id}` instead of giving up.
    pub poll_fallback: bool,
    /// The wait between polls.
    pub poll_interval: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            max_reconnects: 8,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            poll_fallback: true,
            poll_interval: Duration::from_secs(3),
        }
    }
}

/// What the watcher yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WatchEvent {
    /// The scan as it stands, after each (re)connection. `events` holds the events not yielded
    /// before: all so far on the first connection, those missed while disconnected after a
    /// reconnect.
    Sync {
        /// The scan now.
        scan: Box<Scan>,
        /// Events not yet seen, in `seq` order.
        events: Vec<ScanEvent>,
    },
    /// A progress event (each `seq` at most once).
    Event(ScanEvent),
    /// The connection dropped; the watcher waits `wait` and tries again (a `Sync` follows when it
    /// is back). `attempt` counts consecutive failures from 1.
    Reconnecting {
        /// Consecutive failed connections so far.
        attempt: u32,
        /// The wait before the next try.
        wait: Duration,
        /// Why the last connection ended.
        reason: String,
    },
    /// The WebSocket could not be kept: from now on the watcher polls `GET /scans/{id}` (a `Sync`
    /// follows each poll that finds something new).
    Polling {
        /// Why the socket was given up.
        reason: String,
    },
}

/// Follows a scan's progress.
#[derive(Debug, Clone)]
pub struct ScanWatcher {
    client: Client,
    scan: ScanId,
    options: WatchOptions,
}

/// What a watcher's background task yields, as a stream; dropping it stops the task.
#[derive(Debug)]
pub struct ChannelStream<T> {
    pub(crate) rx: mpsc::Receiver<Result<T, Error>>,
}

/// The stream [`ScanWatcher::stream`] returns; dropping it stops the watcher.
pub type WatchStream = ChannelStream<WatchEvent>;

impl<T> Stream for ChannelStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// How one connection ended.
pub(crate) enum Ended {
    /// The scan reached a terminal status: done.
    Terminal,
    /// The consumer dropped the stream.
    Gone,
    /// The connection dropped; `synced` if it got as far as the sync frame.
    Dropped { synced: bool, reason: String },
    /// Not worth retrying (unauthorized, not found, evicted, protocol violation).
    Fatal(Error),
}

impl ScanWatcher {
    /// A watcher of `scan` through `client`'s daemon and credential.
    pub fn new(client: &Client, scan: ScanId) -> Self {
        Self { client: client.clone(), scan, options: WatchOptions::default() }
    }

    /// Overrides the reconnection settings.
    pub fn options(mut self, options: WatchOptions) -> Self {
        self.options = options;
        self
    }

    /// The `ws://` / `wss://` URL of the scan socket.
    pub fn url(&self) -> Result<String, Error> {
        ws_url(&self.client, &format!("api/v1/ws/scans/{}", self.scan))
    }

    /// Starts watching: the sync frame, then events, until the terminal status. An `Err` item is
    /// the last one.
    pub fn stream(self) -> WatchStream {
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(self.run(tx));
        ChannelStream { rx }
    }

    async fn run(self, tx: mpsc::Sender<Result<WatchEvent, Error>>) {
        crate::client::install_crypto_provider();
        let mut last_seq = 0i64;
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            let reason = match self.connection(&tx, &mut last_seq, &mut refreshed).await {
                Ended::Terminal | Ended::Gone => return,
                Ended::Fatal(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                Ended::Dropped { synced, reason } => {
                    if synced {
                        failures = 0;
                    }
                    reason
                }
            };
            failures += 1;
            if failures > self.options.max_reconnects {
                let message = format!("gave up after {} reconnects: {reason}", self.options.max_reconnects);
                if !self.options.poll_fallback {
                    let _ = tx.send(Err(Error::WebSocket(message))).await;
                    return;
                }
                tracing::debug!(scan = %self.scan, %message, "scan socket given up; polling");
                if tx.send(Ok(WatchEvent::Polling { reason: message })).await.is_err() {
                    return;
                }
                return self.poll(&tx, last_seq).await;
            }
            let wait = backoff(&self.options, failures);
            tracing::debug!(scan = %self.scan, %reason, ?wait, "scan socket dropped; reconnecting");
            let event = WatchEvent::Reconnecting { attempt: failures, wait, reason };
            if tx.send(Ok(event)).await.is_err() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = tx.closed() => return,
            }
        }
    }

    /// Follows the scan by polling its status and events until it ends. Polls that fail are
    /// retried up to `max_reconnects` times in a row (with the client's own 429/503 retries
    /// inside each), then the error is the stream's last item.
    async fn poll(&self, tx: &mpsc::Sender<Result<WatchEvent, Error>>, mut last_seq: i64) {
        use futures_util::TryStreamExt;
        let mut failures = 0u32;
        let mut last: Option<Scan> = None;
        loop {
            let polled = async {
                let scan = self.client.scan(self.scan).await?;
                let events: Vec<ScanEvent> = self
                    .client
                    .scan_events(self.scan, crate::ListQuery::limit(1000))
                    .try_filter(|e| std::future::ready(e.seq > last_seq))
                    .try_collect()
                    .await?;
                Ok::<_, Error>((scan, events))
            }
            .await;
            match polled {
                Ok((scan, mut events)) => {
                    failures = 0;
                    events.sort_by_key(|e| e.seq);
                    if let Some(e) = events.last() {
                        last_seq = e.seq;
                    }
                    let terminal = scan.status.is_terminal();
                    if !events.is_empty() || last.as_ref() != Some(&scan) {
                        last = Some(scan.clone());
                        let sync = WatchEvent::Sync { scan: Box::new(scan), events };
                        if tx.send(Ok(sync)).await.is_err() {
                            return;
                        }
                    }
                    if terminal {
                        return;
                    }
                }
                Err(e) if e.is_not_found() || e.is_unauthorized() => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                Err(e) => {
                    failures += 1;
                    if failures > self.options.max_reconnects {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.options.poll_interval) => {}
                _ = tx.closed() => return,
            }
        }
    }

    async fn connection(
        &self,
        tx: &mpsc::Sender<Result<WatchEvent, Error>>,
        last_seq: &mut i64,
        refreshed: &mut bool,
    ) -> Ended {
        // Resume by sequence: the daemon's sync frame then holds only the events after it.
        let resume = (*last_seq > 0).then_some(*last_seq);
        let (mut ws, credential) = match open(&self.client, self.url(), resume).await {
            Ok(v) => v,
            Err(ended) => return ended,
        };
        let mut synced = false;
        loop {
            let frame = match next_frame(&mut ws, tx, &self.client, &credential, synced, refreshed).await {
                Ok(f) => f,
                Err(ended) => return ended,
            };
            match frame {
                WsServerFrame::Sync { scans, events, .. } => {
                    let Some(scan) = scans.into_iter().find(|s| s.id == self.scan) else {
                        return Ended::Fatal(Error::WebSocket(
                            "the sync frame does not hold the scan".into(),
                        ));
                    };
                    synced = true;
                    let mut fresh: Vec<ScanEvent> =
                        events.into_iter().filter(|e| e.scan_id == self.scan && e.seq > *last_seq).collect();
                    fresh.sort_by_key(|e| e.seq);
                    if let Some(e) = fresh.last() {
                        *last_seq = e.seq;
                    }
                    let terminal = scan.status.is_terminal();
                    if tx.send(Ok(WatchEvent::Sync { scan: Box::new(scan), events: fresh })).await.is_err() {
                        return Ended::Gone;
                    }
                    if terminal {
                        let _ = ws.close(None).await;
                        return Ended::Terminal;
                    }
                }
                // Tenant sockets only; a scan socket has none to follow.
                WsServerFrame::Notification { .. }
                | WsServerFrame::Feed { .. }
                | WsServerFrame::Resync { .. } => {
                    continue;
                }
                WsServerFrame::Event(event) => {
                    if event.scan_id != self.scan || event.seq <= *last_seq {
                        continue;
                    }
                    *last_seq = event.seq;
                    let terminal = event.status.is_terminal();
                    if tx.send(Ok(WatchEvent::Event(event))).await.is_err() {
                        return Ended::Gone;
                    }
                    if terminal {
                        let _ = ws.close(None).await;
                        return Ended::Terminal;
                    }
                }
            }
        }
    }
}

/// The next server frame on `ws`, or how the connection ended (the receiver gone, dropped, closed
/// by the daemon, or an unreadable frame). Frames other than text and close are skipped.
pub(crate) async fn next_frame<T>(
    ws: &mut Socket,
    tx: &mpsc::Sender<T>,
    client: &Client,
    credential: &Credential,
    synced: bool,
    refreshed: &mut bool,
) -> Result<WsServerFrame, Ended> {
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = tx.closed() => return Err(Ended::Gone),
        };
        return match msg {
            None => Err(Ended::Dropped { synced, reason: "connection closed".into() }),
            Some(Err(e)) => Err(Ended::Dropped { synced, reason: e.to_string() }),
            Some(Ok(Message::Text(t))) => serde_json::from_str::<WsServerFrame>(t.as_str())
                .map_err(|e| Ended::Fatal(Error::WebSocket(format!("unreadable frame: {e}")))),
            Some(Ok(Message::Close(frame))) => {
                Err(closed(client, credential, frame, synced, refreshed).await)
            }
            Some(Ok(_)) => continue,
        };
    }
}

/// The WebSocket URL of `path` on `client`'s daemon (`wss` under `https`).
pub(crate) fn ws_url(client: &Client, path: &str) -> Result<String, Error> {
    let mut url = client.url(path)?;
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme).map_err(|()| Error::Url(format!("{url}: cannot use {scheme}")))?;
    Ok(url.to_string())
}

/// A connected socket.
pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to `url` and sends the auth frame (resuming after `last_seq` when given); the socket
/// and the credential it used.
pub(crate) async fn open(
    client: &Client,
    url: Result<String, Error>,
    last_seq: Option<i64>,
) -> Result<(Socket, Credential), Ended> {
    let url = url.map_err(Ended::Fatal)?;
    let Some(credential) = client.credential() else {
        return Err(Ended::Fatal(Error::Credential("a live feed needs a credential")));
    };
    let mut ws = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok((ws, _)) => ws,
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) if resp.status().is_client_error() => {
            let status = resp.status().as_u16();
            let body = resp.body().as_deref().unwrap_or_default();
            return Err(Ended::Fatal(crate::client::api_error_from(status, None, body)));
        }
        Err(e) => return Err(Ended::Dropped { synced: false, reason: e.to_string() }),
    };
    let auth = WsClientFrame::Auth { token: credential.bearer().to_owned(), last_seq };
    let text = serde_json::to_string(&auth).map_err(|e| Ended::Fatal(Error::WebSocket(e.to_string())))?;
    if let Err(e) = ws.send(Message::text(text)).await {
        return Err(Ended::Dropped { synced: false, reason: e.to_string() });
    }
    Ok((ws, credential))
}

/// What a close frame from the daemon means: an expired access token is renewed once (then
/// reconnect), a policy close or an eviction is final, anything else is worth a reconnect.
pub(crate) async fn closed(
    client: &Client,
    credential: &Credential,
    frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>,
    synced: bool,
    refreshed: &mut bool,
) -> Ended {
    let (code, reason) =
        frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new()));
    if code == u16::from(CloseCode::Policy)
        && reason == "unauthorized"
        && !*refreshed
        && matches!(credential, Credential::Tokens { .. })
    {
        // The access token may have expired during a long watch: renew it once.
        *refreshed = true;
        return match client.refresh().await {
            Ok(_) => Ended::Dropped { synced, reason: "token renewed".into() },
            Err(e) => Ended::Fatal(e),
        };
    }
    if code == u16::from(CloseCode::Policy)
        || code == u16::from(CloseCode::Away) && reason == "newer_connection"
    {
        return Ended::Fatal(Error::WebSocketClosed { code, reason });
    }
    Ended::Dropped { synced, reason: format!("closed ({code}) {reason}") }
}

/// The wait before reconnect number `failures` (1-based): doubling from the base, capped.
pub(crate) fn backoff(options: &WatchOptions, failures: u32) -> Duration {
    let factor = 1u32.checked_shl(failures.saturating_sub(1).min(16)).unwrap_or(u32::MAX);
    options.base_delay.saturating_mul(factor).min(options.max_delay)
}
