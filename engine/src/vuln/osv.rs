//! The OSV record (schema 1.7), checked on deserialize: raw serde types become [`Advisory`] only
//! if the shape the matcher relies on holds, so matching never meets a malformed record.
//!
//! Opaque parts (`ecosystem_specific`, `database_specific`) stay JSON values. Version strings are
//! kept exactly as written: YAML scalars such as `1.10` reach us as text, never as numbers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Why a record is not a valid OSV advisory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OsvError(String);

impl OsvError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        OsvError(msg.into())
    }
}

/// One OSV advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawAdvisory")]
pub struct Advisory {
    id: String,
    modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn: Option<String>,
    aliases: Vec<String>,
    related: Vec<String>,
    upstream: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
    severity: Vec<SeverityScore>,
    affected: Vec<Affected>,
    references: Vec<Reference>,
    credits: Vec<Credit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_specific: Option<Value>,
}

impl Advisory {
    /// Parse one advisory from OSV JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Advisory, OsvError> {
        serde_json::from_slice(bytes).map_err(|e| OsvError::new(format!("invalid OSV JSON: {e}")))
    }

    /// Parse one advisory from OSV written as YAML (PyPA's advisory database does this).
    pub fn from_yaml(bytes: &[u8]) -> Result<Advisory, OsvError> {
        serde_yaml_ng::from_slice(bytes).map_err(|e| OsvError::new(format!("invalid OSV YAML: {e}")))
    }

    /// The advisory's id (`RUSTSEC-2021-0001`, `PYSEC-2020-1`, `GO-2022-0001`, `GHSA-…`).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// When the record last changed (RFC 3339, as written).
    pub fn modified(&self) -> &str {
        &self.modified
    }
    /// When it was published.
    pub fn published(&self) -> Option<&str> {
        self.published.as_deref()
    }
    /// When it was withdrawn; a withdrawn advisory never matches.
    pub fn withdrawn(&self) -> Option<&str> {
        self.withdrawn.as_deref()
    }
    /// Other ids of the same vulnerability (CVE, GHSA, …).
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }
    /// Ids of related but different vulnerabilities.
    pub fn related(&self) -> &[String] {
        &self.related
    }
    /// Ids of upstream vulnerabilities this one derives from.
    pub fn upstream(&self) -> &[String] {
        &self.upstream
    }
    /// One-line summary.
    pub fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }
    /// Markdown details.
    pub fn details(&self) -> Option<&str> {
        self.details.as_deref()
    }
    /// Severity scores for the whole advisory.
    pub fn severity(&self) -> &[SeverityScore] {
        &self.severity
    }
    /// The affected packages.
    pub fn affected(&self) -> &[Affected] {
        &self.affected
    }
    /// References (advisories, fixes, reports, …).
    pub fn references(&self) -> &[Reference] {
        &self.references
    }
    /// People and tools credited.
    pub fn credits(&self) -> &[Credit] {
        &self.credits
    }
    /// The database's own data for the whole advisory.
    pub fn database_specific(&self) -> Option<&Value> {
        self.database_specific.as_ref()
    }
}

/// A `severity[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// The scoring method.
    #[serde(rename = "type")]
    pub kind: SeverityType,
    /// The score or vector, as written.
    pub score: String,
}

/// A `severity[].type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeverityType {
    /// A CVSS 2.0 vector.
    #[serde(rename = "CVSS_V2")]
    CvssV2,
    /// A CVSS 3.x vector.
    #[serde(rename = "CVSS_V3")]
    CvssV3,
    /// A CVSS 4.0 vector.
    #[serde(rename = "CVSS_V4")]
    CvssV4,
    /// An Ubuntu priority (`low`, `medium`, `high`, `critical`, …).
    Ubuntu,
    /// A type this schema version does not define; kept, never scored.
    #[serde(untagged)]
    Other(String),
}

/// An `affected[]` entry: one package and the versions of it that are affected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affected {
    package: Option<AffectedPackage>,
    severity: Vec<SeverityScore>,
    ranges: Vec<Range>,
    versions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ecosystem_specific: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_specific: Option<Value>,
}

