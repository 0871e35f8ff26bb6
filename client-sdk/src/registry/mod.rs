//! Pulling an image from a registry over the OCI Distribution API into an OCI image layout
//! directory, which the engine (`cairn_engine::image::scan_image`) then reads without network.
//!
//! [`pull`] fetches the manifest for a tag or digest (an index is narrowed to the platform asked
//! for, `linux/amd64` by default), then the configuration and every layer, each streamed to disk
//! under a size cap and verified against its digest before it is kept. Authentication follows the
//! registry's `WWW-Authenticate` challenge: anonymous first, then HTTP basic or a bearer token from
//! the challenge's realm (with the basic credential when one is given). Redirects (blob CDNs) are
//! followed by hand, each hop through the [`HostGuard`], and credentials are never sent to another
//! host. Loopback registries are spoken to over plain HTTP (as `docker` does), others over HTTPS.
//!
//! It lives in the SDK (feature `registry`) because both the daemon (its image source) and the
//! CLI (`cairn scan REF --offline`) pull, and the engine stays free of network code.

mod challenge;
mod error;
mod guard;
mod layout;
mod pull;
mod reference;

pub use error::RegistryError;
pub use guard::{AnyHost, GuardFuture, HostGuard};
pub use pull::pull;
pub use reference::{DOCKER_HUB, ImageReference, ReferenceError};

use cairn_vocab::Platform;
use std::time::Duration;

/// A credential for one registry: a user name and a password or token (what `docker login`
/// takes; cloud registries name a fixed user, e.g. `oauth2accesstoken` or `AWS`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The user name.
    pub username: String,
    /// The password or token.
    pub password: String,
}

impl std::fmt::Debug for Credential {
    // Secrets never reach logs, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}, …)", self.username)
    }
}

/// Caps on what one pull may download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullLimits {
    /// Largest manifest or index.
    pub max_manifest_bytes: u64,
    /// Largest configuration.
    pub max_config_bytes: u64,
    /// Largest layer, as stored (compressed).
    pub max_layer_bytes: u64,
    /// All blobs together.
    pub max_total_bytes: u64,
    /// Layers of one image.
    pub max_layers: usize,
}

impl Default for PullLimits {
    fn default() -> Self {
        PullLimits {
            max_manifest_bytes: 4 * 1024 * 1024,
            max_config_bytes: 16 * 1024 * 1024,
            max_layer_bytes: 8 * 1024 * 1024 * 1024,
            max_total_bytes: 16 * 1024 * 1024 * 1024,
            max_layers: 256,
        }
    }
}

/// How to pull.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The platform; `None`: an image's only manifest, else `linux/amd64` from an index.
    pub platform: Option<Platform>,
    /// The registry credential, if any.
    pub credential: Option<Credential>,
    /// The caps.
    pub limits: PullLimits,
    /// Each request's timeout (a layer's download included).
    pub timeout: Duration,
    /// Redirect hops followed per request.
    pub max_redirects: usize,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            platform: None,
            credential: None,
            limits: PullLimits::default(),
            timeout: Duration::from_secs(300),
            max_redirects: 5,
        }
    }
}

/// What was pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The image manifest's digest (the one chosen from an index).
    pub manifest_digest: String,
    /// The index's digest when the reference named an index.
    pub index_digest: Option<String>,
    /// The platform the index gave the manifest, when there was an index.
    pub platform: Option<Platform>,
    /// Blobs written (configuration and layers).
    pub blobs: usize,
    /// Bytes downloaded.
    pub bytes: u64,
}
