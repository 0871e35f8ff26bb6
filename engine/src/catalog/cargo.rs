//! `Cargo.lock`, format versions 1 to 4.
//!
//! Packages without a `source` are workspace members or path dependencies: local. Their
//! dependencies are the project's direct dependencies. Version 1 keeps checksums in a
//! `[metadata]` table; later versions inline them. A dependency is written `name`, `name version`
//! or `name version (source)`, with only as much as needed to be unambiguous.

use super::graph::propagate_scopes;
use super::{Catalog, Cataloger, LineIndex, cargo_toml};
use crate::inventory::{DeclaredLicense, Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Reads `Cargo.lock`.
pub struct CargoLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

const CRATES_IO: [&str; 2] =
    ["registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/"];

fn source_of(raw: Option<&str>) -> Source {
    match raw {
        None => Source::Local { path: String::new() },
        Some(s) if CRATES_IO.contains(&s) => Source::Registry,
        Some(s) => match s.strip_prefix("git+") {
            Some(git) => {
                let (url, commit) = git.split_once('#').map_or((git, None), |(u, c)| (u, Some(c)));
                let url = url.split_once('?').map_or(url, |(u, _)| u);
                Source::Git { url: url.to_string(), rev: commit.map(str::to_string) }
            }
            None => Source::AltRegistry {
                url: s.trim_start_matches("registry+").trim_start_matches("sparse+").to_string(),
            },
        },
    }
}

impl Cataloger for CargoLock {
    fn name(&self) -> &'static str {
        "cargo-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "Cargo.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let lock: Lock = match toml::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                let line = e.span().map(|s| LineIndex::new(text).line(s.start));
                return Catalog::failed(rel, line, format!("not a valid Cargo.lock: {}", e.message()));
            }
        };
        let index = LineIndex::new(text);
        let header_lines: Vec<u32> =
            text.match_indices("[[package]]").map(|(at, _)| index.line(at)).collect();

        // v1 checksums: "checksum NAME VERSION (SOURCE)" = "hex"
        let v1_checksums: BTreeMap<&str, &str> = lock
            .metadata
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("checksum ")?, v.as_str()?)))
            .collect();

        let mut out = Catalog::default();
        let mut purls: Vec<Option<String>> = Vec::with_capacity(lock.package.len());
        for (i, p) in lock.package.iter().enumerate() {
            let location = Location::new(rel, header_lines.get(i).copied());
            let source = source_of(p.source.as_deref());
            let local = source.is_local();
            let checksum = p.checksum.as_deref().or_else(|| {
                let key = format!("{} {} ({})", p.name, p.version, p.source.as_deref().unwrap_or(""));
                v1_checksums.get(key.as_str()).copied()
            });
            let pkg = Package::new(Ecosystem::Cargo, &p.name, &p.version, location).and_then(|mut pkg| {
                if let Some(sum) = checksum.filter(|s| !s.starts_with('<')) {
                    pkg = pkg.hash(Hash::new("SHA-256", sum.to_ascii_lowercase()));
                }
                if local {
                    pkg.direct = Some(true);
                }
                pkg.source(source)
            });
            purls.push(out.push(rel, pkg).map(|p| p.purl.clone()));
        }

        // Edges, and the direct dependencies: those of local packages, with the scope their
        // Cargo.toml declares them with (Cargo.lock records no dependency kinds).
        let all = cargo_toml::manifests_under(rel, tree);
        let mut manifests: HashMap<&str, &cargo_toml::CrateManifest> = HashMap::new();
        for m in &all {
            manifests.entry(m.name.as_str()).or_insert(m);
        }
        // The license a crate in the tree declares: a member's, or a vendored crate's (matched by
        // name and version, as a vendor directory may hold several versions of one crate).
        let mut k = 0;
        for (i, p) in lock.package.iter().enumerate() {
            if purls[i].is_none() {
                continue;
            }
            let own = all.iter().find(|m| {
                m.name == p.name && m.version.as_deref().is_none_or(|v| v == p.version) && m.license.is_some()
            });
            if let Some((raw, at)) = own.and_then(|m| m.license.as_ref()) {
                out.packages[k]
                    .licenses
                    .push(DeclaredLicense { raw: raw.trim().to_string(), location: at.clone() });
            }
            k += 1;
        }
        let declared = |from: &LockPackage, to: &LockPackage| {
            manifests
                .get(from.name.as_str())
                .and_then(|m| m.deps.get(&to.name).copied())
                .unwrap_or(Scope::Required)
        };
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); lock.package.len()];
        for (i, p) in lock.package.iter().enumerate() {
            for dep in &p.dependencies {
                match resolve(&lock.package, dep) {
                    Some(j) => {
                        adj[i].push(j);
                        if let (Some(from), Some(to)) = (&purls[i], &purls[j]) {
                            out.edge(from.clone(), to.clone());
                        }
                    }
                    None => out.diagnostics.push(Diagnostic::warning(
                        rel,
                        None,
                        format!(
                            "{} {} depends on {dep:?}, which the lockfile does not list",
                            p.name, p.version
                        ),
                    )),
                }
            }
        }
        // A member used only as another member's dev-dependency (a test-helpers crate) passes
        // dev scope on to what it uses.
        let local_scope = |i: usize| {
            lock.package
                .iter()
                .enumerate()
                .filter(|(k, p)| p.source.is_none() && adj[*k].contains(&i))
                .map(|(_, p)| declared(p, &lock.package[i]))
                .min()
                .unwrap_or(Scope::Required)
        };
        let mut roots: Vec<(usize, Scope)> = Vec::new();
        for (i, p) in lock.package.iter().enumerate().filter(|(_, p)| p.source.is_none()) {
            let base = local_scope(i);
            for &j in &adj[i] {
                if lock.package[j].source.is_some() {
                    roots.push((j, base.max(declared(p, &lock.package[j]))));
                }
            }
        }
        let scopes = propagate_scopes(&adj, &roots);
        let direct: HashSet<usize> = roots.iter().map(|r| r.0).collect();
        let mut k = 0;
        for (i, p) in lock.package.iter().enumerate() {
            if purls[i].is_none() {
                continue;
            }
            if p.source.is_some() {
                out.packages[k].direct = Some(direct.contains(&i));
                out.packages[k].scope = scopes.get(i).copied().flatten().unwrap_or(Scope::Required);
            }
            k += 1;
        }
        out
    }
}

