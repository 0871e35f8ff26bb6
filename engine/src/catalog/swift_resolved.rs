//! `Package.resolved` (Swift Package Manager, format versions 1, 2 and 3).
//!
//! Version 1 nests `pins` under `object`, each with `package`, `repositoryURL` and `state`;
//! versions 2 and 3 list `pins` with `identity`, `kind`, `location` and `state`. The state holds
//! `version` (a tagged release), or a `branch` and/or `revision`. Swift packages are named by their
//! repository: the location without its scheme, user and `.git` suffix (`github.com/apple/swift-nio`).
//! The version is `state.version`, else the revision; a pin without a version is a Git source at
//! that commit (with the branch as the noted rev when the pin follows a branch).
//! `localSourceControl` and `fileSystem` pins are the project's own packages (local); `registry`
//! pins are named by their identity (`scope.name`). Package.resolved records no edges and does not
//! say which packages are direct.

use super::lines::line_from;
use super::other_common::{empty_failed, json_failed};
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Source};
use crate::tree::{Tree, file_name};
use serde_json::Value;

/// Reads `Package.resolved`.
pub struct PackageResolved;

/// `https://github.com/apple/swift-nio.git` → `github.com/apple/swift-nio`;
/// `git@github.com:apple/swift-nio.git` → the same.
fn name_of(location: &str) -> String {
    let mut s = location.trim();
    if let Some((_, rest)) = s.split_once("://") {
        s = rest;
    } else if let Some((user_host, path)) = s.split_once(':').filter(|(h, _)| h.contains('@')) {
        // scp-like syntax
        let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
        return format!("{host}/{}", path.trim_end_matches('/').trim_end_matches(".git"));
    }
    // Drop a user name before the host.
    let host_end = s.find('/').unwrap_or(s.len());
    if let Some(at) = s.get(..host_end).and_then(|h| h.rfind('@')) {
        s = s.get(at + 1..).unwrap_or(s);
    }
    let s = s.trim_end_matches('/');
    s.strip_suffix(".git").unwrap_or(s).to_string()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str().filter(|s| !s.is_empty())
}

