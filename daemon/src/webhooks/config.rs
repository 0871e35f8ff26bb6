//! `[webhooks]`: which targets deliveries may reach, the retry schedule and when a webhook turns
//! unhealthy.

use std::time::Duration;

use serde::Deserialize;

/// The `[webhooks]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Allow targets on private, loopback and link-local addresses (env
    /// `CAIRN_WEBHOOKS_ALLOW_PRIVATE_TARGETS`); local mode always does.
    pub allow_private_targets: bool,
    /// The first retry's delay in milliseconds; each next one doubles, plus up to 25 % jitter.
    pub retry_base_ms: u64,
    /// The longest delay between two attempts, in seconds.
    pub retry_max_delay_secs: u64,
    /// How long after queueing a delivery is retried before it fails for good, in seconds.
    pub retry_for_secs: u64,
    /// Deliveries in a row that fail for good before the webhook is marked unhealthy.
    pub unhealthy_after: u32,
    /// How long the previous secret still signs after `rotate-secret`, in seconds.
    pub rotation_grace_secs: u64,
    /// Deliveries this replica sends at once; 0 = this replica sends none (API only).
    pub senders: usize,
    /// Seconds a receiver gets to answer.
    pub timeout_secs: u64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            retry_base_ms: 30_000,
            retry_max_delay_secs: 3_600,
            retry_for_secs: 24 * 3_600,
            unhealthy_after: 5,
            rotation_grace_secs: 24 * 3_600,
            senders: 8,
            timeout_secs: 10,
        }
    }
}

impl WebhooksConfig {
    /// The receiver's time limit.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }

    /// How long a sender holds a claimed delivery: the time limit plus a margin, so a live
    /// sender never loses its lease and a dead one's delivery comes back soon.
    pub fn lease(&self) -> Duration {
        self.timeout() * 2 + Duration::from_secs(5)
    }
}
