//! Operating-system packages: the distribution (os-release) and its package database — dpkg
//! (Debian, Ubuntu, distroless), apk (Alpine), rpm's SQLite database (Fedora, RHEL/UBI,
//! CBL-Mariner; its older ndb and BerkeleyDB forms are named in a diagnostic).
//!
//! Each package records the files its database says it owns, so language catalogers do not count
//! distribution-owned files (a Debian `python3-*` package's `.dist-info`) a second time.

pub mod apk;
pub mod dpkg;
pub mod release;
pub mod rpm;

use crate::catalog::Catalog;
use crate::inventory::{Diagnostic, Ecosystem};
use crate::tree::Tree;
pub use release::OsRelease;
use std::collections::BTreeSet;

/// The distribution context OS packages are recorded in.
#[derive(Debug, Clone)]
pub struct Distro {
    /// Their ecosystem.
    pub ecosystem: Ecosystem,
    /// The release in OSV's spelling, when os-release names a distribution Cairn matches.
    pub release: Option<String>,
    /// The purl `distro` qualifier, when os-release gives one.
    pub qualifier: Option<String>,
}

impl Distro {
    fn new(ecosystem: Ecosystem, os: Option<&OsRelease>) -> Distro {
        // Only the distribution's own advisories apply: a derivative (Raspbian, Mint) is not
        // matched against Debian's or Ubuntu's.
        let same = os.is_some_and(|o| o.ecosystem() == Some(ecosystem));
        Distro {
            ecosystem,
            release: os.filter(|_| same).and_then(OsRelease::osv_release),
            qualifier: os.and_then(OsRelease::distro_qualifier),
        }
    }
}

/// True for the files OS catalogers read (the image scan keeps their bytes).
pub fn wanted(path: &str) -> bool {
    release::PATHS.contains(&path) || dpkg::wanted(path) || path == apk::INSTALLED || rpm::wanted(path)
}

/// OS packages of `tree`, whose OS database files are `paths`: the packages, the files they own,
/// and the os-release read.
pub fn catalog(tree: &dyn Tree, paths: &[String]) -> (Catalog, BTreeSet<String>, Option<OsRelease>) {
    let mut out = Catalog::default();
    let mut owned = BTreeSet::new();
    let os = match release::read(tree) {
        Some(Ok(os)) => Some(os),
        Some(Err((path, e))) => {
            out.diagnostics.push(Diagnostic::error(path.as_str(), None, e.to_string()));
            None
        }
        None => None,
    };
    let has = |p: &str| paths.iter().any(|x| x == p);
    if has(dpkg::STATUS) || paths.iter().any(|p| p.starts_with(dpkg::STATUS_D)) {
        let eco =
            if os.as_ref().is_some_and(|o| o.id == "ubuntu") { Ecosystem::Ubuntu } else { Ecosystem::Debian };
        let (c, o) = dpkg::catalog(tree, paths, &Distro::new(eco, os.as_ref()));
        out.extend(c);
        owned.extend(o);
    }
    if has(apk::INSTALLED) {
        let (c, o) = apk::catalog(tree, &Distro::new(Ecosystem::Alpine, os.as_ref()));
        out.extend(c);
        owned.extend(o);
    }
    if let Some(db) = rpm::SQLITE.iter().find(|p| has(p)) {
        let (c, o) = rpm::catalog(tree, db, os.as_ref());
        out.extend(c);
        owned.extend(o);
    }
    (out, owned, os)
}
