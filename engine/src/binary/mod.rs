//! Packages recorded inside compiled artifacts: Go binaries' build information, the dependency
//! list `cargo auditable` embeds in Rust binaries, Java archives.
//!
//! Binaries are read as bytes and never executed.

pub mod auditable;
pub mod go;
pub mod jar;

use crate::catalog::Catalog;
use crate::inventory::Diagnostic;

/// The packages a binary at `path` records (Go build information, cargo-auditable data), with a
/// warning for what it records unreadably; `None` when it records neither.
pub fn catalog_bytes(path: &str, bytes: &[u8]) -> Option<Catalog> {
    let go = go::read(bytes);
    let rust = auditable::read(bytes);
    if go.is_none() && rust.is_none() {
        return None;
    }
    let mut out = Catalog::default();
    match go {
        Some(Ok(info)) => out.extend(go::catalog(path, &info)),
        Some(Err(reason)) => out.diagnostics.push(Diagnostic::warning(path, None, reason)),
        None => {}
    }
    match rust {
        Some(Ok(info)) => out.extend(auditable::catalog(path, &info)),
        Some(Err(reason)) => out.diagnostics.push(Diagnostic::warning(path, None, reason)),
        None => {}
    }
    Some(out)
}
