//! `yarn.lock`: classic (v1, yarn's own indented format) and berry (v2+, YAML with `__metadata`).
//!
//! Classic: each entry is headed by the specifiers it satisfies (`"a@^1", a@^1.1:`), and holds
//! `version`, `resolved`, `integrity` and `dependencies` / `optionalDependencies` blocks whose
//! `name range` lines are looked up as `name@range` among the headers. Berry: each key is a list of
//! descriptors (`name@npm:^1`), `resolution` gives the locator (`name@npm:1.2.3`), `checksum` the
//! cache key-prefixed archive hash; `workspace:`, `link:`, `portal:` and `file:` resolutions are the
//! project's own, `patch:` ones are the patched package itself.
//!
//! Neither records dev dependencies or which dependencies are direct: those come from the sibling
//! `package.json` (and, for classic, workspace members named literally in its `workspaces`; berry
//! lists its workspaces in the lockfile), with scopes carried down the dependency graph.

use super::graph::propagate_scopes;
use super::hashes::sri_hashes;
use super::npm_common::{Manifest, git_source, is_git, resolved_source, split_spec};
use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use serde_yaml_ng::Value;
use std::collections::{HashMap, HashSet};

/// Reads `yarn.lock`, classic and berry.
pub struct YarnLock;

impl Cataloger for YarnLock {
    fn name(&self) -> &'static str {
        "yarn-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "yarn.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let berry = text.lines().any(|l| l.trim_end() == "__metadata:");
        let entries = if berry { berry_entries(rel, text, tree) } else { classic_entries(rel, text) };
        match entries {
            Ok((entries, diagnostics)) => {
                let mut out = Catalog { diagnostics, ..Catalog::default() };
                assemble(rel, entries, berry, tree, &mut out);
                out
            }
            Err(failed) => failed,
        }
    }
}

/// One lockfile entry in a form common to both flavours.
struct Entry {
    /// The specifiers / descriptors (`name@range`) it satisfies.
    specs: Vec<String>,
    name: String,
    version: String,
    line: Option<u32>,
    source: Source,
    hashes: Vec<Hash>,
    /// `(name, range)` of what it depends on.
    deps: Vec<(String, String)>,
    /// Berry workspace path (`.`, `packages/x`).
    workspace: Option<String>,
    /// Berry `patch:` entries stand for the package they patch and bring no hash of their own.
    patch: bool,
}

type Parsed = Result<(Vec<Entry>, Vec<Diagnostic>), Catalog>;

/// A classic scalar: `"quoted \"json\" string"` or bare. `None` for an unterminated quote.
fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('"') {
        if s.len() < 2 || !s.ends_with('"') {
            return None;
        }
        return serde_json::from_str::<String>(s)
            .ok()
            .or_else(|| inner.strip_suffix('"').map(str::to_string));
    }
    Some(s.to_string())
}

/// Splits `a, "b", c` (a classic header or a berry key) into unquoted specifiers.
fn split_specs(header: &str) -> Option<Vec<String>> {
    header.split(", ").map(unquote).collect::<Option<Vec<_>>>()
}

/// Name, version and source of a classic entry from its first specifier.
fn classic_identity(spec: &str, version: &str, resolved: Option<&str>) -> (String, Source) {
    let (name, range) = split_spec(spec).unwrap_or((spec, ""));
    let (name, range) = match range.strip_prefix("npm:") {
        Some(alias) => match split_spec(alias) {
            Some((real, r)) => (real, r),
            None => (name, alias),
        },
        None => (name, range),
    };
    let _ = version;
    for prefix in ["file:", "link:"] {
        if let Some(path) = range.strip_prefix(prefix) {
            return (name.to_string(), Source::Local { path: path.to_string() });
        }
    }
    let source = match resolved {
        Some(r) => resolved_source(r, name),
        None if is_git(range) => git_source(range),
        None => Source::Registry,
    };
    (name.to_string(), source)
}

