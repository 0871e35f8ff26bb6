//! `go.mod`, with hashes from the sibling `go.sum`.
//!
//! Since Go 1.17 a module's `go.mod` lists every module of its build graph (`// indirect` marks the
//! ones the main module does not import itself), so `go.mod` alone is the inventory. A `replace`
//! directive swaps a required module for another module version (the replacement is the package) or
//! for a directory (the module is then the project's own code: local). `exclude` and `retract` only
//! constrain version selection and add no package. The main module is a local package with the direct
//! requirements as its edges (go.mod has no per-module edges).
//!
//! `go.sum` lines `path version h1:BASE64` give the module's directory hash, kept as `go-h1`; the
//! `path version/go.mod h1:…` lines hash only the module's go.mod file and are not package hashes.

use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Source};
use crate::tree::{Tree, file_name, join, parent};
use std::collections::HashMap;

/// Reads `go.mod` (and its sibling `go.sum`).
pub struct GoMod;

/// One `require` entry.
struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

/// One `replace` directive: `old [old_version] => new [new_version]`.
struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

/// Strips a `//` comment, returning (code, comment).
fn split_comment(line: &str) -> (&str, Option<&str>) {
    // Module paths and versions never contain `//` outside quotes; quoted paths may, so skip those.
    let mut in_quote: Option<char> = None;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match in_quote {
            Some(q) if c == q => in_quote = None,
            Some('"') if c == '\\' => i += 1,
            Some(_) => {}
            None if c == '"' || c == '`' => in_quote = Some(c),
            None if c == '/' && bytes.get(i + 1) == Some(&b'/') => {
                return (&line[..i], Some(line[i + 2..].trim()));
            }
            None => {}
        }
        i += 1;
    }
    (line, None)
}

