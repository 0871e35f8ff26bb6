//! Debian and Ubuntu versions, ordered as dpkg does
//! (<https://www.debian.org/doc/debian-policy/ch-controlfields.html#version>):
//! `[epoch:]upstream[-revision]`, the epoch numerically (absent = 0), then upstream and
//! revision (absent = `0`) by `verrevcmp`: alternating non-digit runs compared character by
//! character (`~` before everything, even the end; letters before non-letters) and digit runs
//! compared numerically.
//!
//! Validation follows dpkg's `parseversion`: an epoch must be a number, upstream must not be
//! empty, only alphanumerics and `.+~-:` in upstream (`:` only with an epoch, `-` only with a
//! revision) and `.+~` in the revision, and no empty revision after a final `-`. An upstream
//! that does not start with a digit is accepted, as dpkg does (it only warns).

use super::num::{Num, all_digits};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

/// A dpkg version.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: Num,
    upstream: String,
    revision: String,
}

impl DpkgVersion {
    /// Parse a Debian version.
    pub fn parse(s: &str) -> Result<DpkgVersion, VersionError> {
        let err = |reason| VersionError::unparsable(Scheme::Dpkg, s, reason);
        if s.is_empty() {
            return Err(err("empty"));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((epoch, rest)) => {
                if !all_digits(epoch) {
                    return Err(err("epoch is not a number"));
                }
                if rest.is_empty() {
                    return Err(err("nothing after the epoch's colon"));
                }
                (Num::from_digits(epoch), rest)
            }
            None => (Num::zero(), s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(err("empty revision")),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err("empty upstream version"));
        }
        if !upstream.bytes().all(|b| b.is_ascii_alphanumeric() || b".+~-:".contains(&b)) {
            return Err(err("invalid character in upstream version"));
        }
        if !revision.bytes().all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b)) {
            return Err(err("invalid character in revision"));
        }
        Ok(DpkgVersion { epoch, upstream: upstream.to_owned(), revision: revision.to_owned() })
    }
}

/// dpkg's character weight in non-digit runs: end and digits 0, `~` below, letters by value,
/// everything else after all letters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff.is_eq() {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff.is_ne() {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}
ord_via_cmp!(DpkgVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> DpkgVersion {
        match DpkgVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn policy_examples() {
        // Debian Policy 5.6.12: ~~ < ~~a < ~ < (end) < a.
        let chain = ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+", "1.0.1"];
        for w in chain.windows(2) {
            if let [a, b] = w {
                assert!(d(a) < d(b), "{a} < {b}");
            }
        }
        assert!(d("1:0.1") > d("9.9"));
        assert_eq!(d("1.0"), d("1.0-0"));
        assert_eq!(d("0:1.0"), d("1.0"));
        assert!(d("1.2.3-1~deb12u1") < d("1.2.3-1"));
        assert!(d("1.2.3-1") < d("1.2.3-1+deb12u1"));
        assert!(d("2.30-1ubuntu1") > d("2.30-1"));
        assert!(d("1.0-1-1") > d("1.0-1"));
        assert!(d("1.0a") < d("1.0.")); // letters before non-letters
    }

    #[test]
    fn rejects_what_dpkg_rejects() {
        for s in [
            "",
            "a:1.0",
            ":1.0",
            "1:",
            "1.0-",
            "-1",
            "1.0_1",
            "1.2.3-not-a-debian:version!@#$",
            "1 0",
            "1.0-a:b",
        ] {
            assert!(DpkgVersion::parse(s).is_err(), "{s:?}");
        }
        assert!(DpkgVersion::parse("1:2:3-1").is_ok());
        assert!(DpkgVersion::parse("abc").is_ok());
    }

    #[test]
    fn huge_epochs_and_numbers() {
        assert!(d("99999999999999999999:1") > d("9999999999999999999:1"));
        assert!(d("1.99999999999999999999999") > d("1.9999999999999999999999"));
    }
}
