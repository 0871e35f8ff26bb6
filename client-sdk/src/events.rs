//! `EventsWatcher`: the tenant's live feed over `/api/v1/ws/events` — first-frame auth, the sync
//! frame (the unfinished scans), then every scan's progress events and the tenant's event stream
//! (`Feed`, by `seq`) — reconnecting with backoff when the connection drops, telling the consumer
//! each time it does, and resuming the event stream where it left off.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::client::{Client, Error};
use crate::types::{Event, Scan, ScanEvent, ScanId, WsServerFrame};
use crate::watch::{ChannelStream, Ended, WatchOptions, backoff, next_frame, open, ws_url};

/// What the feed yields.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedEvent {
    /// Connected (first time or again): the tenant's unfinished scans as they are now.
    Sync(Vec<Scan>),
    /// A progress event of any of the tenant's scans (each scan's `seq` at most once).
    Event(ScanEvent),
    /// A notification for the caller, as it is made.
    Notification(Box<crate::types::Notification>),
    /// An event of the tenant's stream (the envelope `GET /events` lists), in `seq` order, each
    /// once, from the first connection on: after a reconnect the daemon sends what was missed
    /// (the watcher resumes by `seq`), and when it cannot, the watcher reads the rest from
    /// `GET /events` itself.
    Feed(Box<Event>),
    /// The watcher could not fetch what it missed (the daemon said resync and `GET /events`
    /// failed): refetch what you show; the feed continues after `latest_seq`.
    Resync {
        /// The tenant's latest event `seq`.
        latest_seq: i64,
    },
    /// The connection dropped; the next attempt comes after `after`.
    Reconnecting {
        /// The wait before the next attempt.
        after: Duration,
        /// Why the connection was lost.
        reason: String,
    },
}

/// Follows every scan of the caller's tenant.
#[derive(Debug, Clone)]
pub struct EventsWatcher {
    client: Client,
    options: WatchOptions,
}

/// The stream [`EventsWatcher::stream`] returns; dropping it stops the watcher.
pub type FeedStream = ChannelStream<FeedEvent>;

impl EventsWatcher {
    /// A watcher of the tenant's feed through `client`'s daemon and credential.
    pub fn new(client: &Client) -> Self {
        Self { client: client.clone(), options: WatchOptions::default() }
    }

    /// Overrides the reconnection settings (`max_reconnects: u32::MAX` never gives up).
    pub fn options(mut self, options: WatchOptions) -> Self {
        self.options = options;
        self
    }

    /// The `ws://` / `wss://` URL of the feed.
    pub fn url(&self) -> Result<String, Error> {
        ws_url(&self.client, "api/v1/ws/events")
    }

    /// Starts the feed: a sync, then events; after a drop, `Reconnecting` and (once back) another
    /// sync. An `Err` item is the last one (unauthorized, evicted, or too many failed attempts).
    pub fn stream(self) -> FeedStream {
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(self.run(tx));
        ChannelStream { rx }
    }

    async fn run(self, tx: mpsc::Sender<Result<FeedEvent, Error>>) {
        crate::client::install_crypto_provider();
        // Last seq seen per scan: the bus may repeat an event across a reconnect.
        let mut last: HashMap<ScanId, i64> = HashMap::new();
        // Last tenant event seq yielded (None until the first sync says where the stream is).
        let mut feed: Option<i64> = None;
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            let reason = match self.connection(&tx, (&mut last, &mut feed), &mut refreshed).await {
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
            failures = failures.saturating_add(1);
            if failures > self.options.max_reconnects {
                let message = format!("gave up after {} reconnects: {reason}", self.options.max_reconnects);
                let _ = tx.send(Err(Error::WebSocket(message))).await;
                return;
            }
            let wait = backoff(&self.options, failures);
            tracing::debug!(%reason, ?wait, "event feed dropped; reconnecting");
            if tx.send(Ok(FeedEvent::Reconnecting { after: wait, reason })).await.is_err() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = tx.closed() => return,
            }
        }
    }

    async fn connection(
        &self,
        tx: &mpsc::Sender<Result<FeedEvent, Error>>,
        (last, feed): (&mut HashMap<ScanId, i64>, &mut Option<i64>),
        refreshed: &mut bool,
    ) -> Ended {
        let (mut ws, credential) = match open(&self.client, self.url(), *feed).await {
            Ok(v) => v,
            Err(ended) => return ended,
        };
        let mut synced = false;
        loop {
            let frame = match next_frame(&mut ws, tx, &self.client, &credential, synced, refreshed).await {
                Ok(f) => f,
                Err(ended) => return ended,
            };
            let item = match frame {
                WsServerFrame::Sync { scans, latest_seq, .. } => {
                    synced = true;
                    if feed.is_none() {
                        *feed = latest_seq;
                    }
                    FeedEvent::Sync(scans)
                }
                WsServerFrame::Feed { event } => {
                    if feed.is_some_and(|f| event.seq <= f) {
                        continue;
                    }
                    *feed = Some(event.seq);
                    FeedEvent::Feed(event)
                }
                WsServerFrame::Resync { latest_seq } => match self.refetch(tx, feed, latest_seq).await {
                    Ok(true) => continue,
                    Ok(false) => return Ended::Gone,
                    Err(e) => {
                        tracing::debug!(error = %e, "cannot read missed events; telling the consumer to resync");
                        *feed = Some(latest_seq);
                        FeedEvent::Resync { latest_seq }
                    }
                },
                WsServerFrame::Event(event) => {
                    let seen = last.entry(event.scan_id).or_insert(0);
                    if event.seq <= *seen {
                        continue;
                    }
                    *seen = event.seq;
                    FeedEvent::Event(event)
                }
                WsServerFrame::Notification { notification } => FeedEvent::Notification(notification),
            };
            if tx.send(Ok(item)).await.is_err() {
                return Ended::Gone;
            }
        }
    }

    /// Reads the events after `feed` up to `latest` from `GET /events` (the daemon would not send
    /// that many over the socket) and yields them; `Ok(false)` when the consumer is gone.
    async fn refetch(
        &self,
        tx: &mpsc::Sender<Result<FeedEvent, Error>>,
        feed: &mut Option<i64>,
        latest: i64,
    ) -> Result<bool, Error> {
        let mut after = feed.unwrap_or(latest);
        while after < latest {
            let page = self.client.events(after, Some(1000), &[]).await?;
            let Some(last) = page.items.last().map(|e| e.seq) else { break };
            for event in page.items {
                if tx.send(Ok(FeedEvent::Feed(Box::new(event)))).await.is_err() {
                    return Ok(false);
                }
            }
            after = last;
            *feed = Some(after);
        }
        *feed = Some(after.max(latest));
        Ok(true)
    }
}
