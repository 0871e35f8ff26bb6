//! The symbol scan: every reference chain in a file (`hashes.SHA256`, `hkdf.New`,
//! `Hkdf::<Sha256>::new`) resolved through the file's imports and looked up in the language's API
//! table ([`super::apis`]). A reference counts whether it is called or used as a value
//! (`alg = hashes.SHA256; … alg()`), and a digest passed to an HMAC, KDF or signature is read
//! from the call's arguments.

use super::apis::{self, Api};
use super::detect::{fill, hash_name};
use super::imports::Imports;
use super::{Algorithm, Language, Primitive, libraries, names};
use regex::{Regex, RegexSet};
use std::sync::OnceLock;

/// A table with its patterns compiled: one set to find candidates, each pattern for its groups.
struct Table {
    set: RegexSet,
    each: Vec<Regex>,
    entries: &'static [Api],
}

fn anchored(pat: &str) -> String {
    format!(r"^(?:{pat})(?:$|[^\w])")
}

fn compile(entries: &'static [Api]) -> Option<Table> {
    let pats: Vec<String> = entries.iter().map(|(p, _, _)| anchored(p)).collect();
    let set = match RegexSet::new(&pats) {
        Ok(s) => s,
        Err(e) => {
            // A bad pattern is a bug in the table; the unit test compiles every one.
            tracing::error!(error = %e, "crypto API table does not compile");
            return None;
        }
    };
    let each = pats.iter().filter_map(|p| Regex::new(p).ok()).collect();
    Some(Table { set, each, entries })
}

fn table(lang: Language) -> Option<&'static Table> {
    macro_rules! cached {
        ($t:expr) => {{
            static C: OnceLock<Option<Table>> = OnceLock::new();
            C.get_or_init(|| compile($t)).as_ref()
        }};
    }
    match lang {
        Language::Go => cached!(apis::GO),
        Language::Python => cached!(apis::PYTHON),
        Language::Rust => cached!(apis::RUST),
        Language::JavaScript => cached!(apis::JAVASCRIPT),
        _ => None,
    }
}

/// Compiles `lang`'s API table now (see [`super::detect::prepare`]).
pub(crate) fn prepare(lang: Language) {
    let _ = table(lang);
    if table(lang).is_some() {
        let _ = chain_re(lang);
    }
}

/// The separator of qualified names in `lang`.
fn separator(lang: Language) -> &'static str {
    if lang == Language::Rust { "::" } else { "." }
}

fn chain_re(lang: Language) -> &'static Regex {
    static DOT: OnceLock<Regex> = OnceLock::new();
    static COLONS: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::unwrap_used)] // constant patterns, exercised by every test of this module
    if lang == Language::Rust {
        COLONS.get_or_init(|| Regex::new(r"[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*").unwrap())
    } else {
        DOT.get_or_init(|| Regex::new(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*").unwrap())
    }
}

/// One algorithm found by the symbol scan, at a byte offset of the code, with its library.
pub struct Found {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Byte offset of the reference.
    pub at: usize,
    /// The library family that provides it, if the file shows which.
    pub library: Option<&'static str>,
}

/// Looks up one resolved path: the entry's index and the algorithms it stands for (`None` when
/// no entry matches).
fn lookup(t: &Table, path: &str) -> Option<(usize, Vec<Algorithm>)> {
    let i = t.set.matches(path).into_iter().next()?;
    let caps = t.each.get(i)?.captures(path)?;
    let p = caps.name("p").map(|m| m.as_str());
    let (_, spec, _) = t.entries.get(i)?;
    let algs = if *spec == "=" {
        vec![names::at_call(p?)?]
    } else {
        spec.split(';')
            .filter_map(|one| {
                let mut alg = fill(&one.replace("hash=?", ""), p)?;
                if let Some(h) = alg.hash.as_deref()
                    && let Some(named) = names::at_call(h).filter(|a| a.primitive == Primitive::Hash)
                {
                    alg.hash = Some(hash_name(&named));
                }
                Some(alg)
            })
            .collect()
    };
    Some((i, algs))
}

/// The text of the argument list or generic parameters that follow a reference ending at `end`:
/// `(…)`, `<…>` or `::<…>`, up to its matching close (bounded, so a runaway list costs little).
fn arguments(code: &str, end: usize) -> &str {
    let rest = code.get(end..).unwrap_or("");
    let trimmed = rest.trim_start();
    let trimmed = trimmed.strip_prefix("::").unwrap_or(trimmed);
    let Some(open) = trimmed.chars().next().filter(|c| matches!(c, '(' | '<')) else { return "" };
    let close = if open == '(' { ')' } else { '>' };
    let mut depth = 0i32;
    for (i, c) in trimmed.char_indices().take(600) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return &trimmed[1..i];
            }
        }
    }
    ""
}

