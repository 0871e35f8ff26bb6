//! Notifications: one per user and event the user's preferences subscribe to, unread until read.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{EventId, EventKind, NotificationId, ProjectId, Severity};

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// The event's kind.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The event it was made from.
    pub event: EventId,
    /// The project the event concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectId>,
    /// The event's severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// One line saying what happened.
    pub title: String,
    /// The event's payload (see [`super::Event::data`]).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// When it was made.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When the user read it; null while unread.
    #[serde(default, with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<OffsetDateTime>,
}

/// A page of notifications, newest first.
pub type NotificationPage = super::Page<Notification>;

/// How many notifications are unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    /// Unread notifications of the caller in the current tenant.
    pub unread: i64,
}
