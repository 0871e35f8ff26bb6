//! CVE watches (`/cve-watches`): what a watch names and how a place in a project's results is
//! checked against it. `matcher.rs` decides a hit; `consumer.rs` is the outbox consumer that
//! records later hits with their `cve_watch.hit` events. The rows are `store/cve_watches.rs`'s.

pub mod consumer;
pub mod matcher;

pub use consumer::WatchConsumer;
pub use matcher::Matcher;
