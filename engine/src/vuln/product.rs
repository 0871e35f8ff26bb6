//! Which components a triage rule or a VEX statement names: a package URL, with or without a
//! version, and optionally a version range in the purl spec's `vers` syntax
//! (`vers:npm/>=1.0.0|<2.0.0`, the `vers:<type>/` prefix optional).
//!
//! A pattern without a version and without a range names every version of the package; with a
//! version, that version only. Qualifiers and subpath never take part (`?type=jar`, `#lib`).
//! Ranges compare versions in the ecosystem's own ordering ([`super::version`]); a version that
//! ordering cannot read is not matched (never guessed).

use std::cmp::Ordering;

use packageurl::PackageUrl;

use super::version::compare;
use crate::inventory::Ecosystem;

/// Why a pattern could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Not a package URL.
    #[error("not a package URL (pkg:type/namespace/name[@version]): {0}")]
    Purl(String),
    /// A range with a pinned version.
    #[error("a version range needs a package URL without a version")]
    RangeWithVersion,
    /// A range that does not read.
    #[error("not a version range ({0}); write comparators joined by |, e.g. >=1.0.0|<2.0.0")]
    Range(String),
    /// A range for a package type whose versions Cairn cannot order.
    #[error("versions of package type {0} have no ordering here, so a range cannot be evaluated")]
    Unordered(String),
}

/// `pkg:type/namespace/name` of a purl, without version, qualifiers and subpath (in the
/// `packageurl` crate's canonical spelling), and the version.
pub fn purl_parts(purl: &str) -> Option<(String, Option<String>)> {
    let p: PackageUrl<'_> = purl.parse().ok()?;
    let mut base = PackageUrl::new(p.ty().to_owned(), p.name().to_owned()).ok()?;
    if let Some(ns) = p.namespace() {
        base.with_namespace(ns.to_owned()).ok()?;
    }
    Some((base.to_string(), p.version().map(str::to_owned)))
}

/// One comparator of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A version range: `vers` constraints over one package type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    /// The OSV ecosystem whose ordering applies.
    ecosystem: &'static str,
    constraints: Vec<(Op, String)>,
    text: String,
}

impl VersionRange {
    /// Reads `>=1.0|<2.0` (or `vers:npm/>=1.0|<2.0`) for package type `purl_type`.
    pub fn parse(purl_type: &str, text: &str) -> Result<VersionRange, PatternError> {
        let ecosystem = Ecosystem::ALL
            .into_iter()
            .find(|e| e.purl_type() == purl_type)
            .map(Ecosystem::osv_name)
            .ok_or_else(|| PatternError::Unordered(purl_type.to_owned()))?;
        let body = match text.trim().strip_prefix("vers:") {
            Some(rest) => {
                rest.split_once('/').map(|(_, r)| r).ok_or_else(|| PatternError::Range(text.into()))?
            }
            None => text.trim(),
        };
        let mut constraints = Vec::new();
        for part in body.split('|').map(str::trim) {
            let (op, v) = if let Some(v) = part.strip_prefix(">=") {
                (Op::Ge, v)
            } else if let Some(v) = part.strip_prefix("<=") {
                (Op::Le, v)
            } else if let Some(v) = part.strip_prefix("!=") {
                (Op::Ne, v)
            } else if let Some(v) = part.strip_prefix('>') {
                (Op::Gt, v)
            } else if let Some(v) = part.strip_prefix('<') {
                (Op::Lt, v)
            } else if let Some(v) = part.strip_prefix('=') {
                (Op::Eq, v)
            } else {
                (Op::Eq, part)
            };
            let v = v.trim();
            if v.is_empty() || v.contains(char::is_whitespace) {
                return Err(PatternError::Range(text.into()));
            }
            // The bounds themselves must be versions of the ecosystem, or nothing could match.
            compare(ecosystem, v, v).map_err(|e| PatternError::Range(format!("{v}: {e}")))?;
            constraints.push((op, v.to_owned()));
        }
        if constraints.is_empty() {
            return Err(PatternError::Range(text.into()));
        }
        Ok(VersionRange { ecosystem, constraints, text: text.trim().to_owned() })
    }

