//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Versions 2 and 3 list every installed package under `packages`, keyed by its path
//! (`node_modules/a/node_modules/b`); the `""` entry is the project, keys outside `node_modules`
//! are workspace members or linked directories (local), and `link: true` entries point at them.
//! Version 1 nests `dependencies` by name, with `requires` naming what each package needs. In both,
//! a dependency is found the way Node finds modules: in the package's own `node_modules`, then in
//! each parent's. Direct dependencies are the project's (and its workspace members'); version 1
//! lockfiles do not record them, so they come from the sibling `package.json` when the tree has it.

use super::hashes::sri_hashes;
use super::npm_common::{Manifest, add_unique, git_source, is_git, resolved_source, split_spec};
use super::npm_lock_doc::Entry;
use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, parent};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Reads `package-lock.json` and `npm-shrinkwrap.json`.
pub struct NpmLock;

/// Why a dependency is needed, which decides whether failing to find it is worth a note.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

/// One package entry, before purls are built.
struct Node {
    /// Its path key (`node_modules/a`, `packages/x`, `""` for the project).
    path: String,
    name: String,
    version: String,
    line: Option<u32>,
    scope: Scope,
    source: Source,
    hashes: Vec<Hash>,
    /// Names it depends on.
    deps: Vec<(String, Need)>,
    /// For `link: true` entries: the path of the entry it links to.
    link: Option<String>,
    /// The project or one of its workspace members / linked directories: its dependencies are direct.
    project: bool,
    /// Declared license (v2/v3 `license`), verbatim.
    license: Option<String>,
}

fn str_of<'a>(v: &'a Option<Cow<'_, str>>) -> Option<&'a str> {
    v.as_deref()
}

fn names(keys: &Option<Vec<Cow<'_, str>>>, need: Need, out: &mut Vec<(String, Need)>) {
    if let Some(keys) = keys {
        out.extend(keys.iter().map(|n| (n.to_string(), need)));
    }
}

fn entry_names(entries: &Option<Vec<(Cow<'_, str>, Entry<'_>)>>, need: Need, out: &mut Vec<(String, Need)>) {
    if let Some(entries) = entries {
        out.extend(entries.iter().map(|(n, _)| (n.to_string(), need)));
    }
}

fn scope_of(e: &Entry<'_>) -> Scope {
    if e.optional || e.dev_optional {
        Scope::Optional
    } else if e.dev {
        Scope::Dev
    } else {
        Scope::Required
    }
}

/// The package name a `node_modules/...` path installs.
fn name_from_path(path: &str) -> &str {
    path.rsplit_once("node_modules/").map_or(path, |(_, n)| n)
}

impl Cataloger for NpmLock {
    fn name(&self) -> &'static str {
        "npm-package-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        matches!(file_name(rel), "package-lock.json" | "npm-shrinkwrap.json")
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let lock: Entry<'_> = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
                return Catalog::failed(rel, line, format!("not a valid npm lockfile: {e}"));
            }
        };
        if !lock.object {
            return Catalog::failed(rel, Some(1), "not a valid npm lockfile: not a JSON object");
        };
        let mut out = Catalog::default();
        let mut lines = super::npm_common::KeyLines::new(text);
        let mut nodes: Vec<Node> = Vec::new();
        let mut direct_known = true;
        if let Some(packages) = &lock.packages {
            lines.next("packages");
            v2_nodes(rel, &lock, packages, &mut lines, &mut nodes, &mut out);
        } else if let Some(deps) = &lock.dependencies {
            let mut root = Node {
                path: String::new(),
                name: str_of(&lock.name).unwrap_or_default().to_string(),
                version: str_of(&lock.version).unwrap_or_default().to_string(),
                line: Some(1),
                scope: Scope::Required,
                source: Source::Local { path: String::new() },
                hashes: Vec::new(),
                deps: Vec::new(),
                link: None,
                project: true,
                license: None,
            };
            match Manifest::read(tree, parent(rel)) {
                Some(m) => root.deps = m.deps.into_iter().map(|(n, _, _)| (n, Need::Optional)).collect(),
                None => direct_known = false,
            }
            nodes.push(root);
            lines.next("dependencies");
            v1_nodes(rel, "", deps, &mut lines, &mut nodes, &mut out);
        } else if !lock.has_lockfile_version {
            return Catalog::failed(rel, Some(1), "not a valid npm lockfile: no lockfileVersion");
        }
        assemble(rel, nodes, direct_known, &mut out);
        out
    }
}

