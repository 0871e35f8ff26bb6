//! The inventory model: packages as files declare them, components as the scan reports them.

mod component;
mod diagnostic;
mod distro;
mod ecosystem;
mod licenses;
mod package;
mod purl;

pub use component::Component;
pub use diagnostic::{Diagnostic, Severity};
pub use distro::DistroPackage;
pub use ecosystem::Ecosystem;
pub use licenses::{
    Category, Concluded, ConcludedFrom, Declared, DeclaredLicense, Detected, DetectionMethod, Licenses,
};
pub use package::{Edge, Hash, Location, Package, Scope, Source};
pub use purl::{PurlError, purl};

use crate::walk::Skipped;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a scan found: components, their dependency edges, and what it could not read.
///
/// Everything is sorted, so the same tree always gives the same inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// One component per purl, sorted by purl.
    pub components: Vec<Component>,
    /// Dependency edges between components, sorted, without repeats.
    pub edges: Vec<Edge>,
    /// Problems met while cataloging, sorted by path and line.
    pub diagnostics: Vec<Diagnostic>,
    /// Files and directories the walk did not read, and why.
    pub skipped: Vec<Skipped>,
    /// The scanned project's own licenses: those found in license files at the scan root.
    #[serde(default, skip_serializing_if = "Licenses::is_empty")]
    pub project_licenses: Licenses,
}

impl Inventory {
    /// Merges packages from many files into components (one per purl) and keeps the edges whose
    /// both ends are known.
    pub fn assemble(
        packages: impl IntoIterator<Item = Package>,
        edges: impl IntoIterator<Item = Edge>,
        mut diagnostics: Vec<Diagnostic>,
        mut skipped: Vec<Skipped>,
    ) -> Self {
        let mut by_purl: BTreeMap<String, Component> = BTreeMap::new();
        for p in packages {
            match by_purl.get_mut(&p.purl) {
                Some(c) => c.absorb(p),
                None => {
                    by_purl.insert(p.purl.clone(), Component::from_package(p));
                }
            }
        }
        let edges: BTreeSet<Edge> = edges
            .into_iter()
            .filter(|e| e.from != e.to && by_purl.contains_key(&e.from) && by_purl.contains_key(&e.to))
            .collect();
        let mut components: Vec<Component> = by_purl.into_values().collect();
        // Each component's licenses are normalised on its own: both cores, same result.
        components.par_iter_mut().for_each(Component::finish);
        diagnostics.sort();
        diagnostics.dedup();
        skipped.sort();
        skipped.dedup();
        Self {
            components,
            edges: edges.into_iter().collect(),
            diagnostics,
            skipped,
            project_licenses: Licenses::default(),
        }
    }

    /// The component with this purl.
    pub fn component(&self, purl: &str) -> Option<&Component> {
        self.components.binary_search_by(|c| c.purl.as_str().cmp(purl)).ok().map(|i| &self.components[i])
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}