/// The first digest the arguments name: a reference resolving to a hash entry, or a string
/// literal naming a hash.
fn digest_in(args: &str, lang: Language, t: &Table, imports: &Imports) -> Option<String> {
    let lit = literal_re();
    let sep = separator(lang);
    let mut best: Option<(usize, String)> = None;
    for m in chain_re(lang).find_iter(args) {
        let path = imports.resolve(m.as_str(), sep);
        let hash =
            lookup(t, &path).and_then(|(_, algs)| algs.into_iter().find(|a| a.primitive == Primitive::Hash));
        if let Some(a) = hash {
            best = Some((m.start(), hash_name(&a)));
            break;
        }
    }
    for c in lit.captures_iter(args) {
        let (Some(m), Some(name)) = (c.get(0), c.get(1)) else { continue };
        if best.as_ref().is_some_and(|(at, _)| *at < m.start()) {
            break;
        }
        if let Some(a) = names::at_call(name.as_str()).filter(|a| a.primitive == Primitive::Hash) {
            best = Some((m.start(), hash_name(&a)));
            break;
        }
    }
    best.map(|(_, h)| h)
}

fn literal_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    #[allow(clippy::unwrap_used)] // a constant pattern, exercised by every test of this module
    R.get_or_init(|| Regex::new(r#"["']([\w-]{2,20})["']"#).unwrap())
}

/// Scans `code` (comments and import statements blanked) for references to known crypto APIs.
/// `full` is the file's code with its imports, where library markers are looked up.
pub fn scan(lang: Language, code: &str, full: &str, imports: &Imports) -> Vec<Found> {
    let Some(t) = table(lang) else { return Vec::new() };
    let sep = separator(lang);
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for m in chain_re(lang).find_iter(code) {
        // A chain that continues one before it (`x.hashes.SHA256` after `x`) is not a reference
        // of its own: the regex already took the longest chain from its start.
        if m.start() > 0 && matches!(bytes.get(m.start() - 1), Some(b'.') | Some(b'$')) {
            continue;
        }
        let chain = m.as_str();
        let path = imports.resolve(chain, sep);
        // A bare local name that no import binds is a local variable or type, not an API.
        if path == chain && !chain.contains(sep) && !imports.is_empty() {
            continue;
        }
        let Some((i, algs)) = lookup(t, &path) else { continue };
        let (_, spec, lib) = t.entries[i];
        let wants_digest = spec.contains("hash=?");
        let digest = if wants_digest { digest_in(arguments(code, m.end()), lang, t, imports) } else { None };
        let library = libraries::resolve(lib, full);
        for mut alg in algs {
            if wants_digest {
                alg.hash = digest.clone();
            }
            out.push(Found { algorithm: alg, at: m.start(), library });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_compiles_and_every_spec_parses() {
        for t in [apis::GO, apis::PYTHON, apis::RUST, apis::JAVASCRIPT] {
            for (pat, spec, _) in t {
                assert!(Regex::new(&anchored(pat)).is_ok(), "{pat}");
                if *spec != "=" {
                    for one in spec.split(';') {
                        assert!(fill(&one.replace("hash=?", ""), Some("256")).is_some(), "{spec}");
                    }
                }
            }
        }
    }
}
