//! The async HTTP client: one method per endpoint, typed errors, paged lists as streams, retries
//! on 429/503 and token refresh on 401.

mod account;
mod admin;
mod catalogue;
mod cbom;
mod cve_watches;
mod endpoints;
mod error;
mod event_feed;
mod evidence;
mod feature_requests;
mod git_credentials;
mod notifications;
mod oauth;
mod paging;
mod policies;
mod project_scans;
mod project_views;
mod registry_credentials;
mod retry;
mod service;
mod triage_rules;
mod webhooks;

use std::sync::{Arc, Once, RwLock};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use account::TokenGrant;
pub use endpoints::{Download, Registered, Upload};
pub(crate) use error::api_error as api_error_from;
pub use error::{ApiError, Error, ProblemCode};
pub use oauth::{OAuthAuthorize, OAuthCallback};
pub use paging::ListQuery;
pub use retry::{RetryPolicy, retry_after};

use crate::types::{RefreshRequest, TokenResponse};

/// How the client authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A `crn_live_…` / `crn_test_…` API key.
    ApiKey(String),
    /// An interactive session: a short-lived access token and the refresh token that renews it.
    Tokens {
        /// JWT access token.
        access: String,
        /// Single-use refresh token (rotates on every refresh).
        refresh: String,
    },
}

impl std::fmt::Debug for Credential {
    // Secrets never reach logs, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::ApiKey(_) => f.write_str("ApiKey(…)"),
            Credential::Tokens { .. } => f.write_str("Tokens{…}"),
        }
    }
}

impl Credential {
    /// The bearer token sent with requests and WebSocket auth frames.
    pub fn bearer(&self) -> &str {
        match self {
            Credential::ApiKey(k) => k,
            Credential::Tokens { access, .. } => access,
        }
    }
}

/// Called with the new pair after every token refresh, so a caller can persist the rotated refresh
/// token (the old one stops working).
pub type TokenListener = Arc<dyn Fn(&TokenResponse) + Send + Sync>;

/// A client of one daemon. Cheap to clone; clones share the credential.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Always ends with `/`, so joining relative paths keeps any path prefix of the base.
    base: Url,
    credential: RwLock<Option<Credential>>,
    retry: RetryPolicy,
    tenant: Option<String>,
    on_refresh: Option<TokenListener>,
    /// Serialises refreshes: concurrent 401s must not spend the single-use refresh token twice.
    refresh_lock: tokio::sync::Mutex<()>,
    /// The cookies OAuth `authorize` set (`name=value`), sent back at the callback: the daemon
    /// binds a login's state to the client that started it.
    oauth_cookies: std::sync::Mutex<Vec<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base.as_str()).finish_non_exhaustive()
    }
}

static CRYPTO_PROVIDER: Once = Once::new();

