//! `pnpm-lock.yaml`, lockfileVersion 5.x, 6.0 and 9.0.
//!
//! `packages` keys name each installed package: `/name/1.2.3_peer+x@1` (v5), `/name@1.2.3(peer@1)`
//! (v6), `name@1.2.3` (v9, which moves the dependency graph to `snapshots`, keyed with the peer
//! suffix). Peer suffixes tell instances of one package apart; they are not part of its version, so
//! the instances collapse into one package. Entries for tarball and git dependencies carry their own
//! `name` and `version`. `importers` (or, for single-project v5 files, the top level) list each
//! workspace package's direct dependencies, `link:` ones being other workspace packages (local).
//! v5 and v6 mark packages `dev` / `optional`; for v9 scopes are carried down from the importers.

use super::graph::propagate_scopes;
use super::hashes::sri_hashes;
use super::npm_common::{Manifest, add_unique, resolved_source, split_spec};
use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use serde_yaml_ng::{Mapping, Value};
use std::collections::{HashMap, HashSet};

/// Reads `pnpm-lock.yaml`.
pub struct PnpmLock;

fn as_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn field(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(as_str)
}

fn flag(v: &Value, k: &str) -> Option<bool> {
    v.get(k).and_then(Value::as_bool)
}

/// Cuts a peer suffix: `1.2.3(a@1)(b@2)` → `1.2.3`, and for v5 `1.2.3_a@1+b@2` → `1.2.3`.
fn strip_peers(version: &str, major: u32) -> &str {
    let v = version.split('(').next().unwrap_or(version);
    if major < 6 { v.split('_').next().unwrap_or(v) } else { v }
}

/// Name and version from a `packages` / `snapshots` key, peer suffix removed.
fn parse_key(key: &str, major: u32) -> Option<(String, String)> {
    if major < 6 {
        let k = key.strip_prefix('/')?;
        let (name, version) = k.rsplit_once('/')?;
        let version = strip_peers(version, major);
        (!name.is_empty() && !version.is_empty()).then(|| (name.to_string(), version.to_string()))
    } else {
        let k = key.strip_prefix('/').unwrap_or(key);
        let k = k.split('(').next().unwrap_or(k);
        let (name, version) = split_spec(k)?;
        (!name.is_empty() && !version.is_empty()).then(|| (name.to_string(), version.to_string()))
    }
}

/// Lines of the keys directly under each top-level section (`packages:`, `snapshots:`).
fn section_key_lines(text: &str) -> HashMap<(String, String), u32> {
    let mut out = HashMap::new();
    let mut section = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r').trim_end();
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if !line.starts_with(' ') && !line.is_empty() {
            section = line.trim_end_matches(':').to_string();
        } else if let Some(rest) = line.strip_prefix("  ")
            && !rest.starts_with(' ')
        {
            let key = rest.strip_suffix(':').or_else(|| rest.strip_suffix(": {}")).unwrap_or(rest);
            let key = key.trim_matches(|c| c == '\'' || c == '"');
            out.entry((section.clone(), key.to_string())).or_insert(n);
        }
    }
    out
}

struct Node {
    name: String,
    version: String,
    line: Option<u32>,
    scope: Option<Scope>,
    source: Source,
    hashes: Vec<crate::inventory::Hash>,
}

