//! From an archive to the one image to read: `manifest.json` of `docker save`, or an OCI layout's
//! `index.json` → (nested indexes →) the manifest for the platform asked for → configuration and
//! layers. Every blob read here is checked against its digest and size.

use super::ImageError;
use super::archive::Archive;
use super::digest::Digest;
use super::platform::Platform;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Metadata documents (indexes, manifests, configurations) are small; a larger one is refused.
const METADATA_CAP: u64 = 16 * 1024 * 1024;
/// Nested indexes deeper than this are refused (a loop of indexes would never end).
const MAX_INDEX_DEPTH: usize = 4;

const INDEX_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const MANIFEST_TYPES: &[&str] =
    &["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];

/// Which form the archive was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// `docker save` (`manifest.json`).
    DockerArchive,
    /// An OCI image layout (`index.json`), as a directory or a tar.
    OciLayout,
}

/// One layer to apply, in order.
#[derive(Debug, Clone)]
pub struct LayerRef {
    /// The archive member holding it.
    pub member: String,
    /// The digest of the member's bytes as stored, when the manifest names one.
    pub digest: Option<Digest>,
    /// The digest of the uncompressed tar (the configuration's `rootfs.diff_ids`).
    pub diff_id: Digest,
}

/// The image chosen in the archive.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The archive's form.
    pub format: ImageFormat,
    /// The manifest's digest (OCI), when there is one.
    pub manifest_digest: Option<Digest>,
    /// The configuration's digest: the image id.
    pub config_digest: Digest,
    /// The image's platform, from its configuration.
    pub platform: Platform,
    /// Names the archive gives the image (`RepoTags`, `org.opencontainers.image.ref.name`).
    pub tags: Vec<String>,
    /// Its layers, bottom first.
    pub layers: Vec<LayerRef>,
}

#[derive(Deserialize)]
struct DockerEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    size: u64,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Index {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Manifest {
    config: Descriptor,
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
    rootfs: RootFs,
}

#[derive(Deserialize)]
struct RootFs {
    diff_ids: Vec<String>,
}

fn parse<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, ImageError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ImageError::Malformed { what: what.to_owned(), reason: e.to_string() })
}

fn blob_member(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

/// Reads a blob named by a descriptor, checking its size and digest.
fn read_blob(archive: &Archive, what: &str, desc: &Descriptor) -> Result<(Digest, Vec<u8>), ImageError> {
    let digest = Digest::parse(&desc.digest)?;
    let bytes = archive.read_small(&blob_member(&digest), METADATA_CAP)?;
    digest.verify(what, &bytes)?;
    if bytes.len() as u64 != desc.size {
        return Err(ImageError::Malformed {
            what: what.to_owned(),
            reason: format!("{} bytes, the descriptor says {}", bytes.len(), desc.size),
        });
    }
    Ok((digest, bytes))
}

/// Finds the image in `archive`: for `wanted = None` the only image (whatever its platform) or the
/// default platform's; otherwise the one for `wanted`.
pub fn resolve(archive: &Archive, wanted: Option<&Platform>) -> Result<Resolved, ImageError> {
    if archive.has("manifest.json") {
        docker(archive, wanted)
    } else if archive.has("index.json") {
        oci(archive, wanted)
    } else {
        Err(ImageError::NotAnImage(
            "no manifest.json (docker save) or index.json (OCI image layout) at the top".into(),
        ))
    }
}

fn config_of(bytes: &[u8]) -> Result<(Config, Platform), ImageError> {
    let config: Config = parse("image configuration", bytes)?;
    let platform = Platform {
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
    };
    Ok((config, platform))
}

fn check_platform(wanted: Option<&Platform>, platform: &Platform) -> Result<(), ImageError> {
    match wanted {
        Some(w) if !w.accepts(platform) => {
            Err(ImageError::NoSuchPlatform { wanted: w.to_string(), available: platform.to_string() })
        }
        _ => Ok(()),
    }
}

fn diff_ids(config: &Config, layers: usize) -> Result<Vec<Digest>, ImageError> {
    if config.rootfs.diff_ids.len() != layers {
        return Err(ImageError::Malformed {
            what: "image configuration".into(),
            reason: format!("{} diff_ids for {layers} layers", config.rootfs.diff_ids.len()),
        });
    }
    config.rootfs.diff_ids.iter().map(|d| Digest::parse(d)).collect()
}

fn docker(archive: &Archive, wanted: Option<&Platform>) -> Result<Resolved, ImageError> {
    let entries: Vec<DockerEntry> =
        parse("manifest.json", &archive.read_small("manifest.json", METADATA_CAP)?)?;
    let entry = match entries.as_slice() {
        [one] => one,
        [] => return Err(ImageError::NotAnImage("manifest.json lists no image".into())),
        many => return Err(ImageError::SeveralImages(many.len())),
    };
    // The configuration's name carries its digest (`<hex>.json`, or `blobs/sha256/<hex>` since
    // Docker 25); an image whose configuration cannot be verified is refused.
    let hex = entry.config.trim_start_matches("blobs/sha256/").trim_end_matches(".json");
    let config_digest = Digest::parse(&format!("sha256:{hex}")).map_err(|_| ImageError::Malformed {
        what: "manifest.json".into(),
        reason: format!("configuration {:?} is not named by its digest", entry.config),
    })?;
    let bytes = archive.read_small(&entry.config, METADATA_CAP)?;
    config_digest.verify("image configuration", &bytes)?;
    let (config, platform) = config_of(&bytes)?;
    check_platform(wanted, &platform)?;
    let diff_ids = diff_ids(&config, entry.layers.len())?;
    let layers = entry
        .layers
        .iter()
        .zip(diff_ids)
        .map(|(member, diff_id)| {
            // Docker 25+ stores layers as blobs named by their digest; older ones as `<id>/layer.tar`.
            let digest =
                member.strip_prefix("blobs/sha256/").and_then(|h| Digest::parse(&format!("sha256:{h}")).ok());
            LayerRef { member: member.clone(), digest, diff_id }
        })
        .collect();
    Ok(Resolved {
        format: ImageFormat::DockerArchive,
        manifest_digest: None,
        config_digest,
        platform,
        tags: entry.repo_tags.clone().unwrap_or_default(),
        layers,
    })
}

/// Every image manifest an index leads to, with the platform its descriptor states.
fn manifests(
    archive: &Archive,
    index: &Index,
    depth: usize,
    out: &mut Vec<Descriptor>,
) -> Result<(), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::Malformed {
            what: "index.json".into(),
            reason: "indexes nested too deep".into(),
        });
    }
    for d in &index.manifests {
        if INDEX_TYPES.contains(&d.media_type.as_str()) {
            let (_, bytes) = read_blob(archive, "image index", d)?;
            let nested: Index = parse("image index", &bytes)?;
            manifests(archive, &nested, depth + 1, out)?;
        } else if MANIFEST_TYPES.contains(&d.media_type.as_str()) {
            // Attestations ride in indexes as `unknown/unknown` manifests: not images.
            if d.platform.as_ref().is_some_and(|p| p.os == "unknown") {
                continue;
            }
            out.push(d.clone());
        }
    }
    Ok(())
}

