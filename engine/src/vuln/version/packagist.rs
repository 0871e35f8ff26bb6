//! Packagist (Composer) versions, ordered by PHP's `version_compare`
//! (<https://www.php.net/manual/en/function.version-compare.php>), which Composer's comparator
//! uses, after dropping a leading `v`/`V` as Composer's normaliser does.
//!
//! PHP canonicalises first (`-`, `_`, `+` become `.`; a `.` is put between a digit and a
//! non-digit; other non-alphanumerics become `.`), then compares part by part: numbers
//! numerically; words by their special form `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc`
//! < `#` < `pl` = `p` (a word matches the first form it starts with; unknown words sort before
//! `dev`); a number against a word as if the number were `#`. When one side runs out, a
//! remaining number makes it greater, a remaining word is compared against `#`.
//!
//! Known gap: Composer pads normalised versions to four parts, so for Composer `1.0` = `1.0.0`;
//! raw `version_compare` (and osv-scanner) say `1.0` < `1.0.0`. Cairn follows the latter.
//! A `#` (PHP's own `#N#` placeholder) is kept as a word ranking just below numbers, so
//! `1.2.3.#` = `1.2.3` < `1.2.3.1`: PHP would also call `1.2.3.#` = `1.2.3.1`, which is not
//! transitive. Composer itself rejects such versions.

use super::num::{Num, all_digits, has_space_or_control};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Part {
    Num(Num),
    /// The rank of a word's special form.
    Word(i8),
}

/// The rank a number takes when compared with a word (PHP's `#N#` matches `#`).
const NUMBER_RANK: i8 = 4;

/// A Packagist version.
#[derive(Debug, Clone)]
pub struct PackagistVersion(Vec<Part>);

impl PackagistVersion {
    /// Parse a Composer version. PHP compares any string; Cairn rejects empty strings and
    /// strings with spaces or control characters.
    pub fn parse(s: &str) -> Result<PackagistVersion, VersionError> {
        if s.is_empty() || has_space_or_control(s) {
            return Err(VersionError::unparsable(Scheme::Packagist, s, "empty or has spaces"));
        }
        let t = s.strip_prefix(['v', 'V']).unwrap_or(s);
        if t.is_empty() {
            return Err(VersionError::unparsable(Scheme::Packagist, s, "no version after 'v'"));
        }
        let parts: Vec<Part> = canonical(t).split('.').filter(|p| !p.is_empty()).map(part).collect();
        if parts.is_empty() {
            return Err(VersionError::unparsable(Scheme::Packagist, s, "no version parts"));
        }
        Ok(PackagistVersion(parts))
    }
}

/// PHP's `php_canonicalize_version`.
fn canonical(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut prev: Option<char> = None;
    let is_dig = |c: char| c.is_ascii_digit();
    let is_ndig = |c: char| !c.is_ascii_digit() && c != '.';
    for c in s.chars() {
        match prev {
            None => out.push(c),
            Some(p) => {
                if matches!(c, '-' | '_' | '+') {
                    if !out.ends_with('.') {
                        out.push('.');
                    }
                } else if (is_ndig(p) && is_dig(c)) || (is_dig(p) && is_ndig(c)) {
                    if !out.ends_with('.') {
                        out.push('.');
                    }
                    out.push(c);
                } else if !c.is_ascii_alphanumeric() && c != '#' {
                    if !out.ends_with('.') {
                        out.push('.');
                    }
                } else {
                    out.push(c);
                }
            }
        }
        prev = Some(c);
    }
    out
}

fn part(p: &str) -> Part {
    if p.starts_with(|c: char| c.is_ascii_digit()) {
        let digits: &str = p.find(|c: char| !c.is_ascii_digit()).map_or(p, |end| p.get(..end).unwrap_or(p));
        debug_assert!(all_digits(digits));
        Part::Num(Num::from_digits(digits))
    } else {
        Part::Word(special_form(p))
    }
}

/// PHP's `compare_special_version_forms` ranks: the first form the word starts with.
fn special_form(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER_RANK),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS.iter().find(|(form, _)| word.starts_with(form)).map_or(-1, |&(_, rank)| rank)
}

/// A part's sort key. Numbers rank as `#` among words and, among themselves, by value. Where
/// PHP calls a `#` word equal to a number, Cairn puts it just below every number: PHP's rule is
/// not transitive (`1.2.3.#` would equal both `1.2.3` and `1.2.3.1`), and `Ord` must be.
fn key(p: &Part) -> (i8, u8, Option<&Num>) {
    match p {
        Part::Num(n) => (NUMBER_RANK, 1, Some(n)),
        Part::Word(r) => (*r, 0, None),
    }
}

impl Ord for PackagistVersion {
    /// Part by part; the shorter side is padded with `#` (PHP compares what is left of the
    /// longer version with `#N#`: a number wins, a word is ranked against `#`).
    fn cmp(&self, other: &Self) -> Ordering {
        let pad = Part::Word(NUMBER_RANK);
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| key(self.0.get(i).unwrap_or(&pad)).cmp(&key(other.0.get(i).unwrap_or(&pad))))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}
ord_via_cmp!(PackagistVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> PackagistVersion {
        match PackagistVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn php_manual_order() {
        let chain = ["1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1"];
        for w in chain.windows(2) {
            if let [a, b] = w {
                assert!(c(a) < c(b), "{a} < {b}");
            }
        }
        assert_eq!(c("1.0rc1"), c("1.0RC1"));
        assert_eq!(c("1.0.0-beta2"), c("1.0.0.b2"));
        assert!(c("1.0.0") > c("1.0"));
        assert!(c("dev-master") < c("0.0.1"));
        assert!(c("1.0.0-patch1") > c("1.0.0"));
        assert_eq!(c("v1.2.3"), c("1.2.3"));
    }

    #[test]
    fn canonicalisation() {
        assert_eq!(canonical("1.0rc1"), "1.0.rc.1");
        assert_eq!(canonical("1-_+2"), "1.2");
        assert_eq!(canonical("1.2.3.#"), "1.2.3.#");
        assert_eq!(canonical("1.2.3.!4"), "1.2.3.4");
        assert_eq!(canonical("1.2.3!4"), "1.2.3.!.4"); // as PHP: a transition keeps the character
    }

    #[test]
    fn rejects_empty() {
        assert!(PackagistVersion::parse("").is_err());
        assert!(PackagistVersion::parse("v").is_err());
        assert!(PackagistVersion::parse(".-_").is_err());
        assert!(PackagistVersion::parse("1 0").is_err());
    }
}
