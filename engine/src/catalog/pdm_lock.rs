//! `pdm.lock`.
//!
//! Every `[[package]]` is a package. `groups` gives the scope (`default` is required, a test group
//! test, any other dev); `git`/`revision`, `url` and `path` give non-registry sources. Hashes come
//! from `files` (or the older `[metadata.files]`, keyed `name version`). `dependencies` are PEP 508
//! strings resolved by normalised name (and exact pin when several versions are locked). Direct
//! dependencies come from the sibling `pyproject.toml` when there is one.

use super::python_common::{exact_pin, normalize, parse_hash, pyproject_direct, split_name};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Reads `pdm.lock`.
pub struct PdmLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    files: BTreeMap<String, Vec<FileEntry>>,
}

#[derive(Deserialize)]
struct FileEntry {
    #[serde(default)]
    hash: String,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    #[serde(default)]
    version: String,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<FileEntry>,
    git: Option<String>,
    revision: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    url: Option<String>,
    path: Option<String>,
}

fn scope_of(groups: Option<&Vec<String>>) -> Scope {
    match groups {
        None => Scope::Required,
        Some(g) if g.is_empty() || g.iter().any(|g| g == "default") => Scope::Required,
        Some(g) if g.iter().all(|g| matches!(g.as_str(), "test" | "tests" | "testing")) => Scope::Test,
        Some(_) => Scope::Dev,
    }
}

