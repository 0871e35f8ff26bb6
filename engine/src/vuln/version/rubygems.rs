//! RubyGems versions, ordered as `Gem::Version#<=>` does
//! (<https://guides.rubygems.org/patterns/#semantic-versioning>):
//!
//! - `-` means `.pre.`; the string splits into runs of digits (numbers) and runs of letters;
//! - any letter makes the version a pre-release: `1.0.a` < `1.0`;
//! - trailing zeros are dropped from the numeric head and from the part after the first letter
//!   run, so `1.0` = `1` and `1.0.a2` = `1.0.a.2`;
//! - segment by segment, missing ones counting as 0: numbers compare numerically, strings by
//!   bytes, and a string is less than a number.
//!
//! Gem's own grammar requires a `.` before a letter (`1.0.a1`); Cairn also accepts `1beta` (same
//! segments), as osv-scanner does. Strings must start with a digit and hold only ASCII letters,
//! digits, `.` and `-`.

use super::num::{Num, all_digits};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(Num),
    Str(String),
}

/// A RubyGems version.
#[derive(Debug, Clone)]
pub struct RubyGemsVersion {
    canonical: Vec<Seg>,
    prerelease: bool,
}

impl RubyGemsVersion {
    /// Parse a gem version (surrounding spaces are ignored, as Gem does).
    pub fn parse(s: &str) -> Result<RubyGemsVersion, VersionError> {
        let err = |reason| VersionError::unparsable(Scheme::RubyGems, s, reason);
        let t = s.trim();
        if !t.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(err("must start with a digit"));
        }
        if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
            return Err(err("only letters, digits, '.' and '-' are allowed"));
        }
        if t.split(['.', '-']).any(str::is_empty) {
            return Err(err("empty segment"));
        }
        let t = t.replace('-', ".pre.");
        let mut segs = Vec::new();
        let bytes = t.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let run = bytes.get(i..).map_or(0, |r| {
                r.iter().take_while(|c| c.is_ascii_digit() == b.is_ascii_digit() && **c != b'.').count()
            });
            if b == b'.' {
                i += 1;
                continue;
            }
            let text = t.get(i..i + run).unwrap_or_default();
            segs.push(if all_digits(text) {
                Seg::Num(Num::from_digits(text))
            } else {
                Seg::Str(text.to_owned())
            });
            i += run.max(1);
        }
        let prerelease = segs.iter().any(|s| matches!(s, Seg::Str(_)));
        // Canonical segments: drop trailing zeros of the numeric head and of the rest.
        let split = segs.iter().position(|s| matches!(s, Seg::Str(_))).unwrap_or(segs.len());
        let rest = segs.split_off(split);
        let mut canonical = trim_zeros(segs);
        canonical.extend(trim_zeros(rest));
        Ok(RubyGemsVersion { canonical, prerelease })
    }

    /// Whether this is a pre-release (has a letter).
    pub fn is_prerelease(&self) -> bool {
        self.prerelease
    }
}

fn trim_zeros(mut segs: Vec<Seg>) -> Vec<Seg> {
    while matches!(segs.last(), Some(Seg::Num(n)) if n.is_zero()) {
        segs.pop();
    }
    segs
}

impl Ord for RubyGemsVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(Num::zero());
        let n = self.canonical.len().max(other.canonical.len());
        for i in 0..n {
            let a = self.canonical.get(i).unwrap_or(&zero);
            let b = other.canonical.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => x.cmp(y),
                (Seg::Str(x), Seg::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if o.is_ne() {
                return o;
            }
        }
        Ordering::Equal
    }
}
ord_via_cmp!(RubyGemsVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> RubyGemsVersion {
        match RubyGemsVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn documented_examples() {
        assert!(g("1.0.a") < g("1.0"));
        assert!(g("1.0.a") < g("1.0.b"));
        assert!(g("1.0.b1") < g("1.0"));
        assert!(g("3.2") < g("3.10"));
        assert_eq!(g("1.0"), g("1"));
        assert_eq!(g("1.0.a2"), g("1.0.a.2"));
        assert!(g("1.0.0-rc1") < g("1.0.0"));
        assert_eq!(g("1.0.0-rc1"), g("1.0.0.pre.rc1"));
        assert!(g("1.0.0.pre") < g("1.0.0.rc1"));
        assert!(g("1.0.a").is_prerelease());
        assert!(!g(" 1.0 ").is_prerelease());
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "a", ".1", "1..2", "1.", "1_0", "1.0 beta", "1.0+x"] {
            assert!(RubyGemsVersion::parse(s).is_err(), "{s:?}");
        }
    }
}
