//! Range evaluation exactly as the OSV schema defines it, compiled once per affected entry.
//!
//! The schema's algorithm sorts events and sweeps them; sorting is not safe for every ecosystem
//! (Maven's own ordering has cycles), so this evaluates the same thing pairwise: after the sweep
//! the state is set by the highest event that `v` has passed, so `v` is affected when some
//! `introduced` it has passed (`v >= introduced`, or `introduced` is `"0"`) has no passed closing
//! event (`fixed <= v`, `last_affected < v`) at or above it, and `v` is below some `limit` when a
//! range has any. Ties between an `introduced` and a closing event close.
//!
//! Versions in the advisory are read as OSV.dev reads them ([`Version::parse_osv`]): a partial
//! SemVer event (`introduced: "1.0"`) is `1.0.0`, not a range that cannot be evaluated, and each
//! such reading is kept ([`CompiledAffected::readings`]) so the advisory can say what was read how.
//! Installed versions are read strictly.

use super::osv::{Affected, Event, Range, RangeType};
use super::version::{OsvEcosystem, Scheme, Version, VersionError};
use std::cmp::Ordering;

/// Whether a version is affected, or why that cannot be said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// In a range or in the `versions` list.
    Affected,
    /// Outside every range and not listed.
    NotAffected,
    /// Could not be decided; the reason says what failed.
    Unknown(String),
}

/// An event bound parsed in the range's scheme.
#[derive(Debug, Clone)]
enum Bound {
    /// `introduced: "0"`: below every version.
    Zero,
    At(Version),
}

#[derive(Debug, Clone)]
struct CompiledRange {
    kind: RangeType,
    /// Parsed events, or why the range cannot be evaluated.
    events: Result<Vec<(Event, Bound)>, String>,
    scheme: Option<Scheme>,
}

/// One `affected[]` entry ready to evaluate many versions: every event version parsed once.
#[derive(Debug, Clone)]
pub struct CompiledAffected {
    ranges: Vec<CompiledRange>,
    versions: Vec<String>,
    /// The listed versions that parse in the ecosystem's scheme.
    listed: Vec<Version>,
    /// The ecosystem scheme (for ECOSYSTEM ranges and the `versions` list), or why none.
    scheme: Result<Scheme, VersionError>,
    /// Irregular versions of the entry and how they were read (`"1.0" read as 1.0.0 …`).
    readings: Vec<String>,
}

/// The scheme a range of `kind` orders versions by in `ecosystem`. SEMVER ranges are SemVer 2.0
/// whatever the ecosystem (the ecosystem's SemVer dialect where it has one: npm's, Go's, Pub's).
fn range_scheme(kind: RangeType, eco: &Result<Scheme, VersionError>) -> Result<Scheme, String> {
    match kind {
        RangeType::Git => Err("GIT ranges name commits, not package versions".into()),
        RangeType::Semver => Ok(match eco {
            Ok(s @ (Scheme::SemVer | Scheme::Npm | Scheme::Go | Scheme::Pub)) => *s,
            _ => Scheme::SemVer,
        }),
        RangeType::Ecosystem => eco.clone().map_err(|e| e.to_string()),
    }
}

impl CompiledAffected {
    /// Compile an affected entry of `ecosystem`.
    pub fn new(ecosystem: &OsvEcosystem, affected: &Affected) -> CompiledAffected {
        CompiledAffected::from_parts(ecosystem, affected.ranges(), affected.versions())
    }

