//! The pull itself: one [`Session`] per pull holds the registry's base URL, the authorization the
//! challenge led to and one HTTP client per checked host.

use super::challenge::{self, Challenge};
use super::layout::{Layout, digest_of};
use super::{HostGuard, ImageReference, PullOptions, Pulled, RegistryError};
use cairn_vocab::Platform;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, LOCATION, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;

const INDEX_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const MANIFEST_TYPES: &[&str] =
    &["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

/// A manifest or an index: which one is decided by the fields present.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

/// Pulls `reference` into a new OCI image layout at `dest` (which must not exist). On failure
/// nothing is left behind: the directory the pull created is removed.
pub async fn pull(
    reference: &ImageReference,
    dest: &Path,
    opts: &PullOptions,
    guard: &dyn HostGuard,
) -> Result<Pulled, RegistryError> {
    let layout = Layout::create(dest)?;
    let mut session = Session::new(reference, opts, guard);
    let result = session.pull_into(&layout).await;
    if result.is_err() {
        let _ = std::fs::remove_dir_all(dest);
    }
    result
}

struct Session<'a> {
    reference: &'a ImageReference,
    opts: &'a PullOptions,
    guard: &'a dyn HostGuard,
    base: String,
    auth: Option<HeaderValue>,
    clients: HashMap<(String, u16), reqwest::Client>,
    bytes: u64,
}

/// `localhost` and loopback addresses: spoken to over plain HTTP, like `docker` does.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

impl<'a> Session<'a> {
    fn new(reference: &'a ImageReference, opts: &'a PullOptions, guard: &'a dyn HostGuard) -> Self {
        let host = reference.api_host();
        let host_only =
            host.rsplit_once(':').map_or(host, |(h, p)| if p.parse::<u16>().is_ok() { h } else { host });
        let scheme = if is_loopback(host_only) { "http" } else { "https" };
        Session {
            reference,
            opts,
            guard,
            base: format!("{scheme}://{host}/v2/{}", reference.repository()),
            auth: None,
            clients: HashMap::new(),
            bytes: 0,
        }
    }

    fn what(&self) -> String {
        format!("{}/{}", self.reference.registry(), self.reference.repository())
    }

