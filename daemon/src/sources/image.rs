//! Container images from registries: the reference pulled by the SDK's registry client
//! (`cairn_sdk::registry`) into an OCI layout in a work directory, which the engine then reads.
//! Every host the pull connects to (the registry, its token realm, a blob redirect) passes the
//! outbound address rule of [`super::url::check_host`] unless private hosts are allowed (local
//! mode, `sources.allow_private_hosts`), and the connection goes to the checked addresses.

use std::net::SocketAddr;
use std::time::Duration;

use cairn_engine::image::Platform;
use cairn_sdk::registry::{
    Credential, GuardFuture, HostGuard, ImageReference, PullLimits, PullOptions, RegistryError,
};

use super::{Obtained, SourceError, SourcePolicy, url, workdir};

/// A stored registry credential as sealed: its own shape, so a git secret copied into the
/// registry table does not open as one.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct RegistrySecret {
    registry_username: String,
    registry_password: String,
}

impl RegistrySecret {
    /// The secret for `username` and `password`.
    pub fn new(username: &str, password: &str) -> Self {
        RegistrySecret { registry_username: username.to_owned(), registry_password: password.to_owned() }
    }

    /// As the registry client takes it.
    pub fn into_credential(self) -> Credential {
        Credential { username: self.registry_username, password: self.registry_password }
    }
}

// The password never reaches a log through Debug.
impl std::fmt::Debug for RegistrySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RegistrySecret({}, …)", self.registry_username)
    }
}

/// Checks a registry as a credential names it (`host[:port]`, as image references write it) and
/// returns it in lower case, the form pulls look it up by.
pub fn check_registry(text: &str) -> Result<String, String> {
    let lower = text.trim().to_ascii_lowercase();
    let probe = format!("{lower}/cairn/probe:1");
    match ImageReference::parse(&probe) {
        Ok(r) if r.registry() == lower && lower.len() <= 255 => Ok(lower),
        _ => Err("must be a registry host[:port] as image references name it (ghcr.io, registry.example.com:5000, docker.io)".into()),
    }
}

/// The address rule as a registry client's guard.
struct AddressRule {
    allow_private: bool,
    timeout: Duration,
}

impl HostGuard for AddressRule {
    fn check<'a>(&'a self, host: &'a str, port: u16) -> GuardFuture<'a> {
        Box::pin(async move {
            if self.allow_private {
                // Nothing to check, and the system resolver decides (as for git).
                return Ok(Vec::<SocketAddr>::new());
            }
            url::check_host(host, port, false, self.timeout).await.map_err(|e| match e {
                SourceError::Refused(why) => why.replace(
                    "unless sources.allow_private_hosts is set",
                    "unless sources.allow_private_hosts is set (registries included)",
                ),
                other => other.to_string(),
            })
        })
    }
}

/// Checks a reference as `POST /scans` receives it.
pub fn parse_reference(reference: &str) -> Result<ImageReference, SourceError> {
    ImageReference::parse(reference).map_err(|e| SourceError::Invalid(e.to_string()))
}

/// The registry a reference pulls from, in the form credentials are stored under.
pub fn registry_of(reference: &str) -> Option<String> {
    ImageReference::parse(reference).ok().map(|r| r.registry().to_ascii_lowercase())
}

/// Pulls `reference` anonymously (see [`pull_with`]).
pub async fn pull(
    reference: &str,
    platform: Option<&Platform>,
    policy: &SourcePolicy,
) -> Result<Obtained, SourceError> {
    pull_with(reference, platform, policy, None).await
}

/// Pulls `reference` for `platform` into a new work directory, with `credential` when the
/// registry asks for one.
pub async fn pull_with(
    reference: &str,
    platform: Option<&Platform>,
    policy: &SourcePolicy,
    credential: Option<Credential>,
) -> Result<Obtained, SourceError> {
    let parsed = parse_reference(reference)?;
    let work = workdir::create(&policy.work_dir)?;
    let layout = work.path().join("image");
    let opts = PullOptions {
        platform: platform.cloned(),
        credential,
        limits: PullLimits {
            // An image's layers are bounded like an upload's bytes, all together.
            max_total_bytes: policy.archive.max_total_bytes,
            max_layer_bytes: policy.archive.max_total_bytes,
            ..PullLimits::default()
        },
        timeout: policy.git_timeout,
        ..PullOptions::default()
    };
    let guard = AddressRule { allow_private: policy.allow_private_hosts, timeout: Duration::from_secs(10) };
    let pulled =
        tokio::time::timeout(policy.git_timeout, cairn_sdk::registry::pull(&parsed, &layout, &opts, &guard))
            .await
            .map_err(|_| SourceError::Timeout(format!("pulling {parsed}")))?
            .map_err(|e| source_error(&parsed, e))?;
    let resolved = pulled.index_digest.clone().unwrap_or_else(|| pulled.manifest_digest.clone());
    Ok(Obtained::Image {
        layout,
        workdir: work,
        platform: platform.cloned(),
        digest: pulled.manifest_digest,
        resolved,
    })
}

fn source_error(reference: &ImageReference, e: RegistryError) -> SourceError {
    let message = format!("pulling {reference}: {e}");
    match e {
        RegistryError::Refused(_) => SourceError::Refused(message),
        RegistryError::OverLimit(_) => SourceError::TooLarge(message),
        RegistryError::Reference(_)
        | RegistryError::Malformed { .. }
        | RegistryError::DigestMismatch { .. }
        | RegistryError::NoSuchPlatform { .. } => SourceError::Invalid(message),
        RegistryError::Io(_) => SourceError::Internal(message),
        _ => SourceError::Unavailable(message),
    }
}
