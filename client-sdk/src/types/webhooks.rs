//! Outbound webhooks: a tenant's HTTP receivers of its events, and the deliveries sent to them.
//! The secret that signs the bodies is shown once, when it is made, and never returned again.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{EventId, EventKind, ProjectId, Severity, UserId, WebhookDeliveryId, WebhookId};

/// A webhook as the API shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Id.
    pub id: WebhookId,
    /// Where bodies are POSTed.
    pub url: String,
    /// The event kinds it receives.
    pub events: Vec<EventKind>,
    /// Only events of these projects (`None`: every project, and events of none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<ProjectId>>,
    /// Only events of at least this severity (`None`: any, events without one included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// `false` after `unhealthy_after` deliveries in a row failed for good; the next
    /// successful delivery (a ping, a redelivery) makes it healthy again. Deliveries continue
    /// either way.
    pub healthy: bool,
    /// Deliveries in a row that failed for good.
    pub consecutive_failures: u32,
    /// While set, bodies carry a second signature made with the previous secret (after
    /// `rotate-secret`), until this time.
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub previous_secret_until: Option<OffsetDateTime>,
    /// Optimistic-concurrency version (bumped by each change).
    pub version: i64,
    /// When it was made.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
    /// Who made it (`None` once that account is gone).
    pub created_by: Option<UserId>,
}

/// `POST /webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// `http://` or `https://` URL; private, loopback and link-local targets are refused unless
    /// the daemon allows them (`[webhooks] allow_private_targets`).
    pub url: String,
    /// Event kinds to receive (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub events: Vec<EventKind>,
    /// Only events of these projects (1 to 100; absent: every project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub projects: Option<Vec<ProjectId>>,
    /// Only events of at least this severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// The signing secret (16 to 256 printable ASCII characters, no spaces); generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 16, max_length = 256, pattern = r"^[!-~]+$"))]
    pub secret: Option<String>,
}

/// `PUT /webhooks/{id}`: the webhook's new settings, all of them (the secret changes only
/// through `rotate-secret`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    /// Where bodies are POSTed.
    pub url: String,
    /// Event kinds to receive (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub events: Vec<EventKind>,
    /// Only events of these projects (1 to 100; absent: every project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub projects: Option<Vec<ProjectId>>,
    /// Only events of at least this severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
}

/// The answer to `POST /webhooks`: the webhook and its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The webhook.
    pub webhook: Webhook,
    /// The signing secret; not retrievable later.
    pub secret: String,
}

/// The answer to `POST /webhooks/{id}/rotate-secret`: the new secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedWebhookSecret {
    /// The webhook after the rotation.
    pub webhook: Webhook,
    /// The new signing secret; not retrievable later.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    /// A replica is sending it now.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed and the retry period is over (or the target is refused).
    Failed,
}

impl DeliveryState {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The state named `word`, if any.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "pending" => Self::Pending,
            "sending" => Self::Sending,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// One attempt at sending a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    /// 1 for the first.
    pub attempt: u32,
    /// When it started.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub started_at: OffsetDateTime,
    /// The receiver's HTTP status (`None`: no answer, see `error`).
    pub status_code: Option<u16>,
    /// Milliseconds from sending to the answer (or the failure).
    pub latency_ms: u64,
    /// Why it failed (`None` when the receiver answered 2xx).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The start of the receiver's answer (at most 1 KiB, lossy UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_excerpt: Option<String>,
}

/// One event (or ping) queued for one webhook, with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// Id, sent as `Cairn-Delivery` on every attempt.
    pub id: WebhookDeliveryId,
    /// The webhook.
    pub webhook: WebhookId,
    /// The event delivered (the body's `id`, receivers' idempotency key).
    pub event: EventId,
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Where it stands.
    pub state: DeliveryState,
    /// When the next attempt is due (pending only).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When the receiver accepted it.
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delivered_at: Option<OffsetDateTime>,
    /// When it was queued.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Its attempts, oldest first (the latest 50).
    pub attempts: Vec<DeliveryAttempt>,
}

/// The answer to `POST /webhooks/{id}/ping` and `…/redeliver`: the queued delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedDelivery {
    /// The delivery (a redelivery is a new one carrying the same event).
    pub id: WebhookDeliveryId,
    /// The event it carries.
    pub event: EventId,
}
