//! `uv.lock`, version 1.
//!
//! Every `[[package]]` is a package; `editable`, `virtual`, `directory` and `path` sources are the
//! project itself and its workspace members (local). Dependencies name a package, with `version`
//! (and `source`) added when the name alone is ambiguous. Direct dependencies are those of the local
//! packages; scopes spread from them: `dependencies` keep the dependent's scope, the local packages'
//! `optional-dependencies` are optional and their `dev-dependencies` groups dev.

use super::python_common::parse_hash;
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet, VecDeque};

/// Reads `uv.lock`.
pub struct UvLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Vec<Dep>>,
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    version: Option<String>,
    source: Option<BTreeMap<String, toml::Value>>,
}

#[derive(Deserialize)]
struct Artifact {
    hash: Option<String>,
}

const PYPI: &str = "https://pypi.org/simple";

fn source_of(source: &BTreeMap<String, toml::Value>) -> Source {
    let get = |k: &str| source.get(k).and_then(toml::Value::as_str);
    for local in ["editable", "virtual", "directory", "path"] {
        if let Some(path) = get(local) {
            return Source::Local { path: path.to_string() };
        }
    }
    if let Some(git) = get("git") {
        let (url, commit) = git.split_once('#').map_or((git, None), |(u, c)| (u, Some(c)));
        let (url, query) = url.split_once('?').map_or((url, None), |(u, q)| (u, Some(q)));
        let rev = commit.map(str::to_string).or_else(|| {
            query?.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                matches!(k, "rev" | "tag" | "branch").then(|| v.to_string())
            })
        });
        return Source::Git { url: url.to_string(), rev };
    }
    if let Some(url) = get("url") {
        return Source::Url { url: url.to_string() };
    }
    match get("registry") {
        Some(r) if r.trim_end_matches('/') != PYPI => Source::AltRegistry { url: r.to_string() },
        _ => Source::Registry,
    }
}

impl Cataloger for UvLock {
    fn name(&self) -> &'static str {
        "uv-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "uv.lock"
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        let lock: Lock = match toml::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                let line = e.span().map(|s| LineIndex::new(text).line(s.start));
                return Catalog::failed(rel, line, format!("not a valid uv.lock: {}", e.message()));
            }
        };
        let index = LineIndex::new(text);
        let header_lines: Vec<u32> =
            text.match_indices("[[package]]").map(|(at, _)| index.line(at)).collect();
        let packages = &lock.package;
        let sources: Vec<Source> = packages.iter().map(|p| source_of(&p.source)).collect();

        let mut out = Catalog::default();
        // Resolve every edge first: (from, to, scope of the edge for local roots).
        let mut edges: Vec<Vec<(usize, Option<Scope>)>> = vec![Vec::new(); packages.len()];
        for (i, p) in packages.iter().enumerate() {
            let root = sources.get(i).is_some_and(Source::is_local);
            let kinds = std::iter::once((None, &p.dependencies))
                .chain(p.optional.values().map(|d| (root.then_some(Scope::Optional), d)))
                .chain(p.dev.iter().map(|(g, d)| (root.then_some(dev_scope(g)), d)));
            for (scope, deps) in kinds {
                for dep in deps {
                    match resolve(packages, dep) {
                        Some(j) => edges.get_mut(i).into_iter().for_each(|e| e.push((j, scope))),
                        None => out.diagnostics.push(Diagnostic::warning(
                            rel,
                            header_lines.get(i).copied(),
                            format!("{} depends on {}, which the lockfile does not list", p.name, dep.name),
                        )),
                    }
                }
            }
        }

        // Spread scopes from the local packages (strongest wins).
        let mut scope: Vec<Option<Scope>> = vec![None; packages.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        let mut direct: HashSet<usize> = HashSet::new();
        for (i, s) in sources.iter().enumerate() {
            if s.is_local() {
                scope[i] = Some(Scope::Required);
                queue.push_back(i);
                direct.extend(edges.get(i).into_iter().flatten().map(|(j, _)| *j));
            }
        }
        while let Some(i) = queue.pop_front() {
            let Some(from) = scope.get(i).copied().flatten() else { continue };
            for &(j, edge_scope) in edges.get(i).into_iter().flatten() {
                let s = edge_scope.map_or(from, |e| e.max(from));
                if let Some(slot) = scope.get_mut(j)
                    && slot.is_none_or(|cur| s < cur)
                {
                    *slot = Some(s);
                    queue.push_back(j);
                }
            }
        }
        let has_root = sources.iter().any(Source::is_local);

        let mut purls: Vec<Option<String>> = Vec::with_capacity(packages.len());
        for (i, p) in packages.iter().enumerate() {
            let source = sources.get(i).cloned().unwrap_or_default();
            let local = source.is_local();
            let hashes: Vec<Hash> = p
                .sdist
                .iter()
                .chain(&p.wheels)
                .filter_map(|a| a.hash.as_deref().and_then(parse_hash))
                .collect();
            let pkg = Package::new(
                Ecosystem::PyPI,
                &p.name,
                &p.version,
                Location::new(rel, header_lines.get(i).copied()),
            )
            .and_then(|mut pkg| {
                pkg.hashes = hashes;
                pkg.scope = scope.get(i).copied().flatten().unwrap_or(Scope::Required);
                if has_root {
                    pkg.direct = Some(local || direct.contains(&i));
                }
                pkg.source(source)
            });
            purls.push(out.push(rel, pkg).map(|p| p.purl.clone()));
        }
        for (i, targets) in edges.iter().enumerate() {
            let Some(from) = purls.get(i).cloned().flatten() else { continue };
            let mut seen = HashSet::new();
            for (j, _) in targets {
                if let Some(to) = purls.get(*j).cloned().flatten()
                    && seen.insert(*j)
                {
                    out.edge(from.clone(), to);
                }
            }
        }
        out
    }
}