fn classic_entries(rel: &str, text: &str) -> Parsed {
    struct Raw {
        specs: Vec<String>,
        line: u32,
        fields: HashMap<String, String>,
        deps: Vec<(String, String)>,
    }
    let mut raws: Vec<Raw> = Vec::new();
    let mut diags = Vec::new();
    let mut block: Option<String> = None;
    let mut skipping = false;
    for (i, raw_line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw_line.trim_end_matches('\r').trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent == 0 {
            block = None;
            let specs =
                line.strip_suffix(':').and_then(split_specs).filter(|s| s.iter().all(|x| !x.is_empty()));
            match specs {
                Some(specs) => {
                    skipping = false;
                    raws.push(Raw { specs, line: line_no, fields: HashMap::new(), deps: Vec::new() });
                }
                None => {
                    skipping = true;
                    diags.push(Diagnostic::error(
                        rel,
                        Some(line_no),
                        format!("unreadable entry header {line:?}"),
                    ));
                }
            }
            continue;
        }
        if skipping {
            continue;
        }
        let Some(entry) = raws.last_mut() else {
            diags.push(Diagnostic::error(rel, Some(line_no), "indented line outside any entry"));
            continue;
        };
        let bad = |d: &mut Vec<Diagnostic>| {
            d.push(Diagnostic::error(rel, Some(line_no), format!("unreadable line {trimmed:?}")));
        };
        if indent <= 2 {
            if let Some(key) = trimmed.strip_suffix(':') {
                block = unquote(key);
                continue;
            }
            block = None;
            let (key, value) = match trimmed.split_once([' ', '\t']) {
                Some((k, v)) => (unquote(k), unquote(v)),
                None => (None, None),
            };
            match (key, value) {
                (Some(k), Some(v)) => {
                    entry.fields.insert(k, v);
                }
                _ => bad(&mut diags),
            }
        } else if let Some(b) = block.as_deref() {
            if b != "dependencies" && b != "optionalDependencies" {
                continue;
            }
            let (key, value) = match trimmed.split_once([' ', '\t']) {
                Some((k, v)) => (unquote(k), unquote(v)),
                None => (None, None),
            };
            match (key, value) {
                (Some(k), Some(v)) => entry.deps.push((k, v)),
                _ => bad(&mut diags),
            }
        }
    }
    let mut entries = Vec::new();
    for r in raws {
        let Some(version) = r.fields.get("version").filter(|v| !v.is_empty()) else {
            diags.push(Diagnostic::error(
                rel,
                Some(r.line),
                format!("entry {:?} has no version", r.specs.join(", ")),
            ));
            continue;
        };
        let Some(first) = r.specs.first() else { continue };
        let resolved = r.fields.get("resolved").map(String::as_str);
        let (name, source) = classic_identity(first, version, resolved);
        let mut hashes = r.fields.get("integrity").map(|i| sri_hashes(i)).unwrap_or_default();
        if hashes.is_empty()
            && let Some(sha1) = resolved.and_then(|r| r.rsplit_once('#')).map(|(_, f)| f)
            && sha1.len() == 40
            && sha1.bytes().all(|b| b.is_ascii_hexdigit())
            && !matches!(source, Source::Git { .. })
        {
            hashes.push(Hash::new("SHA-1", sha1.to_ascii_lowercase()));
        }
        entries.push(Entry {
            specs: r.specs,
            name,
            version: version.clone(),
            line: Some(r.line),
            source,
            hashes,
            deps: r.deps,
            workspace: None,
            patch: false,
        });
    }
    Ok((entries, diags))
}

/// Percent-decoding for the `npm%3A` inside berry `patch:` locators.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The source of a berry locator's reference (`npm:1.2.3`, `workspace:.`, `https://…`).
fn berry_source(name: &str, reference: &str) -> Source {
    let (protocol, rest) = reference.split_once(':').unwrap_or(("", reference));
    match protocol {
        "npm" => Source::Registry,
        "workspace" | "link" | "portal" | "file" | "exec" => {
            Source::Local { path: rest.split('#').next().unwrap_or(rest).to_string() }
        }
        _ if is_git(reference) || reference.contains("#commit=") => git_source(reference),
        "http" | "https" => resolved_source(reference, name),
        _ => Source::Url { url: reference.to_string() },
    }
}

