//! pip requirements files (`requirements*.txt`, `requirements/*.txt`, `constraints*.txt`).
//!
//! Only exact pins (`name==1.0`, `name===1.0`) are packages; unpinned or range specifiers, URL,
//! path and editable requirements name no exact version and become warnings. Lines ending in `\`
//! continue on the next line (pip-compile writes `--hash` options that way). `-r`/`-c` includes are
//! read through the tree, relative to the including file, once each. pip-compile's `# via`
//! annotations say whether a pin is direct (`via -r file`, `via project (pyproject.toml)`) or
//! transitive (via other packages only); without them every pin is direct.

use super::lines::numbered_lines;
use super::python_common::{exact_pin, parse_hash, split_name};
use super::{Catalog, Cataloger};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package};
use crate::tree::{ReadError, Tree, file_name, join, parent};
use std::collections::HashSet;

/// Reads pip requirements and constraints files.
pub struct PipRequirements;

/// How deep `-r` includes may nest.
const MAX_DEPTH: usize = 16;

impl Cataloger for PipRequirements {
    fn name(&self) -> &'static str {
        "pip-requirements"
    }

    fn wants(&self, rel: &str) -> bool {
        let name = file_name(rel).to_ascii_lowercase();
        let Some(stem) = name.strip_suffix(".txt") else { return false };
        stem.contains("requirements")
            || stem.starts_with("constraints")
            || file_name(parent(rel)).eq_ignore_ascii_case("requirements")
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let mut out = Catalog::default();
        let mut seen = HashSet::from([rel.to_string()]);
        read_file(rel, text, tree, &mut seen, 0, &mut out);
        out
    }
}

/// One requirement line after continuations are joined.
struct Logical {
    line: u32,
    text: String,
}

/// Joins `\` continuations the way pip does: a comment line ends a continuation.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut pending: Option<Logical> = None;
    for (n, raw) in numbered_lines(text) {
        let is_comment = raw.trim_start().starts_with('#');
        if let Some(body) = raw.strip_suffix('\\').filter(|_| !is_comment) {
            match &mut pending {
                Some(p) => p.text.push_str(body),
                None => pending = Some(Logical { line: n, text: body.to_string() }),
            }
            continue;
        }
        match pending.take() {
            Some(mut p) => {
                if is_comment {
                    out.push(p);
                    out.push(Logical { line: n, text: raw.to_string() });
                } else {
                    p.text.push_str(raw);
                    out.push(p);
                }
            }
            None => out.push(Logical { line: n, text: raw.to_string() }),
        }
    }
    out.extend(pending);
    out
}

/// Removes a `#` comment (at the line start or after whitespace), returning (requirement, comment).
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            return (line.get(..i).unwrap_or(""), line.get(i + 1..));
        }
    }
    (line, None)
}

/// The argument of an option written `-r x`, `-rx`, `--requirement x` or `--requirement=x`.
fn option_arg<'a>(line: &'a str, short: &str, long: &str) -> Option<&'a str> {
    let rest = if let Some(r) = line.strip_prefix(long) {
        if !(r.starts_with([' ', '\t', '='])) {
            return None;
        }
        r.trim_start_matches([' ', '\t']).strip_prefix('=').unwrap_or(r)
    } else {
        line.strip_prefix(short)?
    };
    let arg = rest.trim();
    (!arg.is_empty()).then_some(arg)
}

/// A pin waiting for its `# via` annotations.
struct Pending {
    index: usize,
    via: Vec<String>,
    in_via: bool,
}

impl Pending {
    fn finish(self, out: &mut Catalog) {
        if self.via.is_empty() {
            return;
        }
        // `-r file` / `-c file` name a requirements file, `name (pyproject.toml)` the project.
        let direct = self.via.iter().any(|v| v.starts_with("-r") || v.ends_with(')'));
        if let Some(p) = out.packages.get_mut(self.index) {
            p.direct = Some(direct);
        }
    }

