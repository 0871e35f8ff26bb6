//! License files in the tree: which paths are license files, and whose license each one is.
//!
//! A license file belongs to the package whose root directory holds it: `node_modules/<name>/`
//! for an installed npm package, the `<dist>.dist-info/` directory (and its PEP 639 `licenses/`
//! folder) for an installed Python distribution. License files at the scan root are the project's.
//! Anywhere else (docs, vendored sources, test fixtures) a license file is not attributed to a
//! component, because no manifest there says which component it would be.

use crate::inventory::Component;
use crate::tree::{file_name, parent};
use std::collections::BTreeMap;

/// File-name extensions of code and data, never license texts (`license.js`, `LICENSE.json`).
const NOT_TEXT: &[&str] = &[
    "js", "mjs", "cjs", "ts", "tsx", "jsx", "py", "pyc", "rs", "go", "java", "class", "rb", "php", "json",
    "yml", "yaml", "toml", "xml", "css", "map", "c", "h", "cc", "cpp", "sh", "ps1", "svg", "png", "jpg",
    "gif",
];

/// True for `LICENSE*`, `LICENCE*`, `COPYING*`, `NOTICE*`, `UNLICENSE*` (any case, plain text or
/// markdown) and for every file under a distribution's `.dist-info/licenses/` folder.
pub fn is_license_file(rel: &str) -> bool {
    let name = file_name(rel);
    let upper = name.to_ascii_uppercase();
    let named = ["LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE"].iter().any(|p| upper.starts_with(p));
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if named && !ext.as_deref().is_some_and(|e| NOT_TEXT.contains(&e)) {
        return true;
    }
    dist_info_of(rel).is_some_and(|d| rel[d.len()..].starts_with("/licenses/"))
}

/// True for the project's own README (`README`, `README.md`, `readme.rst`, … at the scan root):
/// read for its license section when no license file at the root gave an answer. READMEs below
/// the root are not: a package directory's README describes a dependency whose license files (or
/// manifest) say what it is under, and elsewhere no manifest says whose README it would be.
pub fn is_project_readme(rel: &str) -> bool {
    parent(rel).is_empty() && super::readme::is_readme(rel)
}

/// The `….dist-info` directory `rel` lies in, if any.
fn dist_info_of(rel: &str) -> Option<&str> {
    let mut dir = parent(rel);
    while !dir.is_empty() {
        if file_name(dir).ends_with(".dist-info") {
            return Some(dir);
        }
        dir = parent(dir);
    }
    None
}

/// The root directory of a component declared by the per-package manifest at `location`, if that
/// file is one (lockfiles list many packages and root none of them).
fn package_root(location: &str) -> Option<&str> {
    let dir = parent(location);
    match file_name(location) {
        "package.json"
            if file_name(parent(dir)) == "node_modules" || parent(dir).ends_with("/node_modules") =>
        {
            Some(dir)
        }
        "package.json"
            if file_name(parent(parent(dir))) == "node_modules"
                && file_name(parent(dir)).starts_with('@') =>
        {
            Some(dir)
        }
        "METADATA" if file_name(dir).ends_with(".dist-info") => Some(dir),
        "PKG-INFO" if file_name(dir).ends_with(".egg-info") => Some(dir),
        _ => None,
    }
}

/// Who a license file belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The scanned project itself.
    Project,
    /// These components (by index in the inventory's sorted list).
    Components(Vec<usize>),
}

/// Maps package root directories to the components rooted there.
pub struct Roots(BTreeMap<String, Vec<usize>>);

impl Roots {
    /// The package roots of `components`.
    pub fn new(components: &[Component]) -> Self {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in components.iter().enumerate() {
            // A vendored crate's own Cargo.toml (where its declared license was read) roots it.
            let manifests = c
                .licenses
                .declared
                .iter()
                .map(|d| &d.location)
                .filter(|l| !c.local && file_name(&l.path) == "Cargo.toml")
                .map(|l| l.path.as_str());
            let roots = c
                .locations
                .iter()
                .filter_map(|l| package_root(&l.path))
                .chain(manifests.map(parent).filter(|d| !d.is_empty()));
            for root in roots {
                let v = map.entry(root.to_string()).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        Self(map)
    }

    /// The owner of the source file at `rel`: the component whose package directory is its
    /// nearest enclosing one; else the project, unless it lies in a dependency directory no
    /// component is known for (then nobody: it is not the project's code).
    pub fn owner_of_source(&self, rel: &str) -> Option<Owner> {
        let mut dir = parent(rel);
        while !dir.is_empty() {
            if let Some(v) = self.0.get(dir) {
                return Some(Owner::Components(v.clone()));
            }
            dir = parent(dir);
        }
        (!super::headers::in_dependency_dir(rel)).then_some(Owner::Project)
    }

    /// The owner of the license file at `rel`, if it has one.
    pub fn owner(&self, rel: &str) -> Option<Owner> {
        let dir = parent(rel);
        if dir.is_empty() {
            return Some(Owner::Project);
        }
        let root = dist_info_of(rel).unwrap_or(dir);
        self.0.get(root).map(|v| Owner::Components(v.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_file_names() {
        for yes in [
            "LICENSE",
            "LICENSE.md",
            "node_modules/a/license",
            "LICENSE-APACHE",
            "LICENSE.BSD",
            "COPYING.LESSER",
            "NOTICE.txt",
            "x/foo-1.0.dist-info/licenses/AUTHORS.rst",
            "LICENCE",
        ] {
            assert!(is_license_file(yes), "{yes}");
        }
        for no in ["license.js", "src/licenses.json", "README.md", "x/foo.dist-info/METADATA", "LICENSE.yml"]
        {
            assert!(!is_license_file(no), "{no}");
        }
    }

    #[test]
    fn only_the_root_readme_is_the_projects() {
        for yes in ["README", "README.md", "readme.rst", "Readme.txt"] {
            assert!(is_project_readme(yes), "{yes}");
        }
        for no in ["docs/README.md", "node_modules/a/README.md", "vendor/x/README", "README.js", "LICENSE"] {
            assert!(!is_project_readme(no), "{no}");
        }
    }

    #[test]
    fn package_roots() {
        assert_eq!(package_root("node_modules/a/package.json"), Some("node_modules/a"));
        assert_eq!(package_root("node_modules/@s/a/package.json"), Some("node_modules/@s/a"));
        assert_eq!(
            package_root("x/node_modules/a/node_modules/b/package.json"),
            Some("x/node_modules/a/node_modules/b")
        );
        assert_eq!(package_root("lib/foo-1.0.dist-info/METADATA"), Some("lib/foo-1.0.dist-info"));
        assert_eq!(package_root("package.json"), None);
        assert_eq!(package_root("package-lock.json"), None);
    }
}
