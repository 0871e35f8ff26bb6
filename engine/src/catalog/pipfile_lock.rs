//! `Pipfile.lock` (pipenv, JSON).
//!
//! `default` entries are required, `develop` entries dev. `version` is `==X`; entries without one
//! are git (`git` + `ref`), path (`path`, `editable`) or `file` (URL) requirements. Direct
//! dependencies come from the sibling `Pipfile` when there is one; the lock has no dependency graph.

use super::python_common::{normalize, parse_hash, pipfile_direct};
use super::{Catalog, Cataloger, LineIndex, line_of_key};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde_json::Value;

/// Reads `Pipfile.lock`.
pub struct PipfileLock;

impl Cataloger for PipfileLock {
    fn name(&self) -> &'static str {
        "pipfile-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "Pipfile.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let doc: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                return Catalog::failed(
                    rel,
                    u32::try_from(e.line()).ok().filter(|l| *l > 0),
                    format!("not a valid Pipfile.lock: {e}"),
                );
            }
        };
        let Some(root) = doc.as_object() else {
            return Catalog::failed(rel, None, "not a valid Pipfile.lock: not a JSON object");
        };
        let direct = pipfile_direct(rel, tree);
        let index = LineIndex::new(text);
        let mut out = Catalog::default();
        for (section, scope) in [("default", Scope::Required), ("develop", Scope::Dev)] {
            let Some(entries) = root.get(section) else { continue };
            let Some(entries) = entries.as_object() else {
                out.diagnostics.push(Diagnostic::error(rel, None, format!("`{section}` is not an object")));
                continue;
            };
            // Walk forward through the file for line numbers: keys appear in file order.
            let mut at = line_of_key(text, &index, section, 0).map_or(0, |(_, off)| off);
            for (name, entry) in entries {
                let line = line_of_key(text, &index, name, at).map(|(l, off)| {
                    at = off;
                    l
                });
                let location = Location::new(rel, line);
                let Some(entry) = entry.as_object() else {
                    out.diagnostics.push(Diagnostic::error(
                        rel,
                        line,
                        format!("entry {name:?} is not an object"),
                    ));
                    continue;
                };
                let s = |k: &str| entry.get(k).and_then(Value::as_str);
                let raw_version = s("version").unwrap_or("");
                let Some(version) = raw_version
                    .strip_prefix("===")
                    .or_else(|| raw_version.strip_prefix("=="))
                    .or_else(|| raw_version.is_empty().then_some(""))
                else {
                    out.diagnostics.push(Diagnostic::warning(
                        rel,
                        line,
                        format!("{name} is not pinned to one version: {raw_version}"),
                    ));
                    continue;
                };
                let source = if let Some(git) = s("git") {
                    Some(Source::Git { url: git.to_string(), rev: s("ref").map(str::to_string) })
                } else if let Some(path) = s("path") {
                    Some(Source::Local { path: path.to_string() })
                } else if let Some(file) = s("file") {
                    if file.contains("://") && !file.starts_with("file:") {
                        Some(Source::Url { url: file.to_string() })
                    } else {
                        Some(Source::Local { path: file.to_string() })
                    }
                } else {
                    None
                };
                if version.is_empty() && source.is_none() {
                    out.diagnostics.push(Diagnostic::warning(
                        rel,
                        line,
                        format!("{name} has no pinned version"),
                    ));
                    continue;
                }
                let hashes = entry
                    .get("hashes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h.as_str().and_then(parse_hash));
                let pkg = Package::new(Ecosystem::PyPI, name, version, location).and_then(|mut p| {
                    p.hashes = hashes.collect();
                    p.scope = scope;
                    if let Some(d) = &direct {
                        p.direct = Some(d.contains_key(&normalize(name)));
                    }
                    match source {
                        Some(src) => p.source(src),
                        None => Ok(p),
                    }
                });
                out.push(rel, pkg);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Hash;
    use crate::tree::MemTree;

    const LOCK: &str = "{\r\n  \"_meta\": {\"hash\": {\"sha256\": \"x\"}},\r\n  \"default\": {\r\n    \"Foo_Bar.baz\": {\r\n      \"hashes\": [\"sha256:AB\", \"sha256:cd\"],\r\n      \"version\": \"==1.0rc1\"\r\n    },\r\n\
    \"mine\": {\"editable\": true, \"path\": \".\"},\r\n\
    \"lib\": {\"git\": \"https://github.com/o/lib.git\", \"ref\": \"abc\"},\r\n\
    \"whl\": {\"file\": \"https://x.org/whl-1.0.whl\", \"version\": \"==1.0\"}\r\n  },\r\n\
  \"develop\": {\r\n    \"six\": {\"version\": \"==1.0+local\"},\r\n    \"foo-bar-baz\": {\"version\": \"==2.0\"}\r\n  }\r\n}\r\n";

    #[test]
    fn sections_sources_hashes_and_lines() {
        let tree =
            MemTree::new().with("Pipfile", "[packages]\nfoo-bar-baz = \"*\"\n[dev-packages]\nsix = \"*\"\n");
        let c = PipfileLock.catalog("Pipfile.lock", LOCK, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:pypi/foo-bar.baz@1.0rc1",
                "pkg:pypi/mine",
                "pkg:pypi/lib?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Flib.git%40abc",
                "pkg:pypi/whl@1.0?download_url=https:%2F%2Fx.org%2Fwhl-1.0.whl",
                "pkg:pypi/six@1.0%2Blocal",
                "pkg:pypi/foo-bar-baz@2.0",
            ]
        );
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "ab"), Hash::new("SHA-256", "cd")]);
        let lines: Vec<Option<u32>> = c.packages.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, [Some(4), Some(8), Some(9), Some(10), Some(13), Some(14)]);
        let scopes: Vec<Scope> = c.packages.iter().map(|p| p.scope).collect();
        assert_eq!(scopes[4..], [Scope::Dev, Scope::Dev]);
        assert!(c.packages[1].source.is_local());
        let direct: Vec<Option<bool>> = c.packages.iter().map(|p| p.direct).collect();
        assert_eq!(direct, [Some(true), Some(false), Some(false), Some(false), Some(true), Some(true)]);
        // Without a Pipfile, directness is unknown.
        let c = PipfileLock.catalog("Pipfile.lock", LOCK, &MemTree::new());
        assert!(c.packages.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn broken_and_empty_files() {
        let run = |t: &str| PipfileLock.catalog("Pipfile.lock", t, &MemTree::new());
        let c = run("");
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
        let c = run(&LOCK[..LOCK.len() / 2]);
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
        assert!(c.diagnostics[0].line.is_some());
        let c = run("[]");
        assert_eq!(c.diagnostics.len(), 1);
        let c = run("{\"default\": {\"a\": {\"version\": \">=1\"}, \"b\": 3, \"c\": {}}}");
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 3);
    }
}
