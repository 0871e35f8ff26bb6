//! `match_inventory`: every component against the advisories that name it, pure and parallel.
//!
//! Only registry packages are compared: a git, URL or alternative-registry package shares a name
//! with a registry package but not its version history, so an advisory naming it is reported as
//! not evaluated rather than matched or dropped. Local packages are the project's own code.

use super::coverage::{CoverageGap, EcosystemCoverage, GapReason};
use super::finding::{AffectedRange, Finding, Matches, NotEvaluated};
use super::index::Database;
use super::osv::{Advisory, Affected, RangeType};
use super::range::{CompiledAffected, Verdict};
use super::severity::{Rating, Severity, assess, assess_advisory};
use super::version::{OsvEcosystem, Version};
use super::warning::{Warning, WarningKind};
use crate::inventory::{Component, Ecosystem, Inventory, Source};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Match every non-local component of `inventory` against `db`.
pub fn match_inventory(inventory: &Inventory, db: &Database) -> Matches {
    let checked: Vec<&Component> = inventory.components.iter().filter(|c| !c.local).collect();
    let per: Vec<ComponentMatch> = checked.par_iter().map(|c| match_component(c, db)).collect();
    let mut m = Matches { components_checked: checked.len(), ..Matches::default() };
    type Key = (Ecosystem, Option<String>);
    let mut coverage: BTreeMap<Key, (usize, BTreeMap<GapReason, usize>)> = BTreeMap::new();
    for (c, r) in checked.iter().zip(per) {
        let release = c.distro.as_ref().filter(|_| is_distro(c.ecosystem)).map(|d| d.release.clone());
        let entry = coverage.entry((c.ecosystem, release)).or_default();
        match r.gap {
            None => entry.0 += 1,
            Some(g) => *entry.1.entry(g).or_default() += 1,
        }
        m.findings.extend(r.findings);
        m.warnings.extend(r.warnings);
        m.not_evaluated.extend(r.not_evaluated);
    }
    m.coverage = coverage
        .into_iter()
        .map(|((ecosystem, release), (evaluated, gaps))| {
            let osv = osv_ecosystem(ecosystem, release.as_deref());
            let not_evaluated: Vec<CoverageGap> =
                gaps.into_iter().map(|(reason, n)| CoverageGap::new(&osv, reason, n)).collect();
            EcosystemCoverage {
                ecosystem,
                release,
                components: evaluated + not_evaluated.iter().map(|g| g.components).sum::<usize>(),
                advisories: db.advisories_for(&osv),
                evaluated,
                not_evaluated,
            }
        })
        .collect();
    m.findings.sort_by(|a, b| (&a.purl, &a.id).cmp(&(&b.purl, &b.id)));
    m.warnings.sort_by(|a, b| (&a.purl, &a.advisory).cmp(&(&b.purl, &b.advisory)));
    m.not_evaluated.sort();
    m.not_evaluated.dedup();
    m
}

/// What matching one component yields.
#[derive(Debug, Default)]
pub struct ComponentMatch {
    /// Its vulnerabilities.
    pub findings: Vec<Finding>,
    /// Informational advisories that apply to it.
    pub warnings: Vec<Warning>,
    /// Advisories naming it that could not be decided.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Why it was not evaluated at all, if it was not.
    pub gap: Option<GapReason>,
}

impl ComponentMatch {
    fn gap(reason: GapReason, not_evaluated: Vec<NotEvaluated>) -> ComponentMatch {
        ComponentMatch { not_evaluated, gap: Some(reason), ..ComponentMatch::default() }
    }
}

type Hit<'a> = (&'a Advisory, &'a Affected, &'a CompiledAffected);

/// Distribution ecosystems: advisories per release, naming the packages their records name.
fn is_distro(e: Ecosystem) -> bool {
    matches!(e, Ecosystem::Debian | Ecosystem::Ubuntu | Ecosystem::Alpine | Ecosystem::Rpm)
}

/// The OSV ecosystem of `e`, with a distribution's release as its suffix (`Debian:12`). An rpm
/// package's release is its distribution's whole OSV ecosystem (`AlmaLinux:9`), since every rpm
/// distribution is an ecosystem of its own.
fn osv_ecosystem(e: Ecosystem, release: Option<&str>) -> OsvEcosystem {
    match (OsvEcosystem::from(e), release) {
        (_, Some(r)) if e == Ecosystem::Rpm => OsvEcosystem::parse(r),
        (OsvEcosystem::Known { ecosystem, .. }, Some(r)) => {
            OsvEcosystem::Known { ecosystem, suffix: Some(r.to_owned()) }
        }
        (other, _) => other,
    }
}

