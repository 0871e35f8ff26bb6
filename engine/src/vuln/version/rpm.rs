//! RPM versions (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, openEuler, Mageia, Photon OS, Azure
//! Linux): `[epoch:]version[-release]`, each part compared with rpm's `rpmvercmp`
//! (<https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning>):
//! alphanumeric runs compared piecewise (digit runs numerically and above letter runs, letter
//! runs by ASCII), other characters only separate, `~` sorts before everything (even the end)
//! and `^` after the end but before anything else.
//!
//! The epoch is what precedes the first `:` (absent = `0`) and is itself compared with
//! `rpmvercmp`; the release is what follows the last `-`. A version without a release sorts
//! before the same version with one (even an empty one).
//!
//! rpm compares any string; Cairn rejects only empty strings and strings with whitespace or
//! control characters.

use super::num::has_space_or_control;
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

/// An RPM `epoch:version-release`.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: String,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    /// Parse an RPM EVR string.
    pub fn parse(s: &str) -> Result<RpmVersion, VersionError> {
        if s.is_empty() || has_space_or_control(s) {
            return Err(VersionError::unparsable(Scheme::Rpm, s, "empty or has spaces"));
        }
        let (epoch, rest) = s.split_once(':').unwrap_or(("0", s));
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.to_owned())),
            None => (rest, None),
        };
        Ok(RpmVersion { epoch: epoch.to_owned(), version: version.to_owned(), release })
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        rpmvercmp(&self.epoch, &other.epoch).then_with(|| rpmvercmp(&self.version, &other.version)).then_with(
            || match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            },
        )
    }
}
ord_via_cmp!(RpmVersion);

/// rpm's `rpmvercmp`, over bytes (non-ASCII bytes are separators, as in rpm).
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while a.get(i).is_some_and(|&c| is_sep(c)) {
            i += 1;
        }
        while b.get(j).is_some_and(|&c| is_sep(c)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let numeric = ca.is_ascii_digit();
        let class = |c: &u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let run = |s: &[u8], k: usize| s.get(k..).map_or(0, |r| r.iter().take_while(|c| class(c)).count());
        let (la, lb) = (run(a, i), run(b, j));
        if lb == 0 {
            // Different kinds: a number is newer than letters.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let seg_a = a.get(i..i + la).unwrap_or_default();
        let seg_b = b.get(j..j + lb).unwrap_or_default();
        let o = if numeric {
            let ta = trim_zeros(seg_a);
            let tb = trim_zeros(seg_b);
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            seg_a.cmp(seg_b)
        };
        if o.is_ne() {
            return o;
        }
        i += la;
        j += lb;
    }
    match (i < a.len(), j < b.len()) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    s.get(n..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> RpmVersion {
        match RpmVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn rpm_documented_order() {
        // rpm's versioning docs: 1.0~rc1 < 1.0 < 1.0^git1, and ~ before ^.
        let chain =
            ["1.0~rc1", "1.0~rc1^git1", "1.0", "1.0^git1~pre", "1.0^git1", "1.0^git2", "1.0.1", "1.1"];
        for w in chain.windows(2) {
            if let [x, y] = w {
                assert!(r(x) < r(y), "{x} < {y}");
            }
        }
        assert!(r("1:1.0-1") > r("2.0-1"));
        assert!(r("2.0-1.el8") < r("2.0-1.el8_1"));
        assert!(r("1.0a") > r("1.0"));
        assert!(r("1.0") < r("1.0-1"));
        assert_eq!(r("10.0001"), r("10.1"));
        assert_eq!(r("1.0"), r("1_0"));
    }

    #[test]
    fn rejects_empty() {
        assert!(RpmVersion::parse("").is_err());
        assert!(RpmVersion::parse("1 0").is_err());
    }
}
