//! Alpine (apk) versions: `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`
//! (<https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/doc/apk-package.5.scd>).
//!
//! Order: numeric parts (the first numerically; later ones numerically unless one has a
//! leading zero, in which case as text, as apk does for "fractional" parts), then the letter
//! (none first), then suffixes `_alpha` < `_beta` < `_pre` < `_rc` < none < `_cvs` < `_svn` <
//! `_git` < `_hg` < `_p` (each with its number), then the `-r` release. The hash is ignored.
//!
//! apk compares malformed versions too, and so does Cairn (advisories name them): whatever
//! does not fit the grammar is kept as a remainder. A well-formed version sorts after a
//! malformed one that is otherwise equal; two malformed ones fall back to comparing their text.
//! Only empty strings and strings with spaces or control characters are rejected.

use super::num::{Num, has_space_or_control};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

/// One numeric part: the first compares by value; later ones by value, or as text when
/// either has a leading zero (`1.01` < `1.1`, `1.05` < `1.1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A later part with a leading zero (or `0`): compared as text, before every other part.
    Text(String),
    Value(Num),
}

/// An apk package version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    first: Num,
    rest: Vec<Part>,
    letter: Option<u8>,
    /// (weight, number); no suffix weighs 4.
    suffixes: Vec<(u8, Num)>,
    release: Num,
    /// 2: nothing left over; 1: something after a valid `-r` release; 0: malformed.
    tail: u8,
    /// For malformed versions, the text, as the last tie-break.
    malformed: Option<String>,
}

const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 0),
    ("beta", 1),
    ("pre", 2),
    ("rc", 3),
    ("cvs", 5),
    ("svn", 6),
    ("git", 7),
    ("hg", 8),
    ("p", 9),
];
const NO_SUFFIX: u8 = 4;

fn digits_prefix(s: &str) -> &str {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.get(..end).unwrap_or_default()
}

impl ApkVersion {
    /// Parse an apk version.
    pub fn parse(s: &str) -> Result<ApkVersion, VersionError> {
        if s.is_empty() || has_space_or_control(s) {
            return Err(VersionError::unparsable(Scheme::Apk, s, "empty or has spaces"));
        }
        let mut rest = s;
        // Numeric parts: runs of digits, each optionally followed by a dot (apk tolerates a
        // dot with no digit after it; what follows is then leftover).
        let mut nums: Vec<&str> = Vec::new();
        loop {
            let d = digits_prefix(rest);
            if d.is_empty() {
                break;
            }
            nums.push(d);
            rest = rest.get(d.len()..).unwrap_or_default();
            rest = rest.strip_prefix('.').unwrap_or(rest);
        }
        let first = nums.first().map_or_else(Num::zero, |d| Num::from_digits(d));
        let rest_parts = nums
            .iter()
            .skip(1)
            .map(|d| {
                if d.starts_with('0') {
                    Part::Text((*d).to_owned())
                } else {
                    Part::Value(Num::from_digits(d))
                }
            })
            .collect();
        // Letter.
        let mut letter = None;
        if let Some(&c) = rest.as_bytes().first()
            && c.is_ascii_lowercase()
        {
            letter = Some(c);
            rest = rest.get(1..).unwrap_or_default();
        }
        // Suffixes.
        let mut suffixes = Vec::new();
        'suffixes: while let Some(after) = rest.strip_prefix('_') {
            for (name, weight) in SUFFIXES {
                if let Some(tail) = after.strip_prefix(name) {
                    let d = digits_prefix(tail);
                    suffixes.push((weight, Num::from_digits(d)));
                    rest = tail.get(d.len()..).unwrap_or_default();
                    continue 'suffixes;
                }
            }
            break;
        }
        // Hash.
        if let Some(after) = rest.strip_prefix('~') {
            let hex = after.bytes().take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)).count();
            if hex > 0 {
                rest = after.get(hex..).unwrap_or_default();
            }
        }
        // Release.
        let mut release = Num::zero();
        let (tail, malformed) = if rest.is_empty() {
            (2, None)
        } else if let Some(after) = rest.strip_prefix("-r") {
            let d = digits_prefix(after);
            release = Num::from_digits(d);
            rest = after.get(d.len()..).unwrap_or_default();
            (if rest.is_empty() { 2 } else { 1 }, None)
        } else {
            (0, Some(s.to_owned()))
        };
        Ok(ApkVersion { first, rest: rest_parts, letter, suffixes, release, tail, malformed })
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Part::Text("0".to_owned());
        let n = self.rest.len().max(other.rest.len());
        let parts = (0..n).map(|i| {
            let a = self.rest.get(i).unwrap_or(&zero);
            let b = other.rest.get(i).unwrap_or(&zero);
            a.cmp(b)
        });
        let none = (NO_SUFFIX, Num::zero());
        let m = self.suffixes.len().max(other.suffixes.len());
        let suffixes = (0..m).map(|i| {
            let a = self.suffixes.get(i).unwrap_or(&none);
            let b = other.suffixes.get(i).unwrap_or(&none);
            a.cmp(b)
        });
        self.first
            .cmp(&other.first)
            .then_with(|| parts.into_iter().find(|o| o.is_ne()).unwrap_or(Ordering::Equal))
            .then_with(|| self.letter.cmp(&other.letter))
            .then_with(|| suffixes.into_iter().find(|o| o.is_ne()).unwrap_or(Ordering::Equal))
            .then_with(|| self.release.cmp(&other.release))
            .then_with(|| self.tail.cmp(&other.tail))
            .then_with(|| self.malformed.cmp(&other.malformed))
    }
}
ord_via_cmp!(ApkVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> ApkVersion {
        match ApkVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn documented_order() {
        let chain = [
            "1.2_alpha",
            "1.2_beta1",
            "1.2_pre2",
            "1.2_rc1",
            "1.2",
            "1.2-r1",
            "1.2_cvs1",
            "1.2_svn1",
            "1.2_git1",
            "1.2_hg1",
            "1.2_p1",
            "1.2a",
            "1.2b",
            "1.2.1",
            "1.10",
        ];
        for w in chain.windows(2) {
            if let [x, y] = w {
                assert!(a(x) < a(y), "{x} < {y}");
            }
        }
        assert_eq!(a("1.0-r01"), a("1.0-r1"));
        assert_eq!(a("1.0~abc123-r1"), a("1.0-r1"));
        assert!(a("1.01") < a("1.1"));
    }

    #[test]
    fn malformed_is_kept_and_ordered() {
        assert!(a("1.2") > a("1.2_blah"));
        assert!(a("a") < a("b"));
        assert!(a(".1") < a("1"));
        assert!(ApkVersion::parse("").is_err());
        assert!(ApkVersion::parse("1 2").is_err());
    }
}
