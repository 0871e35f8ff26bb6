//! Licenses: declared licenses normalised to SPDX expressions, license files matched against the
//! SPDX list's texts, a conclusion per component, the obligations catalogue and NOTICE files.
//!
//! - [`expression`]: declared text → SPDX expression (`aliases.toml` holds the spelling map).
//! - [`detect`]: license file text → license ids (`references.toml` for short notices).
//! - [`files`]: which files are license files and whose.
//! - [`obligations`]: id → category → obligations (`obligations.toml`).
//! - [`notice`]: the NOTICE file.
//! - [`summary`]: components per category and id with their obligations (report, CLI, policy).
//! - `segment`: compound license files split into notices for [`detect`].
//!
//! The conclusion for a component is its declared licenses (every declaration, joined with AND:
//! when two files disagree, both bind) when it has any, else what its license files hold.

pub mod detect;
pub mod expression;
pub mod files;
pub mod notice;
pub mod obligations;
mod segment;
pub mod summary;

use crate::inventory::{Component, Concluded, ConcludedFrom, Declared, Diagnostic, Inventory, Licenses};
use crate::scan::{Progress, ScanSink, Step};
use crate::tree::Tree;
use files::{Owner, Roots};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Normalises the component's declared licenses (gathered from its packages) and concludes.
pub(crate) fn resolve_declared(c: &mut Component) {
    let raw = std::mem::take(&mut c.declared_raw);
    let mut declared: Vec<Declared> = raw
        .into_iter()
        .filter_map(|d| {
            expression::normalize(&d.raw).map(|n| Declared {
                expression: n.expression,
                raw: d.raw,
                location: d.location,
            })
        })
        .collect();
    declared.sort();
    declared.dedup();
    c.licenses.declared = declared;
    conclude(&mut c.licenses);
}

/// Sets the conclusion, its ids and their categories from the evidence.
pub fn conclude(l: &mut Licenses) {
    l.concluded = match expression::and_all(l.declared.iter().map(|d| d.expression.as_str())) {
        Some(expression) => Some(Concluded { expression, from: ConcludedFrom::Declared }),
        None => expression::and_all(l.detected.iter().map(|d| d.id.as_str()))
            .map(|expression| Concluded { expression, from: ConcludedFrom::Detected }),
    };
    l.ids = l.concluded.as_ref().map(|c| expression::ids(&c.expression)).unwrap_or_default();
    l.categories = l.ids.iter().map(|id| obligations::category(id)).collect();
    l.categories.sort();
    l.categories.dedup();
    l.obligations = l.concluded.as_ref().map(|_| obligations::of_ids(l.ids.iter().map(String::as_str)));
}

/// Finds the license files among `tree.files()`, matches them (in parallel) and attaches what they
/// hold to the components whose package root holds them, or to the project. Returns `false` when
/// the sink cancelled.
pub fn detect_in_tree(inv: &mut Inventory, tree: &dyn Tree, sink: &dyn ScanSink) -> bool {
    let roots = Roots::new(&inv.components);
    let files: Vec<(&String, Owner)> = tree
        .files()
        .iter()
        .filter(|f| files::is_license_file(f))
        .filter_map(|f| roots.owner(f).map(|o| (f, o)))
        .collect();
    let total = files.len().max(1);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let found: Vec<_> = files
        .par_iter()
        .map(|(rel, owner)| {
            if cancelled.load(Ordering::Relaxed) {
                return (owner, Ok(Vec::new()));
            }
            let out = tree
                .read(rel)
                .map(|text| detect::detect(rel, &text))
                .map_err(|e| Diagnostic::warning(rel.as_str(), None, format!("license file not read: {e}")));
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let percent = u8::try_from(n * 100 / total).unwrap_or(100);
            if !sink.progress(&Progress { step: Step::Licenses, percent: Some(percent), detail: rel }) {
                cancelled.store(true, Ordering::Relaxed);
            }
            (owner, out)
        })
        .collect();
    if cancelled.load(Ordering::Relaxed) {
        return false;
    }
    for (owner, out) in found {
        match out {
            Ok(detected) => match owner {
                Owner::Project => inv.project_licenses.detected.extend(detected),
                Owner::Components(ix) => {
                    for &i in ix {
                        if let Some(c) = inv.components.get_mut(i) {
                            c.licenses.detected.extend(detected.iter().cloned());
                        }
                    }
                }
            },
            Err(d) => inv.diagnostics.push(d),
        }
    }
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    for l in inv.components.iter_mut().map(|c| &mut c.licenses).chain([&mut inv.project_licenses]) {
        l.detected.sort();
        l.detected.dedup();
        conclude(l);
    }
    true
}
