//! One attempt at one delivery: resolve and check the target, connect to exactly the checked
//! addresses, POST the signed envelope, follow no redirect, keep the start of the answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use cairn_sdk::webhooks::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign, unix_now};

use super::config::WebhooksConfig;
use super::target::{self, Pinned};
use crate::sources::credential_key::CredentialKey;
use crate::store::{AttemptOutcome, ClaimedDelivery, now};

/// The longest excerpt of an answer kept.
pub const EXCERPT_BYTES: usize = 1024;

/// An attempt's outcome, and whether trying again could help.
#[derive(Debug)]
pub struct Sent {
    /// What to record.
    pub outcome: AttemptOutcome,
    /// The receiver accepted it (2xx).
    pub delivered: bool,
    /// Retrying cannot help (the target is refused, the secret does not open).
    pub permanent: bool,
}

/// HTTP clients by the addresses they are pinned to: building one (TLS roots included) costs far
/// more than a request, and a client pinned to the same checked addresses is the same client.
#[derive(Debug, Default)]
pub struct Clients(Mutex<HashMap<PinKey, reqwest::Client>>);

/// A client's pin: the domain and the sorted addresses it connects to.
type PinKey = (Option<String>, Vec<SocketAddr>);

/// Clients kept at most (then the cache starts again).
const CLIENTS_KEPT: usize = 256;

impl Clients {
    fn get(&self, config: &WebhooksConfig, pinned: &Pinned) -> reqwest::Result<reqwest::Client> {
        let mut addrs = pinned.addrs.clone();
        addrs.sort();
        let key = (pinned.domain.clone(), addrs);
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = map.get(&key) {
            return Ok(c.clone());
        }
        let c = client(config, pinned)?;
        if map.len() >= CLIENTS_KEPT {
            map.clear();
        }
        map.insert(key, c.clone());
        Ok(c)
    }
}

/// Sends `d` once.
pub async fn attempt(
    config: &WebhooksConfig,
    allow_private: bool,
    key: Option<&CredentialKey>,
    clients: &Clients,
    d: &ClaimedDelivery,
) -> Sent {
    let started_at = now();
    let clock = Instant::now();
    let failed = |error: String, permanent: bool| Sent {
        outcome: AttemptOutcome {
            started_at,
            status_code: None,
            latency_ms: clock.elapsed().as_millis() as u64,
            error: Some(error),
            response_excerpt: None,
        },
        delivered: false,
        permanent,
    };
    let mut secrets = Vec::with_capacity(2);
    for stored in std::iter::once(&d.secret).chain(d.previous_secret.as_ref()) {
        match super::secret::open(key, d.tenant, stored) {
            Ok(s) => secrets.push(s),
            Err(e) => return failed(e.to_string(), true),
        }
    }
    let pinned = match target::parse(&d.url) {
        Ok(url) => match target::resolve(&url, allow_private, config.timeout()).await {
            Ok(p) => p,
            Err(e @ target::TargetError::Unresolved { .. }) => return failed(e.to_string(), false),
            Err(e) => return failed(format!("target refused: {e}"), true),
        },
        Err(e) => return failed(format!("target refused: {e}"), true),
    };
    let client = match clients.get(config, &pinned) {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot build the HTTP client: {e}"), false),
    };
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = sign(&refs, unix_now(), d.payload.as_bytes());
    let request = client
        .post(pinned.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, concat!("cairnd-webhooks/", env!("CARGO_PKG_VERSION")))
        .header(SIGNATURE_HEADER, signature)
        .header(EVENT_HEADER, d.kind.as_str())
        .header(DELIVERY_HEADER, d.id.to_string())
        .body(d.payload.clone());
    let mut resp = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                format!("no answer within {} s", config.timeout().as_secs())
            } else if e.is_connect() {
                format!("cannot connect: {}", root_cause(&e))
            } else {
                root_cause(&e)
            };
            return failed(why, false);
        }
    };
    let status = resp.status();
    let location =
        resp.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut excerpt = Vec::new();
    // Read at most the excerpt; the rest of a large answer is not waited for.
    while excerpt.len() < EXCERPT_BYTES {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                excerpt.extend_from_slice(&chunk[..chunk.len().min(EXCERPT_BYTES - excerpt.len())])
            }
            Ok(None) | Err(_) => break,
        }
    }
    let latency_ms = clock.elapsed().as_millis() as u64;
    let delivered = status.is_success();
    let error = if delivered {
        None
    } else if status.is_redirection() {
        Some(format!(
            "answered {status} (redirect to {}): redirects are not followed",
            location.as_deref().unwrap_or("nowhere")
        ))
    } else {
        Some(format!("answered {status}"))
    };
    Sent {
        outcome: AttemptOutcome {
            started_at,
            status_code: Some(status.as_u16()),
            latency_ms,
            error,
            response_excerpt: (!excerpt.is_empty()).then(|| String::from_utf8_lossy(&excerpt).into_owned()),
        },
        delivered,
        permanent: false,
    }
}

/// A client that connects only to the checked addresses and follows no redirect.
fn client(config: &WebhooksConfig, pinned: &Pinned) -> reqwest::Result<reqwest::Client> {
    // reqwest is built without a default crypto provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would resolve the name again, out of our sight.
        .no_proxy()
        .timeout(config.timeout())
        .connect_timeout(config.timeout());
    if let Some(domain) = &pinned.domain {
        builder = builder.resolve_to_addrs(domain, &pinned.addrs);
    }
    builder.build()
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
