//! Where a queued mail stands (the admin outbox shows it for each mail).

use serde::{Deserialize, Serialize};

/// The delivery state of one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Waiting for its first or next attempt (`last_error` says why an earlier one failed).
    Queued,
    /// Handed to the SMTP server or written to the pickup directory.
    Sent,
    /// Given up after the retry period, or its one-time secret expired first; `last_error` says
    /// why. It stays in the outbox.
    Failed,
    /// No transport is configured (`[mail] smtp` or `pickup_dir`): the mail was only recorded.
    NotSent,
}

impl MailState {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Queued => "queued",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
            MailState::NotSent => "not_sent",
        }
    }
}