/// Version 2 and 3: the flat `packages` map.
fn v2_nodes(
    rel: &str,
    lock: &Entry<'_>,
    packages: &[(Cow<'_, str>, Entry<'_>)],
    lines: &mut super::npm_common::KeyLines<'_>,
    nodes: &mut Vec<Node>,
    out: &mut Catalog,
) {
    for (path, e) in packages {
        let path = path.as_ref();
        let line = lines.next(path);
        if !e.object {
            out.diagnostics.push(Diagnostic::error(rel, line, format!("entry {path:?} is not an object")));
            continue;
        }
        let mut deps = Vec::new();
        entry_names(&e.dependencies, Need::Required, &mut deps);
        names(&e.optional_dependencies, Need::Optional, &mut deps);
        names(&e.peer_dependencies, Need::Optional, &mut deps);
        let in_node_modules = path.starts_with("node_modules/") || path.contains("/node_modules/");
        let project = !in_node_modules;
        if project {
            names(&e.dev_dependencies, Need::Optional, &mut deps);
        }
        let name = match str_of(&e.name) {
            Some(n) => n.to_string(),
            None if path.is_empty() => str_of(&lock.name).unwrap_or_default().to_string(),
            None if in_node_modules => name_from_path(path).to_string(),
            None => String::new(),
        };
        let version = str_of(&e.version)
            .or_else(|| if path.is_empty() { str_of(&lock.version) } else { None })
            .unwrap_or_default()
            .to_string();
        let resolved = str_of(&e.resolved).unwrap_or_default();
        let link = e.link.then(|| resolved.to_string());
        if in_node_modules && link.is_none() && version.is_empty() {
            out.diagnostics.push(Diagnostic::warning(rel, line, format!("{path} has no version; left out")));
            continue;
        }
        let source =
            if project { Source::Local { path: path.to_string() } } else { resolved_source(resolved, &name) };
        nodes.push(Node {
            path: path.to_string(),
            name,
            version,
            line,
            scope: scope_of(e),
            source,
            hashes: str_of(&e.integrity).map(sri_hashes).unwrap_or_default(),
            deps,
            link,
            project,
            license: e.declared_license(),
        });
    }
    // The project depends on its workspace members, which npm links at the top of node_modules.
    let links: Vec<String> = nodes
        .iter()
        .filter(|n| n.link.is_some())
        .filter_map(|n| n.path.strip_prefix("node_modules/"))
        .filter(|n| !n.contains("/node_modules/"))
        .map(str::to_string)
        .collect();
    if let Some(root) = nodes.iter_mut().find(|n| n.path.is_empty()) {
        for l in links {
            if !root.deps.iter().any(|(d, _)| *d == l) {
                root.deps.push((l, Need::Optional));
            }
        }
    }
}

