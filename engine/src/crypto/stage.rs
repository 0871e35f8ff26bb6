//! The crypto stage of a scan: every source file of the tree with a rule table, and every file
//! that may hold certificates or keys, in parallel.

use super::material::{self, CryptoMaterial};
use super::protocol::{self, CryptoProtocol};
use super::{CryptoUse, Language, detect_file, lang};
use crate::scan::{Progress, ScanSink, Step};
use crate::tree::Tree;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// True for the files the crypto stage reads.
pub fn wanted(rel: &str) -> bool {
    Language::of(rel).is_some() || material::wanted(rel) || protocol::wanted(rel)
}

/// What the crypto stage finds in a tree.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Algorithms used, from source and from certificates and keys.
    pub uses: Vec<CryptoUse>,
    /// Certificates and keys.
    pub material: Vec<CryptoMaterial>,
    /// TLS settings.
    pub protocols: Vec<CryptoProtocol>,
}

/// Detects crypto in every file of `tree` the stage reads. The algorithms of certificates and keys
/// join the uses (at the object's line). Unreadable files are skipped (the walk already reported
/// what it could not list). `None` when the sink cancelled.
pub fn detect_in_tree(tree: &dyn Tree, sink: &dyn ScanSink) -> Option<Found> {
    let files: Vec<&String> = tree.files().iter().filter(|f| wanted(f)).collect();
    let total = files.len().max(1);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let per_file: Vec<(Vec<CryptoUse>, Vec<CryptoMaterial>, Vec<CryptoProtocol>)> = files
        .par_iter()
        .map(|rel| {
            if cancelled.load(Ordering::Relaxed) {
                return Default::default();
            }
            let found = if material::wanted(rel) {
                // Certificates and keys may be binary (DER, JKS, PKCS#12): read as bytes.
                match tree.read_bytes(rel) {
                    Ok(bytes) => {
                        let found = material::read_material_bytes(rel, &bytes);
                        let in_test = lang::is_test_path(rel);
                        let uses = found
                            .iter()
                            .flat_map(|m| {
                                m.algorithms().into_iter().map(|algorithm| CryptoUse {
                                    algorithm,
                                    file: m.file.clone(),
                                    lines: vec![m.line],
                                    in_test,
                                    library: None,
                                })
                            })
                            .collect();
                        (uses, found, Vec::new())
                    }
                    Err(e) => {
                        tracing::debug!(file = rel.as_str(), error = %e, "crypto: file not read");
                        Default::default()
                    }
                }
            } else {
                match tree.read(rel) {
                    Ok(text) => {
                        let uses =
                            if Language::of(rel).is_some() { detect_file(rel, &text) } else { Vec::new() };
                        (uses, Vec::new(), protocol::find_protocols(rel, &text))
                    }
                    Err(e) => {
                        tracing::debug!(file = rel.as_str(), error = %e, "crypto: file not read");
                        Default::default()
                    }
                }
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let percent = u8::try_from(n * 100 / total).unwrap_or(100);
            if !sink.progress(&Progress { step: Step::Crypto, percent: Some(percent), detail: rel }) {
                cancelled.store(true, Ordering::Relaxed);
            }
            found
        })
        .collect();
    if cancelled.load(Ordering::Relaxed) {
        return None;
    }
    let mut out = Found::default();
    for (u, m, p) in per_file {
        out.uses.extend(u);
        out.material.extend(m);
        out.protocols.extend(p);
    }
    out.uses.sort_by(|a, b| (&a.file, &a.lines, &a.algorithm).cmp(&(&b.file, &b.lines, &b.algorithm)));
    out.material.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out.protocols.sort();
    Some(out)
}