impl Cataloger for PnpmLock {
    fn name(&self) -> &'static str {
        "pnpm-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pnpm-lock.yaml"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if text.trim().is_empty() {
            return Catalog::failed(rel, None, "empty pnpm-lock.yaml");
        }
        let doc: Value = match serde_yaml_ng::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let line = e.location().and_then(|l| u32::try_from(l.line()).ok());
                return Catalog::failed(rel, line, format!("not a valid pnpm-lock.yaml: {e}"));
            }
        };
        let Some(version) = field(&doc, "lockfileVersion") else {
            return Catalog::failed(rel, Some(1), "not a valid pnpm-lock.yaml: no lockfileVersion");
        };
        let major: u32 = match version.split('.').next().and_then(|m| m.parse().ok()) {
            Some(m) if (5..=9).contains(&m) => m,
            _ => {
                return Catalog::failed(
                    rel,
                    Some(1),
                    format!("unsupported pnpm lockfileVersion {version:?}"),
                );
            }
        };
        let lines = section_key_lines(text);
        let mut out = Catalog::default();
        let empty = Mapping::new();
        let packages = doc.get("packages").and_then(Value::as_mapping).unwrap_or(&empty);

        // Packages from `packages`.
        let mut nodes: Vec<Node> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (k, entry) in packages {
            let Some(key) = k.as_str() else { continue };
            let line = lines.get(&("packages".to_string(), key.to_string())).copied();
            let parsed = parse_key(key, major);
            let name = field(entry, "name").or_else(|| parsed.as_ref().map(|p| p.0.clone()));
            let version = field(entry, "version").or_else(|| parsed.as_ref().map(|p| p.1.clone()));
            let (Some(name), Some(version)) = (name, version) else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line,
                    format!("cannot read package key {key:?}"),
                ));
                continue;
            };
            let resolution = entry.get("resolution");
            let mut source = Source::Registry;
            let mut hashes = Vec::new();
            if let Some(r) = resolution {
                if let Some(i) = field(r, "integrity") {
                    hashes = sri_hashes(&i);
                }
                if let Some(dir) = field(r, "directory") {
                    source = Source::Local { path: dir };
                } else if let (Some(repo), Some("git")) = (field(r, "repo"), field(r, "type").as_deref()) {
                    source = Source::Git { url: repo, rev: field(r, "commit") };
                } else if let Some(t) = field(r, "tarball") {
                    source = resolved_source(&t, &name);
                }
            }
            let scope = if major < 9 {
                match (flag(entry, "dev"), flag(entry, "optional")) {
                    (_, Some(true)) => Some(Scope::Optional),
                    (Some(true), _) => Some(Scope::Dev),
                    _ => Some(Scope::Required),
                }
            } else {
                None
            };
            by_key.insert(key.to_string(), nodes.len());
            nodes.push(Node { name, version, line, scope, source, hashes });
        }

        // Instances and their dependencies: `snapshots` (v9) or `packages` (v5, v6).
        let snapshots = if major >= 9 {
            doc.get("snapshots").and_then(Value::as_mapping).unwrap_or(&empty)
        } else {
            packages
        };
        let mut instance: HashMap<String, usize> = HashMap::new();
        for (k, _) in snapshots {
            let Some(key) = k.as_str() else { continue };
            let base = if major >= 9 { key.split('(').next().unwrap_or(key) } else { key };
            match by_key.get(base).or_else(|| by_key.get(key)) {
                Some(&i) => {
                    instance.insert(key.to_string(), i);
                }
                None if major < 9 => {}
                None => out.diagnostics.push(Diagnostic::warning(
                    rel,
                    lines.get(&("snapshots".to_string(), key.to_string())).copied(),
                    format!("snapshot {key:?} has no entry in packages"),
                )),
            }
        }
        let resolve = |name: &str, reference: &str| -> Option<usize> {
            let candidates = if major < 6 {
                vec![format!("/{name}/{reference}"), reference.to_string()]
            } else if major < 9 {
                vec![format!("/{name}@{reference}"), reference.to_string()]
            } else {
                vec![format!("{name}@{reference}"), reference.to_string()]
            };
            candidates
                .iter()
                .find_map(|c| instance.get(c.as_str()).or_else(|| by_key.get(c.as_str())).copied())
        };

        // Packages become purls (one per name and version).
        let mut purl_of: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut by_purl: HashMap<String, usize> = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            let pkg = Package::new(Ecosystem::Npm, &n.name, &n.version, Location::new(rel, n.line))
                .and_then(|p| p.source(n.source.clone()));
            match pkg {
                Ok(mut p) => {
                    p.hashes = n.hashes.clone();
                    p.scope = n.scope.unwrap_or(Scope::Required);
                    purl_of[i] = Some(add_unique(&mut out, &mut by_purl, p));
                }
                Err(e) => out.diagnostics.push(Diagnostic::error(rel, n.line, e.to_string())),
            }
        }
        let registry_count = out.packages.len();

        // Edges between packages.
        let mut edges: HashSet<(usize, usize)> = HashSet::new();
        let mut optional_only: HashSet<usize> = HashSet::new();
        for (k, entry) in snapshots {
            let Some(key) = k.as_str() else { continue };
            let Some(from) = instance.get(key).and_then(|&i| purl_of[i]) else { continue };
            if major >= 9 && flag(entry, "optional") == Some(true) {
                optional_only.insert(from);
            }
            for section in ["dependencies", "optionalDependencies"] {
                let Some(deps) = entry.get(section).and_then(Value::as_mapping) else { continue };
                for (dn, dr) in deps {
                    let (Some(dn), Some(dr)) = (dn.as_str(), as_str(dr)) else { continue };
                    match resolve(dn, &dr).and_then(|j| purl_of[j]) {
                        Some(to) if to != from => {
                            edges.insert((from, to));
                        }
                        Some(_) => {}
                        None if dr.starts_with("link:") => {}
                        None => out.diagnostics.push(Diagnostic::warning(
                            rel,
                            None,
                            format!("{key} depends on {dn} {dr}, which the lockfile does not list"),
                        )),
                    }
                }
            }
        }

        // Importers: direct dependencies, and local workspace packages.
        let dir = parent(rel);
        let mut importers: Vec<(String, &Value)> = Vec::new();
        match doc.get("importers").and_then(Value::as_mapping) {
            Some(m) => {
                importers.extend(m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v))));
            }
            None => importers.push((".".to_string(), &doc)),
        }
        let mut roots: Vec<(usize, Scope)> = Vec::new();
        let mut local_by_path: HashMap<String, usize> = HashMap::new();
        let mut local = |out: &mut Catalog, path: &str, fallback: &str| -> Option<usize> {
            if let Some(&k) = local_by_path.get(path) {
                return Some(k);
            }
            let manifest = Manifest::read(tree, path);
            let name = manifest.as_ref().and_then(|m| m.name.clone()).unwrap_or_else(|| fallback.to_string());
            if name.is_empty() {
                return None;
            }
            let version = manifest.and_then(|m| m.version).unwrap_or_default();
            let pkg = Package::new(Ecosystem::Npm, name, version, Location::new(rel, None))
                .and_then(|p| p.direct(true).source(Source::Local { path: path.to_string() }));
            let p = pkg.ok()?;
            let k = match by_purl.get(&p.purl) {
                Some(&k) => k,
                None => {
                    by_purl.insert(p.purl.clone(), out.packages.len());
                    out.packages.push(p);
                    out.packages.len() - 1
                }
            };
            local_by_path.insert(path.to_string(), k);
            Some(k)
        };
        for (path, imp) in &importers {
            let Some(imp_dir) = join(dir, path) else { continue };
            let from = local(&mut out, &imp_dir, "");
            for (section, scope) in [
                ("dependencies", Scope::Required),
                ("optionalDependencies", Scope::Optional),
                ("devDependencies", Scope::Dev),
            ] {
                let Some(deps) = imp.get(section).and_then(Value::as_mapping) else { continue };
                for (dn, dv) in deps {
                    let Some(dn) = dn.as_str() else { continue };
                    let Some(reference) = as_str(dv).or_else(|| field(dv, "version")) else { continue };
                    let to = if let Some(link) = reference.strip_prefix("link:") {
                        join(&imp_dir, link).and_then(|p| local(&mut out, &p, dn))
                    } else {
                        match resolve(dn, &reference).and_then(|j| purl_of[j]) {
                            Some(k) => {
                                roots.push((k, scope));
                                Some(k)
                            }
                            None => {
                                out.diagnostics.push(Diagnostic::warning(
                                    rel,
                                    None,
                                    format!("importer {path:?} depends on {dn} {reference}, which the lockfile does not list"),
                                ));
                                None
                            }
                        }
                    };
                    if let (Some(f), Some(t)) = (from, to)
                        && f != t
                    {
                        edges.insert((f, t));
                    }
                }
            }
        }

        let direct: HashSet<usize> = roots.iter().map(|r| r.0).collect();
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); registry_count];
        for &(a, b) in &edges {
            if a < registry_count && b < registry_count {
                adj[a].push(b);
            }
        }
        let scopes = if major >= 9 { propagate_scopes(&adj, &roots) } else { Vec::new() };
        for (k, p) in out.packages.iter_mut().enumerate().take(registry_count) {
            if p.source.is_local() {
                p.direct = Some(true);
                continue;
            }
            p.direct = Some(direct.contains(&k));
            if let Some(Some(s)) = scopes.get(k) {
                p.scope = *s;
            }
            if optional_only.contains(&k) && p.scope == Scope::Required {
                p.scope = Scope::Optional;
            }
        }
        let mut edges: Vec<(usize, usize)> = edges.into_iter().collect();
        edges.sort_unstable();
        for (a, b) in edges {
            if let (Some(from), Some(to)) = (out.packages.get(a), out.packages.get(b)) {
                let (from, to) = (from.purl.clone(), to.purl.clone());
                out.edge(from, to);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Edge, Hash, Severity};
    use crate::tree::MemTree;

    fn find<'a>(c: &'a Catalog, purl: &str) -> &'a Package {
        match c.packages.iter().find(|p| p.purl == purl) {
            Some(p) => p,
            None => panic!("{purl} not in {:?}", c.packages.iter().map(|p| &p.purl).collect::<Vec<_>>()),
        }
    }

    fn run(text: &str) -> Catalog {
        PnpmLock.catalog("pnpm-lock.yaml", text, &MemTree::new())
    }

    const V5: &str = "lockfileVersion: 5.4\n\nspecifiers:\n  '@babel/core': ^7.16.0\n  plug: ^1\n  gitdep: github:o/r\n\n\
dependencies:\n  '@babel/core': 7.16.0\n  gitdep: github.com/o/r/0123abc\n\n\
devDependencies:\n  plug: 1.0.0_@babel+core@7.16.0\n\n\
packages:\n\n\
\x20\x20/@babel/core/7.16.0:\n    resolution: {integrity: sha512-AAEC}\n    dependencies:\n      debug: 4.3.3\n    dev: false\n\n\
\x20\x20/plug/1.0.0_@babel+core@7.16.0:\n    resolution: {integrity: sha512-AAEC}\n    peerDependencies:\n      '@babel/core': ^7\n    dependencies:\n      '@babel/core': 7.16.0\n      debug: 4.3.4-beta.1\n    dev: true\n\n\
\x20\x20/debug/4.3.3:\n    resolution: {integrity: sha1-AAEC}\n    dev: false\n\n\
\x20\x20/debug/4.3.4-beta.1:\n    resolution: {integrity: sha1-AAEC}\n    optional: true\n    dev: true\n\n\
\x20\x20github.com/o/r/0123abc:\n    resolution: {tarball: https://codeload.github.com/o/r/tar.gz/0123abc}\n    name: gitdep\n    version: 2.0.0\n    dev: false\n";

    #[test]
    fn v5_peer_suffixes_dev_flags_tarballs() {
        let c = run(&V5.replace('\n', "\r\n"));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let core = find(&c, "pkg:npm/%40babel/core@7.16.0");
        assert_eq!((core.direct, core.scope, core.location.line), (Some(true), Scope::Required, Some(17)));
        assert_eq!(core.hashes, vec![Hash::new("SHA-512", "000102")]);
        let plug = find(&c, "pkg:npm/plug@1.0.0");
        assert_eq!((plug.direct, plug.scope), (Some(true), Scope::Dev));
        assert_eq!(find(&c, "pkg:npm/debug@4.3.3").direct, Some(false));
        assert_eq!(find(&c, "pkg:npm/debug@4.3.4-beta.1").scope, Scope::Optional);
        let g = find(
            &c,
            "pkg:npm/gitdep@2.0.0?download_url=https:%2F%2Fcodeload.github.com%2Fo%2Fr%2Ftar.gz%2F0123abc",
        );
        assert_eq!(g.direct, Some(true));
        assert!(c.edges.contains(&Edge::new("pkg:npm/plug@1.0.0", "pkg:npm/%40babel/core@7.16.0")));
        assert!(c.edges.contains(&Edge::new("pkg:npm/plug@1.0.0", "pkg:npm/debug@4.3.4-beta.1")));
        assert_eq!(c.packages.len(), 5);
    }

    const V6: &str = "lockfileVersion: '6.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      vite:\n        specifier: ^4\n        version: 4.0.0(@types/node@18.0.0)\n\n  packages/a:\n    dependencies:\n      shared:\n        specifier: workspace:*\n        version: link:../shared\n      al:\n        specifier: npm:real@1\n        version: /real@1.0.0\n\n\
packages:\n\n  /vite@4.0.0(@types/node@18.0.0):\n    resolution: {integrity: sha512-AAEC}\n    dependencies:\n      '@types/node': 18.0.0\n    dev: true\n\n  /@types/node@18.0.0:\n    resolution: {integrity: sha512-AAEC}\n    dev: true\n\n  /real@1.0.0:\n    resolution: {integrity: sha512-AAEC}\n    dev: false\n\n  /vite@4.0.0(@types/node@20.0.0):\n    resolution: {integrity: sha512-AAEC}\n    dev: true\n";

    #[test]
    fn v6_importers_links_aliases_and_collapsed_peers() {
        let tree = MemTree::new()
            .with("w/package.json", "{\"name\":\"root\",\"version\":\"1.0.0\"}")
            .with("w/packages/a/package.json", "\u{feff}{\"name\":\"@w/a\",\"version\":\"0.1.0\"}")
            .with("w/packages/shared/package.json", "{\"name\":\"@w/shared\",\"version\":\"0.2.0\"}");
        let c = PnpmLock.catalog("w/pnpm-lock.yaml", V6, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.iter().filter(|p| p.name == "vite").count(), 1);
        let vite = find(&c, "pkg:npm/vite@4.0.0");
        assert_eq!((vite.direct, vite.scope), (Some(true), Scope::Dev));
        assert_eq!(find(&c, "pkg:npm/real@1.0.0").direct, Some(true));
        assert!(find(&c, "pkg:npm/%40w/shared@0.2.0").source.is_local());
        assert!(find(&c, "pkg:npm/root@1.0.0").source.is_local());
        assert!(c.edges.contains(&Edge::new("pkg:npm/%40w/a@0.1.0", "pkg:npm/%40w/shared@0.2.0")));
        assert!(c.edges.contains(&Edge::new("pkg:npm/%40w/a@0.1.0", "pkg:npm/real@1.0.0")));
        assert!(c.edges.contains(&Edge::new("pkg:npm/vite@4.0.0", "pkg:npm/%40types/node@18.0.0")));
        assert_eq!(c.packages.iter().filter(|p| !p.source.is_local()).count(), 3);
    }

    const V9: &str = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0(b@2.0.0)\n      g:\n        specifier: github:o/g\n        version: https://codeload.github.com/o/g/tar.gz/abc\n    devDependencies:\n      t:\n        specifier: ^3\n        version: 3.0.0-rc.1\n\n\
