//! What a file imports, and under which local names: the map that turns `hashes.SHA256` into
//! `cryptography.hazmat.primitives.hashes.SHA256`, `hkdf.New` into `golang.org/x/crypto/hkdf.New`
//! and `Hkdf` into `hkdf::Hkdf`. Import statements are blanked from the code the symbol scan reads,
//! so a use is located where the code uses it, not where it imports it.

use super::Language;
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Local name → fully qualified path, in the language's own separator (`.` or `::`).
#[derive(Debug, Default, Clone)]
pub struct Imports {
    names: HashMap<String, String>,
}

impl Imports {
    /// The fully qualified form of a reference chain (`hashes.SHA256`), or the chain unchanged when
    /// its first segment is not an imported name.
    pub fn resolve(&self, chain: &str, sep: &str) -> String {
        let (head, rest) = match chain.split_once(sep) {
            Some((h, r)) => (h, Some(r)),
            None => (chain, None),
        };
        match (self.names.get(head), rest) {
            (Some(full), Some(rest)) => format!("{full}{sep}{rest}"),
            (Some(full), None) => full.clone(),
            (None, _) => chain.to_owned(),
        }
    }

    /// True when no import was read.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn add(&mut self, local: &str, full: String) {
        if !local.is_empty() && local != "_" && local != "*" && local != "self" {
            self.names.insert(local.to_owned(), full);
        }
    }
}

macro_rules! re {
    ($pat:expr) => {{
        static R: OnceLock<Regex> = OnceLock::new();
        #[allow(clippy::unwrap_used)] // constant patterns, compiled by every test that reads imports
        R.get_or_init(|| Regex::new($pat).unwrap())
    }};
}

