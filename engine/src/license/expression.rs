//! Declared license text → a valid SPDX expression, with the spelling map of `aliases.toml`.
//!
//! Order of attempts, first hit wins: the whole text in the spelling map; the text as an SPDX
//! expression (lenient lexing: `/` for OR, `+` on GNU ids, deprecated ids — then rewritten to
//! current ids); the text split into terms at `AND`/`OR`/`WITH`/parentheses with each term looked
//! up (spelling map, SPDX id ignoring case, SPDX full name). A term that still does not resolve
//! becomes `LicenseRef-<its words>`, so the result always parses and the original text is kept
//! beside it by the caller.

use serde::Deserialize;
use spdx::lexer::{Lexer, ParseMode, Token};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The result of normalising one declared license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// A valid SPDX expression (strict parse).
    pub expression: String,
    /// False when some term had to become a `LicenseRef-` made from the declared words.
    pub resolved: bool,
}

#[derive(Deserialize)]
struct AliasFile {
    aliases: HashMap<String, String>,
    deprecated: HashMap<String, String>,
    #[serde(default)]
    urls: HashMap<String, String>,
}

struct Tables {
    aliases: HashMap<String, String>,
    deprecated: HashMap<String, String>,
    /// Normalised license URL (see [`url_key`]) → expression.
    urls: HashMap<String, String>,
    /// Lower-cased SPDX id and full name → id.
    names: HashMap<String, &'static str>,
}

const ALIASES: &str = include_str!("aliases.toml");

/// Lenient lexing, but no imprecise names: the `spdx` crate's own table maps bare prefixes
/// ("gnu gpl v2" → GPL-3.0-only, "bsd" → BSD-2-Clause) in ways Cairn does not want.
const LEX: ParseMode = ParseMode {
    allow_slash_as_or_operator: true,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // The file is part of the binary and checked by a test; an empty map is the safe fallback.
        let file: AliasFile = toml::from_str(ALIASES).unwrap_or_else(|_| AliasFile {
            aliases: HashMap::new(),
            deprecated: HashMap::new(),
            urls: HashMap::new(),
        });
        let mut names = HashMap::new();
        for l in spdx::identifiers::LICENSES {
            names.insert(l.full_name.to_lowercase(), l.name);
        }
        for l in spdx::identifiers::LICENSES {
            names.insert(l.name.to_lowercase(), l.name);
        }
        let aliases = file.aliases.into_iter().map(|(k, v)| (key(&k), v)).collect();
        let urls = file.urls.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
        Tables { aliases, deprecated: file.deprecated, urls, names }
    })
}

/// Lower-case, trimmed, runs of white space collapsed: how spellings are compared.
fn key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The spelling map's entry for `text`, if any.
pub fn alias(text: &str) -> Option<&'static str> {
    tables().aliases.get(&key(text)).map(String::as_str)
}

/// Every entry of the spelling map: the key as compared (lower case, spaces collapsed) and the
/// SPDX expression it means.
pub fn alias_entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    tables().aliases.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// A license URL without scheme, `www.`, trailing `/` and `.txt`/`.html`/`.php`, lower-cased;
/// `None` when `text` is not an http(s) URL.
fn url_key(text: &str) -> Option<String> {
    let lower = text.trim().to_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest).trim_end_matches('/');
    let rest = [".txt", ".html", ".php"].iter().find_map(|x| rest.strip_suffix(x)).unwrap_or(rest);
    Some(rest.to_string())
}

/// The license a URL names: the URL table, or the id in an `opensource.org/licenses/<id>` or
/// `spdx.org/licenses/<id>` path.
fn by_url(text: &str) -> Option<String> {
    let k = url_key(text)?;
    if let Some(v) = tables().urls.get(&k) {
        return Some(v.clone());
    }
    let id = k.strip_prefix("opensource.org/licenses/").or_else(|| k.strip_prefix("spdx.org/licenses/"))?;
    let name = tables().names.get(id)?;
    let gnu = spdx::license_id(name).is_some_and(|l| l.is_gnu());
    Some(current_id(name, gnu, false))
}

/// Normalises a declared license to an SPDX expression. `None` for blank text.
pub fn normalize(raw: &str) -> Option<Normalized> {
    let text = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if text.is_empty() {
        return None;
    }
    let resolved = |expression: String| Some(Normalized { expression, resolved: true });
    if let Some(v) = alias(text) {
        return resolved(v.to_string());
    }
    if let Some(v) = by_url(text) {
        return resolved(v);
    }
    if let Some(e) = resolve_term(text) {
        return resolved(e);
    }
    by_terms(text)
}

