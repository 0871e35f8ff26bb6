//! `pubspec.lock` (Dart and Flutter, pub).
//!
//! `packages` maps each package name to its `dependency` kind (`direct main`, `direct dev`,
//! `direct overridden`, `transitive`), `source` (`hosted`, `git`, `path`, `sdk`), `version` and a
//! `description`: for hosted packages the `name`, `url` (pub.dev unless another server) and the
//! archive's `sha256`; for git packages the `url` and `resolved-ref` commit; for path packages the
//! `path`. Packages from the SDK (`flutter`, `flutter_test`, `sky_engine`…) ship with Flutter or
//! Dart itself, not from a registry: they are left out. Path packages are the project's own code.
//! The lockfile records no dependency edges.

use super::hashes::is_hex;
use super::lines::numbered_lines;
use super::other_common::empty_failed;
use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use serde_yaml_ng::Value;
use std::collections::HashMap;

/// Reads `pubspec.lock`.
pub struct PubspecLock;

const PUB_DEV: [&str; 4] =
    ["https://pub.dev", "https://pub.dev/", "https://pub.dartlang.org", "https://pub.dartlang.org/"];

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(text_of)
}

/// Lines of the two-space-indented keys under `packages:`.
fn package_lines(text: &str) -> HashMap<String, u32> {
    let mut lines = HashMap::new();
    let mut inside = false;
    for (n, line) in numbered_lines(text) {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line.starts_with("packages:");
            continue;
        }
        if let Some(key) = line.strip_prefix("  ").filter(|k| inside && !k.starts_with(' '))
            && let Some(name) = key.trim_end().strip_suffix(':')
        {
            lines.entry(name.trim_matches(|c| c == '"' || c == '\'').to_string()).or_insert(n);
        }
    }
    lines
}

