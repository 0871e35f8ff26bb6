//! Catalogers: one per manifest or lockfile format, each turning one file into packages and edges.
//!
//! A cataloger is a unit struct implementing [`Cataloger`], listed once in [`CATALOGERS`]. It never
//! executes project code, never touches the network and never panics on bad input: whatever it cannot
//! read becomes a [`Diagnostic`] in its [`Catalog`], and the scan goes on. Other files it needs (a
//! `go.sum` beside a `go.mod`, a parent POM, a `-r` include) come through the [`Tree`], which keeps
//! reads inside the scan root.

mod cargo;
mod cargo_manifest;
mod cargo_toml;
mod go_mod;
mod gradle_lock;
mod graph;
mod hashes;
mod lines;
mod node_modules;
mod npm_common;
mod npm_lock;
mod npm_lock_doc;
mod package_json;
mod pdm_lock;
mod pip_requirements;
mod pipfile_lock;
mod pnpm_lock;
mod poetry_lock;
mod pom;
mod pyproject;
mod python_common;
mod python_metadata;
mod uv_lock;
mod yarn_lock;

// Ruby, PHP, .NET, Dart, Elixir, Swift, C/C++.
mod composer_lock;
mod conan_lock;
mod gemfile_lock;
mod gemspec;
mod mix_lock;
mod nuget_lock;
mod nuget_proj;
mod other_common;
mod pubspec_lock;
mod swift_resolved;
mod unlocked;

pub use lines::{LineIndex, line_of_key};

use crate::inventory::{Diagnostic, Edge, Package, PurlError};
use crate::tree::Tree;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What one cataloger found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Packages the file declares.
    pub packages: Vec<Package>,
    /// Dependency edges between them (by purl).
    pub edges: Vec<Edge>,
    /// What could not be read or resolved.
    pub diagnostics: Vec<Diagnostic>,
}

impl Catalog {
    /// Adds a package, or, when no purl could be built for it, an error diagnostic at `path`.
    pub fn push(&mut self, path: &str, package: Result<Package, PurlError>) -> Option<&Package> {
        match package {
            Ok(p) => {
                self.packages.push(p);
                self.packages.last()
            }
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(path, None, e.to_string()));
                None
            }
        }
    }

    /// Adds an edge.
    pub fn edge(&mut self, from: impl Into<String>, to: impl Into<String>) {
        self.edges.push(Edge::new(from, to));
    }

    /// A catalog holding only one error diagnostic.
    pub fn failed(path: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Self { diagnostics: vec![Diagnostic::error(path, line, message)], ..Self::default() }
    }

    /// Appends everything from `other`.
    pub fn extend(&mut self, other: Catalog) {
        self.packages.extend(other.packages);
        self.edges.extend(other.edges);
        self.diagnostics.extend(other.diagnostics);
    }
}

/// A reader of one manifest or lockfile format.
pub trait Cataloger: Send + Sync {
    /// A short stable name (`cargo-lock`, `npm-package-lock`, …).
    fn name(&self) -> &'static str;
    /// True when this cataloger reads the file at `rel` (root-relative, `/`-separated); decided
    /// from the path alone, so the walk can filter without opening files.
    fn wants(&self, rel: &str) -> bool;
    /// Reads `text`, the contents of `rel`. Other files come from `tree`.
    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog;
}

/// Every cataloger Cairn has.
pub static CATALOGERS: &[&dyn Cataloger] = &[
    &cargo::CargoLock,
    &cargo_manifest::CargoManifest,
    // Python
    &pip_requirements::PipRequirements,
    &poetry_lock::PoetryLock,
    &pipfile_lock::PipfileLock,
    &uv_lock::UvLock,
    &pdm_lock::PdmLock,
    &python_metadata::PythonMetadata,
    &pyproject::Pyproject,
    // Go and JVM
    &go_mod::GoMod,
    &pom::PomXml,
    &gradle_lock::GradleLockfile,
    // JavaScript
    &npm_lock::NpmLock,
    &yarn_lock::YarnLock,
    &pnpm_lock::PnpmLock,
    &node_modules::NodeModules,
    &package_json::PackageJson,
    // Ruby, PHP, .NET, Dart, Elixir, Swift, C/C++.
    &gemfile_lock::GemfileLock,
    &composer_lock::ComposerLock,
    &nuget_lock::NugetLock,
    &nuget_proj::NugetProject,
    &pubspec_lock::PubspecLock,
    &mix_lock::MixLock,
    &swift_resolved::PackageResolved,
    &conan_lock::ConanLock,
];

/// True when any cataloger reads `rel`.
pub fn wanted(rel: &str) -> bool {
    CATALOGERS.iter().any(|c| c.wants(rel))
}

/// True when the walk should list `rel` in [`Tree::files`]: the files catalogers read, plus manifests
/// they only consult and must be able to find by pattern (npm and yarn workspaces are globs over
/// `package.json` files; a Cargo workspace's member manifests say which dependencies are dev-only),
/// plus gemspecs (for the licenses gems declare), plus license files, the project's README and source files (for `SPDX-License-Identifier`
/// lines) for license detection. Listed files are not cataloged unless [`wanted`].
pub fn listed(rel: &str) -> bool {
    wanted(rel)
        || (matches!(crate::tree::file_name(rel), "package.json" | "Cargo.toml")
            && !rel.split('/').any(|p| p == "node_modules" || p == "target"))
        || crate::license::files::is_license_file(rel)
        || crate::license::files::is_project_readme(rel)
        || crate::license::headers::wanted(rel)
        || gemspec::listed(rel)
}

/// Catalogs one file given as bytes, alone (any file it refers to is missing): for uploads of a
/// single lockfile and for fuzzing.
pub fn catalog_bytes(rel: &str, bytes: &[u8]) -> Catalog {
    match crate::tree::decode(bytes) {
        Ok(text) => {
            let tree = crate::tree::MemTree::new().with(rel, bytes);
            catalog_file(rel, &text, &tree)
        }
        Err(e) => Catalog::failed(rel, None, e.to_string()),
    }
}

/// Runs every cataloger that wants `rel` over `text`.
///
/// A panic inside a cataloger is a bug, but it must not take the scan down: it becomes an error
/// diagnostic on the file.
pub fn catalog_file(rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
    let mut out = Catalog::default();
    for c in CATALOGERS.iter().filter(|c| c.wants(rel)) {
        match catch_unwind(AssertUnwindSafe(|| c.catalog(rel, text, tree))) {
            Ok(found) => out.extend(found),
            Err(_) => {
                tracing::error!(cataloger = c.name(), path = rel, "cataloger panicked");
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    None,
                    format!("internal error in the {} cataloger; this file was not read", c.name()),
                ));
            }
        }
    }
    out
}