fn yaml_str(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn berry_entries(rel: &str, text: &str, tree: &dyn Tree) -> Parsed {
    let doc: Value = match serde_yaml_ng::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().and_then(|l| u32::try_from(l.line()).ok());
            return Err(Catalog::failed(rel, line, format!("not a valid yarn.lock: {e}")));
        }
    };
    let Some(map) = doc.as_mapping() else {
        return Err(Catalog::failed(rel, Some(1), "not a valid yarn.lock: not a mapping"));
    };
    // Lines of the top-level keys.
    let mut key_lines: HashMap<String, u32> = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim_end_matches('\r');
        if !l.starts_with([' ', '#']) && !l.is_empty() {
            let key = l.trim_end().strip_suffix(':').unwrap_or(l);
            let key = unquote(key).unwrap_or_else(|| key.to_string());
            key_lines.entry(key).or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    let mut diags = Vec::new();
    let mut entries = Vec::new();
    for (k, v) in map {
        let Some(key) = k.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let line = key_lines.get(key).copied();
        let specs: Vec<String> = key.split(", ").map(|s| s.trim().to_string()).collect();
        let Some(resolution) = yaml_str(v, "resolution") else {
            diags.push(Diagnostic::error(rel, line, format!("entry {key:?} has no resolution")));
            continue;
        };
        let Some((name, reference)) = split_spec(&resolution) else {
            diags.push(Diagnostic::error(rel, line, format!("unreadable resolution {resolution:?}")));
            continue;
        };
        let mut version = yaml_str(v, "version").unwrap_or_default();
        let mut workspace = None;
        let mut patch = false;
        let source = if let Some(patched) = reference.strip_prefix("patch:") {
            // patch:<name>@npm%3A1.2.3#<patch>::version=…: the underlying package.
            patch = true;
            let inner = percent_decode(patched.split('#').next().unwrap_or(patched));
            match split_spec(&inner) {
                Some((n, r)) => berry_source(n, r),
                None => Source::Registry,
            }
        } else {
            let s = berry_source(name, reference);
            if let Some(path) = reference.strip_prefix("workspace:") {
                workspace = Some(path.to_string());
                if let Some(m) = join(parent(rel), path).and_then(|dir| Manifest::read(tree, &dir)) {
                    version = m.version.unwrap_or_default();
                } else if version == "0.0.0-use.local" {
                    version = String::new();
                }
            }
            s
        };
        if version.is_empty() && !source.is_local() {
            diags.push(Diagnostic::error(rel, line, format!("entry {key:?} has no version")));
            continue;
        }
        let mut deps = Vec::new();
        for field in ["dependencies", "optionalDependencies"] {
            if let Some(m) = v.get(field).and_then(Value::as_mapping) {
                for (dn, dr) in m {
                    if let (Some(dn), Some(dr)) = (dn.as_str(), dr.as_str()) {
                        deps.push((dn.to_string(), dr.to_string()));
                    }
                }
            }
        }
        let hashes = match yaml_str(v, "checksum") {
            Some(c) if !patch => vec![Hash::new("yarn-checksum", c)],
            _ => Vec::new(),
        };
        entries.push(Entry {
            specs,
            name: name.to_string(),
            version,
            line,
            source,
            hashes,
            deps,
            workspace,
            patch,
        });
    }
    Ok((entries, diags))
}

