//! The scan pipeline so far: walk → catalog → assemble the inventory → match license files →
//! (optionally) detect cryptography in source files.

use crate::catalog::{self, Catalog};
use crate::crypto::material::{CryptoMaterial, MaterialKind};
use crate::crypto::protocol::CryptoProtocol;
use crate::crypto::{self, CryptoUse};
use crate::inventory::{Diagnostic, Inventory};
use crate::license::caches::PackageCache;
use crate::tree::{FsTree, Tree};
use crate::walk::{self, WalkError, WalkOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Walk settings: excludes, size and entry caps.
    pub walk: WalkOptions,
    /// Also list source files and detect the cryptography they use ([`crate::crypto`]).
    pub crypto: bool,
    /// Package caches outside the tree to read licenses from (cargo registry sources, Go's module
    /// cache). Empty by default: only a caller scanning its own user's trees should pass any.
    pub package_caches: Vec<PackageCache>,
}

/// Pipeline steps, reported through [`ScanSink::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Walking the tree.
    Walking,
    /// Reading manifests and lockfiles.
    Cataloging,
    /// Matching license files.
    Licenses,
    /// Detecting cryptography in source files.
    Crypto,
}

/// A progress report.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The step running.
    pub step: Step,
    /// How far the step is, 0–100, when known.
    pub percent: Option<u8>,
    /// A short detail: a count or the file being read.
    pub detail: &'a str,
}

/// Receives progress; returning `false` cancels the scan.
pub trait ScanSink: Sync {
    /// Called now and then during a scan.
    fn progress(&self, _progress: &Progress<'_>) -> bool {
        true
    }
}

/// A sink that ignores progress and never cancels.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ScanSink for NoProgress {}

/// Counts from a scan, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStats {
    /// Directory entries the walk saw.
    pub entries_walked: u64,
    /// Manifests and lockfiles read.
    pub files_cataloged: u64,
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// What was found.
    pub inventory: Inventory,
    /// Cryptographic algorithms used in source files (empty unless [`ScanOptions::crypto`]).
    pub crypto: Vec<CryptoUse>,
    /// Certificates and keys in the tree (empty unless [`ScanOptions::crypto`]). Private keys also
    /// appear as warnings in the inventory's diagnostics (secret exposure).
    pub crypto_material: Vec<CryptoMaterial>,
    /// TLS versions and cipher suites configured in the tree (empty unless [`ScanOptions::crypto`]).
    pub crypto_protocols: Vec<CryptoProtocol>,
    /// Counts.
    pub stats: ScanStats,
}

/// Why a scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The walk could not start (root missing, bad exclude glob).
    #[error(transparent)]
    Walk(#[from] WalkError),
    /// The sink asked to stop.
    #[error("scan cancelled")]
    Cancelled,
}

/// Scans the directory tree at `root`, or the one file `root` names (in its directory).
pub fn scan_path(root: &Path, opts: &ScanOptions, sink: &dyn ScanSink) -> Result<Scan, ScanError> {
    let tick = |n: u64| {
        let detail = format!("{n} entries");
        sink.progress(&Progress { step: Step::Walking, percent: None, detail: &detail })
    };
    let real = root.canonicalize().map_err(|error| WalkError::Root { path: root.to_path_buf(), error })?;
    // A file named as the root (`cairn scan app/Cargo.lock`) is scanned alone, in its directory.
    let single = real.is_file();
    // One walk lists both: what the catalogers read and, when asked, source files for crypto. A
    // README scanned alone is not read for a license: the license files beside it, which would
    // speak first, are not read then.
    let wants = |rel: &str| {
        (catalog::listed(rel) && !(single && crate::license::files::is_project_readme(rel)))
            || (opts.crypto && crypto::stage::wanted(rel))
    };
    let (root, found) = if single {
        walk::walk_file(&real, &opts.walk, &wants)?
    } else {
        let found = walk::walk(&real, &opts.walk, &wants, &tick).map_err(|e| match e {
            WalkError::Cancelled => ScanError::Cancelled,
            e => ScanError::Walk(e),
        })?;
        (real.clone(), found)
    };
    let tree =
        FsTree::new(root, opts.walk.max_file_size, found.files.iter().map(|f| f.rel.clone()).collect());
    prepare(tree.files(), opts.crypto);
    let mut found = found;
    // A file no cataloger reads may be a binary that records what it was built from.
    let unread = single && found.files.is_empty() && found.skipped.is_empty();
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let binary =
        if unread { binary_file(&real, &name, opts.walk.max_file_size, &mut found.skipped) } else { None };
    let unread = unread && binary.is_none() && found.skipped.is_empty();
    let mut inventory = catalog_tree_with(&tree, binary.unwrap_or_default(), sink)?;
    if unread {
        inventory.diagnostics.push(Diagnostic::warning(
            name.as_str(),
            None,
            "not a manifest, lockfile, source file or binary with recorded dependencies that Cairn reads: nothing in it was inventoried".to_owned(),
        ));
    }
    crate::license::caches::read_from_caches(&mut inventory, &opts.package_caches, opts.walk.max_file_size);
    inventory.skipped.extend(found.skipped);
    inventory.skipped.sort();
    let cataloged = tree.files().iter().filter(|f| catalog::wanted(f)).count() as u64;
    let stats = ScanStats { entries_walked: found.entries, files_cataloged: cataloged };
    let found = if opts.crypto {
        crypto::stage::detect_in_tree(&tree, sink).ok_or(ScanError::Cancelled)?
    } else {
        crypto::stage::Found::default()
    };
    let crypto::stage::Found { uses: crypto, material: crypto_material, protocols: crypto_protocols } = found;
    for m in crypto_material.iter().filter(|m| m.kind == MaterialKind::PrivateKey) {
        let what = m.key.as_ref().map_or_else(|| m.format.clone(), |k| format!("{} {}", m.format, k.name()));
        inventory.diagnostics.push(Diagnostic::warning(
            m.file.as_str(),
            Some(m.line),
            format!("private key in the tree (secret exposure): {what}"),
        ));
    }
    Ok(Scan { inventory, crypto, crypto_material, crypto_protocols, stats })
}