/// What advisories call the component: its ecosystem, name and version — for a distribution
/// package the release's ecosystem and the package its advisories name (`Debian:12`, the source
/// package `glibc`, `2.36-9`; `AlmaLinux:9`, the binary `openssl-libs`, `1:3.0.7-27.el9`). `None`
/// for a distribution package of unknown release.
pub(crate) fn advisory_target(c: &Component) -> Option<(OsvEcosystem, &str, &str)> {
    if !is_distro(c.ecosystem) {
        return Some((OsvEcosystem::from(c.ecosystem), &c.name, &c.version));
    }
    let d = c.distro.as_ref()?;
    Some((osv_ecosystem(c.ecosystem, Some(&d.release)), &d.source, &d.source_version))
}

/// Findings, warnings and not-evaluated items for one component.
pub fn match_component(c: &Component, db: &Database) -> ComponentMatch {
    if c.local {
        return ComponentMatch::default();
    }
    let Some((eco, name, version)) = advisory_target(c) else {
        return ComponentMatch::gap(GapReason::NoRelease, Vec::new());
    };
    // A distribution OSV has no ecosystem for (`fedora:40`) or whose versions Cairn cannot order:
    // no data could be loaded that would match it.
    if eco.scheme().is_err() && c.ecosystem == Ecosystem::Rpm {
        return ComponentMatch::gap(GapReason::NoMatcher, Vec::new());
    }
    if db.advisories_for(&eco) == 0 {
        return ComponentMatch::gap(GapReason::NoAdvisories, Vec::new());
    }
    let candidates: Vec<Hit<'_>> = db.candidates(&eco, name).collect();
    let not_evaluated = |reason: &str| -> Vec<NotEvaluated> {
        let ids: BTreeSet<&str> = candidates.iter().map(|(a, _, _)| a.id()).collect();
        ids.into_iter()
            .map(|id| NotEvaluated {
                purl: c.purl.clone(),
                advisory: id.to_owned(),
                reason: reason.to_owned(),
            })
            .collect()
    };
    match &c.source {
        Source::Registry => {}
        Source::Local { .. } => return ComponentMatch::default(),
        Source::Git { url, .. } => {
            return ComponentMatch::gap(
                GapReason::NotRegistry,
                not_evaluated(&format!("from git ({url}), not the {} registry", c.ecosystem)),
            );
        }
        Source::Url { url } => {
            return ComponentMatch::gap(
                GapReason::NotRegistry,
                not_evaluated(&format!("from a URL ({url}), not the {} registry", c.ecosystem)),
            );
        }
        Source::AltRegistry { url } => {
            return ComponentMatch::gap(
                GapReason::NotRegistry,
                not_evaluated(&format!("from another registry ({url}), not the {} one", c.ecosystem)),
            );
        }
    }
    if version.trim().is_empty() {
        // A manifest's requirement without a lockfile names a range, not the version installed.
        let reason = c.constraint.as_ref().map_or_else(
            || "no version recorded".to_owned(),
            |req| format!("no pinned version (declared as {req:?}, no lockfile resolved it)"),
        );
        return ComponentMatch::gap(GapReason::NoVersion, not_evaluated(&reason));
    }

    let mut hits: Vec<Hit<'_>> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut unknown: Vec<NotEvaluated> = Vec::new();
    for hit @ (a, f, compiled) in candidates.iter().copied() {
        match compiled.evaluate(version) {
            Verdict::Affected => match WarningKind::of(a, f) {
                Some(kind) => warnings.push(warning(c, kind, hit)),
                None => hits.push(hit),
            },
            Verdict::NotAffected => {}
            Verdict::Unknown(reason) => {
                unknown.push(NotEvaluated { purl: c.purl.clone(), advisory: a.id().to_owned(), reason })
            }
        }
    }
    // One informational advisory with two matching entries for the package is one warning.
    warnings.sort_by(|a, b| a.advisory.cmp(&b.advisory));
    warnings.dedup_by(|a, b| a.advisory == b.advisory);
    let findings = group(&hits).into_iter().map(|g| finding(c, version, &g, db)).collect::<Vec<_>>();
    // An advisory decided through an alias needs no "not evaluated" line of its own; neither does
    // one whose other affected entry for this package matched.
    let covered: BTreeSet<&str> = findings
        .iter()
        .flat_map(|f| f.ids.iter().chain(f.aliases.iter()))
        .chain(warnings.iter().map(|w| &w.advisory))
        .map(String::as_str)
        .collect();
    unknown.retain(|n| !covered.contains(n.advisory.as_str()));
    ComponentMatch { findings, warnings, not_evaluated: unknown, gap: None }
}

