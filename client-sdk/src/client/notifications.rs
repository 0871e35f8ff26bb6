//! The caller's notifications (`/notifications`): listed newest first, counted, marked read.

use reqwest::Method;

use super::{Client, Error, Req};
use crate::types::{Notification, NotificationId, NotificationPage, UnreadCount};

impl Client {
    /// `GET /notifications`: the caller's notifications in the current tenant, newest first,
    /// `limit` per page (1-1000; `None`: the daemon's default), unread only when `unread_only`;
    /// `cursor` is a page's `next_cursor`.
    pub async fn notifications(
        &self,
        unread_only: bool,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<NotificationPage, Error> {
        let mut q = Vec::new();
        if unread_only {
            q.push(("unread".to_owned(), "true".to_owned()));
        }
        if let Some(l) = limit {
            q.push(("limit".to_owned(), l.to_string()));
        }
        if let Some(c) = cursor {
            q.push(("cursor".to_owned(), c.to_owned()));
        }
        self.json(Req::new(Method::GET, "api/v1/notifications").query(q)).await
    }

    /// `GET /notifications/unread-count`.
    pub async fn notifications_unread_count(&self) -> Result<UnreadCount, Error> {
        self.json(Req::new(Method::GET, "api/v1/notifications/unread-count")).await
    }

    /// `POST /notifications/{id}/read`: marks one read; returns it as it is now.
    ///
    /// Errors: [`Error::Api`] 404 when it is not one of the caller's.
    pub async fn notification_read(&self, id: NotificationId) -> Result<Notification, Error> {
        self.json(Req::new(Method::POST, format!("api/v1/notifications/{id}/read"))).await
    }

    /// `POST /notifications/read-all`: marks every one read; returns the unread count after.
    pub async fn notifications_read_all(&self) -> Result<UnreadCount, Error> {
        self.json(Req::new(Method::POST, "api/v1/notifications/read-all")).await
    }
}
