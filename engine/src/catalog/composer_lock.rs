//! `composer.lock` (Composer, PHP).
//!
//! `packages` are required at run time, `packages-dev` only in development. Names are
//! `vendor/package`; versions are kept exactly as Composer records them (`v1.2.6`, `dev-main`,
//! `1.0.x-dev`), without stripping a leading `v`. A package installed from a `dist` archive is a
//! registry package whatever its `source` says; one with only a git/hg/svn `source` comes from that
//! repository at `reference`; a `path` dist is the project's own code. A non-empty `dist.shasum` is
//! a SHA-1. `require` maps give the edges; platform requirements (`php`, `hhvm`, `ext-*`, `lib-*`,
//! `composer-plugin-api`, `composer-runtime-api`, `composer`) name no package and are skipped, and a
//! requirement satisfied through another package's `provide` or `replace` points at that package.
//! The sibling `composer.json`, when present, tells which packages are direct.

use super::lines::line_from;
use super::other_common::{empty_failed, json_failed};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// Reads `composer.lock`.
pub struct ComposerLock;

/// True for a requirement on the platform rather than on a package.
fn is_platform(name: &str) -> bool {
    !name.contains('/')
        || name.starts_with("ext-")
        || name.starts_with("lib-")
        || matches!(name, "php" | "php-64bit" | "hhvm" | "composer-plugin-api" | "composer-runtime-api")
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

fn source_of(entry: &Value) -> Source {
    let dist = entry.get("dist");
    if let Some(dist) = dist {
        if str_of(dist, "type") == Some("path") {
            return Source::Local { path: str_of(dist, "url").unwrap_or_default().to_string() };
        }
        return Source::Registry;
    }
    match entry.get("source") {
        Some(src) if matches!(str_of(src, "type"), Some("git" | "hg" | "svn")) => Source::Git {
            url: str_of(src, "url").unwrap_or_default().to_string(),
            rev: str_of(src, "reference").filter(|r| !r.is_empty()).map(str::to_string),
        },
        _ => Source::Registry,
    }
}

/// Names the project requires directly, from `composer.json` beside the lockfile.
fn direct_names(rel: &str, tree: &dyn Tree) -> Option<BTreeSet<String>> {
    let manifest = tree.read(&join(parent(rel), "composer.json")?).ok()?;
    let json: Value = serde_json::from_str(&manifest).ok()?;
    let mut names = BTreeSet::new();
    for key in ["require", "require-dev"] {
        if let Some(map) = json.get(key).and_then(Value::as_object) {
            names.extend(map.keys().map(|k| k.to_ascii_lowercase()));
        }
    }
    Some(names)
}

impl Cataloger for ComposerLock {
    fn name(&self) -> &'static str {
        "composer-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "composer.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if let Some(c) = empty_failed(rel, text, "composer.lock") {
            return c;
        }
        let json: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return json_failed(rel, "composer.lock", &e),
        };
        let Some(root) = json.as_object() else {
            return Catalog::failed(rel, None, "not a valid composer.lock: not a JSON object");
        };
        let direct = direct_names(rel, tree);
        let index = LineIndex::new(text);
        let mut cursor = 0;
        let mut out = Catalog::default();
        // (entry, purl) of every package read.
        let mut read: Vec<(&Map<String, Value>, String)> = Vec::new();
        for (key, scope) in [("packages", Scope::Required), ("packages-dev", Scope::Dev)] {
            let Some(list) = root.get(key) else { continue };
            let Some(list) = list.as_array() else {
                out.diagnostics.push(Diagnostic::error(rel, None, format!("`{key}` is not an array")));
                continue;
            };
            for entry in list {
                let Some(obj) = entry.as_object() else {
                    out.diagnostics.push(Diagnostic::error(
                        rel,
                        None,
                        format!("an entry of `{key}` is not an object"),
                    ));
                    continue;
                };
                let (Some(name), Some(version)) = (str_of(entry, "name"), str_of(entry, "version")) else {
                    out.diagnostics.push(Diagnostic::error(
                        rel,
                        None,
                        format!("an entry of `{key}` has no name or version"),
                    ));
                    continue;
                };
                let needle = serde_json::to_string(name).unwrap_or_default();
                let line = line_from(text, &index, &format!("\"name\": {needle}"), &mut cursor);
                let pkg = Package::new(Ecosystem::Packagist, name, version, Location::new(rel, line))
                    .and_then(|mut p| {
                        p = p.scope(scope);
                        if let Some(direct) = &direct {
                            p = p.direct(direct.contains(&name.to_ascii_lowercase()));
                        }
                        if let Some(sha1) =
                            entry.get("dist").and_then(|d| str_of(d, "shasum")).filter(|s| !s.is_empty())
                        {
                            p = p.hash(Hash::new("SHA-1", sha1.to_ascii_lowercase()));
                        }
                        // Several entries are licenses to choose from (Composer's docs: disjunctive).
                        let licenses: Vec<&str> = match entry.get("license") {
                            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                            Some(Value::String(s)) => vec![s.as_str()],
                            _ => Vec::new(),
                        };
                        if !licenses.is_empty() {
                            p = p.license(&licenses.join(" OR "), Location::new(rel, line));
                        }
                        p.source(source_of(entry))
                    });
                if let Some(p) = out.push(rel, pkg) {
                    read.push((obj, p.purl.clone()));
                }
            }
        }
        if !root.contains_key("packages") {
            out.diagnostics.push(Diagnostic::error(rel, None, "composer.lock has no `packages` list"));
        }

        // Names (and what they provide or replace) to purls; real names win over provided ones.
        let mut by_name: HashMap<String, String> = HashMap::new();
        for (obj, purl) in &read {
            if let Some(name) = obj.get("name").and_then(Value::as_str) {
                by_name.insert(name.to_ascii_lowercase(), purl.clone());
            }
        }
        for (obj, purl) in &read {
            for key in ["provide", "replace"] {
                for virt in obj.get(key).and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
                    by_name.entry(virt.to_ascii_lowercase()).or_insert_with(|| purl.clone());
                }
            }
        }
        for (obj, from) in &read {
            for dep in obj.get("require").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
                if is_platform(dep) {
                    continue;
                }
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    out.edge(from.clone(), to.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Edge;
    use crate::tree::MemTree;

    const LOCK: &str = r#"{
    "_readme": ["x"],
    "packages": [
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.8.1",
            "source": {"type": "git", "url": "https://github.com/guzzle/guzzle.git", "reference": "41042bc"},
            "dist": {"type": "zip", "url": "https://api.github.com/x", "reference": "41042bc", "shasum": "ABCDEF"},
            "require": {"php": "^7.2.5 || ^8.0", "ext-json": "*", "psr/http-client": "^1.0", "guzzlehttp/psr7": "^2.6"},
            "provide": {"psr/http-client-implementation": "1.0"}
        },
        {
            "name": "guzzlehttp/psr7",
            "version": "v2.6.0-beta.1",
            "dist": {"type": "zip", "url": "https://x", "shasum": ""},
            "require": {"lib-pcre": "*", "composer-plugin-api": "^2"}
        },
        {
            "name": "psr/http-client",
            "version": "1.0.3",
            "dist": {"type": "zip", "url": "https://x", "shasum": ""}
        },
        {
            "name": "acme/forked",
            "version": "dev-main",
            "source": {"type": "git", "url": "https://github.com/acme/forked.git", "reference": "0123abcd"},
            "require": {"psr/http-client-implementation": "*"}
        },
        {
            "name": "acme/local",
            "version": "dev-master",
            "dist": {"type": "path", "url": "./packages/local"}
        }
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "10.5.0+build.7",
            "dist": {"type": "zip", "url": "https://x", "shasum": ""},
            "require": {"php": ">=8.1"}
        }
    ]
}"#;

    fn run(text: &str, tree: &MemTree) -> Catalog {
        ComposerLock.catalog("app/composer.lock", text, tree)
    }

    #[test]
    fn packages_dev_sources_hashes_and_edges() {
        let tree = MemTree::new().with(
            "app/composer.json",
            r#"{"require": {"php": "^8.1", "guzzlehttp/guzzle": "^7", "acme/local": "*"}, "require-dev": {"phpunit/phpunit": "^10"}}"#,
        );
        let c = run(LOCK, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:composer/guzzlehttp/guzzle@7.8.1",
                "pkg:composer/guzzlehttp/psr7@v2.6.0-beta.1",
                "pkg:composer/psr/http-client@1.0.3",
                "pkg:composer/acme/forked@dev-main?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fforked.git%400123abcd",
                "pkg:composer/acme/local@dev-master",
                "pkg:composer/phpunit/phpunit@10.5.0%2Bbuild.7",
            ]
        );
        let p = &c.packages;
        assert_eq!(p[0].hashes, vec![Hash::new("SHA-1", "abcdef")]);
        assert!(p[1].hashes.is_empty());
        assert_eq!(p[0].direct, Some(true));
        assert_eq!(p[1].direct, Some(false));
        assert_eq!(p[5].scope, Scope::Dev);
        assert_eq!(p[5].direct, Some(true));
        assert_eq!(p[0].scope, Scope::Required);
        assert_eq!(p[4].source, Source::Local { path: "./packages/local".into() });
        assert_eq!(p[0].location.line, Some(5));
        assert_eq!(p[5].location.line, Some(37));
        let mut edges = c.edges.clone();
        edges.sort();
        assert_eq!(
            edges,
            vec![
                Edge::new(
                    "pkg:composer/acme/forked@dev-main?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fforked.git%400123abcd",
                    "pkg:composer/guzzlehttp/guzzle@7.8.1"
                ),
                Edge::new(
                    "pkg:composer/guzzlehttp/guzzle@7.8.1",
                    "pkg:composer/guzzlehttp/psr7@v2.6.0-beta.1"
                ),
                Edge::new("pkg:composer/guzzlehttp/guzzle@7.8.1", "pkg:composer/psr/http-client@1.0.3"),
            ]
        );
    }

    #[test]
    fn without_manifest_direct_is_unknown_and_crlf_is_fine() {
        let c = run(&LOCK.replace('\n', "\r\n"), &MemTree::new());
        assert!(c.diagnostics.is_empty());
        assert_eq!(c.packages.len(), 6);
        assert!(c.packages.iter().all(|p| p.direct.is_none()));
        assert_eq!(c.packages[2].location.line, Some(19));
    }

    #[test]
    fn empty_truncated_and_odd_files() {
        let t = MemTree::new();
        assert_eq!(run("", &t).diagnostics.len(), 1);
        let c = run(&LOCK[..LOCK.len() / 2], &t);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].line.is_some());
        let c = run(r#"{"packages": [{"name": "a/b"}, 3, {"name": "c/d", "version": "1.0.0"}]}"#, &t);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 2);
        assert_eq!(run("[]", &t).diagnostics.len(), 1);
    }
}
