//! Helpers shared by the JavaScript catalogers (npm, yarn, pnpm, installed `node_modules`).

use super::Catalog;
use crate::inventory::{Package, Scope, Source};
use crate::tree::{Tree, join};
use serde_json::Value;
use std::collections::HashMap;

/// Declared licenses of a package.json or lockfile entry: `license` as a string, the legacy
/// `license: {type}` object, or the legacy `licenses: [{type}]` array, whose entries are licenses
/// the author offers to choose from, so they are joined with `OR`.
pub fn declared_licenses(entry: &Value) -> Option<String> {
    let of = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    };
    if let Some(l) = entry.get("license").and_then(of) {
        return Some(l);
    }
    match entry.get("licenses")? {
        Value::Array(items) => {
            let all: Vec<String> = items.iter().filter_map(of).filter(|s| !s.trim().is_empty()).collect();
            (!all.is_empty()).then(|| all.join(" OR "))
        }
        v => of(v),
    }
}

/// The npm registries whose tarballs are the default registry's.
const DEFAULT_REGISTRIES: [&str; 3] =
    ["https://registry.npmjs.org/", "https://registry.yarnpkg.com/", "http://registry.npmjs.org/"];

/// True for git specifiers and URLs as npm and yarn write them.
pub(super) fn is_git(spec: &str) -> bool {
    ["git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:"].iter().any(|p| spec.starts_with(p))
        || spec.starts_with("ssh://")
        || (spec.starts_with("https://") && spec.split('#').next().is_some_and(|u| u.ends_with(".git")))
}

/// A git specifier or URL as a [`Source::Git`]: `#fragment` is the revision.
pub(super) fn git_source(spec: &str) -> Source {
    let (url, rev) = spec.split_once('#').map_or((spec, None), |(u, r)| (u, Some(r)));
    let url = url.strip_prefix("git+").unwrap_or(url);
    let url = if let Some(rest) = url.strip_prefix("github:") {
        format!("https://github.com/{rest}")
    } else if let Some(rest) = url.strip_prefix("gitlab:") {
        format!("https://gitlab.com/{rest}")
    } else if let Some(rest) = url.strip_prefix("bitbucket:") {
        format!("https://bitbucket.org/{rest}")
    } else {
        url.to_string()
    };
    let rev = rev.map(|r| r.strip_prefix("commit=").unwrap_or(r)).filter(|r| !r.is_empty());
    Source::Git { url, rev: rev.map(str::to_string) }
}

/// Where a `resolved` URL (npm, yarn v1) or tarball (pnpm) says a package of `name` comes from.
pub(super) fn resolved_source(resolved: &str, name: &str) -> Source {
    let resolved = resolved.trim();
    if resolved.is_empty() {
        return Source::Registry;
    }
    if is_git(resolved) {
        return git_source(resolved);
    }
    for prefix in ["file:", "link:", "portal:"] {
        if let Some(path) = resolved.strip_prefix(prefix) {
            return Source::Local { path: path.to_string() };
        }
    }
    if resolved.starts_with("http://") || resolved.starts_with("https://") {
        let url = resolved.split('#').next().unwrap_or(resolved);
        if DEFAULT_REGISTRIES.iter().any(|r| url.starts_with(r)) {
            return Source::Registry;
        }
        // A registry tarball: <registry>/<name>/-/<file>.tgz (scoped names may be %2f-encoded).
        if let Some((base, _)) = url.split_once("/-/") {
            let encoded = name.replacen('/', "%2f", 1);
            let registry = [name, encoded.as_str(), &encoded.replace("%2f", "%2F")]
                .iter()
                .find_map(|n| base.strip_suffix(&format!("/{n}")))
                .unwrap_or(base);
            return Source::AltRegistry { url: format!("{registry}/") };
        }
        return Source::Url { url: url.to_string() };
    }
    // npm writes link targets as bare relative paths.
    Source::Local { path: resolved.to_string() }
}

/// What a `package.json` declares that the catalogers use.
#[derive(Debug, Default, Clone)]
pub(super) struct Manifest {
    /// `name`.
    pub name: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// Dependency name → (range, scope), from `dependencies`, `optionalDependencies` and
    /// `devDependencies` (the strongest scope when a name is in several).
    pub deps: Vec<(String, String, Scope)>,
    /// Workspace patterns (`workspaces` as an array or `{ packages: [...] }`).
    pub workspaces: Vec<String>,
}

