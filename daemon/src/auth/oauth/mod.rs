//! OAuth 2 / OpenID Connect login: the provider protocols (generic OIDC, GitHub, GitLab), PKCE,
//! and what a finished exchange tells us about the person (`ExternalIdentity`).
//!
//! No SQL and no HTTP routing here: `api/oauth.rs` stores the pending request and decides which
//! account logs in; this module only talks to providers.

pub mod browser;
mod cache;
pub mod config;
mod github;
pub mod http;
mod oidc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub use config::{OAuthConfig, ProviderConfig, ProviderKind};

use super::secrets::random_alphanumeric;

/// Largest provider response read (discovery, keys, tokens, user info are all small).
const MAX_RESPONSE: usize = 1024 * 1024;

/// Why a login through a provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The provider answered with an error, or with something unusable, or not at all.
    #[error("{0}")]
    Provider(String),
    /// The ID token did not verify (signature, issuer, audience, expiry or nonce).
    #[error("{0}")]
    IdToken(String),
    /// The daemon cannot make requests at all.
    #[error("{0}")]
    Client(String),
}

/// The person the provider vouches for.
#[derive(Debug, Clone)]
pub struct ExternalIdentity {
    /// The provider's stable account id.
    pub subject: String,
    /// Their email, if shared.
    pub email: Option<String>,
    /// Whether the provider verified that email.
    pub email_verified: bool,
    /// A display name, if shared.
    pub name: Option<String>,
}

/// The secrets of one authorization request, kept server-side until the callback.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The `state` parameter (stored hashed).
    pub state: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The OIDC nonce.
    pub nonce: String,
}

impl Pending {
    /// Fresh random values.
    pub fn new() -> Self {
        Self {
            state: random_alphanumeric(43),
            verifier: random_alphanumeric(64),
            nonce: random_alphanumeric(32),
        }
    }
}

impl Default for Pending {
    fn default() -> Self {
        Self::new()
    }
}

/// The S256 PKCE challenge of a verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The callback URL registered for `p`.
pub fn redirect_url(cfg: &OAuthConfig, p: &ProviderConfig) -> String {
    match (&p.redirect_url, &cfg.public_url) {
        (Some(url), _) => url.clone(),
        (None, Some(base)) => format!("{}/api/v1/auth/oauth/{}/callback", base.trim_end_matches('/'), p.name),
        // `OAuthConfig::finish` refuses this combination at start-up.
        (None, None) => format!("/api/v1/auth/oauth/{}/callback", p.name),
    }
}

/// Where to send the browser to start a login.
pub async fn authorize_url(
    cfg: &OAuthConfig,
    p: &ProviderConfig,
    pending: &Pending,
) -> Result<String, OAuthError> {
    let challenge = pkce_challenge(&pending.verifier);
    let redirect = redirect_url(cfg, p);
    match p.kind {
        ProviderKind::Github => Ok(github::authorize_url(p, &redirect, &pending.state, &challenge)),
        ProviderKind::Oidc | ProviderKind::Gitlab => {
            let d = oidc::discover(cfg, p).await?;
            oidc::authorize_url(&d, p, &redirect, pending, &challenge)
        }
    }
}

/// Trades the callback's `code` for the identity it stands for.
pub async fn exchange(
    cfg: &OAuthConfig,
    p: &ProviderConfig,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<ExternalIdentity, OAuthError> {
    let redirect = redirect_url(cfg, p);
    match p.kind {
        ProviderKind::Github => github::exchange(cfg, p, code, verifier, &redirect).await,
        ProviderKind::Oidc | ProviderKind::Gitlab => {
            let d = oidc::discover(cfg, p).await?;
            oidc::exchange(cfg, p, &d, code, verifier, nonce, &redirect).await
        }
    }
}

/// Parses `url`, refusing what the configuration does not allow (plain http off loopback).
fn endpoint(cfg: &OAuthConfig, what: &str, url: &str) -> Result<reqwest::Url, OAuthError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| OAuthError::Provider(format!("the provider's {what} {url:?}: {e}")))?;
    if !config::url_allowed(&parsed, cfg.allow_insecure_loopback) {
        return Err(OAuthError::Provider(format!("the provider's {what} {url:?} is not https://")));
    }
    Ok(parsed)
}

/// Sends `req`, reads at most `MAX_RESPONSE` bytes and parses JSON. A non-2xx answer becomes a
/// `Provider` error quoting the OAuth `error` / `error_description` when present.
async fn send_json<T: DeserializeOwned>(req: reqwest::RequestBuilder, what: &str) -> Result<T, OAuthError> {
    let mut resp = req.send().await.map_err(|e| OAuthError::Provider(format!("{what}: {}", describe(&e))))?;
    let status = resp.status();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| OAuthError::Provider(format!("{what}: {e}")))? {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(OAuthError::Provider(format!("{what}: the response exceeds {MAX_RESPONSE} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(OAuthError::Provider(format!("{what}: HTTP {status}{}", oauth_error_text(&body))));
    }
    serde_json::from_slice(&body)
        .map_err(|e| OAuthError::Provider(format!("{what}: unexpected response: {e}")))
}

/// `: error: description` from an OAuth error body, or nothing.
fn oauth_error_text(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match (v["error"].as_str(), v["error_description"].as_str()) {
        (Some(e), Some(d)) => format!(": {}: {}", clip(e), clip(d)),
        (Some(e), None) => format!(": {}", clip(e)),
        _ => String::new(),
    }
}

/// Provider text quoted in our errors is bounded.
fn clip(s: &str) -> String {
    s.chars().take(300).collect()
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        e.to_string()
    }
}

fn client() -> Result<&'static reqwest::Client, OAuthError> {
    http::client().map_err(OAuthError::Client)
}

fn default_scopes(p: &ProviderConfig, fallback: &[&str]) -> String {
    match &p.scopes {
        Some(s) => s.join(" "),
        None => fallback.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn oauth_error_bodies_are_quoted() {
        assert_eq!(
            oauth_error_text(br#"{"error":"invalid_grant","error_description":"PKCE failed"}"#),
            ": invalid_grant: PKCE failed"
        );
        assert_eq!(oauth_error_text(b"<html>"), "");
    }
}