impl Affected {
    /// The package; absent only in records about non-package software (the schema allows it).
    pub fn package(&self) -> Option<&AffectedPackage> {
        self.package.as_ref()
    }
    /// Severity for this package only (the schema forbids it beside a top-level one).
    pub fn severity(&self) -> &[SeverityScore] {
        &self.severity
    }
    /// Affected version ranges.
    pub fn ranges(&self) -> &[Range] {
        &self.ranges
    }
    /// Affected versions, enumerated.
    pub fn versions(&self) -> &[String] {
        &self.versions
    }
    /// The ecosystem's own data (Go's affected symbols, RustSec's functions, …).
    pub fn ecosystem_specific(&self) -> Option<&Value> {
        self.ecosystem_specific.as_ref()
    }
    /// The database's own data for this package.
    pub fn database_specific(&self) -> Option<&Value> {
        self.database_specific.as_ref()
    }
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// OSV ecosystem, release suffix included (`PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// The package name as the ecosystem writes it.
    pub name: String,
    /// The package URL without version, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// How a range's versions are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeType {
    /// SemVer 2.0 ordering whatever the ecosystem.
    Semver,
    /// The ecosystem's own ordering.
    Ecosystem,
    /// Git commits; they never apply to package versions.
    Git,
}

impl fmt::Display for RangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeType::Semver => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
        })
    }
}

/// `affected[].ranges[]`: events in the order written (evaluation does not depend on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    /// The ordering.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// The repository, for GIT ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events; at least one `introduced`.
    pub events: Vec<Event>,
}

/// A range event: exactly one of the four kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions from here on are affected (`"0"`: from the very first).
    Introduced(String),
    /// Versions from here on are not affected.
    Fixed(String),
    /// Versions after this one are not affected.
    LastAffected(String),
    /// Versions from here on are outside the range (an upper bound on all of it).
    Limit(String),
}

impl Event {
    /// The version string of the event.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// The event's key as OSV writes it (`introduced`, `fixed`, `last_affected`, `limit`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
}

/// `references[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The URL.
    pub url: String,
}

/// `credits[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// Who.
    pub name: String,
    /// How to reach them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<String>,
    /// Their role (`FINDER`, `REPORTER`, …).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

// ---- raw shapes, as written ----