impl Manifest {
    /// Parses a `package.json`; `None` when it is not a JSON object.
    pub fn parse(text: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let obj = v.as_object()?;
        let s = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let mut deps: Vec<(String, String, Scope)> = Vec::new();
        for (field, scope) in [
            ("dependencies", Scope::Required),
            ("optionalDependencies", Scope::Optional),
            ("devDependencies", Scope::Dev),
        ] {
            let Some(map) = obj.get(field).and_then(|m| m.as_object()) else { continue };
            for (name, range) in map {
                let range = range.as_str().unwrap_or("").to_string();
                match deps.iter_mut().find(|(n, _, _)| n == name) {
                    // npm: optionalDependencies override dependencies of the same name.
                    Some(d) if scope == Scope::Optional => d.2 = Scope::Optional,
                    Some(_) => {}
                    None => deps.push((name.clone(), range, scope)),
                }
            }
        }
        let workspaces = match obj.get("workspaces") {
            Some(serde_json::Value::Array(a)) => {
                a.iter().filter_map(|x| x.as_str()).map(str::to_string).collect()
            }
            Some(serde_json::Value::Object(o)) => o
                .get("packages")
                .and_then(|p| p.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).map(str::to_string).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Some(Self { name: s("name"), version: s("version"), deps, workspaces })
    }

    /// Reads `<dir>/package.json` through the tree.
    pub fn read(tree: &dyn Tree, dir: &str) -> Option<Self> {
        let path = join(dir, "package.json")?;
        Self::parse(&tree.read(&path).ok()?)
    }

    /// The manifests of the workspace members under `dir`: literal paths, and globs matched against
    /// the `package.json` files the tree lists (`!pattern` excludes). Returns the members found and
    /// whether every pattern could be resolved.
    pub fn workspace_members(&self, tree: &dyn Tree, dir: &str) -> (Vec<(String, Manifest)>, bool) {
        let mut members: Vec<(String, Manifest)> = Vec::new();
        let mut complete = true;
        let mut include: Vec<globset::GlobMatcher> = Vec::new();
        let mut exclude = globset::GlobSetBuilder::new();
        for w in &self.workspaces {
            let (negated, pattern) = match w.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, w.as_str()),
            };
            let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
            if !negated && !pattern.contains(['*', '?', '[', '{']) {
                match join(dir, pattern).and_then(|m| Some((m.clone(), Self::read(tree, &m)?))) {
                    Some(found) => members.push(found),
                    None => complete = false,
                }
                continue;
            }
            match globset::GlobBuilder::new(pattern).literal_separator(true).build() {
                Ok(g) if negated => {
                    exclude.add(g);
                }
                Ok(g) => include.push(g.compile_matcher()),
                Err(_) => complete = false,
            }
        }
        if !include.is_empty() {
            let Ok(exclude) = exclude.build() else { return (members, false) };
            let mut matched = vec![false; include.len()];
            let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
            for file in tree.files() {
                let Some(member) = file.strip_prefix(&prefix).and_then(|f| f.strip_suffix("/package.json"))
                else {
                    continue;
                };
                if member.split('/').any(|p| p == "node_modules") || exclude.is_match(member) {
                    continue;
                }
                let hits: Vec<usize> = (0..include.len()).filter(|&i| include[i].is_match(member)).collect();
                if hits.is_empty() {
                    continue;
                }
                hits.iter().for_each(|&i| matched[i] = true);
                let path = format!("{prefix}{member}");
                if members.iter().any(|(m, _)| *m == path) {
                    continue;
                }
                if let Some(m) = Self::read(tree, &path) {
                    members.push((path, m));
                }
            }
            // A pattern that matches nothing most likely means members missing from the tree.
            complete &= matched.iter().all(|&m| m);
        }
        (members, complete)
    }
}

/// Splits `name@range` (the name may start with `@scope/`).
pub(super) fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

/// The line of each `"key": {` opening in a JSON text, found walking forward, so that a document
/// traversed in file order gets its lines in one pass.
pub(super) struct KeyLines<'a> {
    text: &'a str,
    index: super::LineIndex,
    at: usize,
}

impl<'a> KeyLines<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, index: super::LineIndex::new(text), at: 0 }
    }

    /// The line of the next `"key":` followed by `{`, at or after the current position.
    pub fn next(&mut self, key: &str) -> Option<u32> {
        let needle = format!("{}:", serde_json::Value::String(key.to_string()));
        let mut from = self.at;
        loop {
            let found = self.text.get(from..)?.find(&needle)? + from;
            let after = found + needle.len();
            let rest = self.text.get(after..)?.trim_start();
            if rest.starts_with('{') {
                self.at = after;
                return Some(self.index.line(found));
            }
            from = after;
        }
    }
}

/// Adds `pkg` to `out` unless a package with its purl is already there (nested installs of one
/// name and version), in which case the strongest scope wins. Returns the package's index.
pub(super) fn add_unique(out: &mut Catalog, by_purl: &mut HashMap<String, usize>, pkg: Package) -> usize {
    match by_purl.get(&pkg.purl) {
        Some(&k) => {
            if let Some(existing) = out.packages.get_mut(k) {
                existing.scope = existing.scope.min(pkg.scope);
            }
            k
        }
        None => {
            let k = out.packages.len();
            by_purl.insert(pkg.purl.clone(), k);
            out.packages.push(pkg);
            k
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_from_resolved() {
        assert_eq!(resolved_source("https://registry.npmjs.org/a/-/a-1.0.0.tgz", "a"), Source::Registry);
        assert_eq!(
            resolved_source("https://npm.example.com/api/@s/a/-/a-1.0.0.tgz", "@s/a"),
            Source::AltRegistry { url: "https://npm.example.com/api/".into() }
        );
        assert_eq!(
            resolved_source("git+ssh://git@github.com/o/r.git#abc", "r"),
            Source::Git { url: "ssh://git@github.com/o/r.git".into(), rev: Some("abc".into()) }
        );
        assert_eq!(
            resolved_source("https://example.com/x.tgz", "x"),
            Source::Url { url: "https://example.com/x.tgz".into() }
        );
        assert_eq!(resolved_source("file:../x", "x"), Source::Local { path: "../x".into() });
        assert_eq!(resolved_source("packages/x", "x"), Source::Local { path: "packages/x".into() });
    }

    #[test]
    fn specs_split_after_scope() {
        assert_eq!(split_spec("@a/b@^1"), Some(("@a/b", "^1")));
        assert_eq!(split_spec("b@npm:c@1"), Some(("b", "npm:c@1")));
        assert_eq!(split_spec("b"), None);
    }
}
