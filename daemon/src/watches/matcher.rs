//! Whether a place in a project's results is a hit of a watch: an open finding of the advisory
//! (its OSV id or an alias, ASCII case ignored: `cve-2021-28957` is `CVE-2021-28957`), or a
//! component of the package (the engine's [`PurlPattern`]: type, namespace and name, then the
//! version or the range in the ecosystem's ordering).

use cairn_engine::vuln::{PatternError, PurlPattern};
use cairn_sdk::types::WatchTarget;

use crate::store::HitCandidate;

/// A watch's target, ready to test candidates.
#[derive(Debug)]
pub enum Matcher {
    /// An advisory id or alias.
    Advisory(String),
    /// A package pattern.
    Package(PurlPattern),
}

impl Matcher {
    /// The matcher of `target`; a purl or range that does not read is an error.
    pub fn new(target: &WatchTarget) -> Result<Self, PatternError> {
        Ok(match target {
            WatchTarget::Advisory { id } => Matcher::Advisory(id.clone()),
            WatchTarget::Package { purl, version_range } => {
                Matcher::Package(PurlPattern::new(purl, version_range.as_deref())?)
            }
        })
    }

    /// The canonical `pkg:type/namespace/name` of a package watch.
    pub fn base(&self) -> Option<&str> {
        match self {
            Matcher::Advisory(_) => None,
            Matcher::Package(p) => Some(p.base()),
        }
    }

    /// Whether `c` is a hit: a finding for an advisory watch, a component for a package watch.
    pub fn hits(&self, c: &HitCandidate) -> bool {
        match self {
            Matcher::Advisory(id) => {
                c.finding.is_some()
                    && (c.advisory.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(id))
                        || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(id)))
            }
            Matcher::Package(p) => c.finding.is_none() && p.matches(&c.purl),
        }
    }
}

#[cfg(test)]
mod tests {
    use cairn_sdk::types::{ProjectId, ScanId, Severity};

    use super::*;

    fn finding(advisory: &str, aliases: &[&str], purl: &str) -> HitCandidate {
        HitCandidate {
            project: ProjectId::new(),
            scan: ScanId::new(),
            advisory: Some(advisory.into()),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            purl: purl.into(),
            finding: Some("f".into()),
            severity: Some(Severity::Medium),
        }
    }

    fn component(purl: &str) -> HitCandidate {
        HitCandidate {
            advisory: None,
            aliases: Vec::new(),
            finding: None,
            severity: None,
            ..finding("", &[], purl)
        }
    }

    #[test]
    fn an_advisory_watch_matches_the_id_or_an_alias_in_any_case() {
        // PYSEC-2021-19 as PyPA's advisory-database lists it (engine/tests/fixtures/osv/pypa).
        let f = finding("PYSEC-2021-19", &["CVE-2021-28957", "GHSA-jq4v-f5q6-mjqq"], "pkg:pypi/lxml@4.6.2");
        for id in ["PYSEC-2021-19", "CVE-2021-28957", "cve-2021-28957", "ghsa-jq4v-f5q6-mjqq"] {
            assert!(Matcher::new(&WatchTarget::advisory(id)).expect("matcher").hits(&f), "{id}");
        }
        assert!(!Matcher::new(&WatchTarget::advisory("CVE-2021-2895")).expect("matcher").hits(&f));
        assert!(
            !Matcher::new(&WatchTarget::advisory("PYSEC-2021-19"))
                .expect("m")
                .hits(&component("pkg:pypi/lxml@4.6.2"))
        );
    }

    #[test]
    fn a_package_watch_matches_the_version_or_the_range_in_the_ecosystems_order() {
        let any = Matcher::new(&WatchTarget::package("pkg:pypi/lxml", None)).expect("matcher");
        assert_eq!(any.base(), Some("pkg:pypi/lxml"));
        assert!(any.hits(&component("pkg:pypi/lxml@4.6.2")));
        assert!(!any.hits(&component("pkg:pypi/lxml-stubs@4.6.2")));
        let range = Matcher::new(&WatchTarget::package("pkg:pypi/lxml", Some("<4.6.3".into()))).expect("m");
        assert!(range.hits(&component("pkg:pypi/lxml@4.6.2")));
        // PEP 440: 4.6.10 is after 4.6.3 (a string order would say before).
        assert!(!range.hits(&component("pkg:pypi/lxml@4.6.10")));
        let exact = Matcher::new(&WatchTarget::package("pkg:pypi/lxml@4.6.2", None)).expect("m");
        assert!(exact.hits(&component("pkg:pypi/lxml@4.6.2")));
        assert!(!exact.hits(&component("pkg:pypi/lxml@4.6.3")));
        assert!(Matcher::new(&WatchTarget::package("pkg:pypi/lxml", Some(">=".into()))).is_err());
        assert!(Matcher::new(&WatchTarget::package("lxml", None)).is_err());
    }
}
