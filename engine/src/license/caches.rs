//! Licenses read from package caches outside the tree: the unpacked crates of a cargo registry
//! (`$CARGO_HOME/registry/src/<index>/<name>-<version>/`) and Go's module cache
//! (`$GOMODCACHE/<escaped module path>@<version>/`). A lockfile carries no license data, but the
//! package's own files there do.
//!
//! Only roots the caller passes are read (the offline CLI passes the user's own caches; a team
//! daemon passes none, so one tenant's scan never reads the daemon host's files). Reads are confined
//! like the tree's: a package directory must resolve inside its cache root, symlinked entries are
//! skipped, every file goes through an [`FsTree`] rooted at the package directory (size cap,
//! no symlink out).

use super::{conclude, detect, expression, files, undetermined};
use crate::inventory::{Component, Declared, Ecosystem, Inventory, Location, Source};
use crate::tree::{FsTree, Tree};
use std::path::{Path, PathBuf};

/// Which kind of cache a root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    /// A cargo registry's `src` directory (`~/.cargo/registry/src`), holding one directory per
    /// registry index, each holding `<name>-<version>/` crates.
    CargoRegistry,
    /// Go's module cache (`go env GOMODCACHE`, by default `~/go/pkg/mod`).
    GoModCache,
}

impl CacheKind {
    /// The prefix of the paths reported for files found there (`cargo-registry:…`).
    pub fn label(self) -> &'static str {
        match self {
            CacheKind::CargoRegistry => "cargo-registry",
            CacheKind::GoModCache => "gomodcache",
        }
    }
}

/// A package cache root to read licenses from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCache {
    /// What it holds.
    pub kind: CacheKind,
    /// Its directory.
    pub root: PathBuf,
}

/// Go's module cache escapes upper-case letters as `!` and the lower-case letter.
fn go_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        if ch.is_ascii_uppercase() {
            out.push('!');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `dir` when it is a real directory (not a symlink) that resolves inside `root` (canonical).
fn confined_dir(root: &Path, dir: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(dir).ok()?;
    if !meta.is_dir() {
        return None;
    }
    let real = dir.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

/// The package directories that may hold `c` under `root`.
fn candidates(kind: CacheKind, root: &Path, c: &Component) -> Vec<PathBuf> {
    match (kind, c.ecosystem, &c.source) {
        (CacheKind::CargoRegistry, Ecosystem::Cargo, Source::Registry | Source::AltRegistry { .. }) => {
            let mut indexes: Vec<PathBuf> = std::fs::read_dir(root)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect();
            indexes.sort();
            indexes.into_iter().map(|i| i.join(format!("{}-{}", c.name, c.version))).collect()
        }
        (CacheKind::GoModCache, Ecosystem::Go, Source::Registry) => {
            vec![root.join(format!("{}@{}", go_escape(&c.name), go_escape(&c.version)))]
        }
        _ => Vec::new(),
    }
}

/// Reads the license evidence of one package directory into `c`; true when any was found.
fn read_package(kind: CacheKind, root: &Path, dir: &Path, max_file_size: u64, c: &mut Component) -> bool {
    let shown = dir.strip_prefix(root).unwrap_or(dir).to_string_lossy().replace('\\', "/");
    let shown = |file: &str| format!("{}:{shown}/{file}", kind.label());
    // Only the directory's own regular files: license files and, for crates, the manifest.
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| files::is_license_file(n) || (kind == CacheKind::CargoRegistry && n == "Cargo.toml"))
        .collect();
    names.sort();
    let tree = FsTree::new(dir.to_path_buf(), max_file_size, names.clone());
    let mut found = false;
    for name in &names {
        let Ok(text) = tree.read(name) else { continue };
        if name == "Cargo.toml" {
            let license = toml::from_str::<toml::Value>(&text)
                .ok()
                .and_then(|d| d.get("package")?.get("license")?.as_str().map(str::to_string));
            if let Some(n) = license.as_deref().and_then(expression::normalize) {
                let line = text.lines().position(|l| l.trim_start().starts_with("license ")).map(|i| i + 1);
                c.licenses.declared.push(Declared {
                    expression: n.expression,
                    raw: license.unwrap_or_default(),
                    location: Location::new(shown(name), line.and_then(|l| u32::try_from(l).ok())),
                });
                found = true;
            }
        } else {
            let detected = detect::detect(&shown(name), &text);
            found |= !detected.is_empty();
            c.licenses.detected.extend(detected);
        }
    }
    found
}

/// Reads the licenses of the components still without one from `caches`, and concludes again.
pub(crate) fn read_from_caches(inv: &mut Inventory, caches: &[PackageCache], max_file_size: u64) {
    let roots: Vec<(CacheKind, PathBuf)> =
        caches.iter().filter_map(|c| c.root.canonicalize().ok().map(|r| (c.kind, r))).collect();
    if roots.is_empty() {
        return;
    }
    for c in inv.components.iter_mut() {
        if c.local || c.version.is_empty() || c.licenses.concluded.is_some() {
            continue;
        }
        'roots: for (kind, root) in &roots {
            for dir in candidates(*kind, root, c) {
                let Some(dir) = confined_dir(root, &dir) else { continue };
                if read_package(*kind, root, &dir, max_file_size, c) {
                    break 'roots;
                }
            }
        }
        c.licenses.declared.sort();
        c.licenses.declared.dedup();
        c.licenses.detected.sort();
        c.licenses.detected.dedup();
        conclude(&mut c.licenses);
        undetermined::explain(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_paths_are_escaped() {
        assert_eq!(go_escape("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
    }
}
