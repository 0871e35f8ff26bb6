//! Outbound webhooks: the outbox consumer that queues a delivery per (event, matching webhook),
//! the senders that POST signed envelopes from that durable queue with retries, and the rules on
//! targets and secrets. See docs/webhooks.md for the receiver's side.

pub mod config;
pub mod consumer;
pub mod schedule;
pub mod secret;
pub mod send;
pub mod target;
pub mod worker;

use crate::state::AppState;

/// Whether this daemon may send to private, loopback and link-local targets.
pub fn allow_private(state: &AppState) -> bool {
    state.config.webhooks.allow_private_targets || state.config.local_mode
}

/// The senders of this daemon, from its state.
pub fn senders(state: &AppState) -> worker::Senders {
    worker::Senders {
        store: state.store.clone(),
        config: state.config.webhooks.clone(),
        allow_private: allow_private(state),
        key: state.git_credentials.clone(),
        wake: state.webhook_wake.clone(),
        clients: Default::default(),
    }
}