/// Splits the code part of a line into tokens; quoted strings are one token, unquoted; `(`, `)`
/// and `=>` are tokens of their own.
fn tokens(code: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = code.trim_start();
    while let Some(c) = rest.chars().next() {
        if c == '"' || c == '`' {
            let mut s = String::new();
            let mut closed = None;
            let mut escaped = false;
            for (i, d) in rest.char_indices().skip(1) {
                if escaped {
                    s.push(d);
                    escaped = false;
                } else if c == '"' && d == '\\' {
                    escaped = true;
                } else if d == c {
                    closed = Some(i + d.len_utf8());
                    break;
                } else {
                    s.push(d);
                }
            }
            let Some(end) = closed else { return Err("unterminated quoted string".into()) };
            out.push(s);
            rest = &rest[end..];
        } else if c == '(' || c == ')' {
            out.push(c.to_string());
            rest = &rest[1..];
        } else if let Some(after) = rest.strip_prefix("=>") {
            out.push("=>".into());
            rest = after;
        } else {
            let end = rest
                .char_indices()
                .find(|&(i, d)| {
                    d.is_whitespace() || matches!(d, '"' | '`' | '(' | ')') || rest[i..].starts_with("=>")
                })
                .map_or(rest.len(), |(i, _)| i);
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

/// True when a replacement target is a directory rather than a module path.
fn is_local_path(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p == "."
        || p == ".."
        || p.get(1..3) == Some(":\\")
        || p.get(1..3) == Some(":/")
}

/// Reads `go.sum` next to `rel`: (module, version) → h1 hash (base64, without the `h1:` prefix);
/// `None` when there is no readable `go.sum`.
fn go_sum(rel: &str, tree: &dyn Tree, out: &mut Catalog) -> Option<HashMap<(String, String), String>> {
    let mut sums = HashMap::new();
    let sum_rel = join(parent(rel), "go.sum")?;
    let text = tree.read(&sum_rel).ok()?;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let line_no = u32::try_from(i + 1).ok();
        let &[path, version, hash] = fields.as_slice() else {
            out.diagnostics.push(Diagnostic::warning(
                &sum_rel,
                line_no,
                format!("malformed go.sum line {line:?}: expected `module version hash`"),
            ));
            continue;
        };
        if version.ends_with("/go.mod") {
            continue;
        }
        match hash.strip_prefix("h1:") {
            Some(h) if !h.is_empty() => {
                sums.insert((path.to_string(), version.to_string()), h.to_string());
            }
            _ => out.diagnostics.push(Diagnostic::warning(
                &sum_rel,
                line_no,
                format!("go.sum hash {hash:?} for {path} {version} is not an h1: hash; ignored"),
            )),
        }
    }
    Some(sums)
}

/// Parses `major.minor` of a `go` directive.
fn go_version_below_1_17(v: &str) -> bool {
    let mut parts = v.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    major == 1 && minor < 17
}

impl Cataloger for GoMod {
    fn name(&self) -> &'static str {
        "go-mod"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "go.mod"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let mut out = Catalog::default();
        let mut module: Option<(String, u32)> = None;
        let mut go_version: Option<String> = None;
        let mut requires: Vec<Require> = Vec::new();
        let mut replaces: Vec<Replace> = Vec::new();
        // The directive whose block we are inside, with the line it opened on.
        let mut block: Option<(String, u32)> = None;

        for (i, raw) in text.lines().enumerate() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let (code, comment) = split_comment(raw);
            let mut toks = match tokens(code) {
                Ok(t) => t,
                Err(e) => {
                    out.diagnostics.push(Diagnostic::error(rel, Some(line_no), e));
                    continue;
                }
            };
            if toks.is_empty() {
                continue;
            }
            let verb = match &block {
                Some((verb, _)) => {
                    if toks.len() == 1 && toks[0] == ")" {
                        block = None;
                        continue;
                    }
                    verb.clone()
                }
                None => {
                    let verb = toks.remove(0);
                    if toks.first().map(String::as_str) == Some("(") {
                        match toks.get(1).map(String::as_str) {
                            // `require ()`: an empty block on one line.
                            Some(")") if toks.len() == 2 => {}
                            None => block = Some((verb, line_no)),
                            Some(_) => out.diagnostics.push(Diagnostic::error(
                                rel,
                                Some(line_no),
                                format!("unexpected text after `{verb} (`"),
                            )),
                        }
                        continue;
                    }
                    verb
                }
            };
            match verb.as_str() {
                "module" => match toks.as_slice() {
                    [path] => module = Some((path.clone(), line_no)),
                    _ => out.diagnostics.push(Diagnostic::error(
                        rel,
                        Some(line_no),
                        "malformed module directive: expected `module path`",
                    )),
                },
                "go" => go_version = toks.first().cloned(),
                "require" => match toks.as_slice() {
                    [path, version] if version.starts_with('v') => requires.push(Require {
                        path: path.clone(),
                        version: version.clone(),
                        indirect: comment.is_some_and(|c| {
                            c == "indirect" || c.starts_with("indirect;") || c.starts_with("indirect ")
                        }),
                        line: line_no,
                    }),
                    _ => out.diagnostics.push(Diagnostic::error(
                        rel,
                        Some(line_no),
                        format!("malformed requirement {:?}: expected `module vVERSION`", code.trim()),
                    )),
                },
                "replace" => {
                    let arrow = toks.iter().position(|t| t == "=>");
                    let parsed = arrow.and_then(|a| {
                        let (left, right) = (&toks[..a], &toks[a + 1..]);
                        let (old, old_version) = match left {
                            [o] => (o.clone(), None),
                            [o, v] => (o.clone(), Some(v.clone())),
                            _ => return None,
                        };
                        let (new, new_version) = match right {
                            [n] if is_local_path(n) => (n.clone(), None),
                            [n, v] if !is_local_path(n) => (n.clone(), Some(v.clone())),
                            _ => return None,
                        };
                        Some(Replace { old, old_version, new, new_version })
                    });
                    match parsed {
                        Some(r) => replaces.push(r),
                        None => out.diagnostics.push(Diagnostic::error(
                            rel,
                            Some(line_no),
                            format!(
                                "malformed replace directive {:?}: expected `module [version] => module version` or `=> ./dir`",
                                code.trim()
                            ),
                        )),
                    }
                }
                // Version-selection constraints and settings: they add no package.
                "exclude" | "retract" | "toolchain" | "godebug" | "tool" | "ignore" => {}
                other => out.diagnostics.push(Diagnostic::info(
                    rel,
                    Some(line_no),
                    format!("unknown go.mod directive {other:?} ignored"),
                )),
            }
        }
        if let Some((verb, opened)) = block {
            out.diagnostics.push(Diagnostic::error(
                rel,
                Some(opened),
                format!("`{verb} (` block is never closed: the file looks truncated"),
            ));
        }
        if go_version.as_deref().is_some_and(go_version_below_1_17) {
            out.diagnostics.push(Diagnostic::info(
                rel,
                None,
                "go.mod predates Go 1.17: it lists only part of the module graph (the rest is in go.sum)",
            ));
        }

        let sums = go_sum(rel, tree, &mut out).unwrap_or_else(|| {
            if !requires.is_empty() {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    "no lockfile (go.sum) beside this go.mod: its modules are reported at the versions \
                     go.mod requires, without checksums",
                ));
            }
            HashMap::new()
        });

        let main_purl = match &module {
            Some((path, line)) => {
                let pkg = Package::new(Ecosystem::Go, path, "", Location::new(rel, Some(*line)))
                    .and_then(|p| p.source(Source::Local { path: parent(rel).to_string() }));
                out.push(rel, pkg).map(|p| p.purl.clone())
            }
            None => {
                if !text.trim().is_empty() {
                    out.diagnostics.push(Diagnostic::warning(rel, None, "go.mod has no module directive"));
                }
                None
            }
        };

        for req in &requires {
            // The last matching replace wins; a versioned one only for that version.
            let replace = replaces
                .iter()
                .rev()
                .find(|r| r.old == req.path && r.old_version.as_ref().is_none_or(|v| *v == req.version));
            let location = Location::new(rel, Some(req.line));
            let pkg = match replace {
                Some(Replace { new, new_version: None, .. }) => {
                    Package::new(Ecosystem::Go, &req.path, &req.version, location)
                        .and_then(|p| p.source(Source::Local { path: new.clone() }))
                }
                Some(Replace { new, new_version: Some(v), .. }) => {
                    Package::new(Ecosystem::Go, new, v, location)
                }
                None => Package::new(Ecosystem::Go, &req.path, &req.version, location),
            };
            let pkg = pkg.map(|mut p| {
                if let Some(h) = sums.get(&(p.name.clone(), p.version.clone())) {
                    p = p.hash(Hash::new("go-h1", h.clone()));
                }
                p.direct(!req.indirect)
            });
            let Some(to) = out.push(rel, pkg).map(|p| p.purl.clone()) else { continue };
            if let (Some(from), false) = (&main_purl, req.indirect) {
                out.edge(from.clone(), to);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Edge, Scope, Severity};
    use crate::tree::MemTree;

    /// Catalogs `text` as `app/go.mod` beside an empty `go.sum`.
    fn run(text: &str) -> Catalog {
        GoMod.catalog("app/go.mod", text, &MemTree::new().with("app/go.sum", ""))
    }

    #[test]
    fn without_go_sum_the_missing_lockfile_is_said() {
        let text = "module m\nrequire a.com/x v1.0.0\n";
        let c = GoMod.catalog("app/go.mod", text, &MemTree::new());
        assert_eq!(c.packages.len(), 2, "go.mod's versions are still reported");
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Warning && d.message.contains("no lockfile (go.sum)")),
            "{:?}",
            c.diagnostics
        );
        assert!(run(text).diagnostics.is_empty(), "an empty go.sum is still a go.sum");
        let bare = GoMod.catalog("go.mod", "module m\n", &MemTree::new());
        assert!(bare.diagnostics.is_empty(), "nothing required, nothing unlocked");
    }

    fn errors(c: &Catalog) -> Vec<&Diagnostic> {
        c.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect()
    }

    const FULL: &str = "module example.com/app\n\ngo 1.22\n\ntoolchain go1.22.3\n\ngodebug default=go1.21\n\n\
require github.com/single/one v1.2.3\n\n\
require (\n\
\tgithub.com/Azure/azure-sdk v0.0.0-20240101120000-abcdef123456\n\
\tgithub.com/docker/cli v29.7.1+incompatible // indirect\n\
\tgolang.org/x/text v0.14.0-rc.1 // indirect; for tests\n\
\texample.com/old v1.0.0\n\
\texample.com/mine v0.1.0\n\
\t\"example.com/quoted\" v1.0.0 // a comment\n\
)\n\n\
exclude github.com/bad/mod v1.0.0\n\
retract [v0.9.0, v0.9.5]\n\
retract (\n\tv0.1.0 // oops\n)\n\
replace example.com/old => example.com/new v1.5.0\n\
replace (\n\texample.com/mine v0.1.0 => ../mine\n\texample.com/unused => example.com/x v1.0.0\n)\n";

    #[test]
    fn requires_replaces_and_edges() {
        let c = run(FULL);
        assert!(errors(&c).is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/example.com/app",
                "pkg:golang/github.com/single/one@v1.2.3",
                "pkg:golang/github.com/azure/azure-sdk@v0.0.0-20240101120000-abcdef123456",
                "pkg:golang/github.com/docker/cli@v29.7.1%2Bincompatible",
                "pkg:golang/golang.org/x/text@v0.14.0-rc.1",
                "pkg:golang/example.com/new@v1.5.0",
                "pkg:golang/example.com/mine@v0.1.0",
                "pkg:golang/example.com/quoted@v1.0.0",
            ]
        );
        let main = &c.packages[0];
        assert_eq!(main.source, Source::Local { path: "app".into() });
        assert_eq!(main.location.line, Some(1));
        // Names and versions verbatim.
        assert_eq!(c.packages[2].name, "github.com/Azure/azure-sdk");
        assert_eq!(c.packages[3].version, "v29.7.1+incompatible");
        assert_eq!(c.packages[3].direct, Some(false));
        assert_eq!(c.packages[4].direct, Some(false));
        assert_eq!(c.packages[1].direct, Some(true));
        assert_eq!(c.packages[1].location.line, Some(9));
        assert_eq!(c.packages[2].location.line, Some(12));
        assert_eq!(c.packages[5].name, "example.com/new");
        assert_eq!(c.packages[6].source, Source::Local { path: "../mine".into() });
        assert!(c.packages.iter().all(|p| p.scope == Scope::Required));
        // Edges: main module → direct requirements only.
        let to: Vec<&str> = c.edges.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(to.len(), 5);
        assert!(!to.iter().any(|t| t.contains("docker")));
        assert!(
            c.edges.contains(&Edge::new("pkg:golang/example.com/app", "pkg:golang/example.com/new@v1.5.0"))
        );
    }

    #[test]
    fn versioned_replace_applies_only_to_that_version() {
        let c = run(
            "module m\nrequire (\n a.com/x v1.0.0\n b.com/y v2.0.0\n)\nreplace a.com/x v0.9.0 => c.com/z v1.0.0\nreplace b.com/y v2.0.0 => c.com/w v2.1.0\n",
        );
        let names: Vec<(&str, &str)> =
            c.packages.iter().skip(1).map(|p| (p.name.as_str(), p.version.as_str())).collect();
        assert_eq!(names, [("a.com/x", "v1.0.0"), ("c.com/w", "v2.1.0")]);
    }

    #[test]
    fn hashes_from_go_sum() {
        let tree = MemTree::new()
            .with(
                "app/go.sum",
                "github.com/single/one v1.2.3 h1:AbC+/=\r\ngithub.com/single/one v1.2.3/go.mod h1:zzz=\r\n\
example.com/new v1.5.0 h1:NeW=\r\nbroken line\r\n",
            )
            .with("app/go.mod", FULL);
        let c = GoMod.catalog("app/go.mod", FULL, &tree);
        assert_eq!(c.packages[1].hashes, vec![Hash::new("go-h1", "AbC+/=")]);
        assert_eq!(c.packages[5].hashes, vec![Hash::new("go-h1", "NeW=")]);
        assert!(c.packages[2].hashes.is_empty());
        let warn: Vec<_> = errors(&c);
        assert_eq!(warn.len(), 1);
        assert_eq!(warn[0].path, "app/go.sum");
        assert_eq!(warn[0].line, Some(4));
    }

    #[test]
    fn crlf_and_several_versions() {
        let c = run(
            "module m\r\n\r\nrequire (\r\n\ta.com/x v1.0.0\r\n\ta.com/x/v2 v2.0.0 // indirect\r\n\ta.com/x v1.1.0+build.5\r\n)\r\n",
        );
        assert!(errors(&c).is_empty(), "{:?}", c.diagnostics);
        let v: Vec<&str> = c.packages.iter().map(|p| p.version.as_str()).collect();
        assert_eq!(v, ["", "v1.0.0", "v2.0.0", "v1.1.0+build.5"]);
        assert_eq!(c.packages[2].direct, Some(false));
        assert_eq!(c.packages[2].purl, "pkg:golang/a.com/x/v2@v2.0.0");
        assert_eq!(c.packages[3].location.line, Some(6));
    }

    #[test]
    fn empty_truncated_and_malformed() {
        let c = run("");
        assert!(c.packages.is_empty() && c.diagnostics.is_empty());

        let c = run("module m\n\nrequire (\n\ta.com/x v1.0.0\n\tb.com/y v1.");
        assert_eq!(c.packages.len(), 3, "entries before the cut are kept");
        assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Error && d.line == Some(3)));

        let c = run(
            "module m\nrequire a.com/x\nrequire b.com/y v1.0.0\nreplace a.com/x =>\nrequire \"c.com/z v1\n",
        );
        assert_eq!(c.packages.len(), 2);
        let lines: Vec<Option<u32>> = errors(&c).iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(2), Some(4), Some(5)]);

        let c = run("require a.com/x v1.0.0\n");
        assert_eq!(c.packages.len(), 1);
        assert!(c.edges.is_empty());
        assert_eq!(errors(&c).len(), 1, "missing module directive is a warning");
    }

    #[test]
    fn old_go_versions_are_noted() {
        let c = run("module m\ngo 1.16\nrequire a.com/x v1.0.0\n");
        assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Info && d.message.contains("1.17")));
        let c = run("module m\ngo 1.21.0\n");
        assert!(c.diagnostics.is_empty());
    }

    #[test]
    fn wants_only_go_mod() {
        assert!(GoMod.wants("go.mod"));
        assert!(GoMod.wants("a/b/go.mod"));
        assert!(!GoMod.wants("a/go.sum"));
        assert!(!GoMod.wants("a/go.mod.bak"));
    }
}