/// rustls needs a process-wide crypto provider before any TLS client is built (reqwest is built
/// with `rustls-no-provider`); installing ring's once here keeps aws-lc out of the tree.
pub(crate) fn install_crypto_provider() {
    CRYPTO_PROVIDER.call_once(|| {
        // Err means another provider is already installed by the application: use that one.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Builds a [`Client`] with non-default settings.
pub struct ClientBuilder {
    base: String,
    credential: Option<Credential>,
    retry: RetryPolicy,
    tenant: Option<String>,
    timeout: Option<std::time::Duration>,
    connect_timeout: std::time::Duration,
    on_refresh: Option<TokenListener>,
}

/// The environment variable [`Client::from_env`] reads the daemon's URL from.
pub const ENV_URL: &str = "CAIRN_URL";
/// The environment variable [`Client::from_env`] reads the API key from.
pub const ENV_API_KEY: &str = "CAIRN_API_KEY";
/// Default overall timeout of one HTTP request (an upload or download included).
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// Default timeout to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder").field("base", &self.base).finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The credential to authenticate with.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// The retry policy (default: 3 retries, 250 ms doubling, at most 60 s per wait).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Act in this tenant (`X-Tenant`: id or slug) instead of the caller's first one.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Overall timeout per HTTP request, body included (default [`DEFAULT_TIMEOUT`], 5 min).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No overall timeout per request (connecting still times out).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Timeout to establish a connection (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Called after each token refresh with the new pair.
    pub fn on_token_refresh(mut self, listener: TokenListener) -> Self {
        self.on_refresh = Some(listener);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        install_crypto_provider();
        let mut base = Url::parse(self.base.trim()).map_err(|e| Error::Url(format!("{}: {e}", self.base)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Url(format!("{}: the scheme must be http or https", self.base)));
        }
        // Every method adds `api/v1/…` itself: a base that already says it would double it and
        // meet 404s far from the cause, so it is named here instead.
        let path = base.path().trim_end_matches('/');
        if let Some(at) = path.rfind("/api").filter(|&at| matches!(&path[at..], "/api" | "/api/v1")) {
            let mut root = base.clone();
            root.set_path(&path[..at]);
            return Err(Error::Url(format!(
                "{}: give the daemon's root URL without `{}` ({}); every method adds the API path itself",
                self.base,
                &path[at..],
                root.as_str().trim_end_matches('/')
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut http = reqwest::Client::builder()
            .user_agent(concat!("cairn-sdk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(self.connect_timeout);
        if let Some(t) = self.timeout {
            http = http.timeout(t);
        }
        let http = http.build().map_err(Error::Transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credential: RwLock::new(self.credential),
                retry: self.retry,
                tenant: self.tenant,
                on_refresh: self.on_refresh,
                refresh_lock: tokio::sync::Mutex::new(()),
                oauth_cookies: std::sync::Mutex::new(Vec::new()),
            }),
        })
    }
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    /// Raw bytes with their media type (kept shared so a retry can resend them).
    Raw {
        media_type: &'static str,
        bytes: Arc<Vec<u8>>,
    },
    /// A multipart form with one file part and text fields; kept as bytes so a retry can rebuild it.
    Multipart {
        file_name: String,
        media_type: &'static str,
        bytes: Arc<Vec<u8>>,
        fields: Vec<(String, String)>,
    },
}

/// One request before it is sent (and possibly re-sent).
#[derive(Clone)]
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    pub if_match: Option<i64>,
    pub idempotency_key: Option<String>,
    pub authenticated: bool,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            if_match: None,
            idempotency_key: None,
            authenticated: true,
        }
    }

    pub fn json<T: Serialize>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Decode {
            path: self.path.clone(),
            message: format!("cannot encode the body: {e}"),
        })?;
        self.body = Body::Json(bytes);
        Ok(self)
    }

    pub fn bytes(mut self, media_type: &'static str, bytes: Vec<u8>) -> Self {
        self.body = Body::Raw { media_type, bytes: Arc::new(bytes) };
        self
    }

    pub fn query(mut self, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    pub fn if_match(mut self, version: i64) -> Self {
        self.if_match = Some(version);
        self
    }

    /// Creating POSTs carry a fresh key, so a retry after a lost response cannot create twice.
    pub fn idempotent_create(mut self) -> Self {
        self.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        self
    }

    pub fn anonymous(mut self) -> Self {
        self.authenticated = false;
        self
    }
}

impl Client {
    /// A client of the daemon at `base_url` (e.g. `http://127.0.0.1:8440`) with a credential.
    pub fn new(base_url: &str, credential: Credential) -> Result<Self, Error> {
        Self::builder(base_url).credential(credential).build()
    }

    /// A client without a credential (health, login, register).
    pub fn anonymous(base_url: &str) -> Result<Self, Error> {
        Self::builder(base_url).build()
    }

    /// A builder for non-default settings.
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base: base_url.to_owned(),
            credential: None,
            retry: RetryPolicy::default(),
            tenant: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            on_refresh: None,
        }
    }

    /// A client of the daemon at `$CAIRN_URL` with the API key in `$CAIRN_API_KEY`, as a CI job
    /// has them. A missing or empty variable is an [`Error::Env`] naming it.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::builder_from_env()?.build()
    }

    /// [`Client::from_env`]'s settings as a builder, to change more before building.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        Self::builder_from_vars(|name| std::env::var(name).ok())
    }

    /// The builder from a variable lookup (the environment in [`Client::builder_from_env`]).
    fn builder_from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        let get = |name: &'static str| {
            var(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(Error::Env { var: name, reason: "is not set (or empty)" })
        };
        let url = get(ENV_URL)?;
        let key = get(ENV_API_KEY)?;
        Ok(Self::builder(&url).credential(Credential::ApiKey(key.trim().to_owned())))
    }

    /// The daemon's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The credential in use now (after any refresh).
    pub fn credential(&self) -> Option<Credential> {
        self.inner.credential.read().map(|c| c.clone()).unwrap_or(None)
    }

    /// Replaces the credential.
    pub fn set_credential(&self, credential: Option<Credential>) {
        if let Ok(mut c) = self.inner.credential.write() {
            *c = credential;
        }
    }

    /// The absolute URL of an API path such as `api/v1/projects` (no leading slash).
    pub fn url(&self, path: &str) -> Result<Url, Error> {
        self.inner.base.join(path.trim_start_matches('/')).map_err(|e| Error::Url(format!("{path}: {e}")))
    }

    fn build(&self, req: &Req) -> Result<reqwest::RequestBuilder, Error> {
        let url = self.url(&req.path)?;
        let mut rb = self.inner.http.request(req.method.clone(), url);
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        let mut headers = HeaderMap::new();
        if req.authenticated
            && let Some(cred) = self.credential()
        {
            let value = HeaderValue::from_str(&format!("Bearer {}", cred.bearer()))
                .map_err(|_| Error::Credential("the credential contains characters a header cannot carry"))?;
            headers.insert(AUTHORIZATION, value);
        }
        if let Some(t) = &self.inner.tenant
            && let Ok(v) = HeaderValue::from_str(t)
        {
            headers.insert("x-tenant", v);
        }
        if let Some(v) = req.if_match
            && let Ok(v) = HeaderValue::from_str(&format!("\"{v}\""))
        {
            headers.insert(reqwest::header::IF_MATCH, v);
        }
        if let Some(k) = &req.idempotency_key
            && let Ok(v) = HeaderValue::from_str(k)
        {
            headers.insert("idempotency-key", v);
        }
        rb = rb.headers(headers);
        rb = match &req.body {
            Body::None => rb,
            Body::Json(bytes) => {
                rb.header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes.clone())
            }
            Body::Raw { media_type, bytes } => {
                rb.header(reqwest::header::CONTENT_TYPE, *media_type).body(bytes.as_ref().clone())
            }
            Body::Multipart { file_name, media_type, bytes, fields } => {
                let part = reqwest::multipart::Part::bytes(bytes.as_ref().clone())
                    .file_name(file_name.clone())
                    .mime_str(media_type)
                    .map_err(Error::Transport)?;
                let mut form = reqwest::multipart::Form::new().part("file", part);
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                rb.multipart(form)
            }
        };
        Ok(rb)
    }

    /// Sends with retries and refresh; returns a 2xx response or the typed error.
    pub(crate) async fn send(&self, req: Req) -> Result<reqwest::Response, Error> {
        let repeatable =
            retry::repeatable(&req.method, req.idempotency_key.is_some(), req.if_match.is_some());
        let policy = self.inner.retry;
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            let sent_with = self.credential();
            let result = self.build(&req)?.send().await;
            let resp = match result {
                Ok(r) => r,
                Err(e)
                    if repeatable && attempt < policy.max_retries && (e.is_connect() || e.is_timeout()) =>
                {
                    tracing::debug!(error = %e, attempt, "transport error; retrying");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(Error::Transport(e)),
            };
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            if status == StatusCode::UNAUTHORIZED
                && req.authenticated
                && !refreshed
                && matches!(sent_with, Some(Credential::Tokens { .. }))
            {
                refreshed = true;
                self.refresh_if_unchanged(sent_with.as_ref()).await?;
                continue;
            }
            if let Some(wait) = policy.wait_for_status(status.as_u16(), resp.headers(), attempt, repeatable) {
                tracing::debug!(
                    status = status.as_u16(),
                    ?wait,
                    attempt,
                    "rate limited or unavailable; retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            let wait = retry_after(resp.headers());
            let body = resp.bytes().await.map_err(Error::Transport)?;
            return Err(error::api_error(status.as_u16(), wait, &body));
        }
    }

    /// Refreshes the token pair unless another task already did since `seen` was read.
    async fn refresh_if_unchanged(&self, seen: Option<&Credential>) -> Result<(), Error> {
        let _guard = self.inner.refresh_lock.lock().await;
        if self.credential().as_ref() != seen {
            return Ok(());
        }
        self.refresh().await.map(|_| ())
    }

    /// Trades the held refresh token for a new pair (`POST /auth/refresh`) and keeps it.
    pub async fn refresh(&self) -> Result<TokenResponse, Error> {
        let Some(Credential::Tokens { refresh, .. }) = self.credential() else {
            return Err(Error::Credential(
                "refresh needs a session (access and refresh tokens), not an API key",
            ));
        };
        let req = Req::new(Method::POST, "api/v1/auth/refresh")
            .anonymous()
            .json(&RefreshRequest { refresh_token: refresh })?;
        // Sent once, outside `send`: a refresh must not itself trigger a refresh.
        let resp = self.build(&req)?.send().await.map_err(Error::Transport)?;
        let status = resp.status().as_u16();
        let wait = retry_after(resp.headers());
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        if !(200..300).contains(&status) {
            return Err(error::api_error(status, wait, &bytes));
        }
        let tokens: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Decode { path: "api/v1/auth/refresh".into(), message: e.to_string() })?;
        self.set_credential(Some(Credential::Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
        }));
        if let Some(listener) = &self.inner.on_refresh {
            listener(&tokens);
        }
        Ok(tokens)
    }

    /// Sends and decodes a JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, req: Req) -> Result<T, Error> {
        let path = req.path.clone();
        let resp = self.send(req).await?;
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Decode { path, message: e.to_string() })
    }

    /// Sends and expects no body (204).
    pub(crate) async fn empty(&self, req: Req) -> Result<(), Error> {
        self.send(req).await.map(|_| ())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        let e = Client::builder_from_vars(vars(&[("CAIRN_API_KEY", "crn_live_x")])).unwrap_err();
        assert!(matches!(e, Error::Env { var: "CAIRN_URL", .. }), "{e}");
        let e = Client::builder_from_vars(vars(&[("CAIRN_URL", "http://h:1"), ("CAIRN_API_KEY", " ")]))
            .unwrap_err();
        assert_eq!(e.to_string(), "CAIRN_API_KEY is not set (or empty)");
        let c = Client::builder_from_vars(vars(&[("CAIRN_URL", "http://h:1"), ("CAIRN_API_KEY", "k")]))
            .and_then(ClientBuilder::build)
            .expect("client");
        assert_eq!(c.base_url().as_str(), "http://h:1/");
        assert_eq!(c.credential(), Some(Credential::ApiKey("k".into())));
    }

    #[test]
    fn a_base_url_with_the_api_path_is_named() {
        for base in ["http://h:8440/api/v1", "http://h:8440/api/v1/", "https://h/cairn/api"] {
            let e = Client::anonymous(base).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("without `/api"), "{text}");
        }
        let e = Client::anonymous("http://h:8440/cairn/api/v1").unwrap_err().to_string();
        assert!(e.contains("(http://h:8440/cairn)"), "{e}");
        assert!(Client::anonymous("http://h:8440/cairn/").is_ok(), "a path prefix stays allowed");
    }
}