fn warning(c: &Component, kind: WarningKind, (a, _, compiled): Hit<'_>) -> Warning {
    let fixed: BTreeSet<String> = compiled.fixed().map(|v| v.as_str().to_owned()).collect();
    Warning {
        kind,
        advisory: a.id().to_owned(),
        aliases: a.aliases().to_vec(),
        purl: c.purl.clone(),
        ecosystem: c.ecosystem,
        name: c.name.clone(),
        version: c.version.clone(),
        summary: a.summary().map(str::to_owned),
        fixed: fixed.into_iter().collect(),
        url: a
            .references()
            .iter()
            .find(|r| r.kind.eq_ignore_ascii_case("ADVISORY"))
            .or_else(|| a.references().first())
            .map(|r| r.url.clone()),
    }
}

/// Groups of hits whose advisories alias each other (share an id or alias), transitively.
fn group<'a>(hits: &[Hit<'a>]) -> Vec<Vec<Hit<'a>>> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (a, _, _)) in hits.iter().enumerate() {
        for name in std::iter::once(a.id()).chain(a.aliases().iter().map(String::as_str)) {
            match owner.get(name) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri] = rj;
                }
                None => {
                    owner.insert(name, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Hit<'a>>> = BTreeMap::new();
    for (i, h) in hits.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(*h);
    }
    groups.into_values().collect()
}

