//! PyPI versions: PEP 440 (<https://packaging.python.org/en/latest/specifications/version-specifiers/>)
//! through `pep440_rs` (epochs, pre/post/dev releases, local versions, and the spec's
//! normalisation of spellings such as `1.0-RC1`, `1.0.post-1`, `1.0-1`, `v1.0`).
//!
//! Strings that are not PEP 440 but that older `packaging` accepted as `LegacyVersion` (PyPI still
//! lists such releases, and advisories name them) are kept as legacy versions, which order before
//! every PEP 440 version and among themselves by setuptools' historical `parse_version` key.
//! Empty strings and strings with spaces or control characters are rejected.

use super::num::has_space_or_control;
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;
use std::str::FromStr;

/// A PyPI version: PEP 440, or legacy (pre-PEP 440) ordered before all PEP 440 versions.
#[derive(Debug, Clone)]
pub struct PypiVersion(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Legacy(Vec<String>),
    Pep440(pep440_rs::Version),
}

impl PypiVersion {
    /// Parse a PyPI version.
    pub fn parse(s: &str) -> Result<PypiVersion, VersionError> {
        if s.is_empty() || has_space_or_control(s.trim()) {
            return Err(VersionError::unparsable(Scheme::Pep440, s, "empty or has spaces"));
        }
        match pep440_rs::Version::from_str(s) {
            Ok(v) => Ok(PypiVersion(Repr::Pep440(v))),
            Err(_) => Ok(PypiVersion(Repr::Legacy(legacy_key(s)))),
        }
    }

    /// Whether this is a pre-PEP 440 legacy version.
    pub fn is_legacy(&self) -> bool {
        matches!(self.0, Repr::Legacy(_))
    }
}

impl Ord for PypiVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Pep440(a), Repr::Pep440(b)) => a.cmp(b),
            (Repr::Legacy(a), Repr::Legacy(b)) => a.cmp(b),
            (Repr::Legacy(_), Repr::Pep440(_)) => Ordering::Less,
            (Repr::Pep440(_), Repr::Legacy(_)) => Ordering::Greater,
        }
    }
}
ord_via_cmp!(PypiVersion);

/// setuptools' legacy `parse_version` key: runs of digits zero-padded to 8, runs of letters and
/// other characters marked with `*`, with `pre`/`preview`/`rc` → `c`, `dev` → `@`, `-` → `final-`,
/// trailing zeros of each numeric run dropped and a final `*final`.
fn legacy_key(s: &str) -> Vec<String> {
    let lower = s.to_lowercase();
    let mut parts: Vec<String> = Vec::new();
    let mut push = |part: String| {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    };
    for token in legacy_tokens(&lower) {
        let token = match token {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            t => t,
        };
        if token.is_empty() || token == "." {
            continue;
        }
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            push(format!("{token:0>8}"));
        } else {
            push(format!("*{token}"));
        }
    }
    push("*final".to_owned());
    parts
}

/// Split like `re.split(r"(\d+|[a-z]+|\.|-)", s)`: the matches and the text between them.
fn legacy_tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut gap_start = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    while let Some(&b) = bytes.get(i) {
        let end = if b.is_ascii_digit() {
            i + bytes.get(i..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
        } else if b.is_ascii_lowercase() {
            i + bytes.get(i..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_lowercase()).count())
        } else if b == b'.' || b == b'-' {
            i + 1
        } else {
            // Not a token: part of the gap. Step a whole UTF-8 character.
            i += s.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
            continue;
        };
        if let Some(gap) = s.get(gap_start..i) {
            out.push(gap);
        }
        if let Some(tok) = s.get(i..end) {
            out.push(tok);
        }
        i = end;
        gap_start = end;
    }
    if let Some(gap) = s.get(gap_start..) {
        out.push(gap);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PypiVersion {
        match PypiVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn pep440_examples() {
        // The spec's summary ordering.
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in chain.windows(2) {
            if let [a, b] = w {
                assert!(p(a) < p(b), "{a} < {b}");
            }
        }
        assert!(p("1!0.1") > p("2.0"));
    }

    #[test]
    fn normalised_spellings() {
        assert_eq!(p("1.0-RC1"), p("1.0rc1"));
        assert_eq!(p("1.0.post-1"), p("1.0.post1"));
        assert_eq!(p("1.0-1"), p("1.0.post1"));
        assert_eq!(p("v1.0"), p("1.0"));
        assert_eq!(p("1.0.0"), p("1.0"));
        assert_eq!(p("1.0alpha1"), p("1.0a1"));
        assert_eq!(p("1.0c1"), p("1.0rc1"));
        assert!(!p("1.0").is_legacy());
    }

    #[test]
    fn legacy_orders_before_pep440() {
        assert!(p("0.1-bulbasaur").is_legacy());
        assert!(p("0.9-doduo") < p("0.0.1"));
        assert!(p("0.1-bulbasaur") < p("0.1-charmander"));
        assert!(PypiVersion::parse("").is_err());
        assert!(PypiVersion::parse("1 0").is_err());
    }
}