#[derive(Deserialize)]
struct RawAdvisory {
    id: Option<String>,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    related: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    upstream: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    severity: Vec<SeverityScore>,
    #[serde(default, deserialize_with = "null_as_default")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "null_as_default")]
    references: Vec<Reference>,
    #[serde(default, deserialize_with = "null_as_default")]
    credits: Vec<Credit>,
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawAffected {
    package: Option<AffectedPackage>,
    #[serde(default, deserialize_with = "null_as_default")]
    severity: Vec<SeverityScore>,
    #[serde(default, deserialize_with = "null_as_default")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "null_as_default")]
    versions: Vec<String>,
    ecosystem_specific: Option<Value>,
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: RangeType,
    repo: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

/// `null` where a list is expected is read as empty (some exporters write `"versions": null`).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `YYYY-MM-DDTHH:MM:SS` then anything (fraction, `Z`, offset): enough to compare snapshots.
fn check_timestamp(field: &str, s: &str) -> Result<(), OsvError> {
    let b = s.as_bytes();
    let shape = b.len() >= 19
        && b.iter().take(19).enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T' || *c == b't' || *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if shape { Ok(()) } else { Err(OsvError::new(format!("{field} {s:?} is not an RFC 3339 timestamp"))) }
}

impl TryFrom<RawAdvisory> for Advisory {
    type Error = OsvError;

    fn try_from(raw: RawAdvisory) -> Result<Advisory, OsvError> {
        let id = raw.id.filter(|s| !s.trim().is_empty()).ok_or_else(|| OsvError::new("no id"))?;
        let fail = |msg: String| OsvError::new(format!("{id}: {msg}"));
        let modified = raw.modified.ok_or_else(|| fail("no modified timestamp".into()))?;
        check_timestamp("modified", &modified).map_err(|e| fail(e.0))?;
        for (field, value) in [("published", &raw.published), ("withdrawn", &raw.withdrawn)] {
            if let Some(v) = value {
                check_timestamp(field, v).map_err(|e| fail(e.0))?;
            }
        }
        let mut affected = Vec::with_capacity(raw.affected.len());
        for (i, a) in raw.affected.into_iter().enumerate() {
            affected.push(check_affected(a).map_err(|e| fail(format!("affected[{i}]: {}", e.0)))?);
        }
        Ok(Advisory {
            id,
            modified,
            published: raw.published,
            withdrawn: raw.withdrawn,
            aliases: raw.aliases,
            related: raw.related,
            upstream: raw.upstream,
            summary: raw.summary,
            details: raw.details,
            severity: raw.severity,
            affected,
            references: raw.references,
            credits: raw.credits,
            database_specific: raw.database_specific,
        })
    }
}

fn check_affected(raw: RawAffected) -> Result<Affected, OsvError> {
    if let Some(p) = &raw.package
        && (p.ecosystem.is_empty() || p.name.is_empty())
    {
        return Err(OsvError::new("package needs both an ecosystem and a name"));
    }
    let mut ranges = Vec::with_capacity(raw.ranges.len());
    for (i, r) in raw.ranges.into_iter().enumerate() {
        ranges.push(check_range(r).map_err(|e| OsvError::new(format!("ranges[{i}]: {}", e.0)))?);
    }
    Ok(Affected {
        package: raw.package,
        severity: raw.severity,
        ranges,
        versions: raw.versions,
        ecosystem_specific: raw.ecosystem_specific,
        database_specific: raw.database_specific,
    })
}

fn check_range(raw: RawRange) -> Result<Range, OsvError> {
    if raw.kind == RangeType::Git && raw.repo.is_none() {
        return Err(OsvError::new("a GIT range needs a repo"));
    }
    let mut events = Vec::with_capacity(raw.events.len());
    for (i, e) in raw.events.into_iter().enumerate() {
        let event = match (e.introduced, e.fixed, e.last_affected, e.limit) {
            (Some(v), None, None, None) => Event::Introduced(v),
            (None, Some(v), None, None) => Event::Fixed(v),
            (None, None, Some(v), None) => Event::LastAffected(v),
            (None, None, None, Some(v)) => Event::Limit(v),
            _ => {
                return Err(OsvError::new(format!(
                    "events[{i}] must have exactly one of introduced, fixed, last_affected, limit"
                )));
            }
        };
        if event.version().is_empty() {
            return Err(OsvError::new(format!("events[{i}] has an empty version")));
        }
        events.push(event);
    }
    if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
        return Err(OsvError::new("a range needs at least one introduced event"));
    }
    Ok(Range { kind: raw.kind, repo: raw.repo, events })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]}]}"#;

    #[test]
    fn reads_a_minimal_record() {
        let a = Advisory::from_json(MINIMAL.as_bytes()).expect("valid");
        assert_eq!(a.id(), "X-1");
        let r = &a.affected()[0].ranges()[0];
        assert_eq!(r.kind, RangeType::Ecosystem);
        assert_eq!(r.events, [Event::Introduced("0".into()), Event::Fixed("1.0".into())]);
    }

    #[test]
    fn yaml_versions_stay_text() {
        let y = "id: PYSEC-X\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    ecosystem: PyPI\n    name: a\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n  versions:\n  - 1.0\n  - 2\n";
        let a = Advisory::from_yaml(y.as_bytes()).expect("valid");
        let af = &a.affected()[0];
        assert_eq!(af.ranges()[0].events, [Event::Introduced("0".into()), Event::Fixed("1.10".into())]);
        assert_eq!(af.versions(), ["1.0", "2"]);
    }

    #[test]
    fn malformed_records_say_why() {
        let cases = [
            (r#"{"modified":"2024-01-01T00:00:00Z"}"#, "no id"),
            (r#"{"id":"A"}"#, "no modified"),
            (r#"{"id":"A","modified":"yesterday"}"#, "RFC 3339"),
            (
                r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}"#,
                "exactly one",
            ),
            (
                r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]}"#,
                "at least one introduced",
            ),
            (
                r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}]}"#,
                "needs a repo",
            ),
            (
                r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"NOPE","events":[{"introduced":"0"}]}]}]}"#,
                "NOPE",
            ),
        ];
        for (json, want) in cases {
            let err = Advisory::from_json(json.as_bytes()).expect_err(json);
            assert!(err.to_string().contains(want), "{json}: {err}");
        }
    }

    #[test]
    fn unknown_severity_types_are_kept() {
        let json = r#"{"id":"A","modified":"2024-01-01T00:00:00Z","severity":[{"type":"NEW","score":"9"},{"type":"CVSS_V3","score":"CVSS:3.1/AV:N"}]}"#;
        let a = Advisory::from_json(json.as_bytes()).expect("valid");
        assert_eq!(a.severity()[0].kind, SeverityType::Other("NEW".into()));
        assert_eq!(a.severity()[1].kind, SeverityType::CvssV3);
    }
}
