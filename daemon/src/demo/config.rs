//! `[cbom_demo]`: whether the public demo is on, and what stands in for GitHub in tests.

use serde::Deserialize;

/// The `[cbom_demo]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// Serve `POST /api/v1/cbom/demo` (anonymous scans); off by default.
    pub enabled: bool,
    /// Seconds a demo request waits for its scan to end before answering 202 (ask again: the
    /// cached scan answers).
    pub wait_secs: u64,
    /// FOR TESTS ONLY: the base a demo repository URL must start with instead of
    /// `https://github.com` (a `file://` directory or a loopback `http://` server standing in for
    /// GitHub; the usual `[sources]` rules still apply to it). Unset in production.
    pub test_repo_base: Option<String>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self { enabled: false, wait_secs: 60, test_repo_base: None }
    }
}