/// Builds packages, edges, direct flags and scopes from the entries.
fn assemble(rel: &str, entries: Vec<Entry>, berry: bool, tree: &dyn Tree, out: &mut Catalog) {
    let mut by_spec: HashMap<&str, usize> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for s in &e.specs {
            by_spec.insert(s.as_str(), i);
        }
        by_name.entry(e.name.as_str()).or_default().push(i);
    }
    let lookup = |name: &str, range: &str| -> Option<usize> {
        if let Some(&i) = by_spec.get(format!("{name}@{range}").as_str()) {
            return Some(i);
        }
        // Berry abbreviates some descriptors (`npm:` omitted, `workspace:^` to a member).
        if let Some(&i) = by_spec.get(format!("{name}@npm:{range}").as_str()) {
            return Some(i);
        }
        match by_name.get(name).map(Vec::as_slice) {
            Some([only]) => Some(*only),
            Some(many) if range.starts_with("workspace:") => {
                many.iter().copied().find(|&i| entries.get(i).is_some_and(|e| e.workspace.is_some()))
            }
            _ => None,
        }
    };

    // Packages, one per purl.
    let mut index_of: Vec<Option<usize>> = vec![None; entries.len()];
    let mut by_purl: HashMap<String, usize> = HashMap::new();
    let mut from_patch: HashSet<usize> = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let pkg = Package::new(Ecosystem::Npm, &e.name, &e.version, Location::new(rel, e.line))
            .and_then(|p| p.source(e.source.clone()));
        match pkg {
            Ok(mut p) => {
                p.hashes = e.hashes.clone();
                match by_purl.get(&p.purl) {
                    Some(&k) => {
                        // A patch entry and the package it patches: keep the unpatched declaration.
                        if let Some(slot) = out.packages.get_mut(k) {
                            if !e.patch && from_patch.remove(&k) {
                                *slot = p;
                            } else {
                                for h in p.hashes {
                                    if !slot.hashes.contains(&h) {
                                        slot.hashes.push(h);
                                    }
                                }
                            }
                        }
                        index_of[i] = Some(k);
                    }
                    None => {
                        by_purl.insert(p.purl.clone(), out.packages.len());
                        index_of[i] = Some(out.packages.len());
                        if e.patch {
                            from_patch.insert(out.packages.len());
                        }
                        out.packages.push(p);
                    }
                }
            }
            Err(err) => out.diagnostics.push(Diagnostic::error(rel, e.line, err.to_string())),
        }
    }

    // Classic lockfiles leave workspace members out; they come from the tree as local packages.
    let dir = parent(rel);
    let manifest = if berry { None } else { Manifest::read(tree, dir) };
    let (members, members_complete) =
        manifest.as_ref().map_or((Vec::new(), true), |m| m.workspace_members(tree, dir));
    let mut member_index: HashMap<&str, usize> = HashMap::new();
    for (path, m) in &members {
        let Some(name) = m.name.as_deref() else { continue };
        let version = m.version.as_deref().unwrap_or("");
        let pkg =
            Package::new(Ecosystem::Npm, name, version, Location::new(format!("{path}/package.json"), None))
                .and_then(|p| p.source(Source::Local { path: path.clone() }));
        if let Ok(p) = pkg
            && !by_purl.contains_key(&p.purl)
        {
            member_index.insert(name, out.packages.len());
            by_purl.insert(p.purl.clone(), out.packages.len());
            out.packages.push(p);
        }
    }
    let resolve = |name: &str, range: &str| -> Option<usize> {
        lookup(name, range).and_then(|j| index_of[j]).or_else(|| member_index.get(name).copied())
    };

    // Edges.
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); out.packages.len()];
    let mut edges: HashSet<(usize, usize)> = HashSet::new();
    let mut link = |from: usize, to: usize, adj: &mut Vec<Vec<usize>>| {
        if from != to
            && edges.insert((from, to))
            && let Some(a) = adj.get_mut(from)
        {
            a.push(to);
        }
    };
    for (path, m) in &members {
        let Some(from) = m.name.as_deref().and_then(|n| member_index.get(n).copied()) else { continue };
        for (dn, dr, _) in &m.deps {
            match resolve(dn, dr) {
                Some(to) => link(from, to, &mut adj),
                None => out.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    format!("workspace member {path} depends on {dn}@{dr}, which the lockfile does not list"),
                )),
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let Some(from) = index_of[i] else { continue };
        for (dn, dr) in &e.deps {
            match resolve(dn, dr) {
                Some(to) => link(from, to, &mut adj),
                None => out.diagnostics.push(Diagnostic::warning(
                    rel,
                    e.line,
                    format!(
                        "{}@{} depends on {dn}@{dr}, which the lockfile does not list",
                        e.name, e.version
                    ),
                )),
            }
        }
    }

    // Direct dependencies and their scopes.
    let mut roots: Vec<(usize, Scope)> = Vec::new();
    let mut known = false;
    let mut complete = true;
    let add_roots = |m: &Manifest, roots: &mut Vec<(usize, Scope)>| {
        for (n, r, s) in &m.deps {
            if let Some(k) = resolve(n, r) {
                roots.push((k, *s));
            }
        }
    };
    if berry {
        for e in &entries {
            let Some(ws) = &e.workspace else { continue };
            known = true;
            let manifest = join(dir, ws).and_then(|d| Manifest::read(tree, &d));
            for (dn, dr) in &e.deps {
                let Some(k) = lookup(dn, dr).and_then(|j| index_of[j]) else { continue };
                let scope = manifest
                    .as_ref()
                    .and_then(|m| m.deps.iter().find(|(n, _, _)| n == dn).map(|d| d.2))
                    .unwrap_or(Scope::Required);
                roots.push((k, scope));
            }
        }
    } else if let Some(m) = &manifest {
        known = true;
        add_roots(m, &mut roots);
        complete = members_complete;
        for (_, member) in &members {
            add_roots(member, &mut roots);
        }
    }
    let scopes = propagate_scopes(&adj, &roots);
    let direct: HashSet<usize> = roots.iter().map(|r| r.0).collect();
    for (k, p) in out.packages.iter_mut().enumerate() {
        if p.source.is_local() {
            p.direct = Some(true);
            continue;
        }
        if let Some(Some(s)) = scopes.get(k) {
            p.scope = *s;
        }
        if known {
            p.direct = if direct.contains(&k) {
                Some(true)
            } else if complete {
                Some(false)
            } else {
                None
            };
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
    use crate::inventory::{Edge, Severity};
    use crate::tree::MemTree;

    fn find<'a>(c: &'a Catalog, purl: &str) -> &'a Package {
        match c.packages.iter().find(|p| p.purl == purl) {
            Some(p) => p,
            None => panic!("{purl} not in {:?}", c.packages.iter().map(|p| &p.purl).collect::<Vec<_>>()),
        }
    }

    const CLASSIC: &str = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n\
