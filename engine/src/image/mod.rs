//! Container images: a `docker save` archive or an OCI image layout (a directory, or a tar of
//! one), read without unpacking to disk.
//!
//! [`scan_image`] finds the image for the platform asked for, verifies every blob against its
//! digest, applies the layers in order (whiteouts and opaque directories included) into an
//! in-memory [`ImageFs`] that keeps only the bytes of files catalogers read, and catalogs it: OS
//! packages ([`crate::os`]), Go and cargo-auditable binaries and Java archives ([`crate::binary`]) and every language cataloger over the
//! files the OS package database does not own. Hostile archives are refused with the reason.

mod archive;
mod digest;
mod error;
mod fs;
mod layer;
mod manifest;
mod platform;

pub use digest::Digest;
pub use error::ImageError;
pub use fs::{ImageFs, Node};
pub use layer::normalize;
pub use manifest::ImageFormat;
pub use platform::{Platform, PlatformError};

use crate::catalog::{self, Catalog};
use crate::inventory::{Diagnostic, Inventory};
use crate::os::OsRelease;
use crate::scan::{Progress, Scan, ScanError, ScanSink, ScanStats, Step};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Caps that bound the memory and time one image can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest file kept for a cataloger.
    pub max_file_size: u64,
    /// Bytes of kept files, all together.
    pub max_kept_bytes: u64,
    /// Uncompressed bytes of all layers together.
    pub max_image_bytes: u64,
    /// Largest uncompressed/compressed ratio of a layer (past 16 MiB) before it is a bomb.
    pub max_ratio: u64,
    /// Layer entries (and paths), all together.
    pub max_entries: u64,
    /// Largest executable read for Go build information.
    pub max_binary_size: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_file_size: crate::walk::DEFAULT_MAX_FILE_SIZE,
            max_kept_bytes: 1024 * 1024 * 1024,
            max_image_bytes: 32 * 1024 * 1024 * 1024,
            max_ratio: 200,
            max_entries: 2_000_000,
            max_binary_size: 512 * 1024 * 1024,
        }
    }
}

/// How to scan an image.
#[derive(Debug, Clone, Default)]
pub struct ImageOptions {
    /// The platform to scan in a multi-platform image; `None`: the only one, else `linux/amd64`.
    pub platform: Option<Platform>,
    /// The caps.
    pub limits: ImageLimits,
}

/// What the scan says about the image itself: the root of its documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// `docker-archive` or `oci-layout`.
    pub format: String,
    /// The names the archive gives it (`debian:12`), possibly none.
    pub tags: Vec<String>,
    /// The manifest digest (OCI layouts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// The configuration digest: the image id.
    pub image_id: String,
    /// `linux/amd64`, …
    pub platform: String,
    /// Layers applied.
    pub layers: usize,
    /// The distribution, from os-release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsRelease>,
}

/// A scanned image.
#[derive(Debug, Clone)]
pub struct ImageScan {
    /// What is in it.
    pub scan: Scan,
    /// The image itself.
    pub image: ImageInfo,
}

/// True when `path` looks like an image: a directory with an OCI `index.json`, or a tar whose
/// first bytes are a tar header (then [`scan_image`] decides).
pub fn looks_like_image(path: &Path) -> bool {
    if path.is_dir() {
        return path.join("index.json").is_file() && path.join("oci-layout").is_file();
    }
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let mut header = [0u8; 512];
    use std::io::Read;
    // A POSIX/GNU tar header carries `ustar` at offset 257.
    f.read_exact(&mut header).is_ok() && &header[257..262] == b"ustar"
}

/// Why an image scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImageScanError {
    /// The image was refused or could not be read.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Cataloging was cancelled.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

/// Which files' bytes the scan keeps: what the OS and language catalogers read (license files
/// too), but not the source files license headers are searched in (an image holds thousands).
fn keep(path: &str) -> bool {
    crate::os::wanted(path)
        || crate::binary::jar::wanted(path)
        || catalog::wanted(path)
        || (catalog::listed(path) && !crate::license::headers::wanted(path))
}

