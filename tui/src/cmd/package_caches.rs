//! The user's own package caches, which the offline scan reads licenses from (a lockfile carries
//! none): cargo's unpacked registry sources and Go's module cache, where they exist.

use cairn_engine::{CacheKind, PackageCache};
use std::path::PathBuf;

/// A directory from an environment variable, when set and not empty.
fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `$CARGO_HOME/registry/src` (default `~/.cargo`) and `$GOMODCACHE` (default `$GOPATH/pkg/mod`,
/// then `~/go/pkg/mod`), those that exist.
pub fn user_caches() -> Vec<PackageCache> {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let cargo = env_dir("CARGO_HOME").or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    let gopath = env_dir("GOPATH").and_then(|p| std::env::split_paths(&p).next());
    let go = env_dir("GOMODCACHE")
        .or_else(|| gopath.map(|p| p.join("pkg/mod")))
        .or_else(|| home.as_ref().map(|h| h.join("go/pkg/mod")));
    [
        cargo.map(|c| PackageCache { kind: CacheKind::CargoRegistry, root: c.join("registry/src") }),
        go.map(|g| PackageCache { kind: CacheKind::GoModCache, root: g }),
    ]
    .into_iter()
    .flatten()
    .filter(|c| c.root.is_dir())
    .collect()
}
