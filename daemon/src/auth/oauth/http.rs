//! The one HTTP client cairnd uses to talk to identity providers: rustls on ring, timeouts, no
//! redirects (a provider endpoint that redirects is misconfigured, and following could leak the
//! client secret to another host).

use std::sync::OnceLock;
use std::time::Duration;

static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();

/// The shared client (built on first use).
pub fn client() -> Result<&'static reqwest::Client, String> {
    CLIENT.get_or_init(build).as_ref().map_err(Clone::clone)
}

fn build() -> Result<reqwest::Client, String> {
    // reqwest's `rustls-no-provider` panics without a process-wide provider; an error here only
    // means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("cairnd/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}