/// Version 1: nested `dependencies` by name.
fn v1_nodes(
    rel: &str,
    parent_path: &str,
    deps: &[(Cow<'_, str>, Entry<'_>)],
    lines: &mut super::npm_common::KeyLines<'_>,
    nodes: &mut Vec<Node>,
    out: &mut Catalog,
) {
    for (key, e) in deps {
        let key = key.as_ref();
        let line = lines.next(key);
        let path = if parent_path.is_empty() {
            format!("node_modules/{key}")
        } else {
            format!("{parent_path}/node_modules/{key}")
        };
        if !e.object {
            out.diagnostics.push(Diagnostic::error(rel, line, format!("entry {key:?} is not an object")));
            continue;
        }
        let raw = str_of(&e.version).unwrap_or_default();
        let resolved = str_of(&e.resolved).unwrap_or_default();
        let (name, version, source) = if raw.is_empty() {
            out.diagnostics.push(Diagnostic::warning(rel, line, format!("{key} has no version; left out")));
            (String::new(), String::new(), Source::Registry)
        } else if let Some(alias) = raw.strip_prefix("npm:") {
            match split_spec(alias) {
                Some((n, v)) => (n.to_string(), v.to_string(), resolved_source(resolved, n)),
                None => (key.to_string(), alias.to_string(), resolved_source(resolved, key)),
            }
        } else if is_git(raw) {
            let src = git_source(if is_git(resolved) { resolved } else { raw });
            let v = match &src {
                Source::Git { rev: Some(r), .. } => r.clone(),
                _ => raw.to_string(),
            };
            (key.to_string(), v, src)
        } else if let Some(p) = raw.strip_prefix("file:") {
            (key.to_string(), String::new(), Source::Local { path: p.to_string() })
        } else {
            (key.to_string(), raw.to_string(), resolved_source(resolved, key))
        };
        let mut needs = Vec::new();
        names(&e.requires, Need::Required, &mut needs);
        if !name.is_empty() {
            nodes.push(Node {
                path: path.clone(),
                name,
                version,
                line,
                scope: scope_of(e),
                source,
                hashes: str_of(&e.integrity).map(sri_hashes).unwrap_or_default(),
                deps: needs,
                link: None,
                project: false,
                license: None,
            });
        }
        if let Some(nested) = &e.dependencies {
            v1_nodes(rel, &path, nested, lines, nodes, out);
        }
    }
}