/// Reads the imports of `code` (comments already blanked) and returns them with the code whose
/// import statements are replaced by spaces (newlines kept, so offsets and lines do not move).
pub fn read(lang: Language, code: &str) -> (Imports, String) {
    let mut imports = Imports::default();
    let spans: Vec<(usize, usize)> = match lang {
        Language::Go => go(code, &mut imports),
        Language::Python => python(code, &mut imports),
        Language::Rust => rust(code, &mut imports),
        Language::JavaScript => javascript(code, &mut imports),
        _ => Vec::new(),
    };
    let mut blanked = code.to_owned().into_bytes();
    for (s, e) in spans {
        for b in blanked.get_mut(s..e).into_iter().flatten() {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes inside statements were replaced by ASCII spaces: still UTF-8, unless a
    // statement held a multi-byte character, in which case the unblanked code is used.
    let blanked = String::from_utf8(blanked).unwrap_or_else(|_| code.to_owned());
    (imports, blanked)
}

/// Go: `import "p"`, `import a "p"`, `import ( … )`. The local name is the alias or the path's last
/// element (skipping a `/vN` major-version suffix).
fn go(code: &str, imports: &mut Imports) -> Vec<(usize, usize)> {
    let block = re!(r#"(?m)^\s*import\s*(?:\(([^)]*)\)|([\w.]*\s*"[^"\n]+"))"#);
    let spec = re!(r#"(?m)^\s*([\w.]+)?\s*"([^"\n]+)""#);
    let mut spans = Vec::new();
    for caps in block.captures_iter(code) {
        let Some(all) = caps.get(0) else { continue };
        spans.push((all.start(), all.end()));
        let body = caps.get(1).or_else(|| caps.get(2)).map_or("", |m| m.as_str());
        for s in spec.captures_iter(&format!("\n{body}")) {
            let path = s.get(2).map_or("", |m| m.as_str());
            let local = match s.get(1) {
                Some(alias) => alias.as_str().to_owned(),
                None => go_package_name(path).to_owned(),
            };
            imports.add(&local, path.to_owned());
        }
    }
    spans
}

fn go_package_name(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or(path);
    let is_version = last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    if is_version { parts.next().unwrap_or(last) } else { last }
}

/// Python: `import a.b`, `import a.b as c`, `from a.b import c, d as e` (parenthesised too).
/// Relative imports name no package and are skipped.
fn python(code: &str, imports: &mut Imports) -> Vec<(usize, usize)> {
    let plain = re!(
        r"(?m)^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)"
    );
    let from = re!(r"(?m)^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)");
    let mut spans = Vec::new();
    for caps in plain.captures_iter(code) {
        let Some(all) = caps.get(0) else { continue };
        spans.push((all.start(), all.end()));
        for item in caps.get(1).map_or("", |m| m.as_str()).split(',') {
            let mut words = item.split_whitespace();
            let path = words.next().unwrap_or("");
            // `import a.b` binds `a`, which resolves to itself: only an alias is recorded.
            if let (Some("as"), Some(alias)) = (words.next(), words.next()) {
                imports.add(alias, path.to_owned());
            }
        }
    }
    for caps in from.captures_iter(code) {
        let Some(all) = caps.get(0) else { continue };
        spans.push((all.start(), all.end()));
        let module = caps.get(1).map_or("", |m| m.as_str());
        let names = caps.get(2).map_or("", |m| m.as_str()).trim_matches(|c| c == '(' || c == ')');
        for item in names.split(',') {
            let mut words = item.split_whitespace();
            let Some(name) = words.next() else { continue };
            let local = match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => alias,
                _ => name,
            };
            imports.add(local, format!("{module}.{name}"));
        }
    }
    spans
}

/// Rust: `use a::b;`, `use a::b as c;`, `use a::{b, c::{d, e as f}, self};`, with `pub` and
/// `crate`/`self`/`super` prefixes (the latter name no crate and resolve to nothing known).
fn rust(code: &str, imports: &mut Imports) -> Vec<(usize, usize)> {
    let stmt = re!(r"(?m)^[ \t]*(?:pub(?:\([\w ]+\))?[ \t]+)?use[ \t]+([^;]+);");
    let mut spans = Vec::new();
    for caps in stmt.captures_iter(code) {
        let Some(all) = caps.get(0) else { continue };
        spans.push((all.start(), all.end()));
        let tree: String =
            caps.get(1).map_or("", |m| m.as_str()).split_whitespace().collect::<Vec<_>>().join(" ");
        rust_tree("", tree.trim_start_matches("::"), imports);
    }
    spans
}

/// One `use` tree under `prefix`.
fn rust_tree(prefix: &str, tree: &str, imports: &mut Imports) {
    let join = |p: &str, s: &str| if p.is_empty() { s.to_owned() } else { format!("{p}::{s}") };
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let path = tree[..open].trim().trim_end_matches("::");
        let inner = tree[open + 1..].trim_end().strip_suffix('}').unwrap_or(&tree[open + 1..]);
        let base = join(prefix, path);
        for item in split_top(inner) {
            if item.trim() == "self" {
                let local = base.rsplit("::").next().unwrap_or(&base).to_owned();
                imports.add(&local, base.clone());
            } else {
                rust_tree(&base, item, imports);
            }
        }
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), Some(a.trim())),
        None => (tree, None),
    };
    let full = join(prefix, path);
    let local = alias.unwrap_or_else(|| full.rsplit("::").next().unwrap_or(&full));
    imports.add(local, full.clone());
}

/// Splits a brace group's items at top-level commas.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0usize, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|x| !x.trim().is_empty()).collect()
}

