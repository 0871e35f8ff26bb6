//! `poetry.lock`, lock-version 1.x and 2.x.
//!
//! Every `[[package]]` is a package. Scope comes from `category` (1.x: `main`/`dev`) or `groups`
//! (2.x: `main` is required, a test group is test, any other group dev); `optional = true` makes a
//! required package optional. `[package.source]` gives git, url, legacy (alternative index) and the
//! project's own `directory`/`file` sources. Hashes are per distribution file: `files` (2.x) or
//! `[metadata.files]` (1.x). Edges come from `[package.dependencies]` by normalised name; direct
//! dependencies from the sibling `pyproject.toml` when there is one.

use super::python_common::{normalize, parse_hash, pyproject_direct};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Reads `poetry.lock`.
pub struct PoetryLock;

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
    version: String,
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    groups: Option<Vec<String>>,
    source: Option<PackageSource>,
    #[serde(default)]
    files: Vec<FileEntry>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PackageSource {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
    reference: Option<String>,
    resolved_reference: Option<String>,
}

fn source_of(s: Option<&PackageSource>) -> Source {
    let Some(s) = s else { return Source::Registry };
    match s.kind.as_str() {
        "git" => Source::Git {
            url: s.url.clone(),
            rev: s.resolved_reference.clone().or_else(|| s.reference.clone()).filter(|r| !r.is_empty()),
        },
        "directory" | "file" => Source::Local { path: s.url.clone() },
        "url" => Source::Url { url: s.url.clone() },
        _ if s.url.is_empty() => Source::Registry,
        _ => Source::AltRegistry { url: s.url.clone() },
    }
}

fn scope_of(p: &LockPackage) -> Scope {
    let base = match (&p.groups, p.category.as_deref()) {
        (Some(groups), _) if groups.iter().any(|g| g == "main") || groups.is_empty() => Scope::Required,
        (Some(groups), _) if groups.iter().all(|g| matches!(g.as_str(), "test" | "tests")) => Scope::Test,
        (Some(_), _) => Scope::Dev,
        (None, Some("dev")) => Scope::Dev,
        (None, _) => Scope::Required,
    };
    if p.optional && base == Scope::Required { Scope::Optional } else { base }
}

/// The exact version a dependency entry pins, if it pins one (`"1.0"`, `"==1.0"`, `{version = …}`).
fn pinned(spec: &toml::Value) -> Vec<String> {
    let one = |s: &str| {
        let s = s.trim().trim_start_matches("==").trim();
        (!s.is_empty() && !s.contains(['<', '>', '^', '~', '*', ',', '!', '|', ' '])).then(|| s.to_string())
    };
    match spec {
        toml::Value::String(s) => one(s).into_iter().collect(),
        toml::Value::Table(t) => {
            t.get("version").and_then(toml::Value::as_str).and_then(one).into_iter().collect()
        }
        toml::Value::Array(items) => items.iter().flat_map(pinned).collect(),
        _ => Vec::new(),
    }
}