/// Finds the package a dependency string names.
fn resolve(packages: &[LockPackage], dep: &str) -> Option<usize> {
    let mut parts = dep.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts.next().map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let mut found = packages.iter().enumerate().filter(|(_, p)| {
        p.name == name
            && version.is_none_or(|v| p.version == v)
            && source.is_none_or(|s| p.source.as_deref() == Some(s))
    });
    let first = found.next()?.0;
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Scope;
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        CargoLock.catalog("Cargo.lock", text, &MemTree::new())
    }

    #[test]
    fn v1_with_metadata_checksums() {
        let c = run(r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)" = "95a0B6"
"#);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 2);
        let libc = &c.packages[1];
        assert_eq!(libc.purl, "pkg:cargo/libc@0.2.40");
        assert_eq!(libc.hashes, vec![Hash::new("SHA-256", "95a0b6")]);
        assert_eq!(libc.direct, Some(true));
        assert_eq!(libc.location.line, Some(9));
        assert!(c.packages[0].source.is_local());
        assert_eq!(
            c.edges,
            vec![crate::inventory::Edge::new("pkg:cargo/app@0.1.0", "pkg:cargo/libc@0.2.40")]
        );
    }

    #[test]
    fn v4_git_and_two_versions_of_one_crate() {
        let c = run(
            "version = 4\r\n\r\n[[package]]\r\nname = \"a\"\r\nversion = \"1.0.0\"\r\ndependencies = [\"b 1.0.0\", \"c\"]\r\n\r\n\
[[package]]\r\nname = \"b\"\r\nversion = \"1.0.0\"\r\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\r\nchecksum = \"ab\"\r\n\r\n\
[[package]]\r\nname = \"b\"\r\nversion = \"2.0.0-rc.1\"\r\nsource = \"sparse+https://index.crates.io/\"\r\n\r\n\
[[package]]\r\nname = \"c\"\r\nversion = \"0.3.0\"\r\nsource = \"git+https://github.com/o/c?branch=main#0123abc\"\r\ndependencies = [\"b 2.0.0-rc.1\"]\r\n",
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:cargo/a@1.0.0",
                "pkg:cargo/b@1.0.0",
                "pkg:cargo/b@2.0.0-rc.1",
                "pkg:cargo/c@0.3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fc%400123abc"
            ]
        );
        assert_eq!(c.packages[2].direct, Some(false));
        assert_eq!(c.packages[3].scope, Scope::Required);
        assert_eq!(c.edges.len(), 3);
    }

    #[test]
    fn licenses_of_members_and_vendored_crates() {
        let reg = "source = \"registry+https://github.com/rust-lang/crates.io-index\"";
        let lock = format!(
            "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"libc 0.2.1\", \"libc 0.2.2\"]\n\
             [[package]]\nname = \"libc\"\nversion = \"0.2.1\"\n{reg}\n\
             [[package]]\nname = \"libc\"\nversion = \"0.2.2\"\n{reg}\n"
        );
        let tree = MemTree::new()
            .with(
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\"]\n[workspace.package]\nlicense = \"AGPL-3.0-only\"\n",
            )
            .with(
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nlicense.workspace = true\n",
            )
            .with(
                "vendor/libc/Cargo.toml",
                "[package]\nname = \"libc\"\nversion = \"0.2.2\"\nlicense = \"MIT OR Apache-2.0\"\n",
            );
        let c = CargoLock.catalog("Cargo.lock", &lock, &tree);
        let license = |name: &str, version: &str| {
            c.packages.iter().find(|p| p.name == name && p.version == version).map(|p| {
                p.licenses
                    .iter()
                    .map(|l| (l.raw.as_str(), l.location.path.as_str(), l.location.line))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(license("app", "0.1.0"), Some(vec![("AGPL-3.0-only", "app/Cargo.toml", Some(4))]));
        assert_eq!(
            license("libc", "0.2.2"),
            Some(vec![("MIT OR Apache-2.0", "vendor/libc/Cargo.toml", Some(4))])
        );
        assert_eq!(license("libc", "0.2.1"), Some(vec![]), "no manifest of that version in the tree");
    }

    #[test]
    fn dev_dependencies_come_from_the_members_manifests() {
        let reg = "source = \"registry+https://github.com/rust-lang/crates.io-index\"";
        let lock = format!(
            "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\", \"insta\", \"helpers\"]\n\
             [[package]]\nname = \"helpers\"\nversion = \"0.1.0\"\ndependencies = [\"tempfile\"]\n\
             [[package]]\nname = \"serde\"\nversion = \"1.0.0\"\n{reg}\n\
             [[package]]\nname = \"insta\"\nversion = \"1.0.0\"\n{reg}\ndependencies = [\"similar\", \"serde\"]\n\
             [[package]]\nname = \"similar\"\nversion = \"2.0.0\"\n{reg}\n\
             [[package]]\nname = \"tempfile\"\nversion = \"3.0.0\"\n{reg}\n"
        );
        let tree = MemTree::new()
            .with("ws/app/Cargo.toml", "[package]\nname = \"app\"\n[dependencies]\nserde = \"1\"\n[dev-dependencies]\ninsta = \"1\"\nhelpers = { path = \"../helpers\" }\n")
            .with("ws/helpers/Cargo.toml", "[package]\nname = \"helpers\"\n[dependencies]\ntempfile = \"3\"\n")
            .with("other/Cargo.toml", "[package]\nname = \"app\"\n[dev-dependencies]\nserde = \"1\"\n");
        let c = CargoLock.catalog("ws/Cargo.lock", &lock, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let scope = |name: &str| c.packages.iter().find(|p| p.name == name).map(|p| (p.scope, p.direct));
        assert_eq!(
            scope("serde"),
            Some((Scope::Required, Some(true))),
            "normal dependency, also used by a dev one"
        );
        assert_eq!(scope("insta"), Some((Scope::Dev, Some(true))));
        assert_eq!(
            scope("similar"),
            Some((Scope::Dev, Some(false))),
            "reached only through a dev-dependency"
        );
        assert_eq!(
            scope("tempfile"),
            Some((Scope::Dev, Some(true))),
            "used by a member that is itself dev-only"
        );
        // Without manifests every dependency is required, as before.
        let c = CargoLock.catalog("ws/Cargo.lock", &lock, &MemTree::new());
        assert!(c.packages.iter().all(|p| p.scope == Scope::Required));
    }

    #[test]
    fn alternative_registry_is_kept() {
        let c = run(
            "[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"sparse+https://my.registry/index/\"\n",
        );
        assert_eq!(c.packages[0].source, Source::AltRegistry { url: "https://my.registry/index/".into() });
        assert!(c.packages[0].purl.contains("repository_url="));
    }

    #[test]
    fn broken_files_are_diagnostics() {
        for text in ["", "[[package]]\nname = \"x\"\n", "[[package]\nname=", "\u{feff}version = 3"] {
            let c = run(text);
            assert!(c.packages.is_empty());
            if !text.is_empty() && !text.starts_with('\u{feff}') {
                assert_eq!(c.diagnostics.len(), 1, "{text:?}");
            }
        }
    }
}
