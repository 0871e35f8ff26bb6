//! Denied packages: a purl without its version, as a glob (`pkg:npm/event-stream`,
//! `pkg:maven/org.apache.logging.log4j/*`), optionally pinned to one version
//! (`pkg:npm/event-stream@3.3.6`).

use globset::{GlobBuilder, GlobMatcher};
use serde::{Serialize, Serializer};

/// A checked purl pattern.
#[derive(Debug, Clone)]
pub struct PurlPattern {
    text: String,
    glob: GlobMatcher,
    version: Option<String>,
}

impl PartialEq for PurlPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Serialize for PurlPattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// A purl's parts a pattern compares: everything before the version, and the version.
pub fn split_purl(purl: &str) -> (&str, Option<&str>) {
    // Qualifiers and subpath never take part in identity here.
    let purl = purl.split(['?', '#']).next().unwrap_or(purl);
    let last_slash = purl.rfind('/').unwrap_or(0);
    match purl[last_slash..].find('@') {
        Some(at) => (&purl[..last_slash + at], Some(&purl[last_slash + at + 1..])),
        None => (purl, None),
    }
}

impl PurlPattern {
    /// Parses `text`; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<PurlPattern, String> {
        if !text.starts_with("pkg:") || !text.contains('/') {
            return Err(format!(
                "{text:?} is not a purl pattern (pkg:TYPE/NAME, globs allowed, optional @VERSION)"
            ));
        }
        let (base, version) = split_purl(text);
        if version.is_some_and(str::is_empty) {
            return Err(format!("{text:?} has an empty version after @"));
        }
        let glob = GlobBuilder::new(base)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("{text:?}: {e}"))?
            .compile_matcher();
        Ok(PurlPattern { text: text.to_owned(), glob, version: version.map(str::to_owned) })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether a component's purl matches.
    pub fn matches(&self, purl: &str) -> bool {
        let (base, version) = split_purl(purl);
        self.glob.is_match(base) && self.version.as_deref().is_none_or(|v| version == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_globs_and_pinned_versions() {
        let any = PurlPattern::parse("pkg:npm/event-stream").expect("pattern");
        assert!(any.matches("pkg:npm/event-stream@3.3.6"));
        assert!(!any.matches("pkg:npm/event-stream-extra@1.0.0"));
        let one = PurlPattern::parse("pkg:npm/event-stream@3.3.6").expect("pattern");
        assert!(one.matches("pkg:npm/event-stream@3.3.6"));
        assert!(!one.matches("pkg:npm/event-stream@3.3.5"));
        let group = PurlPattern::parse("pkg:maven/org.apache.logging.log4j/*").expect("pattern");
        assert!(group.matches("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"));
        assert!(!group.matches("pkg:maven/org.slf4j/slf4j-api@2.0.0"));
        let scoped = PurlPattern::parse("pkg:npm/%40babel/*").expect("pattern");
        assert!(scoped.matches("pkg:npm/%40babel/core@7.0.0"));
        assert!(PurlPattern::parse("event-stream").is_err());
        assert!(PurlPattern::parse("pkg:npm/x@").is_err());
    }
}