\"@s/a@^1.0.0\", \"@s/a@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://registry.yarnpkg.com/@s/a/-/a-1.2.0.tgz#0123456789abcdef0123456789abcdef01234567\"\n  dependencies:\n    b \"^2.0.0\"\n    w-cjs \"npm:wrap@^7\"\n  optionalDependencies:\n    fs \"~1\"\n\n\
b@^1:\n  version \"1.0.0-beta.2\"\n  resolved \"https://registry.yarnpkg.com/b/-/b-1.0.0-beta.2.tgz\"\n  integrity sha512-AAEC\n\n\
b@^2.0.0:\n  version \"2.1.0\"\n  integrity sha1-AAEC\n  dependencies:\n    b \"^1\"\n\n\
\"w-cjs@npm:wrap@^7\":\n  version \"7.0.0\"\n\n\
fs@~1:\n  version \"1.0.1\"\n\n\
\"g@github:o/g#abc\":\n  version \"0.0.1\"\n  resolved \"https://codeload.github.com/o/g/tar.gz/abc\"\n\n\
\"gg@git+https://github.com/o/gg.git#v1\":\n  version \"0.2.0\"\n  resolved \"git+https://github.com/o/gg.git#deadbeef\"\n\n\
\"loc@file:../loc\":\n  version \"0.0.0\"\n\n\
dev@1.0.0:\n  version \"1.0.0+build.1\"\n  dependencies:\n    b \"^2.0.0\"\n";

    #[test]
    fn classic_entries_edges_direct_and_scopes() {
        let tree = MemTree::new().with(
            "w/package.json",
            "\u{feff}{\"dependencies\":{\"@s/a\":\"^1.0.0\",\"g\":\"github:o/g#abc\"},\"devDependencies\":{\"dev\":\"1.0.0\"}}",
        );
        let c = YarnLock.catalog("w/yarn.lock", &CLASSIC.replace('\n', "\r\n"), &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let a = find(&c, "pkg:npm/%40s/a@1.2.0");
        assert_eq!((a.direct, a.scope, a.location.line), (Some(true), Scope::Required, Some(5)));
        assert_eq!(a.hashes, vec![Hash::new("SHA-1", "0123456789abcdef0123456789abcdef01234567")]);
        let b1 = find(&c, "pkg:npm/b@1.0.0-beta.2");
        assert_eq!((b1.direct, b1.scope), (Some(false), Scope::Required));
        assert_eq!(b1.hashes, vec![Hash::new("SHA-512", "000102")]);
        assert_eq!(find(&c, "pkg:npm/wrap@7.0.0").direct, Some(false));
        assert_eq!(find(&c, "pkg:npm/fs@1.0.1").scope, Scope::Required);
        let dev = find(&c, "pkg:npm/dev@1.0.0%2Bbuild.1");
        assert_eq!((dev.direct, dev.scope), (Some(true), Scope::Dev));
        find(&c, "pkg:npm/g@0.0.1?download_url=https:%2F%2Fcodeload.github.com%2Fo%2Fg%2Ftar.gz%2Fabc");
        let gg = find(&c, "pkg:npm/gg@0.2.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fgg.git%40deadbeef");
        assert_eq!(gg.scope, Scope::Required);
        assert!(find(&c, "pkg:npm/loc@0.0.0").source.is_local());
        for (f, t) in [
            ("pkg:npm/%40s/a@1.2.0", "pkg:npm/b@2.1.0"),
            ("pkg:npm/%40s/a@1.2.0", "pkg:npm/wrap@7.0.0"),
            ("pkg:npm/%40s/a@1.2.0", "pkg:npm/fs@1.0.1"),
            ("pkg:npm/b@2.1.0", "pkg:npm/b@1.0.0-beta.2"),
        ] {
            assert!(c.edges.contains(&Edge::new(f, t)), "{f} -> {t}");
        }
        assert_eq!(c.packages.len(), 9);
        // Without package.json: nothing is known about direct dependencies.
        let c = YarnLock.catalog("yarn.lock", CLASSIC, &MemTree::new());
        assert!(c.packages.iter().all(|p| p.direct.is_none() || p.source.is_local()));
    }

    #[test]
    fn classic_workspaces_given_as_globs() {
        let tree = MemTree::new()
            .with("package.json", r#"{"workspaces": ["packages/*", "!packages/skip", "tools/cli"]}"#)
            .with("packages/a/package.json", r#"{"name": "a", "dependencies": {"@s/a": "^1.1.0"}}"#)
            .with("packages/skip/package.json", r#"{"name": "skip", "dependencies": {"fs": "~1"}}"#)
            .with(
                "packages/a/node_modules/x/package.json",
                r#"{"name": "x", "devDependencies": {"b": "^1"}}"#,
            )
            .with("tools/cli/package.json", r#"{"name": "cli", "devDependencies": {"dev": "1.0.0"}}"#);
        let c = YarnLock.catalog("yarn.lock", CLASSIC, &tree);
        assert_eq!(find(&c, "pkg:npm/%40s/a@1.2.0").direct, Some(true), "from the glob member");
        assert_eq!(find(&c, "pkg:npm/dev@1.0.0%2Bbuild.1").scope, Scope::Dev, "from the literal member");
        assert_eq!(find(&c, "pkg:npm/fs@1.0.1").direct, Some(false), "the excluded member does not count");
        assert_eq!(find(&c, "pkg:npm/b@1.0.0-beta.2").direct, Some(false), "node_modules is not a member");
        // Members are the project's own packages, with edges to what they use and to each other.
        let a = find(&c, "pkg:npm/a");
        assert_eq!((a.source.is_local(), a.location.path.as_str()), (true, "packages/a/package.json"));
        assert!(c.edges.contains(&Edge::new("pkg:npm/a", "pkg:npm/%40s/a@1.2.0")));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let tree = MemTree::new()
            .with("package.json", r#"{"workspaces": ["packages/*"]}"#)
            .with(
                "packages/a/package.json",
                r#"{"name": "a", "version": "1.0.0", "dependencies": {"dev": "1.0.0"}}"#,
            )
            .with(
                "packages/z/package.json",
                r#"{"name": "z", "version": "2.0.0", "dependencies": {"a": "^1.0.0", "gone": "1"}}"#,
            );
        let c = YarnLock.catalog("yarn.lock", CLASSIC, &tree);
        assert!(c.edges.contains(&Edge::new("pkg:npm/z@2.0.0", "pkg:npm/a@1.0.0")), "member to member");
        assert_eq!(c.diagnostics.len(), 1, "only the dependency nobody provides: {:?}", c.diagnostics);
        // A glob that matches nothing means members are missing: direct-ness is then unknown.
        let tree = MemTree::new().with("package.json", r#"{"workspaces": ["packages/*"]}"#);
        let c = YarnLock.catalog("yarn.lock", CLASSIC, &tree);
        assert_eq!(find(&c, "pkg:npm/b@2.1.0").direct, None);
    }

    #[test]
    fn classic_broken_and_truncated() {
        let c = YarnLock.catalog("yarn.lock", "", &MemTree::new());
        assert!(c.packages.is_empty() && c.diagnostics.is_empty());
        let cut = &CLASSIC[..CLASSIC.find("integrity sha1").unwrap_or(0) - 10];
        let c = YarnLock.catalog("yarn.lock", cut, &MemTree::new());
        assert_eq!(c.packages.len(), 2, "{:?}", c.packages);
        assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:?}", c.diagnostics);
        let c = YarnLock.catalog(
            "yarn.lock",
            "a@1:\n  version \"1.0\n\nnot a header\n  version 1\nb@1:\n  version \"1\"\n",
            &MemTree::new(),
        );
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 3, "{:?}", c.diagnostics);
    }

    const BERRY: &str = "# This file is generated by running \"yarn install\" inside your project.\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\
\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    \"@s/a\": \"npm:^1.0.0\"\n    lib: \"workspace:^\"\n    ts: \"patch:ts@npm%3A^5.0.0#~builtin<compat/typescript>\"\n    dev: \"npm:2.0.0-rc.1\"\n  languageName: unknown\n  linkType: soft\n\n\
\"lib@workspace:^, lib@workspace:packages/lib\":\n  version: 0.0.0-use.local\n  resolution: \"lib@workspace:packages/lib\"\n  languageName: unknown\n  linkType: soft\n\n\
\"@s/a@npm:^1.0.0\":\n  version: 1.2.0\n  resolution: \"@s/a@npm:1.2.0\"\n  dependencies:\n    al: \"npm:real@^3\"\n    g: \"https://github.com/o/g.git#commit=abc\"\n  checksum: 10c0/abcdef\n  languageName: node\n  linkType: hard\n\n\
\"al@npm:real@^3\":\n  version: 3.0.0\n  resolution: \"real@npm:3.0.0\"\n  checksum: 10/0011\n  languageName: node\n  linkType: hard\n\n\
\"g@https://github.com/o/g.git#commit=abc\":\n  version: 0.1.0\n  resolution: \"g@https://github.com/o/g.git#commit=abc\"\n  languageName: node\n  linkType: hard\n\n\
\"ts@npm:5.1.0\":\n  version: 5.1.0\n  resolution: \"ts@npm:5.1.0\"\n  checksum: 10/ff\n  languageName: node\n  linkType: hard\n\n\
\"ts@patch:ts@npm%3A^5.0.0#~builtin<compat/typescript>\":\n  version: 5.1.0\n  resolution: \"ts@patch:ts@npm%3A5.1.0#~builtin<compat/typescript>::version=5.1.0&hash=1f5320\"\n  checksum: 10/ee\n  languageName: node\n  linkType: hard\n\n\
\"dev@npm:2.0.0-rc.1\":\n  version: 2.0.0-rc.1\n  resolution: \"dev@npm:2.0.0-rc.1\"\n  languageName: node\n  linkType: hard\n";

    #[test]
    fn berry_protocols_workspaces_patches() {
        let tree = MemTree::new()
            .with(
                "package.json",
                "{\"name\":\"app\",\"version\":\"1.0.0\",\"devDependencies\":{\"dev\":\"2.0.0-rc.1\"}}",
            )
            .with("packages/lib/package.json", "{\"name\":\"lib\",\"version\":\"0.3.0\"}");
        let c = YarnLock.catalog("yarn.lock", BERRY, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert!(find(&c, "pkg:npm/app@1.0.0").source.is_local());
        assert!(find(&c, "pkg:npm/lib@0.3.0").source.is_local());
        let a = find(&c, "pkg:npm/%40s/a@1.2.0");
        assert_eq!((a.direct, a.scope, a.location.line), (Some(true), Scope::Required, Some(24)));
        assert_eq!(a.hashes, vec![Hash::new("yarn-checksum", "10c0/abcdef")]);
        assert_eq!(find(&c, "pkg:npm/real@3.0.0").direct, Some(false));
        find(&c, "pkg:npm/g@0.1.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fg.git%40abc");
        // The patch entry stands for ts@5.1.0, with the unpatched checksum only.
        let ts: Vec<_> = c.packages.iter().filter(|p| p.name == "ts").collect();
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].hashes, vec![Hash::new("yarn-checksum", "10/ff")]);
        assert_eq!(ts[0].direct, Some(true));
        let dev = find(&c, "pkg:npm/dev@2.0.0-rc.1");
        assert_eq!((dev.direct, dev.scope), (Some(true), Scope::Dev));
        assert!(c.edges.contains(&Edge::new("pkg:npm/app@1.0.0", "pkg:npm/lib@0.3.0")));
        assert!(c.edges.contains(&Edge::new("pkg:npm/%40s/a@1.2.0", "pkg:npm/real@3.0.0")));
        assert_eq!(c.packages.len(), 7);
    }

    #[test]
    fn every_truncation_is_safe() {
        for text in [CLASSIC, BERRY] {
            let full = YarnLock.catalog("yarn.lock", text, &MemTree::new()).packages.len();
            for cut in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
                let c = YarnLock.catalog("yarn.lock", &text[..cut], &MemTree::new());
                assert!(c.packages.len() <= full, "cut at {cut}");
            }
        }
    }

    #[test]
    fn berry_patch_before_the_patched_package() {
        let text = "__metadata:\n  version: 8\n\n\"t@patch:t@npm%3A^1#x\":\n  version: 1.0.0\n  resolution: \"t@patch:t@npm%3A1.0.0#x::version=1.0.0&hash=1\"\n  checksum: 10/ee\n\n\"t@npm:1.0.0\":\n  version: 1.0.0\n  resolution: \"t@npm:1.0.0\"\n  checksum: 10/ff\n";
        let c = YarnLock.catalog("yarn.lock", text, &MemTree::new());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].hashes, vec![Hash::new("yarn-checksum", "10/ff")]);
        assert_eq!(c.packages[0].location.line, Some(9));
    }

    #[test]
    fn berry_truncated_and_crlf() {
        let c = YarnLock.catalog("yarn.lock", &BERRY.replace('\n', "\r\n"), &MemTree::new());
        assert_eq!(c.packages.len(), 7, "{:?}", c.diagnostics);
        let cut = &BERRY[..BERRY.find("checksum: 10/0011").unwrap_or(0) + 3];
        let c = YarnLock.catalog("yarn.lock", cut, &MemTree::new());
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        let c = YarnLock.catalog(
            "yarn.lock",
            "__metadata:\n  version: 8\n\"x@npm:1\":\n  version: 1.0.0\n",
            &MemTree::new(),
        );
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    }
}