/// Starts the fixed costs this tree will need on the thread pool, so they run while the catalogers
/// work instead of on the critical path later: unpacking the license texts when there is a
/// license file to match, compiling the crypto tables of each language present. Nothing is
/// prepared for files the tree does not have. The results are the same either way (each cost is
/// paid once per process, by whichever thread gets there first).
fn prepare(files: &[String], crypto: bool) {
    if files.iter().any(|f| crate::license::files::is_license_file(f)) {
        rayon::spawn(crate::license::detect::prepare);
    }
    if crypto {
        let mut languages: Vec<crypto::Language> = Vec::new();
        for lang in files.iter().filter_map(|f| crypto::Language::of(f)) {
            if !languages.contains(&lang) {
                languages.push(lang);
            }
        }
        for lang in languages {
            rayon::spawn(move || crypto::detect::prepare(lang));
        }
    }
}

/// Catalogs every wanted file of `tree` (in parallel), assembles the inventory and matches the
/// tree's license files (in parallel).
pub fn catalog_tree(tree: &dyn Tree, sink: &dyn ScanSink) -> Result<Inventory, ScanError> {
    catalog_tree_with(tree, Catalog::default(), sink)
}

/// [`catalog_tree`] with packages found elsewhere (a binary named as the root) added.
fn catalog_tree_with(tree: &dyn Tree, extra: Catalog, sink: &dyn ScanSink) -> Result<Inventory, ScanError> {
    let mut c = catalog_files(tree, sink)?;
    c.extend(extra);
    let mut inventory = Inventory::assemble(c.packages, c.edges, c.diagnostics, Vec::new());
    if !crate::license::detect_in_tree(&mut inventory, tree, sink) {
        return Err(ScanError::Cancelled);
    }
    Ok(inventory)
}

/// Catalogs every wanted file of `tree` in parallel, without assembling: packages, edges and
/// diagnostics of every file together.
pub fn catalog_files(tree: &dyn Tree, sink: &dyn ScanSink) -> Result<Catalog, ScanError> {
    let files = tree.files();
    let total = files.iter().filter(|f| catalog::wanted(f)).count().max(1);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let catalogs: Vec<Catalog> = files
        .par_iter()
        .filter(|rel| catalog::wanted(rel))
        .map(|rel| {
            if cancelled.load(Ordering::Relaxed) {
                return Catalog::default();
            }
            let out = match tree.read(rel) {
                Ok(text) => catalog::catalog_file(rel, &text, tree),
                Err(e) => Catalog {
                    diagnostics: vec![Diagnostic::error(rel.as_str(), None, e.to_string())],
                    ..Catalog::default()
                },
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let percent = u8::try_from(n * 100 / total).unwrap_or(100);
            if !sink.progress(&Progress { step: Step::Cataloging, percent: Some(percent), detail: rel }) {
                cancelled.store(true, Ordering::Relaxed);
            }
            out
        })
        .collect();
    if cancelled.load(Ordering::Relaxed) {
        return Err(ScanError::Cancelled);
    }
    let mut all = Catalog::default();
    for c in catalogs {
        all.extend(c);
    }
    Ok(all)
}

/// The packages a binary named as the scan root records ([`crate::binary::catalog_bytes`]);
/// `None` for any other file. A binary over the size cap is recorded as skipped.
fn binary_file(real: &Path, name: &str, limit: u64, skipped: &mut Vec<walk::Skipped>) -> Option<Catalog> {
    let size = real.metadata().ok()?.len();
    if size > limit {
        skipped.push(walk::Skipped {
            path: name.to_owned(),
            reason: walk::SkipReason::TooLarge { size, limit },
        });
        return None;
    }
    let bytes = std::fs::read(real).ok()?;
    crate::binary::catalog_bytes(name, &bytes)
}
