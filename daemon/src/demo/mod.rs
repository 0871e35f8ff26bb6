//! The public CBOM demo (`POST /api/v1/cbom/demo`): anonymous scans of public GitHub repositories,
//! one per client per 24 hours, the same repository answered from a 5-minute cache, run in a
//! tenant of their own. This module holds the rules; `api/cbom_demo.rs` the route and
//! `store/cbom_demo.rs` the rows that make the limits hold across replicas and restarts.

pub mod client;
pub mod config;
pub mod repo;

pub use client::DemoClient;
pub use config::DemoConfig;
pub use repo::{DemoRepo, RepoError};

/// How long one client waits between demo scans (a cached answer is not a scan).
pub const PER_CLIENT_WINDOW: time::Duration = time::Duration::hours(24);

/// How long a repository's demo scan answers for the same repository.
pub const CACHE_WINDOW: time::Duration = time::Duration::minutes(5);
