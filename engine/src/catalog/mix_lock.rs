//! `mix.lock` (Elixir, Hex).
//!
//! The lockfile is one Elixir map literal, read here by a small tokenizer for the subset of Elixir
//! terms mix writes (maps, tuples, lists, keyword lists, atoms, strings, numbers); nothing is
//! evaluated. Keys are application names. A Hex entry is
//! `{:hex, :package, "version", "inner_sha256", [managers], [deps], "repo", "outer_sha256"}` (older
//! mix versions write fewer fields): the outer checksum (of the whole package tarball) is the
//! SHA-256 recorded; `repo` other than `hexpm` is an alternative registry. Each dependency
//! `{:app, "requirement", [hex: :package, repo: "hexpm", optional: bool]}` is an edge to the entry
//! keyed `app`. A git entry `{:git, "url", "sha", opts}` is a Git source at that commit, and its
//! version is the commit (mix records no version for git deps). Path dependencies never appear.
//!
//! The lockfile does not say which dependencies are direct: when `mix.exs` is beside it, the
//! `{:name, ...}` tuples it declares are direct, with `only: :test` → Test and `only: :dev` (or
//! `[:dev, :test]`) → Dev; a transitive package reached only through `optional: true` edges is
//! Optional. Without `mix.exs`, direct is unknown and every package is Required.

use super::hashes::is_hex;
use super::lines::numbered_lines;
use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use std::collections::{BTreeMap, HashMap};

/// Reads `mix.lock`.
pub struct MixLock;

/// An Elixir term, as far as mix.lock needs.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Atom(String),
    Str(String),
    Num(String),
    List(Vec<Term>),
    Tuple(Vec<Term>),
    Map(Vec<(Term, Term)>),
    /// A keyword-list entry `key: value`.
    Pair(String, Box<Term>),
}