/// `text` as an SPDX expression, with deprecated ids replaced; `None` when it does not lex.
fn rewrite(text: &str) -> Option<String> {
    let tokens: Vec<Token<'_>> =
        Lexer::new_mode(text, LEX).map(|t| t.map(|t| t.token)).collect::<Result<_, _>>().ok()?;
    let mut out = String::new();
    let mut i = 0;
    while i < tokens.len() {
        let plus = matches!(tokens.get(i + 1), Some(Token::Plus));
        match &tokens[i] {
            Token::Spdx(id) => {
                out.push_str(&current_id(id.name, id.is_gnu(), plus));
                if plus {
                    i += 1;
                }
            }
            Token::LicenseRef { doc_ref, lic_ref } => {
                if let Some(d) = doc_ref {
                    out.push_str(&format!("DocumentRef-{d}:"));
                }
                out.push_str(&format!("LicenseRef-{lic_ref}"));
            }
            Token::AdditionRef { doc_ref, add_ref } => {
                if let Some(d) = doc_ref {
                    out.push_str(&format!("DocumentRef-{d}:"));
                }
                out.push_str(&format!("AdditionRef-{add_ref}"));
            }
            Token::Exception(e) => out.push_str(e.name),
            Token::And => out.push_str(" AND "),
            Token::Or => out.push_str(" OR "),
            Token::With => out.push_str(" WITH "),
            Token::OpenParen => out.push('('),
            Token::CloseParen => out.push(')'),
            Token::Plus | Token::Unknown(_) => return None,
        }
        i += 1;
    }
    spdx::Expression::parse(&out).ok().map(|_| out)
}

/// The current id for a (possibly deprecated) SPDX id; may be a small expression, parenthesised.
fn current_id(name: &str, gnu: bool, plus: bool) -> String {
    let base = name.trim_end_matches('+');
    let or_later = plus || name.ends_with('+');
    if gnu {
        let stem = base.trim_end_matches("-only").trim_end_matches("-or-later");
        let exact = if base.ends_with("-or-later") || or_later { "-or-later" } else { "-only" };
        if spdx::license_id(&format!("{stem}{exact}")).is_some() {
            return format!("{stem}{exact}");
        }
    }
    let id = match tables().deprecated.get(base) {
        Some(v) if v.contains(' ') => format!("({v})"),
        Some(v) => v.clone(),
        None => base.to_string(),
    };
    if or_later && !gnu { format!("{id}+") } else { id }
}

/// Splits at operators and parentheses, resolving each term on its own.
fn by_terms(text: &str) -> Option<Normalized> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut out: Vec<String> = Vec::new();
    let mut term: Vec<&str> = Vec::new();
    let mut all_resolved = true;
    let mut flush = |term: &mut Vec<&str>, out: &mut Vec<String>| {
        if term.is_empty() {
            return;
        }
        let t = term.join(" ");
        term.clear();
        match resolve_term(&t) {
            Some(e) if e.contains(' ') && !e.starts_with('(') => out.push(format!("({e})")),
            Some(e) => out.push(e),
            None => {
                all_resolved = false;
                out.push(license_ref(&t));
            }
        }
    };
    for word in spaced.split_whitespace() {
        match word.to_ascii_uppercase().as_str() {
            op @ ("AND" | "OR" | "WITH") => {
                flush(&mut term, &mut out);
                out.push(op.to_string());
            }
            "(" | ")" => {
                flush(&mut term, &mut out);
                out.push(word.to_string());
            }
            _ => term.push(word),
        }
    }
    flush(&mut term, &mut out);
    let joined = out.join(" ").replace("( ", "(").replace(" )", ")");
    if spdx::Expression::parse(&joined).is_ok() {
        return Some(Normalized { expression: joined, resolved: all_resolved });
    }
    // Operators in odd places ("MIT and", "(GPL"): the whole text is one unresolved term.
    Some(Normalized { expression: license_ref(text), resolved: false })
}

/// One term: the spelling map, an exception name, an SPDX id or full name (ignoring case).
fn resolve_term(term: &str) -> Option<String> {
    if let Some(v) = alias(term) {
        return Some(v.to_string());
    }
    if let Some(e) = rewrite(term) {
        return Some(e);
    }
    if let Some(e) = spdx::exception_id(term) {
        return Some(e.name.to_string());
    }
    let k = key(term);
    let (k, plus) = match k.strip_suffix('+') {
        Some(stem) => (stem.trim().to_string(), true),
        None => (k, false),
    };
    let name = tables().names.get(&k)?;
    let gnu = spdx::license_id(name).is_some_and(|id| id.is_gnu());
    Some(current_id(name, gnu, plus))
}