impl Cataloger for PdmLock {
    fn name(&self) -> &'static str {
        "pdm-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pdm.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let lock: Lock = match toml::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                let line = e.span().map(|s| LineIndex::new(text).line(s.start));
                return Catalog::failed(rel, line, format!("not a valid pdm.lock: {}", e.message()));
            }
        };
        let index = LineIndex::new(text);
        let header_lines: Vec<u32> =
            text.match_indices("[[package]]").map(|(at, _)| index.line(at)).collect();
        let direct = pyproject_direct(rel, tree);
        let mut out = Catalog::default();
        let mut purls: Vec<Option<String>> = Vec::with_capacity(lock.package.len());
        for (i, p) in lock.package.iter().enumerate() {
            let line = header_lines.get(i).copied();
            let source = if let Some(git) = &p.git {
                Source::Git { url: git.clone(), rev: p.revision.clone().or_else(|| p.reference.clone()) }
            } else if let Some(path) = &p.path {
                Source::Local { path: path.clone() }
            } else if let Some(url) = &p.url {
                Source::Url { url: url.clone() }
            } else {
                Source::Registry
            };
            if p.version.is_empty() && !source.is_local() && !matches!(source, Source::Git { .. }) {
                out.diagnostics.push(Diagnostic::warning(rel, line, format!("{} has no version", p.name)));
                purls.push(None);
                continue;
            }
            let files = if p.files.is_empty() {
                lock.metadata.files.get(&format!("{} {}", p.name, p.version))
            } else {
                Some(&p.files)
            };
            let hashes: Vec<Hash> = files.into_iter().flatten().filter_map(|f| parse_hash(&f.hash)).collect();
            let local = source.is_local();
            let pkg = Package::new(Ecosystem::PyPI, &p.name, &p.version, Location::new(rel, line)).and_then(
                |mut pkg| {
                    pkg.hashes = hashes;
                    pkg.scope = scope_of(p.groups.as_ref());
                    if let Some(d) = &direct {
                        pkg.direct = Some(local || d.contains_key(&normalize(&p.name)));
                    }
                    pkg.source(source)
                },
            );
            purls.push(out.push(rel, pkg).map(|p| p.purl.clone()));
        }

        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, p) in lock.package.iter().enumerate() {
            by_name.entry(normalize(&p.name)).or_default().push(i);
        }
        for (i, p) in lock.package.iter().enumerate() {
            let Some(from) = purls.get(i).cloned().flatten() else { continue };
            for dep in &p.dependencies {
                let Some((name, rest)) = split_name(dep) else {
                    out.diagnostics.push(Diagnostic::warning(
                        rel,
                        header_lines.get(i).copied(),
                        format!("{}: unreadable dependency {dep:?}", p.name),
                    ));
                    continue;
                };
                let Some(candidates) = by_name.get(&normalize(name)) else {
                    // Dependencies behind a marker may be left out of the lock.
                    if !dep.contains(';') {
                        out.diagnostics.push(Diagnostic::warning(
                            rel,
                            header_lines.get(i).copied(),
                            format!("{} depends on {name}, which the lockfile does not list", p.name),
                        ));
                    }
                    continue;
                };
                let pin = exact_pin(rest);
                let exact: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&j| lock.package.get(j).is_some_and(|c| Some(c.version.as_str()) == pin))
                    .collect();
                let targets = if exact.is_empty() { candidates } else { &exact };
                for &j in targets {
                    if j == i {
                        continue;
                    }
                    if let Some(to) = purls.get(j).cloned().flatten() {
                        out.edge(from.clone(), to);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    const LOCK: &str = r#"# This file is @generated by PDM.
[metadata]
groups = ["default", "dev", "test"]
lock_version = "4.4"

[[package]]
name = "Foo_Bar.baz"
version = "1.0rc1"
groups = ["default"]
dependencies = [
    "six==2.0+local",
    "lib[x]>=1; python_version >= \"3.8\"",
    "absent; sys_platform == 'win32'",
]
files = [
    {file = "a.whl", hash = "sha256:AA"},
    {file = "a.tar.gz", hash = "sha256:bb"},
]

[[package]]
name = "six"
version = "1.0"
groups = ["dev"]

[[package]]
name = "six"
version = "2.0+local"
groups = ["default", "dev"]

[[package]]
name = "lib"
version = "3.0"
groups = ["test"]
git = "https://github.com/o/lib.git"
revision = "abc"

[[package]]
name = "mine"
version = "0.1"
path = "./mine"
groups = ["default"]

[[package]]
name = "dl"
version = "1.0"
url = "https://x.org/dl-1.0.tar.gz"
groups = ["dev"]
"#;

    #[test]
    fn groups_sources_hashes_edges_direct() {
        let tree = MemTree::new().with("pyproject.toml", "[project]\ndependencies = [\"foo-bar-baz\"]\n");
        let c = PdmLock.catalog("pdm.lock", LOCK, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Scope, Option<bool>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.scope, p.direct)).collect();
        assert_eq!(
            got,
            [
                ("pkg:pypi/foo-bar.baz@1.0rc1", Scope::Required, Some(true)),
                ("pkg:pypi/six@1.0", Scope::Dev, Some(false)),
                ("pkg:pypi/six@2.0%2Blocal", Scope::Required, Some(false)),
                (
                    "pkg:pypi/lib@3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Flib.git%40abc",
                    Scope::Test,
                    Some(false)
                ),
                ("pkg:pypi/mine@0.1", Scope::Required, Some(true)),
                ("pkg:pypi/dl@1.0?download_url=https:%2F%2Fx.org%2Fdl-1.0.tar.gz", Scope::Dev, Some(false)),
            ]
        );
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "aa"), Hash::new("SHA-256", "bb")]);
        assert_eq!(c.packages[0].location.line, Some(6));
        let to: Vec<&str> = c.edges.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(to, ["pkg:pypi/six@2.0%2Blocal", c.packages[3].purl.as_str()]);
    }

    #[test]
    fn old_metadata_files_crlf_broken_and_empty() {
        let t = "[[package]]\r\nname = \"a\"\r\nversion = \"1\"\r\nsections = [\"default\"]\r\n\r\n[metadata.files]\r\n\"a 1\" = [\r\n    {url = \"https://x/a.whl\", hash = \"sha256:0f\"},\r\n]\r\n";
        let c = PdmLock.catalog("pdm.lock", t, &MemTree::new());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "0f")]);
        assert_eq!(c.packages[0].direct, None);
        let run = |t: &str| PdmLock.catalog("pdm.lock", t, &MemTree::new());
        assert!(run("").packages.is_empty() && run("").diagnostics.is_empty());
        let c = run(&LOCK[..LOCK.len() / 3]);
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
        let c = run("[[package]]\nname = \"x\"\n");
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
    }
}