/// JavaScript / TypeScript: ES imports and `require`, default, namespace and named bindings.
/// `node:crypto` is `crypto`.
fn javascript(code: &str, imports: &mut Imports) -> Vec<(usize, usize)> {
    let es = re!(r#"(?m)^[ \t]*import[ \t]+(?:type[ \t]+)?([^;'"]*?)[ \t]*from[ \t]*['"]([^'"]+)['"];?"#);
    let req = re!(r#"\b(?:const|let|var)\s+(\{[^}]*\}|[\w$]+)\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)"#);
    let mut spans = Vec::new();
    let module_of = |m: &str| m.strip_prefix("node:").unwrap_or(m).to_owned();
    for caps in es.captures_iter(code) {
        let Some(all) = caps.get(0) else { continue };
        spans.push((all.start(), all.end()));
        let module = module_of(caps.get(2).map_or("", |m| m.as_str()));
        js_bindings(caps.get(1).map_or("", |m| m.as_str()), &module, " as ", imports);
    }
    for caps in req.captures_iter(code) {
        let module = module_of(caps.get(2).map_or("", |m| m.as_str()));
        js_bindings(caps.get(1).map_or("", |m| m.as_str()), &module, ":", imports);
    }
    spans
}

fn js_bindings(clause: &str, module: &str, rename: &str, imports: &mut Imports) {
    let clause = clause.trim();
    let (outside, named) = match (clause.find('{'), clause.rfind('}')) {
        (Some(o), Some(c)) if o < c => {
            (format!("{}{}", &clause[..o], &clause[c + 1..]), Some(&clause[o + 1..c]))
        }
        _ => (clause.to_owned(), None),
    };
    for part in outside.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let local = part.strip_prefix("* as ").map_or(part, str::trim);
        imports.add(local, module.to_owned());
    }
    for item in named.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let item = item.trim_start_matches("type ").trim();
        let (name, local) = match item.split_once(rename) {
            Some((n, l)) => (n.trim(), l.trim()),
            None => (item, item),
        };
        imports.add(local, format!("{module}.{name}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_python_rust_javascript() {
        let (g, blanked) = read(
            Language::Go,
            "import (\n\t\"crypto/sha256\"\n\tx \"golang.org/x/crypto/hkdf\"\n\t\"github.com/cloudflare/circl/hpke/v2\"\n)\nvar h = x.New\n",
        );
        assert_eq!(g.resolve("x.New", "."), "golang.org/x/crypto/hkdf.New");
        assert_eq!(g.resolve("sha256.New", "."), "crypto/sha256.New");
        assert_eq!(g.resolve("hpke.KEM_XWING", "."), "github.com/cloudflare/circl/hpke/v2.KEM_XWING");
        assert!(!blanked.contains("crypto/sha256") && blanked.lines().count() == 6);

        let (p, _) = read(
            Language::Python,
            "import hashlib as hl\nfrom cryptography.hazmat.primitives import (\n    hashes,\n    hmac as h,\n)\n",
        );
        assert_eq!(p.resolve("hashes.SHA256", "."), "cryptography.hazmat.primitives.hashes.SHA256");
        assert_eq!(p.resolve("h.HMAC", "."), "cryptography.hazmat.primitives.hmac.HMAC");
        assert_eq!(p.resolve("hl.sha1", "."), "hashlib.sha1");

        let (r, _) = read(
            Language::Rust,
            "use chacha20poly1305::{\n    aead::{self, Aead},\n    ChaCha20Poly1305 as Cp,\n};\nuse hkdf::Hkdf;\n",
        );
        assert_eq!(r.resolve("Cp", "::"), "chacha20poly1305::ChaCha20Poly1305");
        assert_eq!(r.resolve("aead::Error", "::"), "chacha20poly1305::aead::Error");
        assert_eq!(r.resolve("Hkdf::new", "::"), "hkdf::Hkdf::new");

        let (j, _) = read(
            Language::JavaScript,
            "import * as jose from 'jose';\nimport { createHash as ch } from 'node:crypto';\nconst { scryptSync } = require('crypto');\n",
        );
        assert_eq!(j.resolve("ch", "."), "crypto.createHash");
        assert_eq!(j.resolve("scryptSync", "."), "crypto.scryptSync");
        assert_eq!(j.resolve("jose.SignJWT", "."), "jose.SignJWT");
    }
}
