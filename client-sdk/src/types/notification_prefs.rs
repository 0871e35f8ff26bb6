//! Notification preferences: per event kind, which channels notify the caller.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The events Cairn notifies about (the same names webhooks use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationEvent {
    /// A scan finished.
    ScanCompleted,
    /// A scan failed.
    ScanFailed,
    /// A new vulnerability affects a project.
    VulnerabilityFound,
    /// A policy gate failed.
    GateFailed,
    /// The vulnerability database was updated.
    VulndbUpdated,
    /// An approval changed state.
    ApprovalChanged,
}

impl NotificationEvent {
    /// Every event kind.
    pub const ALL: [NotificationEvent; 6] = [
        NotificationEvent::ScanCompleted,
        NotificationEvent::ScanFailed,
        NotificationEvent::VulnerabilityFound,
        NotificationEvent::GateFailed,
        NotificationEvent::VulndbUpdated,
        NotificationEvent::ApprovalChanged,
    ];

    /// The wire name (`scan.completed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::ScanCompleted => "scan.completed",
            NotificationEvent::ScanFailed => "scan.failed",
            NotificationEvent::VulnerabilityFound => "vulnerability.found",
            NotificationEvent::GateFailed => "gate.failed",
            NotificationEvent::VulndbUpdated => "vulndb.updated",
            NotificationEvent::ApprovalChanged => "approval.changed",
        }
    }

    /// The kind of a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// What a user gets before choosing: everything in the app; mail only for what needs action.
    pub fn default_channels(self) -> ChannelPrefs {
        let email = matches!(
            self,
            NotificationEvent::ScanFailed
                | NotificationEvent::VulnerabilityFound
                | NotificationEvent::GateFailed
        );
        ChannelPrefs { in_app: true, email }
    }
}

/// The channels of one event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelPrefs {
    /// In the dashboard's notification list.
    pub in_app: bool,
    /// By mail.
    pub email: bool,
}

/// The caller's preferences in the current tenant. Reads list every kind; a write may name a
/// subset (the others go back to their defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    /// Event kind (`scan.completed`, `scan.failed`, `vulnerability.found`, `gate.failed`,
    /// `vulndb.updated`, `approval.changed`) to channels.
    pub events: BTreeMap<String, ChannelPrefs>,
}

impl NotificationPrefs {
    /// Every kind at its default.
    pub fn defaults() -> Self {
        Self {
            events: NotificationEvent::ALL
                .into_iter()
                .map(|e| (e.as_str().to_owned(), e.default_channels()))
                .collect(),
        }
    }
}