    fn comment(&mut self, comment: &str) {
        let c = comment.trim();
        if let Some(rest) = c.strip_prefix("via")
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            self.in_via = true;
            let rest = rest.trim();
            if !rest.is_empty() {
                self.via.extend(rest.split(',').map(|s| s.trim().to_string()));
            }
            return;
        }
        // Each further annotation line is indented: `#   name`.
        if self.in_via && !c.is_empty() && comment.starts_with("  ") {
            self.via.push(c.to_string());
        } else {
            self.in_via = false;
        }
    }
}

fn read_file(
    rel: &str,
    text: &str,
    tree: &dyn Tree,
    seen: &mut HashSet<String>,
    depth: usize,
    out: &mut Catalog,
) {
    let mut pending: Option<Pending> = None;
    for Logical { line, text } in logical_lines(text) {
        let (body, comment) = split_comment(&text);
        let body = body.trim();
        if body.is_empty() {
            match (comment, &mut pending) {
                (Some(c), Some(p)) => p.comment(c),
                (None, Some(_)) => {
                    if let Some(p) = pending.take() {
                        p.finish(out);
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some(p) = pending.take() {
            p.finish(out);
        }
        let warn = |out: &mut Catalog, what: &str| {
            out.diagnostics.push(Diagnostic::warning(rel, Some(line), format!("{what}: {body}")));
        };
        if let Some(arg) =
            option_arg(body, "-r", "--requirement").or_else(|| option_arg(body, "-c", "--constraint"))
        {
            include(rel, line, arg, tree, seen, depth, out);
            continue;
        }
        if option_arg(body, "-e", "--editable").is_some() {
            warn(out, "editable requirement, no pinned version");
            continue;
        }
        if body.starts_with('-') {
            continue; // --index-url, --extra-index-url, --no-binary, --pre, -f …: not packages.
        }
        // Per-requirement options (`--hash=…`) follow the requirement.
        let (req, options) = match body.find(" -").or_else(|| body.find("\t-")) {
            Some(at) => (body.get(..at).unwrap_or(body), body.get(at..).unwrap_or("")),
            None => (body, ""),
        };
        let hashes: Vec<Hash> = hash_options(options);
        let Some((name, rest)) = split_name(req) else {
            if req.contains("://") || req.starts_with(['.', '/', '~']) || req.contains(['/', '\\']) {
                warn(out, "URL or path requirement, no pinned version");
            } else {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    Some(line),
                    format!("not a requirement: {body}"),
                ));
            }
            continue;
        };
        let rest = rest.trim_start();
        let lower = name.to_ascii_lowercase();
        if rest.starts_with(['/', ':', '\\'])
            || lower.ends_with(".whl")
            || lower.ends_with(".zip")
            || lower.ends_with(".tar.gz")
        {
            warn(out, "URL or path requirement, no pinned version");
            continue;
        }
        let after_extras = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, r)| r).trim_start(),
            None => rest,
        };
        if after_extras.starts_with('@') {
            warn(out, "URL requirement, no pinned version");
            continue;
        }
        let Some(version) = exact_pin(rest) else {
            warn(out, "unpinned requirement (no == version)");
            continue;
        };
        let mut pkg = Package::new(Ecosystem::PyPI, name, version, Location::new(rel, Some(line)));
        if let Ok(p) = &mut pkg {
            p.hashes = hashes;
            p.direct = Some(true);
        }
        if out.push(rel, pkg).is_some() {
            pending =
                Some(Pending { index: out.packages.len().saturating_sub(1), via: Vec::new(), in_via: false });
        }
        if let Some(c) = comment
            && let Some(p) = &mut pending
        {
            p.comment(c);
        }
    }
    if let Some(p) = pending.take() {
        p.finish(out);
    }
}

