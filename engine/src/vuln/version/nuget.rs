//! NuGet versions (<https://learn.microsoft.com/nuget/concepts/package-versioning>): one to four
//! numeric parts (missing ones are 0, leading zeros allowed: `1.0.01` = `1.0.1.0`), an optional
//! dot-separated pre-release compared case-insensitively (numeric labels numerically and before
//! alphanumeric ones), and build metadata that does not order.

use super::num::{Num, all_digits};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Numeric(Num),
    /// Lower-cased (NuGet compares labels ordinal, ignoring case).
    Alpha(String),
}

/// A NuGet package version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    parts: [Num; 4],
    pre: Vec<Label>,
}

impl NuGetVersion {
    /// Parse a NuGet version.
    pub fn parse(s: &str) -> Result<NuGetVersion, VersionError> {
        let err = |reason| VersionError::unparsable(Scheme::NuGet, s, reason);
        let rest = s.split_once('+').map_or(s, |(rest, _)| rest);
        if let Some((_, build)) = s.split_once('+')
            && (build.is_empty()
                || build
                    .split('.')
                    .any(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')))
        {
            return Err(err("invalid build metadata"));
        }
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let mut parts = [Num::zero(), Num::zero(), Num::zero(), Num::zero()];
        for (count, p) in core.split('.').enumerate() {
            if !all_digits(p) {
                return Err(err("version parts must be numbers"));
            }
            let slot = parts.get_mut(count).ok_or_else(|| err("more than four version parts"))?;
            *slot = Num::from_digits(p);
        }
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                        Err(err("invalid pre-release label"))
                    } else if all_digits(id) {
                        Ok(Label::Numeric(Num::from_digits(id)))
                    } else {
                        Ok(Label::Alpha(id.to_ascii_lowercase()))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(NuGetVersion { parts, pre })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        })
    }
}
ord_via_cmp!(NuGetVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<NuGetVersion> {
        NuGetVersion::parse(s).ok()
    }

    #[test]
    fn documented_examples() {
        assert_eq!(n("1.0"), n("1.0.0.0"));
        assert_eq!(n("1.0.01"), n("1.0.1.0"));
        assert_eq!(n("1.0.0-BETA"), n("1.0.0-beta"));
        assert_eq!(n("1.0.0+build"), n("1.0.0"));
        assert!(n("1.0.0-alpha") < n("1.0.0-alpha.1"));
        assert!(n("1.0.0-beta.2") < n("1.0.0-beta.11"));
        assert!(n("1.0.0-rc.1") < n("1.0.0"));
        assert!(n("1.0.0") < n("1.0.0.1-alpha"));
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "1.2.3.4.5", "a", "1..2", "1.0-", "1.0+", "1.0-a..b", "1.0 ", "v1.0"] {
            assert!(n(s).is_none(), "{s:?}");
        }
    }
}