packages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-AAEC}\n    peerDependencies:\n      b: '*'\n\n  b@2.0.0:\n    resolution: {integrity: sha512-AAEC}\n\n  c@1.0.0:\n    resolution: {integrity: sha512-AAEC}\n\n  t@3.0.0-rc.1:\n    resolution: {integrity: sha512-AAEC}\n\n  g@https://codeload.github.com/o/g/tar.gz/abc:\n    resolution: {tarball: https://codeload.github.com/o/g/tar.gz/abc}\n    version: 0.5.0\n\n  s@1.0.0:\n    resolution: {type: git, repo: 'https://github.com/o/s.git', commit: def}\n\n\
snapshots:\n\n  a@1.0.0(b@2.0.0):\n    dependencies:\n      b: 2.0.0\n      c: 1.0.0\n\n  b@2.0.0: {}\n\n  c@1.0.0:\n    optional: true\n\n  t@3.0.0-rc.1:\n    dependencies:\n      b: 2.0.0\n      s: 1.0.0\n\n  g@https://codeload.github.com/o/g/tar.gz/abc: {}\n\n  s@1.0.0: {}\n";

    #[test]
    fn v9_snapshots_scopes_and_sources() {
        let c = run(V9);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let a = find(&c, "pkg:npm/a@1.0.0");
        assert_eq!((a.direct, a.scope, a.location.line), (Some(true), Scope::Required, Some(20)));
        let b = find(&c, "pkg:npm/b@2.0.0");
        assert_eq!((b.direct, b.scope), (Some(false), Scope::Required));
        assert_eq!(find(&c, "pkg:npm/c@1.0.0").scope, Scope::Optional);
        let t = find(&c, "pkg:npm/t@3.0.0-rc.1");
        assert_eq!((t.direct, t.scope), (Some(true), Scope::Dev));
        let s = find(&c, "pkg:npm/s@1.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fs.git%40def");
        assert_eq!(s.scope, Scope::Dev);
        assert_eq!(
            find(&c, "pkg:npm/g@0.5.0?download_url=https:%2F%2Fcodeload.github.com%2Fo%2Fg%2Ftar.gz%2Fabc")
                .direct,
            Some(true)
        );
        assert!(c.edges.contains(&Edge::new("pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0")));
        assert_eq!(c.packages.len(), 6);
    }

    #[test]
    fn every_truncation_is_safe() {
        for text in [V5, V6, V9] {
            let full = run(text).packages.len();
            for cut in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
                let c = run(&text[..cut]);
                assert!(c.packages.len() <= full, "cut at {cut}");
                if cut < 17 {
                    assert!(!c.diagnostics.is_empty(), "cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn broken_files() {
        for text in [
            "",
            "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integ",
            "foo: 1",
            "lockfileVersion: '3.0'",
        ] {
            let c = run(text);
            assert!(c.packages.is_empty(), "{text:?}");
            assert_eq!(c.diagnostics.len(), 1, "{text:?}");
            assert_eq!(c.diagnostics[0].severity, Severity::Error);
        }
        let c = run(
            "lockfileVersion: 5.4\npackages:\n  nonsense:\n    dev: true\n  /ok/1.0.0:\n    dev: false\n",
        );
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert!(PnpmLock.wants("a/pnpm-lock.yaml") && !PnpmLock.wants("pnpm-workspace.yaml"));
    }
}