impl Cataloger for PoetryLock {
    fn name(&self) -> &'static str {
        "poetry-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "poetry.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let lock: Lock = match toml::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                let line = e.span().map(|s| LineIndex::new(text).line(s.start));
                return Catalog::failed(rel, line, format!("not a valid poetry.lock: {}", e.message()));
            }
        };
        let index = LineIndex::new(text);
        let header_lines: Vec<u32> =
            text.match_indices("[[package]]").map(|(at, _)| index.line(at)).collect();
        let direct = pyproject_direct(rel, tree);
        let v1_files: BTreeMap<String, &Vec<FileEntry>> =
            lock.metadata.files.iter().map(|(k, v)| (normalize(k), v)).collect();

        let mut out = Catalog::default();
        let mut purls: Vec<Option<String>> = Vec::with_capacity(lock.package.len());
        for (i, p) in lock.package.iter().enumerate() {
            let key = normalize(&p.name);
            let files = if p.files.is_empty() { v1_files.get(&key).copied() } else { Some(&p.files) };
            let hashes: Vec<Hash> = files.into_iter().flatten().filter_map(|f| parse_hash(&f.hash)).collect();
            let source = source_of(p.source.as_ref());
            let local = source.is_local();
            let pkg = Package::new(
                Ecosystem::PyPI,
                &p.name,
                &p.version,
                Location::new(rel, header_lines.get(i).copied()),
            )
            .and_then(|mut pkg| {
                pkg.hashes = hashes;
                pkg.scope = scope_of(p);
                if let Some(d) = &direct {
                    pkg.direct = Some(d.contains_key(&key));
                }
                if local {
                    pkg.direct = Some(true);
                }
                pkg.source(source)
            });
            purls.push(out.push(rel, pkg).map(|p| p.purl.clone()));
        }

        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, p) in lock.package.iter().enumerate() {
            by_name.entry(normalize(&p.name)).or_default().push(i);
        }
        for (i, p) in lock.package.iter().enumerate() {
            let Some(from) = purls.get(i).cloned().flatten() else { continue };
            for (dep, spec) in &p.dependencies {
                let Some(candidates) = by_name.get(&normalize(dep)) else {
                    // Optional extras and platform-specific dependencies may be left out of the lock.
                    let optional = spec.get("optional").and_then(toml::Value::as_bool).unwrap_or(false)
                        || spec.get("markers").is_some()
                        || spec.as_array().is_some();
                    if !optional {
                        out.diagnostics.push(Diagnostic::warning(
                            rel,
                            header_lines.get(i).copied(),
                            format!(
                                "{} {} depends on {dep}, which the lockfile does not list",
                                p.name, p.version
                            ),
                        ));
                    }
                    continue;
                };
                let pins = pinned(spec);
                let exact: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&j| lock.package.get(j).is_some_and(|c| pins.contains(&c.version)))
                    .collect();
                let targets = if exact.is_empty() { candidates.clone() } else { exact };
                for j in targets {
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

    fn run(text: &str) -> Catalog {
        PoetryLock.catalog("poetry.lock", text, &MemTree::new())
    }

    const V2: &str = r#"
[[package]]
name = "Foo_Bar.baz"
version = "1.0rc1"
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [
    {file = "a.whl", hash = "sha256:AA"},
    {file = "a.tar.gz", hash = "sha256:bb"},
]

[package.dependencies]
idna = ">=2.8"
colorama = {version = "*", markers = "os_name == \"nt\""}
six = [
    {version = "1.0", markers = "python_version < \"3\""},
    {version = "2.0+local", markers = "python_version >= \"3\""},
]

[[package]]
name = "idna"
version = "3.0"
optional = true
groups = ["main", "dev"]
files = []

[[package]]
name = "six"
version = "1.0"
groups = ["dev"]
files = []

[[package]]
name = "six"
version = "2.0+local"
groups = ["test"]
files = []

[[package]]
name = "core"
version = "2.0.0"
groups = ["main"]
files = []

[package.source]
type = "git"
url = "https://github.com/o/core.git"
reference = "HEAD"
resolved_reference = "abc123"

[[package]]
name = "mine"
version = "0.1"
groups = ["main"]
files = []

[package.source]
type = "directory"
url = "../mine"

[[package]]
name = "priv"
version = "1.0"
groups = ["main"]
files = []

[package.source]
type = "legacy"
url = "https://pypi.example.com/simple"
reference = "private"

[metadata]
lock-version = "2.1"
"#;

    #[test]
    fn v2_scopes_sources_hashes_edges() {
        let c = run(V2);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:pypi/foo-bar.baz@1.0rc1",
                "pkg:pypi/idna@3.0",
                "pkg:pypi/six@1.0",
                "pkg:pypi/six@2.0%2Blocal",
                "pkg:pypi/core@2.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fcore.git%40abc123",
                "pkg:pypi/mine@0.1",
                "pkg:pypi/priv@1.0?repository_url=https:%2F%2Fpypi.example.com%2Fsimple",
            ]
        );
        let scopes: Vec<Scope> = c.packages.iter().map(|p| p.scope).collect();
        assert_eq!(
            scopes,
            [
                Scope::Required,
                Scope::Optional,
                Scope::Dev,
                Scope::Test,
                Scope::Required,
                Scope::Required,
                Scope::Required
            ]
        );
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "aa"), Hash::new("SHA-256", "bb")]);
        assert_eq!(c.packages[0].location.line, Some(2));
        assert!(c.packages[5].source.is_local());
        assert_eq!(c.packages[0].direct, None);
        let edges: Vec<&str> = c.edges.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(edges, ["pkg:pypi/idna@3.0", "pkg:pypi/six@1.0", "pkg:pypi/six@2.0%2Blocal"]);
    }

    #[test]
    fn v1_category_and_metadata_files_with_direct_from_pyproject() {
        let lock = "[[package]]\r\nname = \"attrs\"\r\nversion = \"21.2.0\"\r\ncategory = \"dev\"\r\noptional = false\r\n\r\n\
[[package]]\r\nname = \"Click\"\r\nversion = \"8.0\"\r\ncategory = \"main\"\r\noptional = false\r\n\r\n\
[package.dependencies]\r\nattrs = \"*\"\r\n\r\n\
[metadata]\r\nlock-version = \"1.1\"\r\n\r\n[metadata.files]\r\nattrs = [\r\n    {file = \"attrs.whl\", hash = \"sha256:0123\"},\r\n]\r\nclick = []\r\n";
        let tree = MemTree::new()
            .with("p/poetry.lock", lock)
            .with("p/pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.8\"\nclick = \"^8\"\n");
        let c = PoetryLock.catalog("p/poetry.lock", lock, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages[0].scope, Scope::Dev);
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "0123")]);
        assert_eq!(c.packages[0].direct, Some(false));
        assert_eq!(c.packages[1].direct, Some(true));
        assert_eq!(c.packages[1].purl, "pkg:pypi/click@8.0");
        assert_eq!(c.packages[1].location.line, Some(7));
        assert_eq!(c.edges.len(), 1);
    }

    #[test]
    fn broken_and_empty_files() {
        assert!(run("").packages.is_empty() && run("").diagnostics.is_empty());
        let cut = &V2[..V2.find("[[package]]\nname = \"idna\"").unwrap_or(0) + 30];
        let c = run(cut);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        let c = run("[[package]]\nname = \"x\"\n");
        assert_eq!(c.diagnostics.len(), 1);
        let c = run("[[package]]\nname = \"a\"\nversion = \"1\"\n[package.dependencies]\nghost = \"*\"\n");
        assert_eq!(c.packages.len(), 1);
        assert!(c.diagnostics[0].message.contains("ghost"));
    }
}
