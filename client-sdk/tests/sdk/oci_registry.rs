//! A registry the tests serve on 127.0.0.1: the OCI Distribution API's pull side
//! (`/v2/<repo>/manifests/<ref>`, `/v2/<repo>/blobs/<digest>`) over the files of an OCI image
//! layout, with anonymous, basic or bearer-token authentication (`/token` answering the
//! challenge), blobs optionally redirected to a second server (a CDN stand-in that records the
//! `Authorization` it was sent), a blob optionally served tampered and a manifest optionally
//! stated under another digest. Shared by path with the
//! daemon suite.

#![allow(dead_code)]

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How the registry wants clients to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Anonymous,
    Basic { user: String, password: String },
    Bearer { user: String, password: String },
}

/// What the tests change about the registry.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub auth: Auth,
    /// Serve this blob with one byte changed.
    pub tamper: Option<String>,
    /// Redirect blob requests to the CDN server.
    pub redirect_blobs: bool,
    /// State a `Docker-Content-Digest` other than the manifest's.
    pub wrong_manifest_digest: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs { auth: Auth::Anonymous, tamper: None, redirect_blobs: false, wrong_manifest_digest: false }
    }
}

const TOKEN: &str = "registry-test-token-0f3c";

struct Inner {
    repo: String,
    /// Tag or digest → (media type, bytes); a tag can be added or moved while serving.
    manifests: Mutex<HashMap<String, (String, Vec<u8>)>>,
    blobs: Mutex<HashMap<String, Vec<u8>>>,
    knobs: Knobs,
    base: String,
    cdn: String,
    /// The `Authorization` header each CDN request carried.
    cdn_auth: Mutex<Vec<Option<String>>>,
    /// Requests that reached the registry (path), in order.
    requests: Mutex<Vec<String>>,
}

/// A running registry.
pub struct Registry {
    inner: Arc<Inner>,
    /// `127.0.0.1:<port>`.
    pub host: String,
    /// The CDN's address.
    pub cdn: SocketAddr,
}

impl Registry {
    /// Serves the OCI layout at `layout` as repository `repo`, its index's manifests tagged
    /// `tag` (the index itself) and every manifest reachable by digest.
    pub async fn serve(layout: &Path, repo: &str, tag: &str, knobs: Knobs) -> Registry {
        let (manifests, blobs) = (Mutex::new(HashMap::new()), Mutex::new(HashMap::new()));
        load_layout(&manifests, &blobs, layout, tag);
        let registry = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let cdn = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (addr, cdn_addr) = (registry.local_addr().expect("addr"), cdn.local_addr().expect("addr"));
        let inner = Arc::new(Inner {
            repo: repo.to_owned(),
            manifests,
            blobs,
            knobs,
            base: format!("http://{addr}"),
            cdn: format!("http://{cdn_addr}"),
            cdn_auth: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/v2/", get(|| async { StatusCode::OK }))
            .route("/v2/{*rest}", get(v2))
            .route("/token", get(token))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(registry, app).await });
        let cdn_app = Router::new().route("/cdn/{digest}", get(cdn_blob)).with_state(inner.clone());
        tokio::spawn(async move { axum::serve(cdn, cdn_app).await });
        Registry { inner, host: addr.to_string(), cdn: cdn_addr }
    }

    /// Serves the OCI layout at `layout` too, its index tagged `tag` (a tag already served moves
    /// to it, as a push of a new image under an old tag does).
    pub fn tag(&self, layout: &Path, tag: &str) {
        load_layout(&self.inner.manifests, &self.inner.blobs, layout, tag);
    }

    /// The `Authorization` headers the CDN saw.
    pub fn cdn_auth(&self) -> Vec<Option<String>> {
        self.inner.cdn_auth.lock().expect("lock").clone()
    }

    /// The paths requested from the registry.
    pub fn requests(&self) -> Vec<String> {
        self.inner.requests.lock().expect("lock").clone()
    }
}