/// `--hash=sha256:…` / `--hash sha256:…` options.
fn hash_options(options: &str) -> Vec<Hash> {
    let mut out = Vec::new();
    let mut words = options.split_whitespace();
    while let Some(w) = words.next() {
        let value = match w.strip_prefix("--hash") {
            Some("") => words.next(),
            Some(v) => v.strip_prefix('='),
            None => None,
        };
        if let Some(h) = value.and_then(parse_hash)
            && !out.contains(&h)
        {
            out.push(h);
        }
    }
    out
}

fn include(
    rel: &str,
    line: u32,
    arg: &str,
    tree: &dyn Tree,
    seen: &mut HashSet<String>,
    depth: usize,
    out: &mut Catalog,
) {
    if arg.contains("://") {
        out.diagnostics.push(Diagnostic::warning(
            rel,
            Some(line),
            format!("remote include {arg} not read (Cairn never uses the network)"),
        ));
        return;
    }
    let Some(target) = join(parent(rel), arg) else {
        out.diagnostics.push(Diagnostic::error(
            rel,
            Some(line),
            format!("include {arg} leads outside the scan root; not read"),
        ));
        return;
    };
    if !seen.insert(target.clone()) {
        return; // already read: a cycle or a diamond.
    }
    if depth >= MAX_DEPTH {
        out.diagnostics.push(Diagnostic::error(
            rel,
            Some(line),
            format!("include {arg} nested more than {MAX_DEPTH} deep; not read"),
        ));
        return;
    }
    match tree.read(&target) {
        Ok(text) => read_file(&target, &text, tree, seen, depth + 1, out),
        Err(e) => {
            let why = match e {
                ReadError::NotFound => "not found in the scanned tree".to_string(),
                other => other.to_string(),
            };
            out.diagnostics.push(Diagnostic::error(
                rel,
                Some(line),
                format!("included file {arg} could not be read: {why}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Severity;
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        PipRequirements.catalog("requirements.txt", text, &MemTree::new())
    }

    fn purls(c: &Catalog) -> Vec<&str> {
        c.packages.iter().map(|p| p.purl.as_str()).collect()
    }

    fn warnings(c: &Catalog) -> Vec<u32> {
        c.diagnostics.iter().filter(|d| d.severity == Severity::Warning).filter_map(|d| d.line).collect()
    }

    #[test]
    fn wants_requirements_and_constraints() {
        for yes in [
            "requirements.txt",
            "a/requirements-dev.txt",
            "requirements/base.txt",
            "constraints.txt",
            "dev-requirements.txt",
        ] {
            assert!(PipRequirements.wants(yes), "{yes}");
        }
        for no in ["requirements.in", "a/notes.txt", "requirements.txt.bak", "reqs/x.txt"] {
            assert!(!PipRequirements.wants(no), "{no}");
        }
    }

    #[test]
    fn pins_extras_markers_and_names() {
        let c = run("Foo_Bar.baz==1.0rc1\nreq[a,b]==2.0+local ; python_version < \"3.8\"\n\
             x===1.0-legacy  # trailing comment\nY (==3)\n");
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            purls(&c),
            [
                "pkg:pypi/foo-bar.baz@1.0rc1",
                "pkg:pypi/req@2.0%2Blocal",
                "pkg:pypi/x@1.0-legacy",
                "pkg:pypi/y@3"
            ]
        );
        assert_eq!(c.packages[0].name, "Foo_Bar.baz");
        assert_eq!(c.packages[1].location.line, Some(2));
        assert!(c.packages.iter().all(|p| p.direct == Some(true)));
    }

    #[test]
    fn hashes_on_continuation_lines_and_crlf() {
        let c = run(
            "# top\r\nfoo==1.0 \\\r\n    --hash=sha256:AA11 \\\r\n    --hash sha256:bb22\r\nbar==2.0 --hash=sha512:cc\r\n",
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(purls(&c), ["pkg:pypi/foo@1.0", "pkg:pypi/bar@2.0"]);
        assert_eq!(c.packages[0].hashes, vec![Hash::new("SHA-256", "aa11"), Hash::new("SHA-256", "bb22")]);
        assert_eq!(c.packages[0].location.line, Some(2));
        assert_eq!(c.packages[1].location.line, Some(5));
        assert_eq!(c.packages[1].hashes, vec![Hash::new("SHA-512", "cc")]);
    }

    #[test]
    fn unpinned_url_path_and_editable_lines_are_warnings() {
        let c = run("a>=1\nb~=2.0\nc\n-e .\n--editable git+https://x/y#egg=y\nd @ https://x/d.whl\n\
             git+https://github.com/o/e#egg=e\n./local/pkg\nf==1.*\n-i https://pypi.org/simple\n\
             --extra-index-url https://x\n--no-binary :all:\ng==1.0\n");
        assert_eq!(purls(&c), ["pkg:pypi/g@1.0"]);
        assert_eq!(warnings(&c), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(c.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn pip_compile_via_comments_set_direct() {
        let c = run(
            "a==1 \\\n    --hash=sha256:00\n    # via -r requirements.in\nb==2\n    # via\n    #   a\n    #   c\n\
             c==3\n    # via\n    #   -r base.in\n    #   a\nd==4\n    # via proj (pyproject.toml)\ne==5  # via a\nf==6\n",
        );
        let direct: Vec<Option<bool>> = c.packages.iter().map(|p| p.direct).collect();
        assert_eq!(direct, [Some(true), Some(false), Some(true), Some(true), Some(false), Some(true)]);
        assert_eq!(c.packages[0].hashes.len(), 1);
    }

    #[test]
    fn includes_nested_cyclic_missing_and_escaping() {
        let tree = MemTree::new()
            .with(
                "app/requirements.txt",
                "-r base/common.txt\n-c constraints.txt\nz==1\n-r missing.txt\n-r ../../etc/passwd\n",
            )
            .with("app/base/common.txt", "--requirement=../requirements.txt\n-r more.txt\ncommon==1.0\n")
            .with("app/base/more.txt", "more==2.0\n")
            .with("app/constraints.txt", "pinned==3.0\n");
        let text = tree.read("app/requirements.txt").unwrap_or_default();
        let c = PipRequirements.catalog("app/requirements.txt", &text, &tree);
        let found: Vec<(&str, &str)> =
            c.packages.iter().map(|p| (p.name.as_str(), p.location.path.as_str())).collect();
        assert_eq!(
            found,
            [
                ("more", "app/base/more.txt"),
                ("common", "app/base/common.txt"),
                ("pinned", "app/constraints.txt"),
                ("z", "app/requirements.txt")
            ]
        );
        let errors: Vec<(Option<u32>, bool)> =
            c.diagnostics.iter().map(|d| (d.line, d.severity == Severity::Error)).collect();
        assert_eq!(errors, [(Some(4), true), (Some(5), true)]);
        assert!(c.diagnostics[0].message.contains("missing.txt"));
        assert!(c.diagnostics[1].message.contains("outside the scan root"));
    }

    #[test]
    fn several_versions_and_empty_and_truncated_files() {
        assert!(run("").packages.is_empty() && run("").diagnostics.is_empty());
        assert!(run("\n\n# only comments\n").diagnostics.is_empty());
        let c = run("a==1\na==2 ; sys_platform == 'win32'\n");
        assert_eq!(purls(&c), ["pkg:pypi/a@1", "pkg:pypi/a@2"]);
        // Cut mid-way: a dangling continuation and a half-written pin.
        let c = run("a==1 \\\n    --hash=sha256:ab \\");
        assert_eq!(purls(&c), ["pkg:pypi/a@1"]);
        let c = run("a==1\nb=");
        assert_eq!(purls(&c), ["pkg:pypi/a@1"]);
        assert_eq!(warnings(&c), [2]);
        let c = run("a==1\n[[[");
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].severity, Severity::Error);
    }
}