/// Reads the image at `path` into its filesystem.
pub fn read_image(
    path: &Path,
    opts: &ImageOptions,
    sink: &dyn ScanSink,
) -> Result<(ImageFs, ImageInfo, Vec<crate::walk::Skipped>, u64), ImageError> {
    let archive = archive::Archive::open(path)?;
    let resolved = manifest::resolve(&archive, opts.platform.as_ref())?;
    let mut fs = ImageFs::default();
    let mut budget = layer::Budget::default();
    let total = resolved.layers.len().max(1);
    for (i, l) in resolved.layers.iter().enumerate() {
        let detail = format!("layer {}/{}", i + 1, resolved.layers.len());
        let percent = u8::try_from(i * 100 / total).unwrap_or(100);
        if !sink.progress(&Progress { step: Step::Walking, percent: Some(percent), detail: &detail }) {
            return Err(ImageError::Cancelled);
        }
        layer::apply(&mut fs, &archive, l, &opts.limits, &keep, &mut budget)?;
    }
    let info = ImageInfo {
        format: match resolved.format {
            ImageFormat::DockerArchive => "docker-archive".into(),
            ImageFormat::OciLayout => "oci-layout".into(),
        },
        tags: resolved.tags,
        manifest_digest: resolved.manifest_digest.map(|d| d.to_string()),
        image_id: resolved.config_digest.to_string(),
        platform: resolved.platform.to_string(),
        layers: resolved.layers.len(),
        os: None,
    };
    Ok((fs, info, budget.skipped, budget.entries))
}

/// Scans the image at `path` (a `docker save` tar, an OCI layout directory or tar).
pub fn scan_image(
    path: &Path,
    opts: &ImageOptions,
    sink: &dyn ScanSink,
) -> Result<ImageScan, ImageScanError> {
    let (mut fs, mut info, skipped, entries) = read_image(path, opts, sink)?;
    let kept: Vec<String> = fs
        .nodes()
        .filter(|(_, n)| matches!(n, Node::File { data: Some(_), .. }))
        .map(|(p, _)| p.clone())
        .collect();
    let os_paths: Vec<String> = kept.iter().filter(|p| crate::os::wanted(p)).cloned().collect();
    let (mut found, owned, os) = crate::os::catalog(&fs, &os_paths);
    found.diagnostics.extend(crate::os::rpm::diagnostics(|p| fs.node(p).is_some()));
    for (p, n) in fs.nodes() {
        let Node::File { go, rust, .. } = n else { continue };
        match go.as_deref() {
            Some(Ok(build)) => found.extend(crate::binary::go::catalog(p, build)),
            Some(Err(reason)) => {
                found.diagnostics.push(Diagnostic::warning(p.as_str(), None, reason.clone()))
            }
            None => {}
        }
        match rust.as_deref() {
            Some(Ok(info)) => found.extend(crate::binary::auditable::catalog(p, info)),
            Some(Err(reason)) => {
                found.diagnostics.push(Diagnostic::warning(p.as_str(), None, reason.clone()))
            }
            None => {}
        }
    }
    for p in kept.iter().filter(|p| crate::binary::jar::wanted(p) && !owned.contains(*p)) {
        if let Ok(bytes) = crate::tree::Tree::read_bytes(&fs, p) {
            found.extend(crate::binary::jar::catalog(p, &bytes, opts.limits.max_file_size));
        }
    }
    // Files the distribution's package database owns are its packages', not a language's.
    let files: Vec<String> = kept
        .into_iter()
        .filter(|p| !crate::os::wanted(p) && !owned.contains(p) && catalog::listed(p))
        .collect();
    fs.set_files(files);
    let languages: Catalog = crate::scan::catalog_files(&fs, sink)?;
    found.extend(languages);
    let mut inventory = Inventory::assemble(found.packages, found.edges, found.diagnostics, skipped);
    if !crate::license::detect_in_tree(&mut inventory, &fs, sink) {
        return Err(ScanError::Cancelled.into());
    }
    let cataloged = crate::tree::Tree::files(&fs).len() as u64;
    info.os = os;
    let stats = ScanStats { entries_walked: entries, files_cataloged: cataloged + os_paths.len() as u64 };
    Ok(ImageScan { scan: Scan { inventory, stats, ..Scan::default() }, image: info })
}
