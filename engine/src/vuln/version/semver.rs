//! SemVer 2.0 (<https://semver.org>) for crates.io, npm, Go, Hex, SwiftURL and friends, and
//! Dart's pub_semver variant in which build metadata orders.
//!
//! Grammar is SemVer's: exactly three numeric parts without leading zeros, an optional
//! dot-separated pre-release (numeric identifiers without leading zeros) and build metadata.
//! Numbers may be any size. Tolerances, all of them prefixes no valid SemVer can start with:
//! - every scheme accepts one leading `v` (Go's form, and OSV data sometimes carries it);
//! - npm also accepts what node-semver's loose mode strips: surrounding spaces and a leading
//!   `=` (`=v1.2.3`), as `npm install` does;
//! - Pub accepts leading zeros (Dart parses parts with `int.parse`).
//!
//! Partial versions (`1.2`) and extra parts (`1.2.3.4`) are rejected: SemVer §2 says three.
//! OSV data is read more leniently, as OSV.dev reads it ([`osv_reading`]): a version in an
//! advisory that is not strict SemVer is normalised the way osv.dev's `semver_index` does
//! before it gives up, so `introduced: "1.0"` is `1.0.0` there and here.

use super::num::{Num, all_digits};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

/// A dot-separated identifier of a pre-release or build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ident {
    /// All digits: compared numerically, and before any alphanumeric identifier.
    Numeric(Num),
    /// Anything else: compared by ASCII.
    Alpha(String),
}

/// A SemVer 2.0 version. Build metadata is kept but does not order.
#[derive(Debug, Clone)]
pub struct SemverVersion {
    core: [Num; 3],
    pre: Vec<Ident>,
    build: Vec<Ident>,
}

struct Rules {
    scheme: Scheme,
    leading_zeros: bool,
}

impl SemverVersion {
    /// Parse a SemVer 2.0 version (crates.io, Hex, SwiftURL, …); one leading `v` is tolerated.
    pub fn parse(s: &str) -> Result<SemverVersion, VersionError> {
        let rules = Rules { scheme: Scheme::SemVer, leading_zeros: false };
        parse_with(s, s.strip_prefix('v').unwrap_or(s), &rules)
    }

    /// Parse as node-semver does in loose mode: spaces around, then `=` and/or `v`, are ignored.
    pub fn parse_npm(s: &str) -> Result<SemverVersion, VersionError> {
        let rules = Rules { scheme: Scheme::Npm, leading_zeros: false };
        let t = s.trim();
        let t = t.strip_prefix('=').unwrap_or(t).trim_start();
        parse_with(s, t.strip_prefix('v').unwrap_or(t), &rules)
    }

    /// Parse a Go module version, with or without its `v` (OSV's Go data omits it).
    pub fn parse_go(s: &str) -> Result<SemverVersion, VersionError> {
        let rules = Rules { scheme: Scheme::Go, leading_zeros: false };
        parse_with(s, s.strip_prefix('v').unwrap_or(s), &rules)
    }

    /// Whether this is a pre-release.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    fn cmp_precedence(&self, other: &Self) -> Ordering {
        self.core.cmp(&other.core).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        })
    }
}

impl Ord for SemverVersion {
    /// SemVer precedence (§11): build metadata ignored.
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_precedence(other)
    }
}
ord_via_cmp!(SemverVersion);

