//! `conan.lock` (Conan, C and C++).
//!
//! Conan 2 lockfiles (`"version": "0.5"`) list references: `requires` (host dependencies,
//! Required), `build_requires` (tools, Dev) and `python_requires` (recipe code, Dev), each
//! `name/version[@user/channel][#recipe_revision[%timestamp]]`. They record no edges and do not
//! say which are direct. Conan 1 graph locks (`graph_lock.nodes`, version 0.4 and earlier) give
//! each node a `ref` and the ids it `requires` / `build_requires`: those are edges; the root node
//! (the consumer, `"0"`, usually without a `ref` or with a `path`) is the project, its requirements
//! are direct, and nodes reached only through `build_requires` (or in the build context) are Dev.
//! User/channel and revisions are not carried into the purl; recipe revisions are recipe hashes,
//! not package checksums, so no hash is recorded.

use super::lines::line_from;
use super::other_common::{empty_failed, json_failed};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope};
use crate::tree::{Tree, file_name};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Reads `conan.lock`.
pub struct ConanLock;

/// `zlib/1.2.13@user/channel#rrev%ts` → (`zlib`, `1.2.13`).
fn parse_ref(r: &str) -> Option<(&str, &str)> {
    let r = r.split('%').next()?.split('#').next()?.split(':').next()?;
    let r = r.split('@').next()?;
    let (name, version) = r.split_once('/')?;
    let (name, version) = (name.trim(), version.trim());
    (!name.is_empty() && !version.is_empty() && !version.contains('/')).then_some((name, version))
}

fn ids(node: &Value, key: &str) -> Vec<String> {
    node.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string).or_else(|| v.as_u64().map(|n| n.to_string())))
        .collect()
}

impl ConanLock {
    fn v2(&self, rel: &str, text: &str, json: &Value, out: &mut Catalog) {
        let index = LineIndex::new(text);
        for (key, scope) in
            [("requires", Scope::Required), ("build_requires", Scope::Dev), ("python_requires", Scope::Dev)]
        {
            let Some(list) = json.get(key) else { continue };
            let Some(list) = list.as_array() else {
                out.diagnostics.push(Diagnostic::error(rel, None, format!("`{key}` is not an array")));
                continue;
            };
            let mut cursor = 0;
            line_from(text, &index, &format!("\"{key}\""), &mut cursor);
            for r in list {
                let Some(r) = r.as_str() else { continue };
                let line =
                    line_from(text, &index, &serde_json::to_string(r).unwrap_or_default(), &mut cursor);
                let Some((name, version)) = parse_ref(r) else {
                    out.diagnostics.push(Diagnostic::error(
                        rel,
                        line,
                        format!("cannot read reference {r:?}"),
                    ));
                    continue;
                };
                let pkg = Package::new(Ecosystem::Conan, name, version, Location::new(rel, line))
                    .map(|p| p.scope(scope));
                out.push(rel, pkg);
            }
        }
    }

    fn v1(&self, rel: &str, nodes: &serde_json::Map<String, Value>, out: &mut Catalog) {
        // The root: node "0", else any node without a ref.
        let root = nodes
            .get("0")
            .map(|_| "0".to_string())
            .or_else(|| nodes.iter().find(|(_, n)| n.get("ref").is_none()).map(|(k, _)| k.clone()));
        let direct: HashSet<String> = root
            .as_ref()
            .and_then(|r| nodes.get(r))
            .map(|n| ids(n, "requires").into_iter().chain(ids(n, "build_requires")).collect())
            .unwrap_or_default();
        // Nodes reachable through host requires from the root (Required); the rest are Dev.
        let mut host: HashSet<String> = HashSet::new();
        let mut stack: Vec<String> = root.iter().cloned().collect();
        while let Some(id) = stack.pop() {
            if !host.insert(id.clone()) {
                continue;
            }
            if let Some(n) = nodes.get(&id) {
                stack.extend(ids(n, "requires"));
            }
        }
        let mut purls: HashMap<&str, String> = HashMap::new();
        for (id, node) in nodes {
            if Some(id) == root.as_ref() {
                continue;
            }
            let Some(r) = node.get("ref").and_then(Value::as_str) else { continue };
            let Some((name, version)) = parse_ref(r) else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    None,
                    format!("node {id}: cannot read reference {r:?}"),
                ));
                continue;
            };
            let build = node.get("context").and_then(Value::as_str) == Some("build")
                || (root.is_some() && !host.contains(id));
            let pkg = Package::new(Ecosystem::Conan, name, version, Location::new(rel, None)).map(|p| {
                p.direct(direct.contains(id)).scope(if build { Scope::Dev } else { Scope::Required })
            });
            if let Some(p) = out.push(rel, pkg) {
                purls.insert(id.as_str(), p.purl.clone());
            }
        }
        for (id, node) in nodes {
            let Some(from) = purls.get(id.as_str()) else { continue };
            for to in ids(node, "requires").into_iter().chain(ids(node, "build_requires")) {
                if let Some(to) = purls.get(to.as_str()) {
                    out.edge(from.clone(), to.clone());
                }
            }
        }
    }
}

