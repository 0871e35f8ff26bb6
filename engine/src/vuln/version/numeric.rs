//! Purely numeric schemes: CRAN (R's `package_version`: two or more non-negative integers
//! separated by `.` or `-`) and Hackage (Haskell's `Data.Version`: one or more separated by
//! `.`). Parts compare numerically, left to right; a version that is a prefix of another is
//! smaller, so `1.0` < `1.0.0` (no zero padding, unlike most schemes).

use super::num::{Num, all_digits};
use super::{Scheme, VersionError};

fn parts(s: &str, scheme: Scheme, seps: &[char], min: usize) -> Result<Vec<Num>, VersionError> {
    let err = |reason| VersionError::unparsable(scheme, s, reason);
    let parts: Vec<Num> = s
        .split(seps)
        .map(|p| {
            if all_digits(p) { Ok(Num::from_digits(p)) } else { Err(err("parts must be non-empty numbers")) }
        })
        .collect::<Result<_, _>>()?;
    if parts.len() < min {
        return Err(err(if min == 2 { "needs at least two numeric parts" } else { "empty" }));
    }
    Ok(parts)
}

/// An R package version (CRAN, Bioconductor).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CranVersion(Vec<Num>);

impl CranVersion {
    /// Parse an R package version such as `1.0-3` or `0.12.1`.
    pub fn parse(s: &str) -> Result<CranVersion, VersionError> {
        parts(s, Scheme::Cran, &['.', '-'], 2).map(CranVersion)
    }
}

/// A Haskell package version (Hackage, GHC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HackageVersion(Vec<Num>);

impl HackageVersion {
    /// Parse a Haskell package version such as `0.11.3.0`.
    pub fn parse(s: &str) -> Result<HackageVersion, VersionError> {
        parts(s, Scheme::Hackage, &['.'], 1).map(HackageVersion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cran() {
        let c = |s| CranVersion::parse(s).ok();
        assert_eq!(c("1.0-3"), c("1.0.3"));
        assert!(c("0.9") < c("0.75"));
        assert!(c("1.0") < c("1.0.0"));
        assert_eq!(c("0.01"), c("0.1"));
        for s in ["", "1", "1.", "1..2", "a.b", "1.0a", "1_0", "v1.0"] {
            assert!(CranVersion::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn hackage() {
        let h = |s| HackageVersion::parse(s).ok();
        assert!(h("1.0") > h("1"));
        assert!(h("0.11.3.0") < h("1.0.0.0"));
        assert!(h("0") < h("0.1.26.0"));
        for s in ["", "1.", "1-0", "1.0-tag", "1..0"] {
            assert!(HackageVersion::parse(s).is_err(), "{s:?}");
        }
    }
}