    async fn pull_into(&mut self, layout: &Layout) -> Result<Pulled, RegistryError> {
        let limits = self.opts.limits.clone();
        let by = self.reference.manifest_reference().to_owned();
        let (bytes, media_type, digest) = self.manifest(&by, self.reference.digest()).await?;
        let doc = parse_document(&bytes)?;
        let (manifest_bytes, media_type, manifest_digest, index_digest, platform, doc) =
            if let Some(list) = doc.manifests.clone() {
                let chosen = self.choose(&list)?;
                let (m, mt, d) = self.manifest(&chosen.digest, Some(&chosen.digest)).await?;
                if m.len() as u64 != chosen.size {
                    return Err(RegistryError::Malformed {
                        what: format!("manifest {}", chosen.digest),
                        reason: format!("{} bytes, the index says {}", m.len(), chosen.size),
                    });
                }
                let doc = parse_document(&m)?;
                if doc.manifests.is_some() {
                    return Err(RegistryError::Malformed {
                        what: format!("manifest {}", chosen.digest),
                        reason: "an index inside an index is not followed".into(),
                    });
                }
                (m, mt.or(Some(chosen.media_type.clone())), d, Some(digest), chosen.platform.clone(), doc)
            } else {
                (bytes, media_type, digest, None, None, doc)
            };
        let (Some(config), Some(layers)) = (doc.config, doc.layers) else {
            return Err(RegistryError::Malformed {
                what: format!("manifest {manifest_digest}"),
                reason: "neither an image manifest (config, layers) nor an index (manifests)".into(),
            });
        };
        if layers.len() > limits.max_layers {
            return Err(RegistryError::OverLimit(format!(
                "the image has {} layers, over the limit of {}",
                layers.len(),
                limits.max_layers
            )));
        }
        layout.write_blob(&manifest_digest, &manifest_bytes)?;
        self.blob(layout, "image configuration", &config, limits.max_config_bytes).await?;
        for (i, l) in layers.iter().enumerate() {
            let what = format!("layer {}/{} ({})", i + 1, layers.len(), l.digest);
            self.blob(layout, &what, l, limits.max_layer_bytes).await?;
        }
        let media_type = media_type
            .or(doc.media_type)
            .filter(|t| MANIFEST_TYPES.contains(&t.as_str()))
            .unwrap_or_else(|| OCI_MANIFEST.to_owned());
        let mut annotations = BTreeMap::new();
        annotations.insert("org.opencontainers.image.ref.name".to_owned(), self.reference.to_string());
        let descriptor = Descriptor {
            media_type,
            digest: manifest_digest.clone(),
            size: manifest_bytes.len() as u64,
            platform: platform.clone(),
            annotations,
        };
        layout.write_index(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [descriptor],
        }))?;
        Ok(Pulled { manifest_digest, index_digest, platform, blobs: layers.len() + 1, bytes: self.bytes })
    }

    /// The index's manifest for the platform asked for (default `linux/amd64`); attestations
    /// (`unknown/unknown`) are not images.
    fn choose<'d>(&self, list: &'d [Descriptor]) -> Result<&'d Descriptor, RegistryError> {
        let images: Vec<&Descriptor> = list
            .iter()
            .filter(|d| MANIFEST_TYPES.contains(&d.media_type.as_str()) || d.media_type.is_empty())
            .filter(|d| d.platform.as_ref().is_none_or(|p| p.os != "unknown"))
            .collect();
        if let ([one], None) = (images.as_slice(), &self.opts.platform) {
            return Ok(one);
        }
        let wanted = self.opts.platform.clone().unwrap_or_default();
        images.iter().copied().find(|d| d.platform.as_ref().is_some_and(|p| wanted.accepts(p))).ok_or_else(
            || RegistryError::NoSuchPlatform {
                wanted: wanted.to_string(),
                available: images
                    .iter()
                    .map(|d| d.platform.as_ref().map_or("(unstated)".to_owned(), Platform::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        )
    }

    /// Fetches a manifest or index by tag or digest, verifying it against `expected` (the digest
    /// asked for) or, for a tag, the `Docker-Content-Digest` the registry states.
    async fn manifest(
        &mut self,
        by: &str,
        expected: Option<&str>,
    ) -> Result<(Vec<u8>, Option<String>, String), RegistryError> {
        let url = self.url(&format!("manifests/{by}"))?;
        let accept = [INDEX_TYPES, MANIFEST_TYPES].concat().join(", ");
        let resp = self.get(url, Some(&accept)).await?;
        let resp = self.check_status(resp, &format!("manifest {}:{by}", self.what())).await?;
        let stated = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .filter(|d| valid_digest(d))
            .map(str::to_owned);
        let media_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned());
        let what = format!("manifest {}:{by}", self.what());
        let bytes = self.read_capped(resp, &what, self.opts.limits.max_manifest_bytes).await?;
        let actual = digest_of(&bytes);
        if let Some(expected) = expected.map(str::to_owned).or(stated)
            && expected != actual
        {
            return Err(RegistryError::DigestMismatch { what, expected, actual });
        }
        Ok((bytes, media_type, actual))
    }

    /// Streams one blob to the layout under `cap`, verified against its descriptor.
    async fn blob(
        &mut self,
        layout: &Layout,
        what: &str,
        d: &Descriptor,
        cap: u64,
    ) -> Result<(), RegistryError> {
        if !valid_digest(&d.digest) {
            return Err(RegistryError::Malformed {
                what: what.to_owned(),
                reason: format!("digest {:?} is not sha256:<64 hex>", d.digest),
            });
        }
        if d.size > cap {
            return Err(RegistryError::OverLimit(format!(
                "{what} is {} bytes, over the {cap}-byte limit",
                d.size
            )));
        }
        if self.bytes + d.size > self.opts.limits.max_total_bytes {
            return Err(RegistryError::OverLimit(format!(
                "the image is over the {}-byte limit for one pull",
                self.opts.limits.max_total_bytes
            )));
        }
        let url = self.url(&format!("blobs/{}", d.digest))?;
        let resp = self.get(url, None).await?;
        let mut resp = self.check_status(resp, what).await?;
        let mut writer = layout.blob_writer(&d.digest)?;
        loop {
            let chunk = resp.chunk().await.map_err(|e| transport(what, &e))?;
            let Some(chunk) = chunk else { break };
            if writer.count() + chunk.len() as u64 > d.size {
                let _ = writer.finish(what, d.size);
                return Err(RegistryError::Malformed {
                    what: what.to_owned(),
                    reason: format!("more bytes than the {} the manifest says", d.size),
                });
            }
            writer.write(&chunk)?;
        }
        self.bytes += writer.count();
        writer.finish(what, d.size)
    }

    fn url(&self, tail: &str) -> Result<Url, RegistryError> {
        Url::parse(&format!("{}/{tail}", self.base)).map_err(|e| RegistryError::Malformed {
            what: format!("registry {}", self.reference.registry()),
            reason: e.to_string(),
        })
    }

    async fn read_capped(
        &self,
        mut resp: reqwest::Response,
        what: &str,
        cap: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(RegistryError::OverLimit(format!("{what} is over the {cap}-byte limit")));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(what, &e))? {
            if out.len() as u64 + chunk.len() as u64 > cap {
                return Err(RegistryError::OverLimit(format!("{what} is over the {cap}-byte limit")));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    async fn check_status(
        &self,
        resp: reqwest::Response,
        what: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RegistryError::Unauthorized(format!(
                "{what}: the registry answered {status}{}",
                if self.opts.credential.is_some() {
                    " to the credential given"
                } else {
                    " without credentials (the repository may be private)"
                }
            )),
            StatusCode::NOT_FOUND => RegistryError::NotFound(format!("{what}: not found")),
            _ => RegistryError::Unavailable(format!("{what}: the registry answered {status}")),
        })
    }

    /// GET with the session's authorization; a 401 with a challenge is answered once.
    async fn get(&mut self, url: Url, accept: Option<&str>) -> Result<reqwest::Response, RegistryError> {
        let resp = self.send(url.clone(), accept, self.auth.clone()).await?;
        if resp.status() != StatusCode::UNAUTHORIZED || self.auth.is_some() {
            return Ok(resp);
        }
        let Some(challenge) =
            resp.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).and_then(challenge::parse)
        else {
            return Ok(resp);
        };
        self.auth = Some(self.authenticate(challenge).await?);
        self.send(url, accept, self.auth.clone()).await
    }

    async fn authenticate(&mut self, challenge: Challenge) -> Result<HeaderValue, RegistryError> {
        let basic = match &self.opts.credential {
            Some(c) => Some(basic_header(&c.username, &c.password)?),
            None => None,
        };
        match challenge {
            Challenge::Basic => basic.ok_or_else(|| {
                RegistryError::Unauthorized(format!(
                    "{} asks for credentials and none were given",
                    self.what()
                ))
            }),
            Challenge::Bearer { realm, service, scope } => {
                let mut url = Url::parse(&realm).map_err(|e| RegistryError::Malformed {
                    what: "the registry's token realm".into(),
                    reason: e.to_string(),
                })?;
                let realm_host = url.host_str().unwrap_or_default().to_owned();
                if url.scheme() != "https" && !(url.scheme() == "http" && is_loopback(&realm_host)) {
                    return Err(RegistryError::Refused(format!(
                        "the registry's token realm {realm} is not https: credentials are not sent in clear"
                    )));
                }
                let scope =
                    scope.unwrap_or_else(|| format!("repository:{}:pull", self.reference.repository()));
                {
                    let mut q = url.query_pairs_mut();
                    if let Some(s) = &service {
                        q.append_pair("service", s);
                    }
                    q.append_pair("scope", &scope);
                }
                let resp = self.send(url, Some("application/json"), basic).await?;
                let what = format!("token for {}", self.what());
                let resp = self.check_status(resp, &what).await?;
                let body = self.read_capped(resp, &what, 1024 * 1024).await?;
                #[derive(Deserialize)]
                struct Token {
                    #[serde(default)]
                    token: Option<String>,
                    #[serde(default)]
                    access_token: Option<String>,
                }
                let token: Token = serde_json::from_slice(&body)
                    .map_err(|e| RegistryError::Malformed { what: what.clone(), reason: e.to_string() })?;
                let token =
                    token.token.or(token.access_token).filter(|t| !t.is_empty()).ok_or_else(|| {
                        RegistryError::Malformed {
                            what: what.clone(),
                            reason: "no token in the answer".into(),
                        }
                    })?;
                let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                    RegistryError::Malformed { what, reason: "the token is not a header value".into() }
                })?;
                value.set_sensitive(true);
                Ok(value)
            }
        }
    }

    /// One request, following redirects by hand: each hop's host through the guard, and the
    /// authorization only to the host it was obtained for.
    async fn send(
        &mut self,
        mut url: Url,
        accept: Option<&str>,
        auth: Option<HeaderValue>,
    ) -> Result<reqwest::Response, RegistryError> {
        let origin = (url.host_str().map(str::to_owned), url.port_or_known_default());
        for _ in 0..=self.opts.max_redirects {
            let client = self.client_for(&url).await?;
            let mut req = client.get(url.clone());
            if let Some(a) = accept {
                req = req.header(ACCEPT, a);
            }
            if let Some(a) = &auth
                && (url.host_str().map(str::to_owned), url.port_or_known_default()) == origin
            {
                req = req.header(AUTHORIZATION, a.clone());
            }
            let resp = req.send().await.map_err(|e| transport(&self.what(), &e))?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let location = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
                RegistryError::Unavailable(format!("{}: a redirect without a Location", self.what()))
            })?;
            let next = url.join(location).map_err(|e| RegistryError::Malformed {
                what: format!("{}: redirect", self.what()),
                reason: e.to_string(),
            })?;
            if !matches!(next.scheme(), "https" | "http") {
                return Err(RegistryError::Refused(format!(
                    "{}: a redirect to a {} URL",
                    self.what(),
                    next.scheme()
                )));
            }
            url = next;
        }
        Err(RegistryError::Unavailable(format!(
            "{}: more than {} redirects",
            self.what(),
            self.opts.max_redirects
        )))
    }

    /// The client for `url`'s host, connecting only to the addresses the guard allowed.
    async fn client_for(&mut self, url: &Url) -> Result<reqwest::Client, RegistryError> {
        let host =
            url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        if let Some(c) = self.clients.get(&(host.clone(), port)) {
            return Ok(c.clone());
        }
        let addrs = self.guard.check(&host, port).await.map_err(RegistryError::Refused)?;
        // reqwest is built without a default crypto provider; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name again, out of the guard's sight.
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(30).min(self.opts.timeout))
            .timeout(self.opts.timeout)
            .user_agent(concat!("cairn/", env!("CARGO_PKG_VERSION")));
        if !addrs.is_empty() && host.parse::<IpAddr>().is_err() {
            builder = builder.resolve_to_addrs(&host, &addrs);
        }
        let client = builder.build().map_err(|e| transport(&self.what(), &e))?;
        self.clients.insert((host, port), client.clone());
        Ok(client)
    }
}

fn parse_document(bytes: &[u8]) -> Result<Document, RegistryError> {
    let doc: Document = serde_json::from_slice(bytes)
        .map_err(|e| RegistryError::Malformed { what: "manifest".into(), reason: e.to_string() })?;
    if doc.schema_version == Some(1) {
        return Err(RegistryError::Malformed {
            what: "manifest".into(),
            reason: "Docker schema 1 manifests are not read (deprecated since 2017): push the image again"
                .into(),
        });
    }
    Ok(doc)
}

/// A transport failure in words, without the request's headers.
fn transport(what: &str, e: &reqwest::Error) -> RegistryError {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if e.is_timeout() {
        RegistryError::Unavailable(format!("{what}: timed out"))
    } else {
        RegistryError::Unavailable(format!("{what}: {cause}"))
    }
}

/// HTTP basic credentials as a header value, marked sensitive so it is never logged.
fn basic_header(user: &str, password: &str) -> Result<HeaderValue, RegistryError> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut v = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| RegistryError::Unauthorized("the registry credential is not a header value".into()))?;
    v.set_sensitive(true);
    Ok(v)
}
