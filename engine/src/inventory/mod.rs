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
        // Sorted, not inserted into a map keyed by a copy of each purl: the sort is stable, so a
        // purl's packages are absorbed in the order given, as the map did.
        let mut packages: Vec<Package> = packages.into_iter().collect();
        packages.sort_by(|a, b| a.purl.cmp(&b.purl));
        let mut components: Vec<Component> = Vec::with_capacity(packages.len());
        for p in packages {
            match components.last_mut() {
                Some(c) if c.purl == p.purl => c.absorb(p),
                _ => components.push(Component::from_package(p)),
            }
        }
        let known = |purl: &str| components.binary_search_by(|c| c.purl.as_str().cmp(purl)).is_ok();
        let mut edges: Vec<Edge> =
            edges.into_iter().filter(|e| e.from != e.to && known(&e.from) && known(&e.to)).collect();
        edges.sort_unstable();
        edges.dedup();
        // Each component's licenses are normalised on its own: both cores, same result.
        components.par_iter_mut().for_each(Component::finish);
        diagnostics.sort();
        diagnostics.dedup();
        skipped.sort();
        skipped.dedup();
        Self { components, edges, diagnostics, skipped, project_licenses: Licenses::default() }
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
