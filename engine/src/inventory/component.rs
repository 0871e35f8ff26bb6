//! Components: one per purl, merged from every file that declared the package.

use super::{DeclaredLicense, DistroPackage, Ecosystem, Hash, Licenses, Location, Package, Scope, Source};
use serde::{Deserialize, Serialize};

/// A package as the inventory knows it: one per purl, with every place that declared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// The package URL: the component's identity.
    pub purl: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The ecosystem-native full name.
    pub name: String,
    /// The exact version (empty when only a requirement is known: see `constraint`).
    pub version: String,
    /// The version requirement a manifest declares, when no lockfile resolved it (the first
    /// declaration's, in path order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// The strongest scope any declaration gives it.
    pub scope: Scope,
    /// `Some(true)` when any declaration says the project depends on it directly.
    pub direct: Option<bool>,
    /// True for the project's own packages (workspace members and path dependencies).
    pub local: bool,
    /// Where it comes from (the first declaration's, in path order).
    pub source: Source,
    /// Every checksum recorded for it, sorted and without repeats.
    pub hashes: Vec<Hash>,
    /// Every file (and line) that declared it, sorted.
    pub locations: Vec<Location>,
    /// Declared, detected and concluded licenses, with where each came from.
    #[serde(default, skip_serializing_if = "Licenses::is_empty")]
    pub licenses: Licenses,
    /// For an operating-system package: its release and source package (the first declaration's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<DistroPackage>,
    /// Declared licenses as written, until [`crate::license::resolve`] normalises them.
    #[serde(skip)]
    pub(crate) declared_raw: Vec<DeclaredLicense>,
}

impl Component {
    pub(crate) fn from_package(p: Package) -> Self {
        Self {
            local: p.source.is_local(),
            purl: p.purl,
            ecosystem: p.ecosystem,
            name: p.name,
            version: p.version,
            constraint: p.constraint,
            scope: p.scope,
            direct: p.direct,
            source: p.source,
            hashes: p.hashes,
            locations: vec![p.location],
            licenses: Licenses::default(),
            distro: p.distro,
            declared_raw: p.licenses,
        }
    }

    /// Folds another declaration of the same purl into this component.
    pub(crate) fn absorb(&mut self, p: Package) {
        self.scope = self.scope.min(p.scope);
        self.direct = match (self.direct, p.direct) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            (None, None) => None,
        };
        self.local |= p.source.is_local();
        if self.constraint.is_none() {
            self.constraint = p.constraint;
        }
        if self.distro.is_none() {
            self.distro = p.distro;
        }
        self.hashes.extend(p.hashes);
        self.locations.push(p.location);
        self.declared_raw.extend(p.licenses);
    }

    pub(crate) fn finish(&mut self) {
        self.hashes.sort();
        self.hashes.dedup();
        self.locations.sort();
        self.locations.dedup();
        self.declared_raw.sort();
        self.declared_raw.dedup();
        crate::license::resolve_declared(self);
    }
}