impl Cataloger for PackageResolved {
    fn name(&self) -> &'static str {
        "swift-package-resolved"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "Package.resolved"
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        if let Some(c) = empty_failed(rel, text, "Package.resolved") {
            return c;
        }
        let json: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return json_failed(rel, "Package.resolved", &e),
        };
        let version = json.get("version").and_then(Value::as_u64);
        let (pins, v1) = match (version, json.get("object").and_then(|o| o.get("pins")), json.get("pins")) {
            (_, Some(pins), _) => (pins, true),
            (_, None, Some(pins)) => (pins, false),
            _ => return Catalog::failed(rel, None, "not a valid Package.resolved: no `pins`"),
        };
        let Some(pins) = pins.as_array() else {
            return Catalog::failed(rel, None, "not a valid Package.resolved: `pins` is not an array");
        };
        let mut out = Catalog::default();
        if !matches!(version, Some(1..=3)) {
            out.diagnostics.push(Diagnostic::warning(
                rel,
                None,
                format!("unknown Package.resolved version {version:?}; read anyway"),
            ));
        }
        let index = LineIndex::new(text);
        let mut cursor = 0;
        for pin in pins {
            let id_key = if v1 { "\"package\"" } else { "\"identity\"" };
            let line = line_from(text, &index, id_key, &mut cursor);
            let location = if v1 { str_of(pin, "repositoryURL") } else { str_of(pin, "location") };
            let identity = if v1 { str_of(pin, "package") } else { str_of(pin, "identity") };
            let kind =
                if v1 { "remoteSourceControl" } else { str_of(pin, "kind").unwrap_or("remoteSourceControl") };
            let state = pin.get("state").unwrap_or(&Value::Null);
            let (tag, revision, branch) =
                (str_of(state, "version"), str_of(state, "revision"), str_of(state, "branch"));
            let Some(version) = tag.or(revision) else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line,
                    format!(
                        "pin {} has neither a version nor a revision",
                        identity.or(location).unwrap_or("?")
                    ),
                ));
                continue;
            };
            let (name, source) = match (kind, location) {
                ("localSourceControl" | "fileSystem", _) => (
                    identity.map(str::to_string).or(location.map(name_of)).unwrap_or_default(),
                    Source::Local { path: location.unwrap_or_default().to_string() },
                ),
                ("registry", _) => (identity.unwrap_or_default().to_string(), Source::Registry),
                (_, Some(loc)) => {
                    let source = if tag.is_some() {
                        Source::Registry
                    } else {
                        Source::Git { url: loc.to_string(), rev: branch.or(revision).map(str::to_string) }
                    };
                    (name_of(loc), source)
                }
                (_, None) => {
                    out.diagnostics.push(Diagnostic::error(
                        rel,
                        line,
                        format!("pin {} has no repository location", identity.unwrap_or("?")),
                    ));
                    continue;
                }
            };
            let pkg = Package::new(Ecosystem::SwiftURL, name, version, Location::new(rel, line))
                .and_then(|p| p.source(source));
            out.push(rel, pkg);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Severity;
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        PackageResolved.catalog(
            "App.xcworkspace/xcshareddata/swiftpm/Package.resolved",
            text,
            &MemTree::new(),
        )
    }

    const V1: &str = r#"{
  "object": {
    "pins": [
      {
        "package": "AEXML",
        "repositoryURL": "https://github.com/tadija/AEXML.git",
        "state": {
          "branch": null,
          "revision": "38f7d00b23ecd891e1ee656fa6aeebd6ba04ecc3",
          "version": "4.6.1"
        }
      },
      {
        "package": "Spectre",
        "repositoryURL": "git@github.com:kylef/Spectre.git",
        "state": {
          "branch": "master",
          "revision": "f14ff47f45642aa5703900980b014c2e9394b6e5",
          "version": null
        }
      }
    ]
  },
  "version": 1
}"#;

    const V3: &str = r#"{
  "originHash" : "abc",
  "pins" : [
    {
      "identity" : "swift-nio",
      "kind" : "remoteSourceControl",
      "location" : "https://github.com/apple/swift-nio",
      "state" : {
        "revision" : "aa",
        "version" : "2.62.0-alpha.1+build.7"
      }
    },
    {
      "identity" : "swiftterm",
      "kind" : "remoteSourceControl",
      "location" : "https://github.com/thecoolwinter/SwiftTerm.git",
      "state" : {
        "branch" : "codeedit",
        "revision" : "2f36f54742d3882e69ff009d084e8675b80934bd"
      }
    },
    {
      "identity" : "pinned",
      "kind" : "remoteSourceControl",
      "location" : "https://gitlab.com/o/pinned.git",
      "state" : {
        "revision" : "0123abcd"
      }
    },
    {
      "identity" : "mylib",
      "kind" : "localSourceControl",
      "location" : "/Users/me/src/mylib",
      "state" : {
        "revision" : "ffff",
        "version" : "1.0.0"
      }
    },
    {
      "identity" : "mona.linkedlist",
      "kind" : "registry",
      "location" : "",
      "state" : {
        "version" : "1.1.0"
      }
    }
  ],
  "version" : 3
}"#;

    #[test]
    fn version_1_and_branch_pins() {
        let c = run(V1);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:swift/github.com/tadija/AEXML@4.6.1", Some(5)),
                (
                    "pkg:swift/github.com/kylef/Spectre@f14ff47f45642aa5703900980b014c2e9394b6e5?vcs_url=git%2Bgit%40github.com:kylef%2FSpectre.git%40master",
                    Some(14)
                ),
            ]
        );
        assert_eq!(c.packages[1].name, "github.com/kylef/Spectre");
    }

    #[test]
    fn versions_2_and_3_kinds() {
        let c = run(V3);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, &str, bool)> =
            c.packages.iter().map(|p| (p.name.as_str(), p.version.as_str(), p.source.is_local())).collect();
        assert_eq!(
            got,
            [
                ("github.com/apple/swift-nio", "2.62.0-alpha.1+build.7", false),
                ("github.com/thecoolwinter/SwiftTerm", "2f36f54742d3882e69ff009d084e8675b80934bd", false),
                ("gitlab.com/o/pinned", "0123abcd", false),
                ("mylib", "1.0.0", true),
                ("mona.linkedlist", "1.1.0", false),
            ]
        );
        assert_eq!(c.packages[0].purl, "pkg:swift/github.com/apple/swift-nio@2.62.0-alpha.1%2Bbuild.7");
        assert_eq!(
            c.packages[1].source,
            Source::Git {
                url: "https://github.com/thecoolwinter/SwiftTerm.git".into(),
                rev: Some("codeedit".into())
            }
        );
        assert_eq!(
            c.packages[2].source,
            Source::Git { url: "https://gitlab.com/o/pinned.git".into(), rev: Some("0123abcd".into()) }
        );
        assert_eq!(c.packages[3].location.line, Some(31));
        assert!(c.packages.iter().all(|p| p.direct.is_none()));
        assert!(c.edges.is_empty());
    }

    #[test]
    fn crlf_empty_and_truncated() {
        assert_eq!(run(&V3.replace('\n', "\r\n")), run(V3));
        assert_eq!(run("").diagnostics.len(), 1);
        let c = run(&V3[..V3.len() / 2]);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics[0].severity, Severity::Error);
        assert!(c.diagnostics[0].line.is_some());
        let c = run(r#"{"pins": [{"identity": "x", "location": "https://h/x", "state": {}}], "version": 2}"#);
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(name_of("ssh://git@github.com/a/b.git/"), "github.com/a/b");
        assert_eq!(name_of("https://user@host.com/a/b"), "host.com/a/b");
    }
}