/// `LicenseRef-` plus the text's characters that an idstring allows (others become `-`).
pub fn license_ref(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
        if id.len() >= 64 {
            break;
        }
    }
    let id = id.trim_end_matches(['-', '.']);
    if id.is_empty() { "LicenseRef-unknown".to_string() } else { format!("LicenseRef-{id}") }
}

/// Every license id (SPDX or `LicenseRef-`) named in an expression, without `+`, sorted, deduplicated.
pub fn ids(expression: &str) -> Vec<String> {
    let mut out: Vec<String> = match spdx::Expression::parse_mode(expression, LEX) {
        Ok(e) => e
            .requirements()
            .map(|r| match &r.req.license {
                spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
                spdx::LicenseItem::Other(r) => r.to_string(),
            })
            .collect(),
        Err(_) => vec![license_ref(expression)],
    };
    out.sort();
    out.dedup();
    out
}

/// Joins expressions with AND, parenthesising compound ones; `None` for none.
pub fn and_all<'a>(exprs: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut parts: Vec<&str> = exprs.into_iter().collect();
    parts.sort_unstable();
    parts.dedup();
    match parts.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => Some(
            many.iter()
                .map(|e| if e.contains(' ') { format!("({e})") } else { (*e).to_string() })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_value_is_a_valid_expression() {
        let file: AliasFile = toml::from_str(ALIASES).expect("aliases.toml parses");
        assert!(file.aliases.len() > 100);
        assert!(file.urls.len() > 20);
        for (k, v) in file.aliases.iter().chain(file.deprecated.iter()).chain(file.urls.iter()) {
            assert!(spdx::Expression::parse(v).is_ok(), "{k} = {v}");
        }
        for k in file.deprecated.keys() {
            assert!(spdx::license_id(k).is_some_and(|id| id.is_deprecated()), "{k} is a deprecated SPDX id");
        }
    }

    #[track_caller]
    fn check(raw: &str, want: &str) {
        assert_eq!(normalize(raw).map(|n| n.expression).as_deref(), Some(want), "{raw}");
    }

    #[test]
    fn spellings() {
        check("Apache 2.0", "Apache-2.0");
        check("BSD", "LicenseRef-BSD");
        check("GPLv3+", "GPL-3.0-or-later");
        check("MIT/X11", "MIT");
        check("MIT/Apache-2.0", "MIT OR Apache-2.0");
        check("GPL-2.0+", "GPL-2.0-or-later");
        check("LGPL-2.1", "LGPL-2.1-only");
        check("(MIT OR GPL-3.0)", "(MIT OR GPL-3.0-only)");
        check("Apache 2.0 or MIT", "Apache-2.0 OR MIT");
        check("apache-2.0 and (mit or gnu gpl v2)", "Apache-2.0 AND (MIT OR GPL-2.0-only)");
        check("BSD-2-Clause-FreeBSD", "BSD-2-Clause");
        check("GPL-2.0-with-classpath-exception", "(GPL-2.0-only WITH Classpath-exception-2.0)");
        check("GNU General Public License v3.0 or later", "GPL-3.0-or-later");
        check("Some Custom License", "LicenseRef-Some-Custom-License");
        check("MIT OR Some Custom", "MIT OR LicenseRef-Some-Custom");
        check("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception");
        check("LicenseRef-Foo AND MIT", "LicenseRef-Foo AND MIT");
        check("http://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0");
        check("https://opensource.org/licenses/MIT", "MIT");
        check("https://opensource.org/licenses/BSD-3-Clause/", "BSD-3-Clause");
        check("https://spdx.org/licenses/GPL-2.0-or-later.html", "GPL-2.0-or-later");
        check("https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html", "LGPL-2.1-only");
        assert!(!normalize("https://example.com/LICENSE").expect("some").resolved);
        assert_eq!(normalize("  "), None);
        assert!(!normalize("Weird (").expect("some").resolved);
    }

    #[test]
    fn ids_and_joins() {
        assert_eq!(ids("MIT OR (Apache-2.0 AND LicenseRef-x)"), ["Apache-2.0", "LicenseRef-x", "MIT"]);
        assert_eq!(
            and_all(["MIT", "Apache-2.0 OR MIT", "MIT"]).as_deref(),
            Some("(Apache-2.0 OR MIT) AND MIT")
        );
        assert_eq!(and_all([]), None);
    }
}