fn oci(archive: &Archive, wanted: Option<&Platform>) -> Result<Resolved, ImageError> {
    let index: Index = parse("index.json", &archive.read_small("index.json", METADATA_CAP)?)?;
    let mut found = Vec::new();
    manifests(archive, &index, 0, &mut found)?;
    // Read each candidate's configuration for its platform (a descriptor may not state one).
    let mut candidates = Vec::new();
    for d in found {
        let (manifest_digest, bytes) = read_blob(archive, "image manifest", &d)?;
        let manifest: Manifest = parse("image manifest", &bytes)?;
        let (config_digest, config_bytes) = read_blob(archive, "image configuration", &manifest.config)?;
        let (config, platform) = config_of(&config_bytes)?;
        candidates.push((d, manifest_digest, manifest, config_digest, config, platform));
    }
    let chosen = match (candidates.len(), wanted) {
        (0, _) => return Err(ImageError::NotAnImage("index.json names no image manifest".into())),
        (1, None) => 0,
        (_, w) => {
            let w = w.cloned().unwrap_or_default();
            candidates.iter().position(|c| w.accepts(&c.5)).ok_or_else(|| ImageError::NoSuchPlatform {
                wanted: w.to_string(),
                available: candidates.iter().map(|c| c.5.to_string()).collect::<Vec<_>>().join(", "),
            })?
        }
    };
    let (desc, manifest_digest, manifest, config_digest, config, platform) = candidates.swap_remove(chosen);
    let diff_ids = diff_ids(&config, manifest.layers.len())?;
    let layers = manifest
        .layers
        .iter()
        .zip(diff_ids)
        .map(|(l, diff_id)| {
            let digest = Digest::parse(&l.digest)?;
            Ok(LayerRef { member: blob_member(&digest), digest: Some(digest), diff_id })
        })
        .collect::<Result<Vec<_>, ImageError>>()?;
    let tags = ["org.opencontainers.image.ref.name", "io.containerd.image.name"]
        .iter()
        .filter_map(|k| desc.annotations.get(*k).cloned())
        .collect();
    Ok(Resolved {
        format: ImageFormat::OciLayout,
        manifest_digest: Some(manifest_digest),
        config_digest,
        platform,
        tags,
        layers,
    })
}