/// The strict SemVer spelling OSV.dev reads `s` as, when `s` is not strict SemVer but of a form
/// OSV.dev normalises (its `semver_index` coercion): one leading `v` dropped; a missing minor or
/// patch added as `.0` (`1` → `1.0.0`, `1.2` → `1.2.0`); leading zeros dropped from the numeric
/// parts and from numeric pre-release identifiers; an empty pre-release or build identifier
/// becomes `-`. `None` when that changes nothing (the text is not a version OSV.dev can read
/// either, such as `1.2.3.4` or `1.x`). Whether the result parses is the caller's question.
pub fn osv_normalised(s: &str) -> Option<String> {
    let t = s.strip_prefix('v').unwrap_or(s);
    let mut rest = t;
    let mut core: Vec<String> = Vec::with_capacity(3);
    for i in 0..3 {
        let digits = if i == 0 {
            rest
        } else {
            // A missing part is padded; `.` not followed by a digit ends the numeric core.
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => r,
                _ => {
                    core.push("0".into());
                    continue;
                }
            }
        };
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        if end == 0 {
            return None;
        }
        core.push(no_leading_zeros(&digits[..end]));
        rest = &digits[end..];
    }
    let mut out = core.join(".");
    if let Some(after) = rest.strip_prefix('-') {
        let (pre, tail) = after.split_once('+').map_or((after, None), |(p, b)| (p, Some(b)));
        let ids: Vec<String> = pre
            .split('.')
            .map(|id| match id {
                "" => "-".to_owned(),
                _ if all_digits(id) => no_leading_zeros(id),
                _ => id.to_owned(),
            })
            .collect();
        out.push('-');
        out.push_str(&ids.join("."));
        rest = tail.map_or("", |_| &after[pre.len()..]);
    }
    if let Some(build) = rest.strip_prefix('+') {
        let ids: Vec<&str> = build.split('.').map(|id| if id.is_empty() { "-" } else { id }).collect();
        out.push('+');
        out.push_str(&ids.join("."));
        rest = "";
    }
    // Anything else (`.4` of `1.2.3.4`, `rc1` of `1.0rc1`) stays and fails the strict parse.
    out.push_str(rest);
    (out != t).then_some(out)
}

fn no_leading_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
}

fn parse_with(original: &str, s: &str, rules: &Rules) -> Result<SemverVersion, VersionError> {
    let err = |reason| VersionError::unparsable(rules.scheme, original, reason);
    let (rest, build) = match s.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let mut parts = core.split('.');
    let mut next = || -> Result<Num, VersionError> {
        let p = parts.next().ok_or_else(|| err("needs major.minor.patch"))?;
        if !all_digits(p) {
            return Err(err("major, minor and patch must be numbers"));
        }
        if !rules.leading_zeros && p.len() > 1 && p.starts_with('0') {
            return Err(err("numbers must not have leading zeros"));
        }
        Ok(Num::from_digits(p))
    };
    let core = [next()?, next()?, next()?];
    if parts.next().is_some() {
        return Err(err("more than three numeric parts"));
    }
    let pre = match pre {
        Some(pre) => idents(pre, !rules.leading_zeros).map_err(err)?,
        None => Vec::new(),
    };
    let build = match build {
        Some(build) => idents(build, false).map_err(err)?,
        None => Vec::new(),
    };
    Ok(SemverVersion { core, pre, build })
}

fn idents(s: &str, strict_numbers: bool) -> Result<Vec<Ident>, &'static str> {
    s.split('.')
        .map(|id| {
            if id.is_empty() {
                Err("empty pre-release or build identifier")
            } else if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                Err("identifiers may hold only ASCII letters, digits and '-'")
            } else if all_digits(id) {
                if strict_numbers && id.len() > 1 && id.starts_with('0') {
                    Err("numeric pre-release identifiers must not have leading zeros")
                } else {
                    Ok(Ident::Numeric(Num::from_digits(id)))
                }
            } else {
                Ok(Ident::Alpha(id.to_owned()))
            }
        })
        .collect()
}

/// A Dart package version (pub_semver): SemVer whose build metadata orders too — a version with
/// build metadata comes after the same version without, and builds compare like pre-releases.
#[derive(Debug, Clone)]
pub struct PubVersion(SemverVersion);

impl PubVersion {
    /// Parse a pub version; a leading `v` and leading zeros are tolerated.
    pub fn parse(s: &str) -> Result<PubVersion, VersionError> {
        let rules = Rules { scheme: Scheme::Pub, leading_zeros: true };
        parse_with(s, s.strip_prefix('v').unwrap_or(s), &rules).map(PubVersion)
    }
}