    /// The range as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `version` is in the range; `None` when the ecosystem's ordering cannot read it.
    ///
    /// `vers` semantics: an equal constraint names one version, `!=` excludes one; the ordered
    /// comparators pair up as intervals (`>=a|<b`), a lone lower or upper bound is open-ended.
    pub fn contains(&self, version: &str) -> Option<bool> {
        let cmp = |bound: &str| compare(self.ecosystem, version, bound).ok();
        for (op, v) in &self.constraints {
            match op {
                Op::Eq if cmp(v)? == Ordering::Equal => return Some(true),
                Op::Ne if cmp(v)? == Ordering::Equal => return Some(false),
                _ => {}
            }
        }
        let mut bounds: Vec<&(Op, String)> =
            self.constraints.iter().filter(|(op, _)| !matches!(op, Op::Eq | Op::Ne)).collect();
        bounds.sort_by(|a, b| compare(self.ecosystem, &a.1, &b.1).unwrap_or(Ordering::Equal));
        let above = |op: Op, v: &str| -> Option<bool> {
            let o = cmp(v)?;
            Some(if op == Op::Ge { o != Ordering::Less } else { o == Ordering::Greater })
        };
        let below = |op: Op, v: &str| -> Option<bool> {
            let o = cmp(v)?;
            Some(if op == Op::Le { o != Ordering::Greater } else { o == Ordering::Less })
        };
        let mut i = 0;
        while i < bounds.len() {
            let (op, v) = bounds[i];
            match op {
                Op::Gt | Op::Ge => {
                    let upper = bounds.get(i + 1).filter(|(o, _)| matches!(o, Op::Lt | Op::Le));
                    let inside = above(*op, v)? && upper.map_or(Some(true), |(o, u)| below(*o, u))?;
                    if inside {
                        return Some(true);
                    }
                    i += if upper.is_some() { 2 } else { 1 };
                }
                _ => {
                    if below(*op, v)? {
                        return Some(true);
                    }
                    i += 1;
                }
            }
        }
        Some(false)
    }
}

/// A package URL naming one version, every version, or a range of versions of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlPattern {
    base: String,
    version: Option<String>,
    range: Option<VersionRange>,
}

impl PurlPattern {
    /// `purl` (with or without a version) and an optional range (only without a version).
    pub fn new(purl: &str, range: Option<&str>) -> Result<PurlPattern, PatternError> {
        let (base, version) = purl_parts(purl).ok_or_else(|| PatternError::Purl(purl.to_owned()))?;
        let range = match range.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(_) if version.is_some() => return Err(PatternError::RangeWithVersion),
            Some(r) => {
                let ty = base.trim_start_matches("pkg:").split('/').next().unwrap_or_default();
                Some(VersionRange::parse(ty, r)?)
            }
        };
        Ok(PurlPattern { base, version, range })
    }

    /// `pkg:type/namespace/name` (canonical).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether the component `purl` is one this pattern names.
    pub fn matches(&self, purl: &str) -> bool {
        let Some((base, version)) = purl_parts(purl) else { return false };
        if base != self.base {
            return false;
        }
        match (&self.version, &self.range, version) {
            (Some(want), _, Some(v)) => *want == v,
            (Some(_), _, None) => false,
            (None, Some(r), Some(v)) => r.contains(&v).unwrap_or(false),
            (None, Some(_), None) => false,
            (None, None, _) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purl_without_version_names_every_version_and_qualifiers_do_not_count() {
        let p =
            PurlPattern::new("pkg:maven/com.fasterxml.jackson.core/jackson-databind", None).expect("pattern");
        assert!(p.matches("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"));
        assert!(!p.matches("pkg:maven/com.fasterxml.jackson.core/jackson-core@2.10.0"));
        let pinned = PurlPattern::new("pkg:pypi/lxml@4.6.2", None).expect("pattern");
        assert!(pinned.matches("pkg:pypi/lxml@4.6.2"));
        assert!(!pinned.matches("pkg:pypi/lxml@4.6.3"));
        assert!(PurlPattern::new("lxml", None).is_err());
    }

    #[test]
    fn ranges_use_the_ecosystems_ordering() {
        let p = PurlPattern::new("pkg:pypi/lxml", Some(">=4.0|<4.6.3")).expect("pattern");
        assert!(p.matches("pkg:pypi/lxml@4.6.2"));
        assert!(p.matches("pkg:pypi/lxml@4.0"));
        assert!(!p.matches("pkg:pypi/lxml@4.6.3"));
        assert!(!p.matches("pkg:pypi/lxml@3.9"));
        // PEP 440: 4.6.2.post1 sorts after 4.6.2 and before 4.6.3.
        assert!(p.matches("pkg:pypi/lxml@4.6.2.post1"));
        let vers = PurlPattern::new("pkg:npm/minimist", Some("vers:npm/1.2.0|>=1.2.6")).expect("pattern");
        assert!(vers.matches("pkg:npm/minimist@1.2.0"));
        assert!(!vers.matches("pkg:npm/minimist@1.2.5"));
        assert!(vers.matches("pkg:npm/minimist@1.2.8"));
        let upper = PurlPattern::new("pkg:cargo/time", Some("<0.2.23")).expect("pattern");
        assert!(upper.matches("pkg:cargo/time@0.1.45"));
        assert!(!upper.matches("pkg:cargo/time@0.2.23"));
    }

    #[test]
    fn bad_ranges_are_refused_with_the_reason() {
        assert_eq!(PurlPattern::new("pkg:pypi/lxml@4.6.2", Some("<5")), Err(PatternError::RangeWithVersion));
        assert!(matches!(PurlPattern::new("pkg:pypi/lxml", Some(">=")), Err(PatternError::Range(_))));
        assert!(matches!(PurlPattern::new("pkg:generic/x", Some("<1")), Err(PatternError::Unordered(_))));
    }
}
