//! The crypto stage of a scan: every source file of the tree with a rule table, in parallel.

use super::{CryptoUse, Language, detect_file};
use crate::scan::{Progress, ScanSink, Step};
use crate::tree::Tree;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Detects crypto in every file of `tree` a rule table covers. Unreadable files are skipped (the
/// walk already reported what it could not list). `None` when the sink cancelled.
pub fn detect_in_tree(tree: &dyn Tree, sink: &dyn ScanSink) -> Option<Vec<CryptoUse>> {
    let files: Vec<&String> = tree.files().iter().filter(|f| Language::of(f).is_some()).collect();
    let total = files.len().max(1);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let mut uses: Vec<CryptoUse> = files
        .par_iter()
        .flat_map_iter(|rel| {
            if cancelled.load(Ordering::Relaxed) {
                return Vec::new();
            }
            let found = match tree.read(rel) {
                Ok(text) => detect_file(rel, &text),
                Err(e) => {
                    tracing::debug!(file = rel.as_str(), error = %e, "crypto: file not read");
                    Vec::new()
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
    uses.sort_by(|a, b| (&a.file, &a.lines, &a.algorithm).cmp(&(&b.file, &b.lines, &b.algorithm)));
    Some(uses)
}
