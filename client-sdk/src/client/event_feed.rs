//! The tenant's event stream read by `seq` (`GET /events`): what a script polls, and what a
//! watcher reads to catch up on what it missed.

use reqwest::Method;

use super::{Client, Error, Req};
use crate::types::{EventFeed, EventKind};

impl Client {
    /// `GET /events`: the tenant's events with `seq > after`, oldest first, at most `limit`
    /// (1-1000; `None`: the daemon's default), only `kinds` when not empty.
    pub async fn events(
        &self,
        after: i64,
        limit: Option<u32>,
        kinds: &[EventKind],
    ) -> Result<EventFeed, Error> {
        let mut q = vec![("after".to_owned(), after.to_string())];
        if let Some(l) = limit {
            q.push(("limit".to_owned(), l.to_string()));
        }
        if !kinds.is_empty() {
            let list: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            q.push(("type".to_owned(), list.join(",")));
        }
        self.json(Req::new(Method::GET, "api/v1/events").query(q)).await
    }
}
