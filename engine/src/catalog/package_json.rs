//! `package.json` without a lockfile: `dependencies`, `optionalDependencies` and `devDependencies`
//! as direct components with their ranges.
//!
//! A `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock` or `pnpm-lock.yaml` beside the manifest
//! or above it (a workspace's lockfile is at its root), or an installed `node_modules/` beside it,
//! wins: those catalogers report the resolved versions and this one reports nothing.

use super::npm_common::{Manifest, git_source, is_git};
use super::pyproject::line_containing;
use super::unlocked::{covering_lock, in_dependency_dir, no_lockfile};
use super::{Catalog, Cataloger};
use crate::inventory::{Ecosystem, Location, Package, Source};
use crate::tree::{Tree, file_name, parent};

/// Reads `package.json` files no lockfile covers.
pub struct PackageJson;

const LOCKS: &[&str] = &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"];

/// The version a range pins exactly (`1.2.3`, `=1.2.3`, `v1.2.3`, with a pre-release or build),
/// else `None`.
fn exact(range: &str) -> Option<&str> {
    let v = range.trim();
    let v = v.strip_prefix('=').unwrap_or(v).trim_start();
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    let numeric =
        parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let tail_ok = v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    (numeric && tail_ok).then_some(v)
}

/// True when an installed `node_modules/` sits beside `rel` (the node_modules cataloger reads it).
fn installed_beside(rel: &str, tree: &dyn Tree) -> bool {
    let dir = parent(rel);
    let prefix = if dir.is_empty() { "node_modules/".to_string() } else { format!("{dir}/node_modules/") };
    let files = tree.files();
    let at = files.partition_point(|f| f.as_str() < prefix.as_str());
    files.get(at).is_some_and(|f| f.starts_with(&prefix))
}

impl Cataloger for PackageJson {
    fn name(&self) -> &'static str {
        "package-json"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "package.json" && !in_dependency_dir(rel)
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if covering_lock(rel, tree, LOCKS, true).is_some() || installed_beside(rel, tree) {
            return Catalog::default();
        }
        let Some(manifest) = Manifest::parse(text) else {
            return Catalog::failed(rel, None, "not a JSON object");
        };
        let mut out = Catalog::default();
        for (name, range, scope) in &manifest.deps {
            let location = Location::new(rel, line_containing(text, &format!("\"{name}\"")));
            // `"alias": "npm:real@range"` installs package `real`.
            let (name, range) = match range.strip_prefix("npm:").and_then(super::npm_common::split_spec) {
                Some((real, r)) => (real, r),
                None => (name.as_str(), range.as_str()),
            };
            let local = ["file:", "link:", "workspace:", "portal:"].iter().any(|p| range.starts_with(p));
            let source = if local {
                Some(Source::Local { path: range.split_once(':').map_or("", |(_, p)| p).to_string() })
            } else if is_git(range) {
                Some(git_source(range))
            } else if range.starts_with("https://") || range.starts_with("http://") {
                Some(Source::Url { url: range.to_string() })
            } else {
                None
            };
            let version = if source.is_none() { exact(range).unwrap_or("") } else { "" };
            let pkg = Package::new(Ecosystem::Npm, name, version, location).and_then(|p| {
                let p = p.direct(true).scope(*scope);
                let p = if source.is_none() { p.constraint(range) } else { p };
                match source {
                    Some(s) => p.source(s),
                    None => Ok(p),
                }
            });
            out.push(rel, pkg);
        }
        if !manifest.deps.is_empty() {
            out.diagnostics.push(no_lockfile(rel, manifest.deps.len(), LOCKS));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Scope;
    use crate::tree::MemTree;

    const TEXT: &str = r#"{
  "name": "app",
  "dependencies": { "pg": "^8.11.0", "left-pad": "1.3.0", "lib": "file:../lib", "h": "github:a/h#v1", "al": "npm:real@=2.0.0" },
  "devDependencies": { "eslint": "~9.1" },
  "optionalDependencies": { "fsevents": "*" }
}"#;

    #[test]
    fn declared_dependencies_with_their_ranges() {
        let tree = MemTree::new().with("package.json", TEXT);
        let c = PackageJson.catalog("package.json", TEXT, &tree);
        let got: Vec<(&str, &str, Option<&str>, Scope)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.constraint.as_deref(), p.scope))
            .collect();
        assert!(got.contains(&("pg", "", Some("^8.11.0"), Scope::Required)), "{got:?}");
        assert!(got.contains(&("left-pad", "1.3.0", Some("1.3.0"), Scope::Required)));
        assert!(got.contains(&("real", "2.0.0", Some("=2.0.0"), Scope::Required)));
        assert!(got.contains(&("eslint", "", Some("~9.1"), Scope::Dev)));
        assert!(got.contains(&("fsevents", "", Some("*"), Scope::Optional)));
        let lib = c.packages.iter().find(|p| p.name == "lib").expect("lib");
        assert!(lib.source.is_local());
        let h = c.packages.iter().find(|p| p.name == "h").expect("h");
        assert!(matches!(&h.source, Source::Git { .. }));
        assert_eq!(c.packages.iter().find(|p| p.name == "pg").and_then(|p| p.location.line), Some(3));
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].message.contains("7 declared dependencies"), "{:?}", c.diagnostics);
    }

    #[test]
    fn lockfile_or_installed_tree_wins() {
        let lock = MemTree::new().with("a/package.json", TEXT).with("yarn.lock", "");
        assert_eq!(PackageJson.catalog("a/package.json", TEXT, &lock), Catalog::default());
        let installed = MemTree::new().with("package.json", TEXT).with("node_modules/pg/package.json", "{}");
        assert_eq!(PackageJson.catalog("package.json", TEXT, &installed), Catalog::default());
        assert!(!PackageJson.wants("node_modules/pg/package.json"));
        assert_eq!(exact("1.2.3-rc.1"), Some("1.2.3-rc.1"));
        assert_eq!(exact("1.2"), None);
        assert_eq!(exact(">=1.2.3"), None);
        assert_eq!(exact("1.2.3 || 2.0.0"), None);
    }

    #[test]
    fn not_an_object_is_an_error() {
        let tree = MemTree::new().with("package.json", "[1]");
        let c = PackageJson.catalog("package.json", "[1]", &tree);
        assert_eq!(c.diagnostics[0].severity, crate::inventory::Severity::Error);
    }
}
