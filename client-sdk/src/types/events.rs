//! Events: what happened in a tenant (a scan ended, a finding appeared, …), in the order it was
//! committed. One envelope for the events list, `/ws/events`, notifications and webhook bodies.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{EventId, ProjectId, ScanId, ScanStatus, Severity, SeverityCounts, TenantId};

/// The version of the envelope's shape; bumped only on an incompatible change.
pub const EVENT_ENVELOPE_VERSION: u32 = 1;

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub enum EventKind {
    /// A scan completed; its results are readable.
    #[serde(rename = "scan.completed")]
    ScanCompleted,
    /// A scan failed.
    #[serde(rename = "scan.failed")]
    ScanFailed,
    /// A finding appeared in a project's latest results (a scan, or a re-match on new data).
    /// `vulnerability.found` is accepted as its other name.
    #[serde(rename = "finding.new", alias = "vulnerability.found")]
    FindingNew,
    /// A finding left a project's latest results (fixed, or the advisory withdrawn or changed).
    #[serde(rename = "finding.resolved")]
    FindingResolved,
    /// A finding's triage changed.
    #[serde(rename = "finding.triaged")]
    FindingTriaged,
    /// A policy gate failed.
    #[serde(rename = "gate.failed")]
    GateFailed,
    /// A CVE watch matched.
    #[serde(rename = "cve_watch.hit")]
    CveWatchHit,
    /// Vulnerability data changed (import, update, removal).
    #[serde(rename = "vulndb.updated")]
    VulndbUpdated,
    /// An approval (exception) changed state.
    #[serde(rename = "approval.changed")]
    ApprovalChanged,
    /// A webhook turned unhealthy: `[webhooks] unhealthy_after` deliveries in a row failed for
    /// good ([`WebhookUnhealthyData`]). Notifies the tenant's admins and owners only.
    #[serde(rename = "webhook.unhealthy")]
    WebhookUnhealthy,
    /// A test delivery from `POST /webhooks/{id}/ping`: only ever a webhook body, never in the
    /// event stream.
    #[serde(rename = "webhook.ping")]
    WebhookPing,
    /// A kind a newer daemon sends that this SDK does not know.
    #[serde(other, rename = "unknown")]
    Unknown,
}

impl EventKind {
    /// Every kind this SDK knows (not [`EventKind::Unknown`]).
    pub const ALL: [EventKind; 10] = [
        EventKind::ScanCompleted,
        EventKind::ScanFailed,
        EventKind::FindingNew,
        EventKind::FindingResolved,
        EventKind::FindingTriaged,
        EventKind::GateFailed,
        EventKind::CveWatchHit,
        EventKind::VulndbUpdated,
        EventKind::ApprovalChanged,
        EventKind::WebhookUnhealthy,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ScanCompleted => "scan.completed",
            EventKind::ScanFailed => "scan.failed",
            EventKind::FindingNew => "finding.new",
            EventKind::FindingResolved => "finding.resolved",
            EventKind::FindingTriaged => "finding.triaged",
            EventKind::GateFailed => "gate.failed",
            EventKind::CveWatchHit => "cve_watch.hit",
            EventKind::VulndbUpdated => "vulndb.updated",
            EventKind::ApprovalChanged => "approval.changed",
            EventKind::WebhookUnhealthy => "webhook.unhealthy",
            EventKind::WebhookPing => "webhook.ping",
            EventKind::Unknown => "unknown",
        }
    }

    /// Parses a wire name (`vulnerability.found` included), `None` for an unknown one.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl std::str::FromStr for EventKind {
    type Err = super::UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "vulnerability.found" => Ok(EventKind::FindingNew),
            _ => <EventKind as super::WireWord>::from_word(s),
        }
    }
}

/// One event. `id` is unique and stable (receivers dedupe on it); `seq` orders a tenant's events
/// without gaps, so a reader that remembers the last `seq` it saw can ask for what it missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// The envelope's shape version ([`EVENT_ENVELOPE_VERSION`]).
    pub version: u32,
    /// Unique id.
    pub id: EventId,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Position in the tenant's event stream (1, 2, 3, … without gaps).
    pub seq: i64,
    /// The tenant it happened in.
    pub tenant: TenantId,
    /// When it was committed.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// The project it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectId>,
    /// The highest severity it carries (finding events), for severity filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The kind's payload: [`ScanEventData`] for `scan.*`, [`FindingEventData`] for `finding.*`;
    /// each other kind documents its own.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

impl Event {
    /// The payload read as `T` (the type the kind documents).
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}

/// The payload of `scan.completed` and `scan.failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanEventData {
    /// The scan.
    pub scan: ScanId,
    /// How it ended.
    pub status: ScanStatus,
    /// Findings by severity (completed scans that were matched against vulnerability data;
    /// absent when there was none: not looked, which is not zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severities: Option<SeverityCounts>,
    /// Why it failed (failed scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A slice of a tenant's event stream (`GET /events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFeed {
    /// Events with `seq` greater than the request's `after`, oldest first.
    pub items: Vec<Event>,
    /// The tenant's latest `seq` when this was read: nothing more to fetch while the last item's
    /// `seq` (or `after`, when `items` is empty) equals it.
    pub latest_seq: i64,
}

/// The payload of `finding.new`, `finding.resolved` and `finding.triaged`: which advisory on
/// which package of which project's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingEventData {
    /// The finding (`GET /findings/{id}`); for `finding.resolved`, the last finding that had it.
    pub finding: String,
    /// The scan whose results it is in (or left).
    pub scan: ScanId,
    /// The advisory (OSV id).
    pub advisory: String,
    /// Its other ids (CVE, GHSA, …).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The affected component's purl.
    pub purl: String,
    /// Its severity.
    pub severity: Severity,
    /// The nearest fixed version, when the data names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The triage state now (`finding.triaged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<super::TriageState>,
    /// Why it changed, in words (`fixed in the new scan`, `advisory withdrawn`, `by rule R`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The payload of `vulndb.updated`: one source's data changed (imported, updated or removed),
/// and every project's latest results are re-matched against the new generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VulndbUpdatedData {
    /// The source's name.
    pub source: String,
    /// Its records now (0 when it was removed).
    pub records: u64,
    /// Whether the source was removed.
    #[serde(default)]
    pub removed: bool,
    /// The data generation the change made current (findings re-matched against it name it).
    pub generation: String,
}

/// The payload of `webhook.unhealthy`: which webhook, and the failure that tipped it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookUnhealthyData {
    /// The webhook.
    pub webhook: super::WebhookId,
    /// Its URL's origin (`https://hooks.example.com`; the path, which may hold a token, left out).
    pub url: String,
    /// Deliveries in a row that failed for good.
    pub consecutive_failures: u32,
    /// The last attempt's error (`answered 500 Internal Server Error`, a refused target, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl EventKind {
    /// Whether only the tenant's admins and owners are notified of it (webhook health is theirs
    /// to act on).
    pub fn admins_only(self) -> bool {
        matches!(self, EventKind::WebhookUnhealthy)
    }
}