impl Ord for PubVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        a.cmp_precedence(b).then_with(|| match (a.build.is_empty(), b.build.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a.build.cmp(&b.build),
        })
    }
}
ord_via_cmp!(PubVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> SemverVersion {
        match SemverVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn spec_precedence_example() {
        // SemVer §11's chain.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in chain.windows(2) {
            if let [a, b] = w {
                assert!(v(a) < v(b), "{a} < {b}");
            }
        }
    }

    #[test]
    fn build_metadata_is_ignored_except_in_pub() {
        assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
        assert_eq!(v("1.0.0+incompatible"), v("1.0.0"));
        let p = |s| PubVersion::parse(s).ok();
        assert!(p("1.0.0") < p("1.0.0+1"));
        assert!(p("1.0.0+1") < p("1.0.0+a"));
        assert!(p("1.0.0-pre+1") < p("1.0.0"));
    }

    #[test]
    fn go_pseudo_versions_are_prereleases() {
        let g = |s| SemverVersion::parse_go(s).ok();
        assert!(g("v0.0.0-20200101000000-abcdefabcdef") < g("v0.0.0"));
        assert!(g("v1.2.4-0.20200101000000-abcdefabcdef") > g("v1.2.3"));
        assert!(g("v1.2.4-0.20200101000000-abcdefabcdef") < g("v1.2.4"));
        assert_eq!(g("v2.0.0+incompatible"), g("2.0.0"));
    }

    #[test]
    fn npm_loose_prefixes() {
        let n = |s| SemverVersion::parse_npm(s).ok();
        assert!(n("=1.2.3").is_some());
        assert_eq!(n(" =v1.2.3 "), n("1.2.3"));
        assert!(SemverVersion::parse("=1.2.3").is_err());
    }

    #[test]
    fn rejects_what_semver_rejects() {
        for s in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3-a_b",
            "a.b.c",
            "1.2.3 ",
            "vv1.2.3",
            "1.2.-3",
            "١.٢.٣",
        ] {
            assert!(SemverVersion::parse(s).is_err(), "{s:?}");
        }
        assert!(SemverVersion::parse("1.2.3-0a").is_ok());
        assert!(SemverVersion::parse("1.2.3+01").is_ok());
    }

    #[test]
    fn osv_normalises_as_osv_dev_does() {
        let n = |s: &str| osv_normalised(s);
        assert_eq!(n("1.0").as_deref(), Some("1.0.0"));
        assert_eq!(n("1").as_deref(), Some("1.0.0"));
        assert_eq!(n("v2.1").as_deref(), Some("2.1.0"));
        assert_eq!(n("01.02.003").as_deref(), Some("1.2.3"));
        assert_eq!(n("1.0-beta.01").as_deref(), Some("1.0.0-beta.1"));
        assert_eq!(n("1.2-rc.1+build.5").as_deref(), Some("1.2.0-rc.1+build.5"));
        assert_eq!(n("1.0.0-a..0").as_deref(), Some("1.0.0-a.-.0"));
        assert_eq!(n("1.0.0+b..1").as_deref(), Some("1.0.0+b.-.1"));
        assert_eq!(n("1.2+meta").as_deref(), Some("1.2.0+meta"));
        // Already strict, or beyond what OSV.dev reads: no new spelling that parses.
        assert_eq!(n("1.2.3"), None);
        assert!(n("1.2.3.4").is_none_or(|s| SemverVersion::parse(&s).is_err()));
        assert!(n("1.0rc1").is_none_or(|s| SemverVersion::parse(&s).is_err()));
        assert!(n("1.x").is_none_or(|s| SemverVersion::parse(&s).is_err()));
        assert_eq!(n("x"), None);
        assert_eq!(n(""), None);
    }

    #[test]
    fn huge_numbers() {
        assert!(v("1.0.99999999999999999999999") > v("1.0.9999999999999999999999"));
    }
}
