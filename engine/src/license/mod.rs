//! Licenses: declared licenses normalised to SPDX expressions, license files matched against the
//! SPDX list's texts, a conclusion per component, the obligations catalogue and NOTICE files.
//!
//! - [`expression`]: declared text → SPDX expression (`aliases.toml` holds the spelling map).
//! - [`detect`]: license file text → license ids (`references.toml` for short notices).
//! - [`files`]: which files are license files and whose.
//! - [`headers`]: `SPDX-License-Identifier` lines in source files.
//! - [`obligations`]: id → category → obligations (`obligations.toml`).
//! - [`known`]: known texts without an SPDX id (`known_texts.toml`), reported as `LicenseRef-…`.
//! - [`notice`]: the NOTICE file.
//! - [`caches`]: licenses of packages in cargo's registry and Go's module cache, when passed.
//! - [`summary`]: components per category and id with their obligations (report, CLI, policy).
//! - `segment`: compound license files split into notices for [`detect`].
//! - `readme`: the parts of a README that state its license, for [`detect`].
//!
//! The conclusion for a component is its declared licenses (every declaration, joined with AND:
//! when two files disagree, both bind) when it has any, else what its license files hold.

pub mod caches;
pub mod detect;
pub mod expression;
pub mod files;
pub mod groups;
pub mod headers;
pub mod known;
pub mod notice;
pub mod obligations;
mod readme;
mod segment;
pub mod summary;
mod undetermined;

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
    undetermined::explain(c);
}

/// Sets the conclusion, its ids and their categories from the evidence.
pub fn conclude(l: &mut Licenses) {
    l.concluded = match expression::and_all(l.declared.iter().map(|d| d.expression.as_str())) {
        Some(expression) => Some(Concluded { expression, from: ConcludedFrom::Declared }),
        None => expression::and_all(l.detected.iter().map(|d| d.id.as_str()))
            .or_else(|| expression::and_all(l.headers.iter().map(|d| d.id.as_str())))
            .map(|expression| Concluded { expression, from: ConcludedFrom::Detected }),
    };
    l.ids = l.concluded.as_ref().map(|c| expression::ids(&c.expression)).unwrap_or_default();
    l.categories = l.ids.iter().map(|id| obligations::category(id)).collect();
    l.categories.sort();
    l.categories.dedup();
    l.obligations = l.concluded.as_ref().map(|_| obligations::of_ids(l.ids.iter().map(String::as_str)));
}

/// What one file of the tree is read for.
#[derive(Clone, Copy)]
enum Kind {
    LicenseFile,
    /// The project's README: its license section counts only without a root license file's answer.
    Readme,
    Source,
}

/// Finds the license files, the project's README and source files among `tree.files()`, matches
/// license files (and the README's license section, when no root license file answered) and reads
/// `SPDX-License-Identifier` lines of source files (in parallel), and attaches what they hold to
/// the components whose package directory holds them, or to the project. Returns `false` when the
/// sink cancelled.
pub fn detect_in_tree(inv: &mut Inventory, tree: &dyn Tree, sink: &dyn ScanSink) -> bool {
    let roots = Roots::new(&inv.components);
    let files: Vec<(&String, Owner, Kind)> = tree
        .files()
        .iter()
        .filter_map(|f| {
            if files::is_license_file(f) {
                roots.owner(f).map(|o| (f, o, Kind::LicenseFile))
            } else if files::is_project_readme(f) {
                Some((f, Owner::Project, Kind::Readme))
            } else if headers::wanted(f) {
                roots.owner_of_source(f).map(|o| (f, o, Kind::Source))
            } else {
                None
            }
        })
        .collect();
    let total = files.len().max(1);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let found: Vec<_> = files
        .par_iter()
        .map(|(rel, owner, kind)| {
            if cancelled.load(Ordering::Relaxed) {
                return (owner, *kind, Ok(Vec::new()));
            }
            let out = match kind {
                Kind::LicenseFile => tree.read(rel).map(|text| detect::detect(rel, &text)).map_err(|e| {
                    Diagnostic::warning(rel.as_str(), None, format!("license file not read: {e}"))
                }),
                Kind::Readme => tree
                    .read(rel)
                    .map(|text| detect::detect(rel, &text))
                    .map_err(|e| Diagnostic::warning(rel.as_str(), None, format!("README not read: {e}"))),
                // A source file that cannot be read as text (binary, too large) has no header to
                // give; the walk already reported what it could not list.
                Kind::Source => Ok(tree.read(rel).map(|text| headers::find(rel, &text)).unwrap_or_default()),
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let percent = u8::try_from(n * 100 / total).unwrap_or(100);
            if !sink.progress(&Progress { step: Step::Licenses, percent: Some(percent), detail: rel }) {
                cancelled.store(true, Ordering::Relaxed);
            }
            (owner, *kind, out)
        })
        .collect();
    if cancelled.load(Ordering::Relaxed) {
        return false;
    }
    // The README speaks only when no license file at the root did: a license file is the text
    // itself, a README section at best a summary of it.
    let root_license_found = found.iter().any(|(owner, kind, out)| {
        matches!((owner, kind), (Owner::Project, Kind::LicenseFile))
            && out.as_ref().is_ok_and(|d| !d.is_empty())
    });
    for (owner, kind, out) in found {
        if matches!(kind, Kind::Readme) && root_license_found {
            continue;
        }
        let detected = match out {
            Ok(d) if d.is_empty() => continue,
            Ok(d) => d,
            Err(d) => {
                inv.diagnostics.push(d);
                continue;
            }
        };
        let add = |l: &mut Licenses| match kind {
            Kind::LicenseFile | Kind::Readme => l.detected.extend(detected.iter().cloned()),
            Kind::Source => l.headers.extend(detected.iter().cloned()),
        };
        match owner {
            Owner::Project => add(&mut inv.project_licenses),
            Owner::Components(ix) => {
                for &i in ix {
                    if let Some(c) = inv.components.get_mut(i) {
                        add(&mut c.licenses);
                    }
                }
            }
        }
    }
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    for l in inv.components.iter_mut().map(|c| &mut c.licenses).chain([&mut inv.project_licenses]) {
        l.detected.sort();
        l.detected.dedup();
        l.headers.sort_by(|a, b| (&a.path, a.lines).cmp(&(&b.path, b.lines)));
        l.headers.dedup();
        conclude(l);
    }
    inv.components.iter_mut().for_each(undetermined::explain);
    true
}
