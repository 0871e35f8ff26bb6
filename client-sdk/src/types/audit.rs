//! Audit log and outbox wire types (operators only).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::MailState;
use super::time_fmt::{rfc3339, rfc3339_opt};

/// One row of the append-only, hash-chained audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the chain (1, 2, …).
    pub seq: i64,
    /// Id.
    pub id: String,
    /// Tenant the action happened in, when any.
    pub tenant_id: Option<String>,
    /// Acting user, when known (a failed login has none).
    pub actor_user_id: Option<String>,
    /// API key used, when any.
    pub actor_api_key_id: Option<String>,
    /// What happened, e.g. `project.create`, `auth.login_failed`.
    pub action: String,
    /// Kind of object, e.g. `project`.
    pub object_type: String,
    /// The object, when it has an id.
    pub object_id: Option<String>,
    /// Extra facts as a JSON object (never secrets).
    pub detail: serde_json::Value,
    /// Request that caused it.
    pub request_id: Option<String>,
    /// When.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Hash of the previous row (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this row's canonical content.
    pub hash: String,
}

/// Result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Every link holds.
    pub ok: bool,
    /// Rows checked.
    pub checked: i64,
    /// The first row whose link or hash is wrong.
    pub first_broken_seq: Option<i64>,
    /// Why it is broken.
    pub reason: Option<String>,
}

/// A mail the daemon queued, with where its delivery stands. The body never holds the one-time
/// secret a mail carries (a reset or registration token): only the recipient's copy does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    /// Id.
    pub id: String,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Where its delivery stands.
    pub state: MailState,
    /// Delivery attempts made so far.
    pub attempts: u32,
    /// Why the latest attempt failed (or why none was made), when it did.
    pub last_error: Option<String>,
    /// When it was delivered.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<OffsetDateTime>,
    /// When the next attempt is due (queued mails only).
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_attempt_at: Option<OffsetDateTime>,
}