impl Cataloger for ConanLock {
    fn name(&self) -> &'static str {
        "conan-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "conan.lock"
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        if let Some(c) = empty_failed(rel, text, "conan.lock") {
            return c;
        }
        let json: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return json_failed(rel, "conan.lock", &e),
        };
        let mut out = Catalog::default();
        if let Some(nodes) = json.get("graph_lock").and_then(|g| g.get("nodes")) {
            match nodes.as_object() {
                Some(nodes) => self.v1(rel, nodes, &mut out),
                None => {
                    out.diagnostics.push(Diagnostic::error(rel, None, "`graph_lock.nodes` is not an object"))
                }
            }
        } else if json.get("requires").is_some()
            || json.get("build_requires").is_some()
            || json.get("python_requires").is_some()
        {
            self.v2(rel, text, &json, &mut out);
        } else if json.get("version").is_none() {
            return Catalog::failed(rel, None, "not a valid conan.lock: neither `graph_lock` nor `requires`");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Edge, Severity};
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        ConanLock.catalog("conan.lock", text, &MemTree::new())
    }

    const V2: &str = r#"{
    "version": "0.5",
    "requires": [
        "zlib/1.2.13#97d5730b529b4224045fe7090592d4c1%1692672717.68",
        "openssl/3.0.0-alpha1@acme/stable#f2eb8e67d3f5513e8a9b5e3b62d87ea1%1692672717.0",
        "zlib/1.3.1#aa%1"
    ],
    "build_requires": [
        "cmake/3.27.4#0cb0e0e2d4b4c1a1b3c8b1f2c0f6b2c3%1692672000.0"
    ],
    "python_requires": [
        "pyreq/1.0+build.2"
    ],
    "config_requires": []
}"#;

    #[test]
    fn conan2_references_and_scopes() {
        let c = run(V2);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Scope, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.scope, p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:conan/zlib@1.2.13", Scope::Required, Some(4)),
                ("pkg:conan/openssl@3.0.0-alpha1", Scope::Required, Some(5)),
                ("pkg:conan/zlib@1.3.1", Scope::Required, Some(6)),
                ("pkg:conan/cmake@3.27.4", Scope::Dev, Some(9)),
                ("pkg:conan/pyreq@1.0%2Bbuild.2", Scope::Dev, Some(12)),
            ]
        );
        assert!(c.edges.is_empty());
        assert_eq!(run(&V2.replace('\n', "\r\n")), c);
    }

    const V1: &str = r#"{
 "graph_lock": {
  "nodes": {
   "0": {"path": "conanfile.py", "requires": ["1"], "build_requires": ["3"]},
   "1": {"ref": "boost/1.78.0#rev1", "requires": ["2"], "context": "host"},
   "2": {"ref": "zlib/1.2.11@_/_#rev2", "context": "host"},
   "3": {"ref": "cmake/3.22.0", "requires": ["4"], "context": "build"},
   "4": {"ref": "openssl/1.1.1m"}
  },
  "revisions_enabled": true
 },
 "version": "0.4"
}"#;

    #[test]
    fn conan1_graph_edges_direct_and_build() {
        let c = run(V1);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Option<bool>, Scope)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.direct, p.scope)).collect();
        assert_eq!(
            got,
            [
                ("pkg:conan/boost@1.78.0", Some(true), Scope::Required),
                ("pkg:conan/zlib@1.2.11", Some(false), Scope::Required),
                ("pkg:conan/cmake@3.22.0", Some(true), Scope::Dev),
                ("pkg:conan/openssl@1.1.1m", Some(false), Scope::Dev),
            ]
        );
        assert_eq!(
            c.edges,
            vec![
                Edge::new("pkg:conan/boost@1.78.0", "pkg:conan/zlib@1.2.11"),
                Edge::new("pkg:conan/cmake@3.22.0", "pkg:conan/openssl@1.1.1m"),
            ]
        );
    }

    #[test]
    fn empty_truncated_and_bad_refs() {
        assert_eq!(run("").diagnostics.len(), 1);
        for cut in [&V2[..V2.len() / 2], &V1[..V1.len() / 2]] {
            let c = run(cut);
            assert!(c.packages.is_empty());
            assert_eq!(c.diagnostics.len(), 1);
            assert_eq!(c.diagnostics[0].severity, Severity::Error);
            assert!(c.diagnostics[0].line.is_some());
        }
        let c = run(r#"{"version": "0.5", "requires": ["justaname", "a/1.0"]}"#);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(run("{}").diagnostics.len(), 1);
        assert!(run(r#"{"version": "0.5"}"#).diagnostics.is_empty());
        assert_eq!(parse_ref("a/1.0@u/c#r%1"), Some(("a", "1.0")));
    }
}
