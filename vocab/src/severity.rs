//! A finding's qualitative severity.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A qualitative severity, ordered from least to most severe. `Unknown` (no usable score) sorts
/// lowest, below `None`, so "at or above a threshold" never counts it: a CI gate counts unknowns
/// only when asked to.
///
/// `None` is CVSS 0.0, the bottom of the CVSS v3.1 and v4.0 qualitative scale (CVSS v3.1
/// specification §5: 0.0 None, 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0–10.0 Critical):
/// rated, and below low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Severity {
    /// No usable severity in the data.
    Unknown,
    /// CVSS 0.0.
    None,
    /// Low (CVSS 0.1–3.9).
    Low,
    /// Medium (CVSS 4.0–6.9; GHSA's "moderate").
    Medium,
    /// High (CVSS 7.0–8.9).
    High,
    /// Critical (CVSS 9.0–10.0).
    Critical,
}

impl Severity {
    /// Every severity, most severe first (the order of summaries and of a triager's list).
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::None,
        Severity::Unknown,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The one place that decides what a CVSS base score's qualitative rating is in Cairn's words: the
/// `cvss` crate (RustSec's) bands v3.x and v4.0 scores by the specification's scale, and its
/// `None` (score 0.0) stays [`Severity::None`], never "low".
#[cfg(feature = "cvss")]
impl From<cvss::Severity> for Severity {
    fn from(s: cvss::Severity) -> Severity {
        match s {
            cvss::Severity::None => Severity::None,
            cvss::Severity::Low => Severity::Low,
            cvss::Severity::Medium => Severity::Medium,
            cvss::Severity::High => Severity::High,
            cvss::Severity::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    /// The wire spelling, honouring width and alignment (`{:<9}` lines up a table column).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// The wire spelling of [`Severity::as_str`], exactly (a database's own words such as GHSA's
    /// `MODERATE` are read by the engine, which knows where they come from).
    fn from_str(s: &str) -> Result<Severity, UnknownSeverity> {
        Severity::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

/// A word that is not a [`Severity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSeverity(pub String);

impl fmt::Display for UnknownSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a severity (one of critical, high, medium, low, none, unknown)", self.0)
    }
}

impl std::error::Error for UnknownSeverity {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cvss")]
    #[test]
    fn cvss_zero_is_none_and_the_bands_follow_the_specification() {
        use std::str::FromStr as _;
        // All impacts None scores 0.0 (v3.1 §5: None); the others are the specification's examples.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", Severity::None),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", Severity::Low),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", Severity::Medium),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Severity::High),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Severity::Critical),
        ];
        for (vector, want) in cases {
            let v = cvss::Cvss::from_str(vector).expect("a valid vector");
            assert_eq!(Severity::from(v.severity()), want, "{vector}");
        }
    }

    #[test]
    fn unknown_sorts_below_none_below_low() {
        let mut all = Severity::ALL;
        all.sort();
        assert_eq!(
            all,
            [
                Severity::Unknown,
                Severity::None,
                Severity::Low,
                Severity::Medium,
                Severity::High,
                Severity::Critical
            ]
        );
    }

    #[test]
    fn one_spelling_for_serde_display_and_from_str() {
        for s in Severity::ALL {
            let json = serde_json::to_string(&s).expect("serializes");
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Severity>(&json).expect("deserializes"), s);
            assert_eq!(s.to_string().parse::<Severity>(), Ok(s));
        }
        assert!(serde_json::from_str::<Severity>("\"severe\"").is_err());
        assert_eq!("Critical".parse::<Severity>(), Err(UnknownSeverity("Critical".into())));
        assert_eq!(format!("[{:<6}]", Severity::Low), "[low   ]");
    }
}