/// Node's module resolution: `<dir>/node_modules/<name>`, then each parent directory's.
fn resolve(by_path: &HashMap<&str, usize>, from: &str, name: &str) -> Option<usize> {
    let mut dir = from;
    loop {
        let candidate = if dir.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{dir}/node_modules/{name}")
        };
        if let Some(&i) = by_path.get(candidate.as_str()) {
            return Some(i);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}

/// Builds packages (one per purl) and edges from the nodes.
fn assemble(rel: &str, nodes: Vec<Node>, direct_known: bool, out: &mut Catalog) {
    let by_path: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.path.as_str(), i)).collect();
    // A link stands for the entry it points at, when the lockfile has it.
    let target = |i: usize| -> usize {
        match nodes.get(i).and_then(|n| n.link.as_deref()) {
            Some(t) => by_path.get(t).copied().unwrap_or(i),
            None => i,
        }
    };
    let mut by_purl: HashMap<String, usize> = HashMap::new();
    let mut purl_of: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if n.name.is_empty() || (n.link.is_some() && target(i) != i) {
            continue;
        }
        let source = if n.link.is_some() {
            Source::Local { path: n.link.clone().unwrap_or_default() }
        } else {
            n.source.clone()
        };
        let pkg = Package::new(Ecosystem::Npm, &n.name, &n.version, Location::new(rel, n.line))
            .and_then(|p| p.scope(n.scope).source(source));
        let pkg = match pkg {
            Ok(mut p) => {
                p.hashes = n.hashes.clone();
                if let Some(l) = &n.license {
                    p = p.license(l, Location::new(rel, n.line));
                }
                if p.source.is_local() {
                    p.direct = Some(true);
                }
                p
            }
            Err(e) => {
                out.diagnostics.push(Diagnostic::error(rel, n.line, e.to_string()));
                continue;
            }
        };
        purl_of[i] = Some(add_unique(out, &mut by_purl, pkg));
    }
    let mut direct: HashSet<usize> = HashSet::new();
    let mut edges: HashSet<(usize, usize)> = HashSet::new();
    let mut missing = 0usize;
    for (i, n) in nodes.iter().enumerate() {
        let from = purl_of[target(i)];
        for (dep, need) in &n.deps {
            match resolve(&by_path, &n.path, dep).map(target).and_then(|j| purl_of[j]) {
                Some(to) => {
                    if n.project {
                        direct.insert(to);
                    }
                    if let Some(from) = from
                        && from != to
                    {
                        edges.insert((from, to));
                    }
                }
                None if *need == Need::Required => missing += 1,
                None => {}
            }
        }
    }
    if missing > 0 {
        out.diagnostics.push(Diagnostic::info(
            rel,
            None,
            format!("{missing} required dependencies are not installed in the lockfile's tree"),
        ));
    }
    for (k, p) in out.packages.iter_mut().enumerate() {
        if !p.source.is_local() && direct_known {
            p.direct = Some(direct.contains(&k));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Edge;
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        NpmLock.catalog("app/package-lock.json", text, &MemTree::new())
    }

    fn find<'a>(c: &'a Catalog, purl: &str) -> &'a Package {
        match c.packages.iter().find(|p| p.purl == purl) {
            Some(p) => p,
            None => panic!("{purl} not in {:?}", c.packages.iter().map(|p| &p.purl).collect::<Vec<_>>()),
        }
    }

    const V3: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "workspaces": ["packages/w"],
      "dependencies": { "a": "^1.0.0", "str-cjs": "npm:string-width@^4" },
      "devDependencies": { "@s/dev": "2.0.0-beta.1", "g": "github:o/g" },
      "optionalDependencies": { "opt": "*" }
    },
    "node_modules/a": {
      "version": "1.2.3",
      "resolved": "https://registry.npmjs.org/a/-/a-1.2.3.tgz",
      "integrity": "sha512-AAEC",
      "dependencies": { "b": "^2.0.0" }
    },
    "node_modules/a/node_modules/b": {
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz"
    },
    "node_modules/b": {
      "version": "1.0.0+build.5",
      "dev": true
    },
    "node_modules/@s/dev": {
      "version": "2.0.0-beta.1",
      "dev": true,
      "dependencies": { "b": "^1.0.0", "gone": "1" }
    },
    "node_modules/str-cjs": {
      "name": "string-width",
      "version": "4.2.3"
    },
    "node_modules/g": {
      "version": "0.1.0",
      "resolved": "git+ssh://git@github.com/o/g.git#0123abcd",
      "dev": true
    },
    "node_modules/opt": {
      "version": "3.0.0",
      "resolved": "https://cdn.example.com/opt.tgz",
      "optional": true
    },
    "node_modules/w": { "resolved": "packages/w", "link": true },
    "packages/w": { "name": "w", "version": "0.0.1", "dependencies": { "b": "^1" } }
  }
}"#;

    #[test]
    fn v3_packages_scopes_sources_edges() {
        let c = run(V3);
        let a = find(&c, "pkg:npm/a@1.2.3");
        assert_eq!(a.direct, Some(true));
        assert_eq!(a.scope, Scope::Required);
        assert_eq!(a.hashes, vec![Hash::new("SHA-512", "000102")]);
        assert_eq!(a.location.line, Some(15));
        assert_eq!(find(&c, "pkg:npm/b@2.0.0").direct, Some(false));
        let b1 = find(&c, "pkg:npm/b@1.0.0%2Bbuild.5");
        assert_eq!(b1.scope, Scope::Dev);
        // Direct through the workspace member w.
        assert_eq!(b1.direct, Some(true));
        let dev = find(&c, "pkg:npm/%40s/dev@2.0.0-beta.1");
        assert_eq!((dev.scope, dev.direct), (Scope::Dev, Some(true)));
        // The alias installs string-width, under the real name.
        assert_eq!(find(&c, "pkg:npm/string-width@4.2.3").direct, Some(true));
        let g = find(&c, "pkg:npm/g@0.1.0?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Fo%2Fg.git%400123abcd");
        assert_eq!(
            g.source,
            Source::Git { url: "ssh://git@github.com/o/g.git".into(), rev: Some("0123abcd".into()) }
        );
        let opt = find(&c, "pkg:npm/opt@3.0.0?download_url=https:%2F%2Fcdn.example.com%2Fopt.tgz");
        assert_eq!(opt.scope, Scope::Optional);
        let w = find(&c, "pkg:npm/w@0.0.1");
        assert!(w.source.is_local());
        assert!(find(&c, "pkg:npm/app@1.0.0").source.is_local());
        for e in [
            ("pkg:npm/a@1.2.3", "pkg:npm/b@2.0.0"),
            ("pkg:npm/%40s/dev@2.0.0-beta.1", "pkg:npm/b@1.0.0%2Bbuild.5"),
            ("pkg:npm/w@0.0.1", "pkg:npm/b@1.0.0%2Bbuild.5"),
            ("pkg:npm/app@1.0.0", "pkg:npm/w@0.0.1"),
            ("pkg:npm/app@1.0.0", "pkg:npm/a@1.2.3"),
        ] {
            assert!(c.edges.contains(&Edge::new(e.0, e.1)), "{e:?} not in {:?}", c.edges);
        }
        assert_eq!(c.packages.len(), 9);
        // `gone` is missing: an info note, not an error.
        assert!(
            c.diagnostics.iter().all(|d| d.severity == crate::inventory::Severity::Info),
            "{:?}",
            c.diagnostics
        );
    }

    #[test]
    fn nested_duplicates_collapse_by_purl() {
        let c = run(r#"{"lockfileVersion":2,"packages":{"":{"dependencies":{"x":"1","y":"1"}},
            "node_modules/x":{"version":"1.0.0","dependencies":{"z":"1"}},
            "node_modules/x/node_modules/z":{"version":"1.0.0","dev":true},
            "node_modules/y":{"version":"1.0.0","dependencies":{"z":"1"}},
            "node_modules/y/node_modules/z":{"version":"1.0.0"}}}"#);
        let z: Vec<_> = c.packages.iter().filter(|p| p.name == "z").collect();
        assert_eq!(z.len(), 1);
        assert_eq!(z[0].scope, Scope::Required);
        assert_eq!(c.edges.iter().filter(|e| e.to == "pkg:npm/z@1.0.0").count(), 2);
    }

    #[test]
    fn v1_nested_with_sibling_manifest_and_crlf() {
        let lock = "{\r\n  \"name\": \"app\",\r\n  \"version\": \"1.0.0\",\r\n  \"lockfileVersion\": 1,\r\n  \"dependencies\": {\r\n\
    \"a\": {\r\n      \"version\": \"1.0.0\",\r\n      \"integrity\": \"sha1-AAEC\",\r\n      \"requires\": { \"b\": \"^2\" },\r\n\
      \"dependencies\": {\r\n        \"b\": { \"version\": \"2.0.0-rc.1\" }\r\n      }\r\n    },\r\n\
    \"b\": { \"version\": \"1.0.0\", \"dev\": true },\r\n\
    \"al\": { \"version\": \"npm:@real/pkg@3.1.0\" },\r\n\
    \"gitdep\": { \"version\": \"git+https://github.com/o/r.git#abc123\", \"from\": \"git+https://github.com/o/r.git\" },\r\n\
    \"loc\": { \"version\": \"file:../loc\" }\r\n  }\r\n}\r\n";
        let tree = MemTree::new()
            .with("app/package.json", "\u{feff}{\"dependencies\":{\"a\":\"1\",\"al\":\"npm:@real/pkg@3\"},\"devDependencies\":{\"b\":\"1\"}}");
        let c = NpmLock.catalog("app/package-lock.json", lock, &tree);
        let a = find(&c, "pkg:npm/a@1.0.0");
        assert_eq!((a.direct, a.location.line), (Some(true), Some(6)));
        assert_eq!(a.hashes, vec![Hash::new("SHA-1", "000102")]);
        assert_eq!(find(&c, "pkg:npm/b@2.0.0-rc.1").direct, Some(false));
        assert_eq!(find(&c, "pkg:npm/b@1.0.0").scope, Scope::Dev);
        assert_eq!(find(&c, "pkg:npm/%40real/pkg@3.1.0").direct, Some(true));
        assert!(c.packages.iter().any(|p| p.name == "gitdep" && p.version == "abc123"));
        assert!(c.packages.iter().any(|p| p.name == "loc" && p.source.is_local()));
        assert!(c.edges.contains(&Edge::new("pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0-rc.1")));
        // Without package.json, direct is unknown.
        let c = run(lock);
        assert_eq!(find(&c, "pkg:npm/a@1.0.0").direct, None);
    }

    #[test]
    fn broken_input_is_a_diagnostic() {
        for text in
            ["", "{", "[1]", "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"vers", "{}"]
        {
            let c = run(text);
            assert!(c.packages.is_empty(), "{text:?}");
            assert_eq!(c.diagnostics.len(), 1, "{text:?}");
        }
        let c = run(
            r#"{"lockfileVersion":3,"packages":{"node_modules/a":{},"node_modules/b":{"version":"1.0.0"},"node_modules/c":7}}"#,
        );
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 2);
    }

    #[test]
    fn repeated_keys_and_other_types_read_as_a_json_value_would() {
        // A repeated path keeps its first place with its last entry; a repeated field its last
        // value; a field of another type is as absent.
        let c = run(r#"{"lockfileVersion":3,"packages":{
            "node_modules/a":{"version":"1.0.0"},
            "node_modules/b":{"version":"1.0.0","dev":"yes","integrity":7,"license":{"type":"MIT","url":"u"}},
            "node_modules/a":{"version":"2.0.0","version":"3.0.0","dev":true,"dev":false,
                "licenses":[{"type":"ISC"}," ","0BSD"],"dependencies":{"b":"1","b":"2"}},
            "node_modules/c":{"version":["1"],"licenses":{"type":"Apache-2.0"}}}}"#);
        let names: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(names, ["pkg:npm/a@3.0.0", "pkg:npm/b@1.0.0"]);
        let a = find(&c, "pkg:npm/a@3.0.0");
        assert_eq!((a.scope, a.location.line), (Scope::Required, Some(2)));
        assert_eq!(a.licenses.iter().map(|l| l.raw.as_str()).collect::<Vec<_>>(), ["ISC OR 0BSD"]);
        let b = find(&c, "pkg:npm/b@1.0.0");
        assert_eq!((b.scope, b.hashes.len()), (Scope::Required, 0));
        assert_eq!(b.licenses.iter().map(|l| l.raw.as_str()).collect::<Vec<_>>(), ["MIT"]);
        assert_eq!(c.edges, vec![Edge::new("pkg:npm/a@3.0.0", "pkg:npm/b@1.0.0")]);
        // c has no version (an array is not one): left out with a warning.
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    }

    #[test]
    fn bom_is_stripped_by_the_tree() {
        let tree = MemTree::new().with(
            "package-lock.json",
            "\u{feff}{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":\"1.0.0\"}}}",
        );
        let text = crate::tree::Tree::read(&tree, "package-lock.json").unwrap_or_default();
        let c = NpmLock.catalog("package-lock.json", &text, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 1);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let full = V3.trim_end();
        for cut in (0..full.len()).filter(|&i| full.is_char_boundary(i)) {
            let c = run(&full[..cut]);
            assert!(
                c.diagnostics.iter().any(|d| d.severity == crate::inventory::Severity::Error),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn wants_lockfiles_only() {
        assert!(NpmLock.wants("a/package-lock.json"));
        assert!(NpmLock.wants("npm-shrinkwrap.json"));
        assert!(!NpmLock.wants("package.json"));
        assert!(!NpmLock.wants("a/package-lock.json.bak"));
    }
}