/// A finding for `c`, whose version as advisories see it is `version` (a distribution package's
/// source version).
fn finding(c: &Component, version: &str, hits: &[Hit<'_>], db: &Database) -> Finding {
    let ids: BTreeSet<String> = hits.iter().map(|(a, _, _)| a.id().to_owned()).collect();
    let aliases: BTreeSet<String> =
        hits.iter().flat_map(|(a, _, _)| a.aliases().iter().cloned()).filter(|x| !ids.contains(x)).collect();
    let first = hits.iter().min_by(|x, y| x.0.id().cmp(y.0.id())).map(|h| h.0);
    let mut severity = Severity::unknown();
    for (a, f, _) in hits {
        let s = assess(a, f);
        if s.rating > severity.rating {
            severity = s;
        }
    }
    if severity.rating == Rating::Unknown {
        severity = alias_severity(c, &aliases, db).unwrap_or(severity);
    }
    let mut ranges = Vec::new();
    let mut listed_in = BTreeSet::new();
    let mut fixed_versions: Vec<&Version> = Vec::new();
    for (a, f, compiled) in hits {
        for r in f.ranges().iter().filter(|r| r.kind != RangeType::Git) {
            ranges.push(AffectedRange {
                advisory: a.id().to_owned(),
                kind: r.kind,
                events: r.events.clone(),
            });
        }
        if f.versions().iter().any(|v| v == version) {
            listed_in.insert(a.id().to_owned());
        }
        fixed_versions.extend(compiled.fixed());
    }
    ranges.dedup();
    let fixed: BTreeSet<String> = fixed_versions.iter().map(|v| v.as_str().to_owned()).collect();
    Finding {
        id: ids.iter().next().cloned().unwrap_or_default(),
        ids: ids.into_iter().collect(),
        aliases: aliases.into_iter().collect(),
        purl: c.purl.clone(),
        ecosystem: c.ecosystem,
        name: c.name.clone(),
        version: c.version.clone(),
        summary: first.and_then(|a| a.summary()).map(str::to_owned),
        severity,
        ranges,
        listed_in: listed_in.into_iter().collect(),
        fixed: fixed.into_iter().collect(),
        nearest_fixed: nearest_fixed(version, &fixed_versions),
    }
}

/// The most severe rating among loaded alias records (a GHSA or NVD-style record of the same
/// vulnerability), read from their entry for this package when they have one.
fn alias_severity(c: &Component, aliases: &BTreeSet<String>, db: &Database) -> Option<Severity> {
    let (eco, name, _) = advisory_target(c)?;
    let mut best: Option<Severity> = None;
    for alias in aliases {
        let Some(record) = db.advisory(alias) else { continue };
        let s = db
            .candidates(&eco, name)
            .filter(|(a, _, _)| a.id() == alias)
            .map(|(a, f, _)| assess(a, f))
            .max_by_key(|s| s.rating)
            .unwrap_or_else(|| assess_advisory(record));
        if s.rating != Rating::Unknown && best.as_ref().is_none_or(|b| s.rating > b.rating) {
            best = Some(Severity { from_alias: Some(alias.clone()), ..s });
        }
    }
    best
}

/// The lowest fixed version above `installed`, compared pairwise in each fix's own scheme (never
/// sorted: Maven's ordering is not transitive everywhere).
fn nearest_fixed(installed: &str, fixed: &[&Version]) -> Option<String> {
    let mut best: Option<&Version> = None;
    for f in fixed {
        let Ok(v) = Version::parse(f.scheme(), installed) else { continue };
        if f.compare(&v) != Some(Ordering::Greater) {
            continue;
        }
        match best {
            Some(b) if b.compare(f) != Some(Ordering::Greater) => {}
            _ => best = Some(f),
        }
    }
    best.map(|v| v.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Ecosystem, Location, Package};

    fn db(records: &[&str]) -> Database {
        let advisories =
            records.iter().map(|r| Advisory::from_json(r.as_bytes()).expect("valid test record"));
        Database::new(advisories, Vec::new(), Vec::new())
    }

    fn inventory(pkgs: &[(Ecosystem, &str, &str)]) -> Inventory {
        let packages = pkgs
            .iter()
            .map(|(e, n, v)| Package::new(*e, *n, *v, Location::new("lock", None)).expect("valid package"));
        Inventory::assemble(packages, Vec::new(), Vec::new(), Vec::new())
    }

    fn rec(id: &str, aliases: &str, eco: &str, name: &str, fixed: &str) -> String {
        format!(
            r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","aliases":{aliases},"affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
        )
    }

    #[test]
    fn aliases_merge_into_one_finding() {
        let a = rec("PYSEC-1", r#"["CVE-1","GHSA-x"]"#, "PyPI", "Django", "2.0");
        let b = rec("GHSA-x", r#"["CVE-1"]"#, "PyPI", "django", "2.0.1");
        let c = rec("PYSEC-2", r#"["CVE-2"]"#, "PyPI", "django", "1.0");
        let db = db(&[&a, &b, &c]);
        let m = match_inventory(&inventory(&[(Ecosystem::PyPI, "Django", "1.5")]), &db);
        assert_eq!(m.findings.len(), 1, "{m:#?}");
        let f = &m.findings[0];
        assert_eq!(f.ids, ["GHSA-x", "PYSEC-1"]);
        assert_eq!(f.aliases, ["CVE-1"]);
        assert_eq!(f.fixed, ["2.0", "2.0.1"]);
        assert_eq!(f.nearest_fixed.as_deref(), Some("2.0"));
    }

    #[test]
    fn withdrawn_advisories_never_match() {
        let w = rec("X-1", "[]", "npm", "a", "2.0.0")
            .replace("\"modified\"", "\"withdrawn\":\"2024-02-01T00:00:00Z\",\"modified\"");
        let m = match_inventory(&inventory(&[(Ecosystem::Npm, "a", "1.0.0")]), &db(&[&w]));
        assert!(m.findings.is_empty() && m.not_evaluated.is_empty());
    }

    #[test]
    fn unparsable_installed_versions_are_not_evaluated() {
        let a = rec("X-1", "[]", "crates.io", "a", "2.0.0");
        let m = match_inventory(&inventory(&[(Ecosystem::Cargo, "a", "1.0")]), &db(&[&a]));
        assert!(m.findings.is_empty());
        assert_eq!(m.not_evaluated.len(), 1);
        assert!(m.not_evaluated[0].reason.contains("\"1.0\""), "{:?}", m.not_evaluated);
    }

    #[test]
    fn unknown_ecosystem_scheme_is_not_evaluated() {
        let a = rec("X-1", "[]", "ConanCenter", "zlib", "1.3");
        let m = match_inventory(&inventory(&[(Ecosystem::Conan, "zlib", "1.2.13")]), &db(&[&a]));
        assert!(m.findings.is_empty());
        assert!(m.not_evaluated[0].reason.contains("ConanCenter"), "{:?}", m.not_evaluated);
    }

    #[test]
    fn git_sourced_components_are_not_evaluated() {
        let a = rec("X-1", "[]", "crates.io", "a", "2.0.0");
        let p = Package::new(Ecosystem::Cargo, "a", "1.0.0", Location::new("lock", None))
            .and_then(|p| p.source(Source::Git { url: "https://g/a".into(), rev: None }))
            .expect("valid");
        let inv = Inventory::assemble([p], Vec::new(), Vec::new(), Vec::new());
        let m = match_inventory(&inv, &db(&[&a]));
        assert!(m.findings.is_empty());
        assert!(m.not_evaluated[0].reason.contains("git"), "{:?}", m.not_evaluated);
    }

    #[test]
    fn nearest_fixed_is_above_the_installed_version() {
        let a = r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Maven","name":"g:a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.5"},{"introduced":"2.0"},{"fixed":"2.3"},{"introduced":"3.0"},{"fixed":"3.1"}]}]}]}"#;
        let m = match_inventory(&inventory(&[(Ecosystem::Maven, "g:a", "2.1")]), &db(&[a]));
        assert_eq!(m.findings[0].nearest_fixed.as_deref(), Some("2.3"));
        assert_eq!(m.findings[0].fixed, ["1.5", "2.3", "3.1"]);
    }

    #[test]
    fn an_ecosystem_without_advisories_is_counted_not_evaluated() {
        let a = rec("RUSTSEC-1", "[]", "crates.io", "a", "2.0.0");
        let inv = inventory(&[
            (Ecosystem::Cargo, "a", "1.0.0"),
            (Ecosystem::Cargo, "b", "1.0.0"),
            (Ecosystem::Npm, "left-pad", "1.3.0"),
            (Ecosystem::Npm, "pg", "8.11.0"),
        ]);
        let m = match_inventory(&inv, &db(&[&a]));
        assert_eq!(m.findings.len(), 1);
        let [cargo, npm] = &m.coverage[..] else { panic!("{:?}", m.coverage) };
        assert_eq!(
            (cargo.ecosystem, cargo.components, cargo.evaluated, cargo.advisories),
            (Ecosystem::Cargo, 2, 2, 1)
        );
        assert!(cargo.not_evaluated.is_empty());
        assert_eq!((npm.ecosystem, npm.components, npm.evaluated, npm.advisories), (Ecosystem::Npm, 2, 0, 0));
        assert_eq!(npm.not_evaluated, [CoverageGap::new(Ecosystem::Npm, GapReason::NoAdvisories, 2)]);
        assert_eq!(npm.not_evaluated[0].message, "not evaluated: no data for npm");
        assert_eq!(m.components_not_evaluated(), 2);
    }

    #[test]
    fn git_components_are_a_coverage_gap_even_without_a_candidate() {
        let a = rec("X-1", "[]", "crates.io", "other", "2.0.0");
        let p = Package::new(Ecosystem::Cargo, "a", "1.0.0", Location::new("lock", None))
            .and_then(|p| p.source(Source::Git { url: "https://g/a".into(), rev: None }))
            .expect("valid");
        let inv = Inventory::assemble([p], Vec::new(), Vec::new(), Vec::new());
        let m = match_inventory(&inv, &db(&[&a]));
        assert_eq!(m.coverage[0].not_evaluated[0].reason, GapReason::NotRegistry);
        assert_eq!(m.coverage[0].evaluated, 0);
    }

    /// RUSTSEC-2024-0394 ("mmap unmaintained") as exported to OSV, unchanged but for whitespace
    /// (from /work/shared/corpus/osv/rustsec/crates/RUSTSEC-2024-0394.json).
    const MMAP_UNMAINTAINED: &str = r#"{"id":"RUSTSEC-2024-0394","modified":"2024-11-10T14:06:58Z","published":"2024-06-10T12:00:00Z","aliases":[],"related":[],"summary":"mmap unmaintained","details":"The `mmap` crate is unmaintained as its [repository has been archived](https://github.com/rbranson/rust-mmap) on Feb 10, 2022.\nThe main alternative seems to be `memmap2` crate.","severity":[],"affected":[{"package":{"ecosystem":"crates.io","name":"mmap","purl":"pkg:cargo/mmap"},"ecosystem_specific":{"affects":{"arch":[],"os":[],"functions":[]},"affected_functions":null},"database_specific":{"categories":[],"cvss":null,"informational":"unmaintained"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}],"versions":[]}],"references":[{"type":"PACKAGE","url":"https://crates.io/crates/mmap"}],"database_specific":{"license":"CC0-1.0"}}"#;

    #[test]
    fn informational_advisories_are_warnings_not_findings() {
        let m =
            match_inventory(&inventory(&[(Ecosystem::Cargo, "mmap", "0.1.1")]), &db(&[MMAP_UNMAINTAINED]));
        assert!(m.findings.is_empty(), "{:?}", m.findings);
        assert_eq!(m.warnings.len(), 1);
        let w = &m.warnings[0];
        assert_eq!(
            (w.kind, w.advisory.as_str(), w.version.as_str()),
            (WarningKind::Unmaintained, "RUSTSEC-2024-0394", "0.1.1")
        );
        assert_eq!(m.coverage[0].evaluated, 1);
    }

    #[test]
    fn unknown_severity_takes_a_loaded_alias_severity_and_names_it() {
        // A PyPA-style record without severity and the GHSA record it aliases, which has a CVSS
        // vector but names the package under another spelling of its ecosystem entry.
        let pysec = rec("PYSEC-1", r#"["GHSA-aaaa-bbbb-cccc"]"#, "PyPI", "pkg", "2.0");
        let ghsa = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"affected":[{"package":{"ecosystem":"PyPI","name":"pkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.9"},{"fixed":"2.0"}]}]}]}"#;
        let m = match_inventory(&inventory(&[(Ecosystem::PyPI, "pkg", "1.5")]), &db(&[&pysec, ghsa]));
        let [f] = &m.findings[..] else { panic!("{:?}", m.findings) };
        assert_eq!(f.ids, ["PYSEC-1"]);
        assert_eq!(f.severity.rating, Rating::High);
        assert_eq!(f.severity.from_alias.as_deref(), Some("GHSA-aaaa-bbbb-cccc"));
        assert_eq!(m.unknown_severity(), 0);
        // Without the alias loaded the finding stays, of unknown severity, counted apart.
        let m = match_inventory(&inventory(&[(Ecosystem::PyPI, "pkg", "1.5")]), &db(&[&pysec]));
        assert_eq!((m.findings.len(), m.unknown_severity()), (1, 1));
        assert_eq!(m.findings[0].severity.from_alias, None);
    }

    fn deb(name: &str, version: &str, source: &str, release: Option<&str>) -> Package {
        let mut p =
            Package::new(Ecosystem::Debian, name, version, Location::new("var/lib/dpkg/status", None))
                .expect("valid package");
        p.distro = release.map(|r| crate::inventory::DistroPackage {
            release: r.to_owned(),
            source: source.to_owned(),
            source_version: version.to_owned(),
        });
        p
    }

    /// Distribution advisories name the source package and the release: libc6 of Debian 12 is
    /// matched as glibc of `Debian:12`, never against Debian 11's entry, and compared in dpkg order
    /// (epoch and `+deb12u` revisions). Constructed records: a mechanism test.
    #[test]
    fn distribution_packages_match_their_release_by_source_package() {
        let dsa = r#"{"id":"DSA-X","modified":"2024-01-01T00:00:00Z","affected":[
            {"package":{"ecosystem":"Debian:11","name":"glibc"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31-13+deb11u7"}]}]},
            {"package":{"ecosystem":"Debian:12","name":"glibc"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.36-9+deb12u3"}]}]}]}"#;
        let d = db(&[dsa]);
        let inv = |v: &str, release: Option<&str>| {
            Inventory::assemble([deb("libc6", v, "glibc", release)], Vec::new(), Vec::new(), Vec::new())
        };
        let m = match_inventory(&inv("2.36-9+deb12u2", Some("12")), &d);
        assert_eq!(m.findings.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["DSA-X"]);
        assert_eq!(m.findings[0].nearest_fixed.as_deref(), Some("2.36-9+deb12u3"));
        assert_eq!(m.coverage[0].name(), "Debian:12");
        assert!(match_inventory(&inv("2.36-9+deb12u3", Some("12")), &d).findings.is_empty());
        // Release 11's fix is below 12's version: only 12's entry may decide.
        assert!(match_inventory(&inv("2.31-13+deb11u8", Some("11")), &d).findings.is_empty());
        let none = match_inventory(&inv("2.36-9", Some("13")), &d);
        assert_eq!(none.coverage[0].not_evaluated[0].message, "not evaluated: no data for Debian:13");
        let unknown = match_inventory(&inv("2.36-9", None), &d);
        assert_eq!(unknown.coverage[0].not_evaluated[0].reason, GapReason::NoRelease);
    }

    fn rpm(name: &str, evr: &str, advisory_name: &str, ecosystem: Option<&str>) -> Inventory {
        let mut p = Package::new(Ecosystem::Rpm, name, evr, Location::new("var/lib/rpm/rpmdb.sqlite", None))
            .expect("valid package");
        p.distro = ecosystem.map(|e| crate::inventory::DistroPackage {
            release: e.to_owned(),
            source: advisory_name.to_owned(),
            source_version: evr.to_owned(),
        });
        Inventory::assemble([p], Vec::new(), Vec::new(), Vec::new())
    }

    /// A real AlmaLinux record (ALSA-2024:2447, `fixed: 1:3.0.7-27.el9` for `openssl-libs` of
    /// `AlmaLinux:9`): an rpm package is matched in its distribution's ecosystem under the binary
    /// name the record lists, in rpm order with the epoch (`1:3.0.7-25.el9_3` is below it; a
    /// missing epoch would be 0 and below any epoch-1 fix). Before, every rpm package was
    /// reported `NoMatcher` whatever the data.
    #[test]
    fn rpm_packages_match_their_distribution_ecosystem_with_epochs() {
        let d = db(&[include_str!("../../tests/fixtures/rpm-osv/almalinux9/ALSA-2024-2447.json")]);
        let m = match_inventory(
            &rpm("openssl-libs", "1:3.0.7-25.el9_3", "openssl-libs", Some("AlmaLinux:9")),
            &d,
        );
        let [f] = &m.findings[..] else { panic!("{:?}", m.findings) };
        assert_eq!((f.id.as_str(), f.nearest_fixed.as_deref()), ("ALSA-2024:2447", Some("1:3.0.7-27.el9")));
        assert_eq!(m.coverage[0].name(), "AlmaLinux:9");
        assert_eq!(m.coverage[0].lines(), ["AlmaLinux:9 1 evaluated against 1 advisories"]);
        for fixed in ["1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "2:1.0-1.el9"] {
            let m = match_inventory(&rpm("openssl-libs", fixed, "openssl-libs", Some("AlmaLinux:9")), &d);
            assert!(m.findings.is_empty(), "{fixed}: {:?}", m.findings);
        }
        // Epoch absent = 0: any epoch-0 version is below the epoch-1 fix.
        let m = match_inventory(&rpm("openssl-libs", "9.9.9-1.el9", "openssl-libs", Some("AlmaLinux:9")), &d);
        assert_eq!(m.findings.len(), 1);
        // Another release's packages are not this record's.
        let m =
            match_inventory(&rpm("openssl-libs", "1:1.1.1k-1.el8", "openssl-libs", Some("AlmaLinux:8")), &d);
        assert!(m.findings.is_empty());
        assert_eq!(m.coverage[0].not_evaluated[0].message, "not evaluated: no data for AlmaLinux:8");
    }

    /// rpm packages without a release, or of a distribution OSV has no ecosystem for, say which,
    /// in their own words: never a silent zero, and `no_matcher` only where no data could match.
    #[test]
    fn rpm_packages_without_a_matchable_distribution_say_why() {
        let d = db(&[include_str!("../../tests/fixtures/rpm-osv/almalinux9/ALSA-2024-2447.json")]);
        let m =
            match_inventory(&rpm("openssl-libs", "1:3.0.9-1.fc39", "openssl-libs", Some("fedora:39")), &d);
        let [c] = &m.coverage[..] else { panic!("{:?}", m.coverage) };
        assert_eq!((c.components, c.evaluated, c.name().as_str()), (1, 0, "fedora:39"));
        assert_eq!(c.not_evaluated[0].reason, GapReason::NoMatcher);
        assert_eq!(c.not_evaluated[0].message, "not evaluated: fedora:39 is no OSV ecosystem Cairn matches");
        assert_eq!(c.lines(), ["fedora:39 1 not evaluated — no OSV ecosystem Cairn matches"]);
        let m = match_inventory(&rpm("openssl-libs", "1:3.0.7-25.el9_3", "openssl-libs", None), &d);
        assert_eq!(m.coverage[0].not_evaluated[0].reason, GapReason::NoRelease);
        assert_eq!(m.coverage[0].name(), "RPM");
    }
}