impl Cataloger for PubspecLock {
    fn name(&self) -> &'static str {
        "pubspec-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pubspec.lock"
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        if let Some(c) = empty_failed(rel, text, "pubspec.lock") {
            return c;
        }
        let doc: Value = match serde_yaml_ng::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let line = e.location().and_then(|l| u32::try_from(l.line()).ok());
                return Catalog::failed(rel, line, format!("not a valid pubspec.lock: {e}"));
            }
        };
        let Some(packages) = doc.get("packages") else {
            return Catalog::failed(rel, None, "not a valid pubspec.lock: no `packages` map");
        };
        let Some(packages) = packages.as_mapping() else {
            if packages.is_null() {
                return Catalog::default();
            }
            return Catalog::failed(rel, None, "not a valid pubspec.lock: `packages` is not a map");
        };
        let lines = package_lines(text);
        let mut out = Catalog::default();
        for (key, entry) in packages {
            let Some(name) = text_of(key) else { continue };
            let line = lines.get(&name).copied();
            let (Some(source), Some(version)) = (field(entry, "source"), field(entry, "version")) else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line,
                    format!("package {name} has no source or version (truncated?)"),
                ));
                continue;
            };
            let desc = entry.get("description").cloned().unwrap_or(Value::Null);
            let (source, hash) = match source.as_str() {
                "sdk" => continue,
                "hosted" => {
                    let url = field(&desc, "url").unwrap_or_default();
                    let src = if url.is_empty() || PUB_DEV.contains(&url.as_str()) {
                        Source::Registry
                    } else {
                        Source::AltRegistry { url }
                    };
                    let hash = field(&desc, "sha256").filter(|h| is_hex(h)).map(|h| h.to_ascii_lowercase());
                    (src, hash)
                }
                "git" => (
                    Source::Git {
                        url: field(&desc, "url").unwrap_or_default(),
                        rev: field(&desc, "resolved-ref").or_else(|| field(&desc, "ref")),
                    },
                    None,
                ),
                "path" => (Source::Local { path: field(&desc, "path").unwrap_or_default() }, None),
                other => {
                    out.diagnostics.push(Diagnostic::warning(
                        rel,
                        line,
                        format!("package {name} has unknown source {other:?}; read as hosted"),
                    ));
                    (Source::Registry, None)
                }
            };
            let kind = field(entry, "dependency").unwrap_or_default();
            let pkg =
                Package::new(Ecosystem::Pub, &name, &version, Location::new(rel, line)).and_then(|mut p| {
                    if !kind.is_empty() {
                        p = p.direct(kind.starts_with("direct"));
                    }
                    if kind == "direct dev" {
                        p = p.scope(Scope::Dev);
                    }
                    if let Some(h) = hash {
                        p = p.hash(Hash::new("SHA-256", h));
                    }
                    p.source(source)
                });
            out.push(rel, pkg);
        }
        if doc.get("sdks").is_none() {
            out.diagnostics.push(Diagnostic::warning(
                rel,
                None,
                "pubspec.lock has no `sdks` section: the file may be truncated",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Severity;
    use crate::tree::MemTree;

    const LOCK: &str = r#"# Generated by pub
packages:
  args:
    dependency: transitive
    description:
      name: args
      sha256: "D0481093C50B1DA8910EB0BB301626D4D8EB7284AA739614D2B394EE09E3EA04"
      url: "https://pub.dev"
    source: hosted
    version: "2.5.0"
  collection:
    dependency: "direct main"
    description:
      name: collection
      sha256: ee67cb0715911d28db6bf4af1026078bd6f0128b07a5f66fb2ed94ec6783c09a
      url: "https://pub.dev"
    source: hosted
    version: "1.19.0-nullsafety.2+1"
  flutter:
    dependency: "direct main"
    description: flutter
    source: sdk
    version: "0.0.0"
  lints:
    dependency: "direct dev"
    description:
      name: lints
      sha256: "aa"
      url: "https://my.pub.server"
    source: hosted
    version: "3.0.0"
  my_fork:
    dependency: "direct overridden"
    description:
      path: "."
      ref: main
      resolved-ref: "5b4f2c1e9a0d"
      url: "https://github.com/me/my_fork.git"
    source: git
    version: "1.2.3"
  common:
    dependency: "direct main"
    description:
      path: "../common"
      relative: true
    source: path
    version: "1.0.0"
sdks:
  dart: ">=3.0.0 <4.0.0"
"#;

    fn run(text: &str) -> Catalog {
        PubspecLock.catalog("app/pubspec.lock", text, &MemTree::new())
    }

    #[test]
    fn sources_scopes_hashes_and_lines() {
        let c = run(LOCK);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Option<bool>, Scope, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.direct, p.scope, p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:pub/args@2.5.0", Some(false), Scope::Required, Some(3)),
                ("pkg:pub/collection@1.19.0-nullsafety.2%2B1", Some(true), Scope::Required, Some(11)),
                (
                    "pkg:pub/lints@3.0.0?repository_url=https:%2F%2Fmy.pub.server",
                    Some(true),
                    Scope::Dev,
                    Some(24)
                ),
                (
                    "pkg:pub/my_fork@1.2.3?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fme%2Fmy_fork.git%405b4f2c1e9a0d",
                    Some(true),
                    Scope::Required,
                    Some(32)
                ),
                ("pkg:pub/common@1.0.0", Some(true), Scope::Required, Some(41)),
            ]
        );
        assert_eq!(
            c.packages[0].hashes,
            vec![Hash::new("SHA-256", "d0481093c50b1da8910eb0bb301626d4d8eb7284aa739614d2b394ee09e3ea04")]
        );
        assert_eq!(c.packages[2].hashes, vec![Hash::new("SHA-256", "aa")]);
        assert_eq!(c.packages[4].source, Source::Local { path: "../common".into() });
    }

    #[test]
    fn crlf_empty_and_truncated() {
        assert_eq!(run(&LOCK.replace('\n', "\r\n")), run(LOCK));
        assert_eq!(run("").diagnostics.len(), 1);
        assert!(run("packages:\nsdks:\n  dart: any\n").diagnostics.is_empty());
        let cut = &LOCK[..LOCK.find("    source: hosted\n    version: \"3.0.0\"").expect("cut")];
        let c = run(cut);
        assert_eq!(c.packages.len(), 2);
        assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Error && d.line == Some(24)));
        assert!(c.diagnostics.iter().any(|d| d.message.contains("sdks")));
        let c = run("packages:\n  a:\n    version: [\n");
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
    }
}