/// Adds a layout's blobs, its manifests by digest and its index under `tag`.
fn load_layout(
    manifests: &Mutex<HashMap<String, (String, Vec<u8>)>>,
    blobs: &Mutex<HashMap<String, Vec<u8>>>,
    layout: &Path,
    tag: &str,
) {
    let mut blobs = blobs.lock().expect("lock");
    for e in std::fs::read_dir(layout.join("blobs/sha256")).expect("blobs") {
        let e = e.expect("entry");
        let digest = format!("sha256:{}", e.file_name().to_string_lossy());
        blobs.insert(digest, std::fs::read(e.path()).expect("blob"));
    }
    let index = std::fs::read(layout.join("index.json")).expect("index.json");
    let parsed: serde_json::Value = serde_json::from_slice(&index).expect("index json");
    let mut manifests = manifests.lock().expect("lock");
    let index_type = "application/vnd.oci.image.index.v1+json".to_owned();
    manifests.insert(tag.to_owned(), (index_type.clone(), index.clone()));
    manifests.insert(sha(&index), (index_type, index));
    for m in parsed["manifests"].as_array().expect("manifests") {
        let d = m["digest"].as_str().expect("digest").to_owned();
        let media = m["mediaType"].as_str().expect("mediaType").to_owned();
        let bytes = blobs.get(&d).expect("manifest blob").clone();
        manifests.insert(d, (media, bytes));
    }
}

pub fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(bytes);
    format!("sha256:{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn basic_ok(headers: &HeaderMap, user: &str, password: &str) -> bool {
    let want = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(&format!("Basic {want}"))
}

fn unauthorized(challenge: String) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}",
    )
        .into_response()
}

async fn v2(State(s): State<Arc<Inner>>, UrlPath(rest): UrlPath<String>, headers: HeaderMap) -> Response {
    s.requests.lock().expect("lock").push(rest.clone());
    match &s.knobs.auth {
        Auth::Anonymous => {}
        Auth::Basic { user, password } => {
            if !basic_ok(&headers, user, password) {
                return unauthorized("Basic realm=\"cairn-test\"".into());
            }
        }
        Auth::Bearer { .. } => {
            let ok = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
                == Some(&format!("Bearer {TOKEN}"));
            if !ok {
                return unauthorized(format!(
                    "Bearer realm=\"{}/token\",service=\"cairn-test\",scope=\"repository:{}:pull\"",
                    s.base, s.repo
                ));
            }
        }
    }
    let Some(tail) = rest.strip_prefix(&format!("{}/", s.repo)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(reference) = tail.strip_prefix("manifests/") {
        let found = s.manifests.lock().expect("lock").get(reference).cloned();
        return match found {
            Some((media, bytes)) => (
                [
                    (header::CONTENT_TYPE, media),
                    (
                        header::HeaderName::from_static("docker-content-digest"),
                        if s.knobs.wrong_manifest_digest { sha(b"another manifest") } else { sha(&bytes) },
                    ),
                ],
                bytes,
            )
                .into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    if let Some(digest) = tail.strip_prefix("blobs/") {
        if s.knobs.redirect_blobs {
            return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, format!("{}/cdn/{digest}", s.cdn))])
                .into_response();
        }
        return blob(&s, digest);
    }
    StatusCode::NOT_FOUND.into_response()
}

fn blob(s: &Inner, digest: &str) -> Response {
    let found = s.blobs.lock().expect("lock").get(digest).cloned();
    match found {
        Some(mut bytes) => {
            if s.knobs.tamper.as_deref() == Some(digest)
                && let Some(b) = bytes.last_mut()
            {
                *b ^= 1;
            }
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cdn_blob(
    State(s): State<Arc<Inner>>,
    UrlPath(digest): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    s.cdn_auth.lock().expect("lock").push(auth);
    blob(&s, &digest)
}

async fn token(
    State(s): State<Arc<Inner>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Auth::Bearer { user, password } = &s.knobs.auth else { return StatusCode::NOT_FOUND.into_response() };
    let scope_ok = q.get("scope").map(String::as_str) == Some(&format!("repository:{}:pull", s.repo))
        && q.get("service").map(String::as_str) == Some("cairn-test");
    if !scope_ok || !basic_ok(&headers, user, password) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(serde_json::json!({"token": TOKEN})).into_response()
}
