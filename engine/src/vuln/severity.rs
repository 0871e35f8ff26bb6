//! A finding's severity: CVSS v4 or v3.x vectors scored with the `cvss` crate (RustSec's), else
//! the database's own rating, else a CVSS v2 vector, else unknown — and which of these it was.

use super::osv::{Advisory, Affected, SeverityScore, SeverityType};
use serde::Serialize;
use serde_json::Value;
use std::str::FromStr;

/// A qualitative rating: Cairn's one [`cairn_vocab::Severity`], under the engine's name (its
/// [`Severity`] is the whole assessment). CVSS 0.0 is [`Rating::None`], decided where the `cvss`
/// crate's rating becomes the word (`From<cvss::Severity>` in cairn-vocab).
pub use cairn_vocab::Severity as Rating;

/// A database's own word: GHSA's LOW/MODERATE/HIGH/CRITICAL, Ubuntu's priorities. `unknown` is
/// no rating.
fn rating_of_word(s: &str) -> Option<Rating> {
    let word = s.trim().to_ascii_lowercase();
    match word.as_str() {
        "important" => Some(Rating::High),
        "moderate" => Some(Rating::Medium),
        "negligible" => Some(Rating::Low),
        w => w.parse::<Rating>().ok().filter(|r| *r != Rating::Unknown),
    }
}

/// Where a severity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeveritySource {
    /// A CVSS 4.0 vector.
    CvssV4,
    /// A CVSS 3.0 or 3.1 vector.
    CvssV3,
    /// The database's own rating (`database_specific.severity`, an Ubuntu priority).
    Database,
    /// A CVSS 2.0 vector (NVD's v2 bands).
    CvssV2,
    /// Nothing usable.
    None,
}

/// A finding's severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Severity {
    /// The rating.
    pub rating: Rating,
    /// The CVSS base score, when a vector was scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The vector or word it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// Which of the sources it was.
    pub source: SeveritySource,
    /// The alias advisory whose record gave it, when none of the finding's own advisories had a
    /// severity (a RustSec or PyPA record whose GHSA alias is loaded too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_alias: Option<String>,
}

impl Severity {
    /// No usable severity.
    pub fn unknown() -> Severity {
        Severity {
            rating: Rating::Unknown,
            score: None,
            vector: None,
            source: SeveritySource::None,
            from_alias: None,
        }
    }
}

/// The severity of `advisory` for the package of `affected`: the package's own `severity` list
/// when it has one (the schema puts it there or at the top, never both), else the advisory's.
pub fn assess(advisory: &Advisory, affected: &Affected) -> Severity {
    let scores = if affected.severity().is_empty() { advisory.severity() } else { affected.severity() };
    assess_scores(scores, [affected.database_specific(), advisory.database_specific()])
}

/// The severity of `advisory` from its top-level fields alone (an alias record about another
/// package, where no `affected` entry is the component's).
pub fn assess_advisory(advisory: &Advisory) -> Severity {
    assess_scores(advisory.severity(), [None, advisory.database_specific()])
}

fn assess_scores(scores: &[SeverityScore], specific: [Option<&Value>; 2]) -> Severity {
    if let Some(s) = cvss_of(scores, &SeverityType::CvssV4, SeveritySource::CvssV4)
        .or_else(|| cvss_of(scores, &SeverityType::CvssV3, SeveritySource::CvssV3))
    {
        return s;
    }
    let words = specific
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("severity").and_then(Value::as_str))
        .chain(scores.iter().filter(|s| s.kind == SeverityType::Ubuntu).map(|s| s.score.as_str()));
    for w in words {
        if let Some(rating) = rating_of_word(w) {
            return Severity {
                rating,
                score: None,
                vector: Some(w.to_owned()),
                source: SeveritySource::Database,
                from_alias: None,
            };
        }
    }
    cvss_of(scores, &SeverityType::CvssV2, SeveritySource::CvssV2).unwrap_or_else(Severity::unknown)
}

fn cvss_of(scores: &[SeverityScore], kind: &SeverityType, source: SeveritySource) -> Option<Severity> {
    scores.iter().filter(|s| &s.kind == kind).find_map(|s| {
        let v = cvss::Cvss::from_str(s.score.trim()).ok()?;
        let score = v.score();
        let rating = match v {
            // CVSS v2 has no qualitative scale of its own; NVD's bands are the common reading.
            cvss::Cvss::CvssV20(_) => match score {
                x if x >= 7.0 => Rating::High,
                x if x >= 4.0 => Rating::Medium,
                _ => Rating::Low,
            },
            _ => Rating::from(v.severity()),
        };
        Some(Severity { rating, score: Some(score), vector: Some(s.score.clone()), source, from_alias: None })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(json: &str) -> Severity {
        let a = Advisory::from_json(json.as_bytes()).expect("valid");
        assess(&a, &a.affected()[0])
    }

    #[test]
    fn cvss_v3_is_scored() {
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"affected":[{}]}"#,
        );
        assert_eq!((s.rating, s.score, s.source), (Rating::Critical, Some(9.8), SeveritySource::CvssV3));
    }

    #[test]
    fn cvss_v4_wins_over_v3() {
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"}],"affected":[{}]}"#,
        );
        assert_eq!(s.source, SeveritySource::CvssV4);
        assert_eq!(s.rating, Rating::Medium);
        assert_eq!(s.score, Some(6.9));
    }

    #[test]
    fn database_word_then_unknown() {
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","database_specific":{"severity":"MODERATE"},"affected":[{}]}"#,
        );
        assert_eq!((s.rating, s.source), (Rating::Medium, SeveritySource::Database));
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"garbage"}],"affected":[{}]}"#,
        );
        assert_eq!(s, Severity::unknown());
    }

    #[test]
    fn package_severity_overrides_the_top_level() {
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"severity":[{"type":"Ubuntu","score":"high"}]}]}"#,
        );
        assert_eq!((s.rating, s.source), (Rating::High, SeveritySource::Database));
    }

    #[test]
    fn cvss_v2_uses_nvd_bands() {
        let s = sev(
            r#"{"id":"A","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:P/I:P/A:P"}],"affected":[{}]}"#,
        );
        assert_eq!((s.rating, s.score, s.source), (Rating::High, Some(7.5), SeveritySource::CvssV2));
    }
}