    /// Compile an affected entry of `ecosystem` from its ranges and `versions` list (an entry
    /// kept in a compact form of its own rather than as an [`Affected`]).
    pub fn from_parts(ecosystem: &OsvEcosystem, ranges: &[Range], versions: &[String]) -> CompiledAffected {
        let scheme = ecosystem.scheme();
        let mut readings = Vec::new();
        let ranges = ranges
            .iter()
            .map(|r| {
                let s = range_scheme(r.kind, &scheme);
                CompiledRange {
                    kind: r.kind,
                    scheme: s.as_ref().ok().copied(),
                    events: s.and_then(|s| compile_events(s, r, &mut readings)),
                }
            })
            .collect();
        let listed = match &scheme {
            Ok(s) => versions
                .iter()
                .filter_map(|v| Version::parse_osv(*s, v).ok())
                .map(|(v, how)| {
                    readings.extend(how.map(|h| format!("versions: {h}")));
                    v
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        readings.dedup();
        CompiledAffected { ranges, versions: versions.to_vec(), listed, scheme, readings }
    }

    /// The entry's versions that are not strict in their scheme and how they were read, one
    /// sentence each (empty when every version was regular).
    pub fn readings(&self) -> &[String] {
        &self.readings
    }

    /// Is `version` affected?
    pub fn evaluate(&self, version: &str) -> Verdict {
        let mut unknown: Vec<String> = Vec::new();
        // The `versions` list: the same string, or the same version in the ecosystem's scheme.
        if self.versions.iter().any(|v| v == version) {
            return Verdict::Affected;
        }
        if let (false, Ok(scheme)) = (self.listed.is_empty(), &self.scheme) {
            match Version::parse(*scheme, version) {
                Ok(parsed) => {
                    if self.listed.contains(&parsed) {
                        return Verdict::Affected;
                    }
                }
                // Listed under another spelling cannot be ruled out; it decides only if no range does.
                Err(e) => unknown.push(e.to_string()),
            }
        }
        let mut evaluated_any = false;
        for r in &self.ranges {
            if r.kind == RangeType::Git {
                continue;
            }
            let (Some(scheme), Ok(events)) = (r.scheme, &r.events) else {
                if let Err(e) = &r.events {
                    unknown.push(format!("{} range: {e}", r.kind));
                }
                continue;
            };
            // The installed version is read strictly: a lockfile's version is the package
            // manager's own, and one that is not valid in its scheme is a reason, not a guess.
            let v = match Version::parse(scheme, version) {
                Ok(v) => v,
                Err(e) => {
                    unknown.push(e.to_string());
                    continue;
                }
            };
            evaluated_any = true;
            if in_range(&v, events) {
                return Verdict::Affected;
            }
        }
        if !unknown.is_empty() {
            unknown.dedup();
            return Verdict::Unknown(unknown.join("; "));
        }
        if !evaluated_any && self.versions.is_empty() && self.ranges.iter().any(|r| r.kind == RangeType::Git)
        {
            return Verdict::Unknown(
                "only GIT ranges and no versions list: no package version to compare".into(),
            );
        }
        Verdict::NotAffected
    }

    /// Every `fixed` version of the entry's evaluable ranges, as written.
    pub fn fixed(&self) -> impl Iterator<Item = &Version> {
        self.ranges.iter().filter_map(|r| r.events.as_ref().ok()).flatten().filter_map(|(e, b)| {
            match (e, b) {
                (Event::Fixed(_), Bound::At(v)) => Some(v),
                _ => None,
            }
        })
    }
}

fn compile_events(
    scheme: Scheme,
    range: &Range,
    readings: &mut Vec<String>,
) -> Result<Vec<(Event, Bound)>, String> {
    range
        .events
        .iter()
        .map(|e| {
            let bound = match e {
                Event::Introduced(v) if v == "0" => Bound::Zero,
                _ => {
                    let (v, how) = Version::parse_osv(scheme, e.version()).map_err(|err| err.to_string())?;
                    if let Some(how) = how {
                        readings.push(format!("{} range, {} {how}", range.kind, e.kind()));
                    }
                    Bound::At(v)
                }
            };
            Ok((e.clone(), bound))
        })
        .collect()
}

/// `a <= b` for bounds, with `Zero` below everything.
fn le(a: &Bound, b: &Bound) -> bool {
    match (a, b) {
        (Bound::Zero, _) => true,
        (Bound::At(_), Bound::Zero) => false,
        (Bound::At(a), Bound::At(b)) => a.cmp(b) != Ordering::Greater,
    }
}

fn in_range(v: &Version, events: &[(Event, Bound)]) -> bool {
    let limits: Vec<&Version> = events
        .iter()
        .filter_map(|(e, b)| match (e, b) {
            (Event::Limit(_), Bound::At(l)) => Some(l),
            _ => None,
        })
        .collect();
    if !limits.is_empty() && !limits.iter().any(|l| v < *l) {
        return false;
    }
    let passed_closers: Vec<&Bound> = events
        .iter()
        .filter(|(e, b)| match (e, b) {
            (Event::Fixed(_), Bound::At(f)) => f <= v,
            (Event::LastAffected(_), Bound::At(l)) => l < v,
            _ => false,
        })
        .map(|(_, b)| b)
        .collect();
    events.iter().any(|(e, b)| {
        let passed = match b {
            Bound::Zero => true,
            Bound::At(i) => i <= v,
        };
        matches!(e, Event::Introduced(_)) && passed && !passed_closers.iter().any(|c| le(b, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vuln::osv::Advisory;

    fn affected(eco: &str, ranges: &str, versions: &str) -> CompiledAffected {
        let json = format!(
            r#"{{"id":"T","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"{eco}","name":"p"}},"ranges":{ranges},"versions":{versions}}}]}}"#
        );
        let a = Advisory::from_json(json.as_bytes()).expect("valid test record");
        CompiledAffected::new(&OsvEcosystem::parse(eco), &a.affected()[0])
    }

    fn check(c: &CompiledAffected, cases: &[(&str, bool)]) {
        for (v, want) in cases {
            let got = c.evaluate(v);
            let want = if *want { Verdict::Affected } else { Verdict::NotAffected };
            assert_eq!(got, want, "{v}");
        }
    }

    #[test]
    fn introduced_zero_and_fixed() {
        let c =
            affected("PyPI", r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]"#, "[]");
        check(&c, &[("0.0.1", true), ("1.0rc1", true), ("1.0", false), ("1.0.0", false), ("2", false)]);
    }

    #[test]
    fn several_intervals_in_any_order() {
        let c = affected(
            "crates.io",
            r#"[{"type":"SEMVER","events":[{"fixed":"3.2.5"},{"introduced":"1.0.0"},{"introduced":"3.0.0"},{"fixed":"1.0.2"}]}]"#,
            "[]",
        );
        check(
            &c,
            &[
                ("0.9.0", false),
                ("1.0.0", true),
                ("1.0.1", true),
                ("1.0.2", false),
                ("2.0.0", false),
                ("3.1.0", true),
                ("3.2.5", false),
            ],
        );
    }

    #[test]
    fn last_affected_is_inclusive() {
        let c = affected(
            "npm",
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"2.1.214"}]}]"#,
            "[]",
        );
        check(&c, &[("2.1.214", true), ("2.1.215", false), ("1.0.0", true)]);
    }

    #[test]
    fn limits_cap_the_range() {
        let c = affected(
            "Go",
            r#"[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"limit":"1.5.0"}]}]"#,
            "[]",
        );
        check(&c, &[("v1.0.0", true), ("v1.4.9", true), ("v1.5.0", false), ("v0.9.0", false)]);
    }

    #[test]
    fn versions_list_and_ranges_both_count() {
        let c = affected(
            "PyPI",
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"fixed":"2.1"}]}]"#,
            r#"["1.0","1.5.0"]"#,
        );
        check(
            &c,
            &[("1.0", true), ("1.0.0", true), ("1.5", true), ("1.2", false), ("2.0.5", true), ("2.1", false)],
        );
    }

    #[test]
    fn maven_is_compared_pairwise() {
        let c = affected(
            "Maven",
            r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.12.7.1"}]}]"#,
            "[]",
        );
        check(&c, &[("2.12.7", true), ("2.12.7.1", false), ("2.13.0", false), ("2.9.10.8", true)]);
    }

    #[test]
    fn git_only_is_unknown_not_a_silent_miss() {
        let c =
            affected("Go", r#"[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"}]}]"#, "[]");
        assert!(matches!(c.evaluate("v1.0.0"), Verdict::Unknown(r) if r.contains("GIT")));
    }

    #[test]
    fn unparsable_versions_are_unknown_with_the_reason() {
        let c = affected(
            "crates.io",
            r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]"#,
            "[]",
        );
        assert!(matches!(c.evaluate("not-a-version"), Verdict::Unknown(r) if r.contains("not-a-version")));
        let bad = affected(
            "crates.io",
            r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.x"}]}]"#,
            "[]",
        );
        assert!(matches!(bad.evaluate("0.5.0"), Verdict::Unknown(r) if r.contains("1.x")));
        let eco = affected("Julia", r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]"#, "[]");
        assert!(matches!(eco.evaluate("1.0.0"), Verdict::Unknown(r) if r.contains("Julia")));
    }

    #[test]
    fn a_decided_match_beats_an_unknown_range() {
        let c = affected(
            "crates.io",
            r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"bad"}]},{"type":"SEMVER","events":[{"introduced":"1.0.0"}]}]"#,
            "[]",
        );
        assert_eq!(c.evaluate("1.2.0"), Verdict::Affected);
    }

    /// Issue 14 point 13: a partial event version was an unparsable range (every version
    /// `Unknown`, so the advisory never matched); OSV.dev pads it, and so does Cairn now, saying so.
    #[test]
    fn partial_semver_events_are_read_as_osv_dev_pads_them() {
        let c = affected(
            "npm",
            r#"[{"type":"SEMVER","events":[{"introduced":"1.0"},{"fixed":"1.4.2"}]},{"type":"SEMVER","events":[{"introduced":"2"},{"last_affected":"2.1"}]}]"#,
            r#"["3.0"]"#,
        );
        check(
            &c,
            &[
                ("0.9.9", false),
                ("1.0.0", true),
                ("1.4.1", true),
                ("1.4.2", false),
                ("2.0.0", true),
                ("2.1.0", true),
                ("2.1.1", false),
                ("3.0.0", true),
            ],
        );
        assert_eq!(c.readings().len(), 4, "{:?}", c.readings());
        assert!(c.readings()[0].contains("introduced \"1.0\" read as 1.0.0"), "{:?}", c.readings());
        assert!(c.readings()[3].starts_with("versions: \"3.0\" read as 3.0.0"), "{:?}", c.readings());
        // Go and crates.io read the same way; other schemes keep their own rules.
        let go = affected("Go", r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2"}]}]"#, "[]");
        check(&go, &[("v1.1.9", true), ("v1.2.0", false)]);
        let pypi = affected("PyPI", r#"[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"}]}]"#, "[]");
        assert!(pypi.readings().is_empty());
        // What OSV.dev cannot read either stays a reason, not a guess.
        let bad = affected("npm", r#"[{"type":"SEMVER","events":[{"introduced":"1.x"}]}]"#, "[]");
        assert!(matches!(bad.evaluate("1.0.0"), Verdict::Unknown(r) if r.contains("1.x")));
    }

    #[test]
    fn semver_ranges_in_other_ecosystems_use_semver() {
        let c = affected(
            "ConanCenter",
            r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]"#,
            "[]",
        );
        assert_eq!(c.evaluate("1.1.0"), Verdict::Affected);
    }
}
