//! `AppState`: what every handler can reach (store, config, keys, limiters, metrics).

use std::sync::Arc;

use crate::api::metrics::Metrics;
use crate::api::rate_limit::RateLimiters;
use crate::api::ws::Sockets;
use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::jobs::Jobs;
use crate::sources::credential_key::CredentialKey;
use crate::store::Store;
use crate::vulndb::VulnDb;

/// Shared, cheaply cloned state.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Settings.
    pub config: Arc<Config>,
    /// Access-token keys.
    pub jwt: Arc<JwtKeys>,
    /// Per-client rate limiters.
    pub limits: Arc<RateLimiters>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The vulnerability data scans match against.
    pub vulndb: Arc<VulnDb>,
    /// The scan queue's bus, wake-up and cancel flags.
    pub jobs: Arc<Jobs>,
    /// Open WebSockets per user (at most three each).
    pub sockets: Arc<Sockets>,
    /// The key sealing tenants' git credentials; `None` = none can be stored or used.
    pub git_credentials: Option<Arc<CredentialKey>>,
    /// Wakes this replica's webhook senders (deliveries were queued).
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Outgoing mail: the outbox queue and its transport.
    pub mailer: crate::mail::Mailer,
}
