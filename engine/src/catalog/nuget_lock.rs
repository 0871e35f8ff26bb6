//! `packages.lock.json` (NuGet, versions 1 and 2).
//!
//! `dependencies` maps each target framework (and runtime-specific `tfm/rid` graphs) to the
//! packages restored for it: `type` is `Direct`, `Transitive`, `CentralTransitive` (version 2,
//! central package management) or `Project` (another project of the solution: local, no version).
//! `resolved` is the exact version, `contentHash` the base64 SHA-512 of the package, and the
//! entry's own `dependencies` (name → requested range) give the edges, resolved to the package of
//! that name restored for the same framework. A package restored for several frameworks is one
//! package; it is direct if any framework lists it as direct. NuGet names are case-insensitive.

use super::hashes::base64_to_hex;
use super::lines::line_from;
use super::other_common::{empty_failed, json_failed};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Source};
use crate::tree::{Tree, file_name};
use serde_json::Value;
use std::collections::HashMap;

/// Reads `packages.lock.json`.
pub struct NugetLock;

impl Cataloger for NugetLock {
    fn name(&self) -> &'static str {
        "nuget-packages-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "packages.lock.json"
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        if let Some(c) = empty_failed(rel, text, "packages.lock.json") {
            return c;
        }
        let json: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return json_failed(rel, "packages.lock.json", &e),
        };
        let Some(frameworks) = json.get("dependencies").and_then(Value::as_object) else {
            return Catalog::failed(rel, None, "not a valid packages.lock.json: no `dependencies` object");
        };
        let mut out = Catalog::default();
        match json.get("version").and_then(Value::as_u64) {
            Some(1 | 2) => {}
            other => out.diagnostics.push(Diagnostic::warning(
                rel,
                None,
                format!("unknown packages.lock.json version {other:?}; read as version 2"),
            )),
        }
        let index = LineIndex::new(text);
        let mut cursor = 0;
        // Lowercased (name, version) -> index in out.packages.
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (tfm, packages) in frameworks {
            let Some(packages) = packages.as_object() else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    None,
                    format!("framework {tfm:?} is not an object"),
                ));
                continue;
            };
            line_from(
                text,
                &index,
                &format!("{}: {{", serde_json::to_string(tfm).unwrap_or_default()),
                &mut cursor,
            );
            // Name (lowercased) -> purl, within this framework.
            let mut in_tfm: HashMap<String, String> = HashMap::new();
            for (name, entry) in packages {
                let line = line_from(
                    text,
                    &index,
                    &format!("{}: {{", serde_json::to_string(name).unwrap_or_default()),
                    &mut cursor,
                );
                let kind = entry.get("type").and_then(Value::as_str).unwrap_or("");
                let project = kind == "Project";
                let version = match entry.get("resolved").and_then(Value::as_str) {
                    Some(v) if !v.is_empty() => v,
                    _ if project => "",
                    _ => {
                        out.diagnostics.push(Diagnostic::error(
                            rel,
                            line,
                            format!("{name} ({tfm}) has no resolved version"),
                        ));
                        continue;
                    }
                };
                let key = (name.to_ascii_lowercase(), version.to_ascii_lowercase());
                let direct = kind == "Direct";
                if let Some(&i) = seen.get(&key) {
                    if let Some(p) = out.packages.get_mut(i) {
                        if direct {
                            p.direct = Some(true);
                        }
                        in_tfm.insert(key.0, p.purl.clone());
                    }
                    continue;
                }
                let pkg = Package::new(Ecosystem::NuGet, name, version, Location::new(rel, line)).and_then(
                    |mut p| {
                        if project {
                            return p.direct(true).source(Source::Local { path: name.clone() });
                        }
                        p = p.direct(direct);
                        if let Some(hex) =
                            entry.get("contentHash").and_then(Value::as_str).and_then(base64_to_hex)
                        {
                            p = p.hash(Hash::new("SHA-512", hex));
                        }
                        Ok(p)
                    },
                );
                if let Some(p) = out.push(rel, pkg) {
                    in_tfm.insert(key.0.clone(), p.purl.clone());
                    seen.insert(key, out.packages.len() - 1);
                }
            }
            for (name, entry) in packages {
                let Some(from) = in_tfm.get(&name.to_ascii_lowercase()) else { continue };
                for dep in
                    entry.get("dependencies").and_then(Value::as_object).into_iter().flat_map(|m| m.keys())
                {
                    match in_tfm.get(&dep.to_ascii_lowercase()) {
                        Some(to) => out.edge(from.clone(), to.clone()),
                        None => out.diagnostics.push(Diagnostic::info(
                            rel,
                            None,
                            format!("{name} ({tfm}) depends on {dep}, which the lockfile does not list"),
                        )),
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
    use crate::inventory::{Edge, Severity};
    use crate::tree::MemTree;

    const LOCK: &str = r#"{
  "version": 2,
  "dependencies": {
    "net8.0": {
      "Newtonsoft.Json": {
        "type": "Direct",
        "requested": "[13.0.3, )",
        "resolved": "13.0.3",
        "contentHash": "AQID",
        "dependencies": {
          "System.Memory": "4.5.5"
        }
      },
      "System.Memory": {
        "type": "Transitive",
        "resolved": "4.5.5",
        "contentHash": "BAUG"
      },
      "Serilog": {
        "type": "CentralTransitive",
        "requested": "[3.1.0-dev-02078, )",
        "resolved": "3.1.0-dev-02078"
      },
      "mylib": {
        "type": "Project",
        "dependencies": {
          "Newtonsoft.Json": "[13.0.3, )"
        }
      }
    },
    "net6.0": {
      "Newtonsoft.Json": {
        "type": "Transitive",
        "resolved": "13.0.1"
      },
      "system.memory": {
        "type": "Direct",
        "resolved": "4.5.5"
      }
    }
  }
}"#;

    fn run(text: &str) -> Catalog {
        NugetLock.catalog("src/App/packages.lock.json", text, &MemTree::new())
    }

    #[test]
    fn frameworks_projects_hashes_and_edges() {
        let c = run(LOCK);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Option<bool>, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.direct, p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:nuget/Newtonsoft.Json@13.0.3", Some(true), Some(5)),
                ("pkg:nuget/System.Memory@4.5.5", Some(true), Some(14)),
                ("pkg:nuget/Serilog@3.1.0-dev-02078", Some(false), Some(19)),
                ("pkg:nuget/mylib", Some(true), Some(24)),
                ("pkg:nuget/Newtonsoft.Json@13.0.1", Some(false), Some(32)),
            ]
        );
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-512", "010203")]);
        assert!(c.packages[3].source.is_local());
        let mut edges = c.edges.clone();
        edges.sort();
        assert_eq!(
            edges,
            vec![
                Edge::new("pkg:nuget/Newtonsoft.Json@13.0.3", "pkg:nuget/System.Memory@4.5.5"),
                Edge::new("pkg:nuget/mylib", "pkg:nuget/Newtonsoft.Json@13.0.3"),
            ]
        );
    }

    #[test]
    fn crlf_same_packages() {
        let a = run(LOCK);
        let b = run(&LOCK.replace('\n', "\r\n"));
        assert_eq!(a.packages.len(), b.packages.len());
        assert_eq!(a.edges, b.edges);
    }

    #[test]
    fn empty_truncated_and_bad_entries() {
        assert_eq!(run("").diagnostics.len(), 1);
        let c = run(&LOCK[..300]);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics[0].severity, Severity::Error);
        assert!(c.diagnostics[0].line.is_some());
        let c = run(
            r#"{"version": 9, "dependencies": {"x": {"A": {"type": "Direct"}, "B": {"resolved": "1.0.0"}}}}"#,
        );
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics.len(), 2);
        assert_eq!(run(r#"{"version": 1}"#).diagnostics.len(), 1);
    }
}