impl Term {
    fn text(&self) -> Option<&str> {
        match self {
            Term::Atom(s) | Term::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` in a keyword list.
    fn keyword(&self, key: &str) -> Option<&Term> {
        match self {
            Term::List(items) => items.iter().find_map(|i| match i {
                Term::Pair(k, v) if k == key => Some(v.as_ref()),
                Term::Tuple(kv) if kv.len() == 2 && kv.first().and_then(Term::text) == Some(key) => kv.get(1),
                _ => None,
            }),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

type PResult<T> = Result<T, (usize, String)>;

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'?' | b'!' | b'.')
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Self {
        Self { s: s.as_bytes(), pos: 0 }
    }

    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err((self.pos, msg.into()))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.s.get(self.pos + n).copied()
    }

    fn ws(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b'#' {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn expect(&mut self, b: u8) -> PResult<()> {
        self.ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected `{}`", b as char))
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(ident_byte) {
            self.pos += 1;
        }
        String::from_utf8_lossy(self.s.get(start..self.pos).unwrap_or_default()).into_owned()
    }

    fn string(&mut self) -> PResult<String> {
        // At the opening quote.
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    let c = self.peek_at(1).ok_or((self.pos, "unterminated string".to_string()))?;
                    out.push(match c {
                        b'n' => b'\n',
                        b't' => b'\t',
                        other => other,
                    });
                    self.pos += 2;
                }
                Some(b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// A keyword key (`name:` or `"name":`) followed by whitespace, if one starts here.
    fn keyword_key(&mut self) -> PResult<Option<String>> {
        self.ws();
        let save = self.pos;
        let key = match self.peek() {
            Some(b'"') => self.string()?,
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => self.ident(),
            _ => return Ok(None),
        };
        if self.peek() == Some(b':') && self.peek_at(1).is_none_or(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
            return Ok(Some(key));
        }
        self.pos = save;
        Ok(None)
    }

    fn value(&mut self, depth: usize) -> PResult<Term> {
        if depth > MAX_DEPTH {
            return self.err("terms nested too deeply");
        }
        self.ws();
        match self.peek() {
            None => self.err("unexpected end of file"),
            Some(b'%') => {
                self.pos += 1;
                self.expect(b'{')?;
                let mut entries = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        return Ok(Term::Map(entries));
                    }
                    let key = match self.keyword_key()? {
                        Some(k) => Term::Atom(k),
                        None => {
                            let k = self.value(depth + 1)?;
                            self.ws();
                            if self.s.get(self.pos..self.pos + 2) != Some(b"=>") {
                                return self.err("expected `=>` in map");
                            }
                            self.pos += 2;
                            k
                        }
                    };
                    let v = self.value(depth + 1)?;
                    entries.push((key, v));
                    if !self.separator(b'}')? {
                        self.pos += 1;
                        return Ok(Term::Map(entries));
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let items = self.items(b'}', depth)?;
                Ok(Term::Tuple(items))
            }
            Some(b'[') => {
                self.pos += 1;
                let items = self.items(b']', depth)?;
                Ok(Term::List(items))
            }
            Some(b'"') => Ok(Term::Str(self.string()?)),
            Some(b':') => {
                self.pos += 1;
                if self.peek() == Some(b'"') {
                    return Ok(Term::Atom(self.string()?));
                }
                let a = self.ident();
                if a.is_empty() { self.err("empty atom") } else { Ok(Term::Atom(a)) }
            }
            Some(b) if b.is_ascii_digit() || b == b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_')) {
                    self.pos += 1;
                }
                Ok(Term::Num(
                    String::from_utf8_lossy(self.s.get(start..self.pos).unwrap_or_default()).into_owned(),
                ))
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let id = self.ident();
                match id.as_str() {
                    "true" | "false" | "nil" => Ok(Term::Atom(id)),
                    _ => self.err(format!("unexpected identifier `{id}`")),
                }
            }
            Some(b) => self.err(format!("unexpected character `{}`", b as char)),
        }
    }

    /// After an element: true when a `,` was read (more may follow); false when at `close`.
    fn separator(&mut self, close: u8) -> PResult<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => Ok(false),
            None => self.err("unexpected end of file"),
            Some(_) => self.err(format!("expected `,` or `{}`", close as char)),
        }
    }

    fn items(&mut self, close: u8, depth: usize) -> PResult<Vec<Term>> {
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            let item = match self.keyword_key()? {
                Some(k) => Term::Pair(k, Box::new(self.value(depth + 1)?)),
                None => self.value(depth + 1)?,
            };
            items.push(item);
            if !self.separator(close)? {
                self.pos += 1;
                return Ok(items);
            }
        }
    }
}

/// Parses a whole mix.lock into its top-level entries.
fn parse(text: &str) -> PResult<Vec<(Term, Term)>> {
    let mut p = Parser::new(text);
    match p.value(0)? {
        Term::Map(entries) => {
            p.ws();
            if p.peek().is_some() {
                return p.err("text after the map");
            }
            Ok(entries)
        }
        _ => Err((0, "not a map".into())),
    }
}

/// Direct dependencies declared in `mix.exs` (`{:name, ...}` tuples), with their scope.
fn mix_exs_deps(text: &str) -> HashMap<String, Scope> {
    let b = text.as_bytes();
    let mut deps = HashMap::new();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'{') {
            let mut j = i + 1;
            while b.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if b.get(j) == Some(&b':') {
                let start = j + 1;
                let mut end = start;
                while b.get(end).is_some_and(|c| ident_byte(*c)) {
                    end += 1;
                }
                let mut k = end;
                while b.get(k).is_some_and(u8::is_ascii_whitespace) {
                    k += 1;
                }
                if end > start && b.get(k) == Some(&b',') {
                    // The tuple's text, to its matching close.
                    let mut depth = 0usize;
                    let mut close = i;
                    for (n, c) in b.iter().enumerate().skip(i) {
                        match c {
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    close = n;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let name = String::from_utf8_lossy(b.get(start..end).unwrap_or_default()).into_owned();
                    let body = text.get(i..=close).unwrap_or("");
                    let scope = match body.split_once("only:") {
                        Some((_, only)) => {
                            let only = only.split([']', '}']).next().unwrap_or("");
                            if only.contains(":prod") {
                                Scope::Required
                            } else if only.contains(":dev") {
                                Scope::Dev
                            } else if only.contains(":test") {
                                Scope::Test
                            } else {
                                Scope::Required
                            }
                        }
                        None => Scope::Required,
                    };
                    deps.entry(name).or_insert(scope);
                }
            }
        }
        i += 1;
    }
    deps
}

struct Entry {
    key: String,
    name: String,
    version: String,
    source: Source,
    hash: Option<String>,
    /// (app key, optional)
    deps: Vec<(String, bool)>,
    line: Option<u32>,
}

fn entry_of(key: &str, value: &Term, line: Option<u32>) -> Result<Entry, String> {
    let Term::Tuple(f) = value else { return Err(format!("{key}: entry is not a tuple")) };
    let kind = f.first().and_then(Term::text).unwrap_or("");
    match kind {
        "hex" => {
            let name =
                f.get(1).and_then(Term::text).ok_or(format!("{key}: hex entry without a package name"))?;
            let version = match f.get(2) {
                Some(Term::Str(v)) => v.clone(),
                _ => return Err(format!("{key}: hex entry without a version")),
            };
            let mut deps = Vec::new();
            if let Some(Term::List(list)) = f.get(5) {
                for d in list {
                    let Term::Tuple(d) = d else { continue };
                    let Some(app) = d.first().and_then(Term::text) else { continue };
                    let optional =
                        d.get(2).and_then(|o| o.keyword("optional")).and_then(Term::text) == Some("true");
                    deps.push((app.to_string(), optional));
                }
            }
            let repo = f.get(6).and_then(Term::text).unwrap_or("hexpm");
            let source = if repo == "hexpm" {
                Source::Registry
            } else {
                Source::AltRegistry { url: repo.to_string() }
            };
            let hash = f.get(7).and_then(Term::text).filter(|h| is_hex(h)).map(str::to_ascii_lowercase);
            Ok(Entry { key: key.to_string(), name: name.to_string(), version, source, hash, deps, line })
        }
        "git" => {
            let url = f.get(1).and_then(Term::text).ok_or(format!("{key}: git entry without a URL"))?;
            let sha = f.get(2).and_then(Term::text).ok_or(format!("{key}: git entry without a commit"))?;
            Ok(Entry {
                key: key.to_string(),
                name: key.to_string(),
                version: sha.to_string(),
                source: Source::Git { url: url.to_string(), rev: Some(sha.to_string()) },
                hash: None,
                deps: Vec::new(),
                line,
            })
        }
        other => Err(format!("{key}: unsupported dependency kind {other:?}")),
    }
}

impl Cataloger for MixLock {
    fn name(&self) -> &'static str {
        "mix-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "mix.lock"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let mut out = Catalog::default();
        if text.trim().is_empty() {
            return out;
        }
        let index = LineIndex::new(text);
        let key_lines: HashMap<String, u32> = numbered_lines(text)
            .filter_map(|(n, l)| {
                let l = l.trim_start().strip_prefix('"')?;
                Some((l.split_once('"')?.0.to_string(), n))
            })
            .collect();
        let raw: Vec<(Term, Term)> = match parse(text) {
            Ok(entries) => entries,
            Err((at, msg)) => {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    Some(index.line(at)),
                    format!("cannot read mix.lock: {msg}; reading it line by line"),
                ));
                // mix writes one entry per line: recover every complete one.
                let mut entries = Vec::new();
                for (n, line) in numbered_lines(text) {
                    let t = line.trim();
                    if !t.starts_with('"') {
                        continue;
                    }
                    let t = t.trim_end_matches(',');
                    match parse(&format!("%{{{t}}}")) {
                        Ok(e) => entries.extend(e),
                        Err((_, msg)) => out.diagnostics.push(Diagnostic::error(
                            rel,
                            Some(n),
                            format!("cannot read this mix.lock entry: {msg}"),
                        )),
                    }
                }
                entries
            }
        };

        let mut entries = Vec::new();
        for (k, v) in &raw {
            let Some(key) = k.text() else { continue };
            let line = key_lines.get(key).copied();
            match entry_of(key, v, line) {
                Ok(e) => entries.push(e),
                Err(msg) => out.diagnostics.push(Diagnostic::error(rel, line, msg)),
            }
        }

        let direct: Option<HashMap<String, Scope>> =
            join(parent(rel), "mix.exs").and_then(|p| tree.read(&p).ok()).map(|t| mix_exs_deps(&t));
        // Incoming edges per app: (count, optional count).
        let mut incoming: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for e in &entries {
            for (app, optional) in &e.deps {
                let c = incoming.entry(app.as_str()).or_default();
                c.0 += 1;
                c.1 += usize::from(*optional);
            }
        }
        let mut purls: HashMap<String, String> = HashMap::new();
        for e in &entries {
            let pkg = Package::new(Ecosystem::Hex, &e.name, &e.version, Location::new(rel, e.line)).and_then(
                |mut p| {
                    if let Some(direct) = &direct {
                        match direct.get(&e.key) {
                            Some(scope) => p = p.direct(true).scope(*scope),
                            None => {
                                p = p.direct(false);
                                if incoming.get(e.key.as_str()).is_some_and(|(n, opt)| *n > 0 && n == opt) {
                                    p = p.scope(Scope::Optional);
                                }
                            }
                        }
                    }
                    if let Some(h) = &e.hash {
                        p = p.hash(Hash::new("SHA-256", h.clone()));
                    }
                    p.source(e.source.clone())
                },
            );
            if let Some(p) = out.push(rel, pkg) {
                purls.insert(e.key.clone(), p.purl.clone());
            }
        }
        for e in &entries {
            let Some(from) = purls.get(&e.key) else { continue };
            for (app, _) in &e.deps {
                match purls.get(app) {
                    Some(to) => out.edge(from.clone(), to.clone()),
                    None => out.diagnostics.push(Diagnostic::info(
                        rel,
                        e.line,
                        format!("{} depends on {app}, which the lockfile does not list", e.key),
                    )),
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

    const LOCK: &str = r#"%{
  "decimal": {:hex, :decimal, "2.1.1", "5611dca5d4b2c3dd497dec8f68751f1f1a54755e8ed2a966c2633cf885973ad6", [:mix], [], "hexpm", "53CFE5F497ED0E7771AE1A475575603D77425099BA5FAEF9394932B35020FFCC"},
  "jason": {:hex, :jason, "1.5.0-alpha.2", "inner", [:mix], [{:decimal, "~> 1.0 or ~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}], "hexpm", "ab12"},
  "ecto": {:hex, :ecto, "3.11.0", "in", [:mix], [{:decimal, "~> 2.0", [hex: :decimal, repo: "hexpm", optional: false]}, {:jason, "~> 1.0", [hex: :jason, repo: "hexpm", optional: true]}, {:telemetry, "~> 1.0", [hex: :telemetry, repo: "hexpm", optional: false]}], "hexpm", "cd34"},
  "private_lib": {:hex, :private_lib_pkg, "0.1.0+build.5", "in", [:mix], [], "hexpm:acme", "ef56"},
  "lumis": {:git, "https://github.com/ericmj/lumis.git", "25cfdf6c2e1444ebf48f1dbd79352fa50acab823", [branch: "vendor", sparse: "packages/elixir/lumis", depth: 1]},
  "old": {:hex, :old, "0.9.0"},
}
"#;

    fn run(text: &str, tree: &MemTree) -> Catalog {
        MixLock.catalog("mix.lock", text, tree)
    }

    #[test]
    fn hex_git_edges_and_hashes() {
        let c = run(LOCK, &MemTree::new());
        let problems: Vec<_> = c.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect();
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<(&str, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:hex/decimal@2.1.1", Some(2)),
                ("pkg:hex/jason@1.5.0-alpha.2", Some(3)),
                ("pkg:hex/ecto@3.11.0", Some(4)),
                ("pkg:hex/private_lib_pkg@0.1.0%2Bbuild.5?repository_url=hexpm:acme", Some(5)),
                (
                    "pkg:hex/lumis@25cfdf6c2e1444ebf48f1dbd79352fa50acab823?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fericmj%2Flumis.git%4025cfdf6c2e1444ebf48f1dbd79352fa50acab823",
                    Some(6)
                ),
                ("pkg:hex/old@0.9.0", Some(7)),
            ]
        );
        assert_eq!(
            c.packages[0].hashes,
            vec![Hash::new("SHA-256", "53cfe5f497ed0e7771ae1a475575603d77425099ba5faef9394932b35020ffcc")]
        );
        assert!(c.packages[5].hashes.is_empty());
        assert!(c.packages.iter().all(|p| p.direct.is_none() && p.scope == Scope::Required));
        let mut edges = c.edges.clone();
        edges.sort();
        assert_eq!(
            edges,
            vec![
                Edge::new("pkg:hex/ecto@3.11.0", "pkg:hex/decimal@2.1.1"),
                Edge::new("pkg:hex/ecto@3.11.0", "pkg:hex/jason@1.5.0-alpha.2"),
                Edge::new("pkg:hex/jason@1.5.0-alpha.2", "pkg:hex/decimal@2.1.1"),
            ]
        );
        // telemetry is missing from the lock: an info note, not an error.
        assert!(c.diagnostics.iter().any(|d| d.message.contains("telemetry")));
    }

    #[test]
    fn mix_exs_gives_direct_and_scopes() {
        let tree = MemTree::new().with(
            "mix.exs",
            "defp deps do\n  [\n    {:ecto, \"~> 3.11\"},\n    {:lumis, git: \"https://x\", only: [:dev, :test]},\n    {:private_lib, \"~> 0.1\", organization: \"acme\", only: :test}\n  ]\nend\n",
        );
        let c = run(LOCK, &tree);
        let got: Vec<(&str, Option<bool>, Scope)> =
            c.packages.iter().map(|p| (p.name.as_str(), p.direct, p.scope)).collect();
        assert_eq!(
            got,
            [
                ("decimal", Some(false), Scope::Required),
                ("jason", Some(false), Scope::Optional),
                ("ecto", Some(true), Scope::Required),
                ("private_lib_pkg", Some(true), Scope::Test),
                ("lumis", Some(true), Scope::Dev),
                ("old", Some(false), Scope::Required),
            ]
        );
    }

    #[test]
    fn crlf_empty_malformed_and_truncated() {
        let t = MemTree::new();
        assert_eq!(run(&LOCK.replace('\n', "\r\n"), &t).packages, run(LOCK, &t).packages);
        assert!(run("", &t).diagnostics.is_empty());
        assert!(run("%{}\n", &t).diagnostics.is_empty());
        // Truncated in the middle of the third entry: the first two survive.
        let cut = &LOCK[..LOCK.find("\"ecto\"").expect("cut") + 40];
        let c = run(cut, &t);
        assert_eq!(c.packages.len(), 2);
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[1].line, Some(4));
        // Malformed terms.
        for bad in [
            "%{\"a\": {:hex, :a, \"1\"} \"b\"}",
            "%{\"a\" => }",
            "{:x}",
            "%{\"a\": {:svn, \"u\"}}",
            "%{\"a\": [[[[",
            "%{\"a\": {:hex, :a, 1.0}}",
        ] {
            let c = run(bad, &t);
            assert!(c.packages.is_empty(), "{bad}");
            assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Error), "{bad}");
        }
        let deep = format!("%{{\"a\": {}}}", "[".repeat(500));
        assert!(!run(&deep, &t).diagnostics.is_empty());
    }
}