fn dev_scope(group: &str) -> Scope {
    if matches!(group, "test" | "tests" | "testing") { Scope::Test } else { Scope::Dev }
}

/// The package a dependency names: by name, narrowed by version and source when given.
fn resolve(packages: &[LockPackage], dep: &Dep) -> Option<usize> {
    packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name == dep.name)
        .filter(|(_, p)| dep.version.as_ref().is_none_or(|v| &p.version == v))
        .find(|(_, p)| dep.source.as_ref().is_none_or(|s| &p.source == s))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "foo-bar-baz" },
    { name = "member" },
]

[package.optional-dependencies]
fast = [
    { name = "six", version = "1.0", source = { registry = "https://pypi.org/simple" } },
]

[package.dev-dependencies]
dev = [
    { name = "six", version = "2.0+local", source = { registry = "https://pypi.org/simple" } },
]
test = [{ name = "lib" }]

[[package]]
name = "foo-bar-baz"
version = "1.0rc1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/a.tar.gz", hash = "sha256:AA", size = 1 }
wheels = [
    { url = "https://x/a.whl", hash = "sha256:bb", size = 1 },
]

[[package]]
name = "six"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "six"
version = "2.0+local"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "six", version = "1.0", source = { registry = "https://pypi.org/simple" } }]

[[package]]
name = "lib"
version = "3.0"
source = { git = "https://github.com/o/lib?tag=v3#0123abc" }

[[package]]
name = "member"
version = "0.2.0"
source = { virtual = "packages/member" }
dependencies = [{ name = "priv" }]

[[package]]
name = "priv"
version = "1.0"
source = { registry = "https://pypi.example.com/simple" }
"#;

    #[test]
    fn roots_scopes_sources_hashes_edges() {
        let c = UvLock.catalog("uv.lock", LOCK, &MemTree::new());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Scope, Option<bool>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.scope, p.direct)).collect();
        assert_eq!(
            got,
            [
                ("pkg:pypi/app@0.1.0", Scope::Required, Some(true)),
                ("pkg:pypi/foo-bar-baz@1.0rc1", Scope::Required, Some(true)),
                ("pkg:pypi/six@1.0", Scope::Optional, Some(true)),
                ("pkg:pypi/six@2.0%2Blocal", Scope::Dev, Some(true)),
                (
                    "pkg:pypi/lib@3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Flib%400123abc",
                    Scope::Test,
                    Some(true)
                ),
                ("pkg:pypi/member@0.2.0", Scope::Required, Some(true)),
                (
                    "pkg:pypi/priv@1.0?repository_url=https:%2F%2Fpypi.example.com%2Fsimple",
                    Scope::Required,
                    Some(true)
                ),
            ]
        );
        assert!(c.packages[0].source.is_local() && c.packages[5].source.is_local());
        assert_eq!(c.packages[1].hashes, vec![Hash::new("SHA-256", "aa"), Hash::new("SHA-256", "bb")]);
        assert_eq!(c.packages[1].location.line, Some(25));
        assert_eq!(c.edges.len(), 7);
        assert!(c.edges.iter().any(|e| e.from == "pkg:pypi/six@2.0%2Blocal" && e.to == "pkg:pypi/six@1.0"));
    }

    #[test]
    fn transitive_and_crlf() {
        let t = "version = 1\r\n[[package]]\r\nname = \"r\"\r\nversion = \"1\"\r\nsource = { virtual = \".\" }\r\n\
dev-dependencies = { dev = [{ name = \"a\" }] }\r\n\r\n\
[[package]]\r\nname = \"a\"\r\nversion = \"1\"\r\nsource = { registry = \"https://pypi.org/simple\" }\r\ndependencies = [{ name = \"b\" }]\r\n\r\n\
[[package]]\r\nname = \"b\"\r\nversion = \"2\"\r\nsource = { registry = \"https://pypi.org/simple\" }\r\ndependencies = [{ name = \"ghost\" }]\r\n";
        let c = UvLock.catalog("uv.lock", t, &MemTree::new());
        assert_eq!(c.packages[2].direct, Some(false));
        assert_eq!(c.packages[2].scope, Scope::Dev);
        assert_eq!(c.packages[2].location.line, Some(14));
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].message.contains("ghost"));
    }

    #[test]
    fn broken_and_empty_files() {
        let run = |t: &str| UvLock.catalog("uv.lock", t, &MemTree::new());
        assert!(run("").packages.is_empty() && run("").diagnostics.is_empty());
        let c = run(&LOCK[..LOCK.len() / 2]);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        let c = run("[[package]]\nversion = \"1\"\n");
        assert_eq!(c.diagnostics.len(), 1);
    }
}
