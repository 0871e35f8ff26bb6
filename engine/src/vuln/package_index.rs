//! The advisory index without the advisories, for data too large to hold: which advisories name
//! which (ecosystem, normalised name) with each `affected[]` entry's ranges and versions in a
//! compact form (every string interned once in one arena, events as small vectors of symbols),
//! their aliases, and the totals coverage reports — built from [`AdvisoryKeys`], a few fields read
//! from each record. Matching asks it which advisories an inventory's components hit
//! ([`PackageIndex::records_to_read`]: the ranges are evaluated here, in memory), reads only those
//! records from wherever they are kept, and matches against [`PackageIndex::database`] of them: a
//! [`Database`] with the whole data's totals, so matching decides exactly as against a
//! [`Database`] of every record (the daemon keeps its records in its database this way; see
//! docs/architecture.md).

use super::index::{Database, DatabaseInfo, eco_key};
use super::matcher::advisory_target;
use super::name::normalize;
use super::osv::{Advisory, Event, OsvError, Range, RangeType};
use super::range::{CompiledAffected, Verdict};
use super::version::{OsvEcosystem, Version};
use crate::inventory::{Inventory, Source};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// What the index needs of one advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryKeys {
    /// Its id.
    pub id: String,
    /// Its `modified` timestamp (the newest record of an id wins, as in [`Database::new`]).
    pub modified: String,
    /// Whether it is withdrawn (left out, as in [`Database::new`]).
    pub withdrawn: bool,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// Each `affected[]` entry with a package.
    pub affected: Vec<AffectedKeys>,
}

/// What the index needs of one `affected[]` entry: its package and what decides whether a
/// version is affected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedKeys {
    /// OSV ecosystem as written (`PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// Package name as written.
    pub name: String,
    /// Its ranges (a GIT range's repository is not kept: it decides nothing).
    pub ranges: Vec<Range>,
    /// Its `versions` list.
    pub versions: Vec<String>,
}

#[derive(Deserialize)]
struct RawKeys {
    id: String,
    modified: String,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: RangeType,
    #[serde(default)]
    events: Option<Vec<RawEvent>>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

impl RawEvent {
    /// The event, when it has one version (a record checked on storing always does).
    fn event(self) -> Option<Event> {
        match (self.introduced, self.fixed, self.last_affected, self.limit) {
            (Some(v), None, None, None) => Some(Event::Introduced(v)),
            (None, Some(v), None, None) => Some(Event::Fixed(v)),
            (None, None, Some(v), None) => Some(Event::LastAffected(v)),
            (None, None, None, Some(v)) => Some(Event::Limit(v)),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

impl AdvisoryKeys {
    /// Reads the keys of an OSV JSON record without building the advisory (every other field is
    /// skipped, so this costs a fraction of [`Advisory::from_json`]). Meant for records that were
    /// checked when stored; a record the full reader would reject may still read here.
    pub fn from_json(bytes: &[u8]) -> Result<AdvisoryKeys, OsvError> {
        let raw: RawKeys =
            serde_json::from_slice(bytes).map_err(|e| OsvError::new(format!("invalid OSV JSON: {e}")))?;
        Ok(AdvisoryKeys {
            id: raw.id,
            modified: raw.modified,
            withdrawn: raw.withdrawn.is_some(),
            aliases: raw.aliases.unwrap_or_default(),
            affected: raw
                .affected
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| {
                    let p = f.package?;
                    Some(AffectedKeys {
                        ecosystem: p.ecosystem,
                        name: p.name,
                        ranges: f
                            .ranges
                            .unwrap_or_default()
                            .into_iter()
                            .map(|r| Range {
                                kind: r.kind,
                                repo: None,
                                events: r
                                    .events
                                    .unwrap_or_default()
                                    .into_iter()
                                    .filter_map(RawEvent::event)
                                    .collect(),
                            })
                            .collect(),
                        versions: f.versions.unwrap_or_default(),
                    })
                })
                .collect(),
        })
    }

    /// The keys of an advisory already read.
    pub fn of(a: &Advisory) -> AdvisoryKeys {
        AdvisoryKeys {
            id: a.id().to_owned(),
            modified: a.modified().to_owned(),
            withdrawn: a.withdrawn().is_some(),
            aliases: a.aliases().to_vec(),
            affected: a
                .affected()
                .iter()
                .filter_map(|f| {
                    let p = f.package()?;
                    Some(AffectedKeys {
                        ecosystem: p.ecosystem.clone(),
                        name: p.name.clone(),
                        ranges: f.ranges().iter().map(|r| Range { repo: None, ..r.clone() }).collect(),
                        versions: f.versions().to_vec(),
                    })
                })
                .collect(),
        }
    }
}

/// Every distinct string of the index (versions, ecosystems) once, in one arena: a symbol is
/// its position, 4 bytes where a `String` takes 24 and an allocation.
#[derive(Debug, Default)]
struct Strings {
    text: String,
    /// End of each string in `text`; string `i` starts where `i - 1` ends.
    ends: Vec<u32>,
}

impl Strings {
    fn get(&self, sym: u32) -> &str {
        let i = sym as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// Interns strings while the index is built; dropped after, the arena kept.
#[derive(Default)]
struct Interner {
    strings: Strings,
    known: HashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&sym) = self.known.get(s) {
            return sym;
        }
        let sym = u32::try_from(self.strings.ends.len()).unwrap_or(u32::MAX);
        self.strings.text.push_str(s);
        self.strings.ends.push(u32::try_from(self.strings.text.len()).unwrap_or(u32::MAX));
        self.known.insert(Box::from(s), sym);
        sym
    }
}

/// An event's kind, its version a symbol.
#[derive(Debug, Clone, Copy)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// One range of an entry, compact.
#[derive(Debug)]
struct CompactRange {
    kind: RangeType,
    events: Box<[(EventKind, u32)]>,
}

/// One `affected[]` entry, compact: what [`CompiledAffected`] is compiled from when a component
/// of its package is matched.
#[derive(Debug)]
struct CompactEntry {
    /// The advisory's ordinal.
    advisory: u32,
    /// The ecosystem as written (release suffix included).
    ecosystem: u32,
    ranges: Box<[CompactRange]>,
    versions: Box<[u32]>,
}

/// Advisories by package and alias, as ordinals into the sorted id list.
#[derive(Debug, Default)]
pub struct PackageIndex {
    /// Usable advisory ids, sorted; an advisory's ordinal is its position.
    ids: Vec<Box<str>>,
    by_package: HashMap<(Box<str>, Box<str>), Vec<CompactEntry>>,
    by_alias: HashMap<Box<str>, Vec<u32>>,
    strings: Strings,
    /// Advisories per full ecosystem string, as [`Database`] keeps them for per-release counts.
    by_release: Arc<HashMap<String, BTreeSet<usize>>>,
    info: DatabaseInfo,
}

impl PackageIndex {
    /// Builds the index from every record's keys (any order, repeats allowed): duplicates and
    /// withdrawn advisories are treated as [`Database::new`] treats them.
    pub fn new(records: impl IntoIterator<Item = AdvisoryKeys>) -> PackageIndex {
        let mut builder = PackageIndexBuilder::default();
        for k in records {
            builder.add(k);
        }
        builder.finish()
    }

    /// Totals of the whole data (sources and diagnostics are the caller's to fill in).
    pub fn info(&self) -> &DatabaseInfo {
        &self.info
    }

    /// Whether a usable advisory has this id.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.binary_search_by(|i| i.as_ref().cmp(id)).is_ok()
    }

    /// Ids of the usable advisories that list `alias` among their aliases.
    pub fn with_alias<'a>(&'a self, alias: &str) -> impl Iterator<Item = &'a str> + use<'a> {
        self.by_alias.get(alias).into_iter().flatten().filter_map(|&o| self.id(o))
    }

    fn id(&self, ordinal: u32) -> Option<&str> {
        self.ids.get(ordinal as usize).map(AsRef::as_ref)
    }

    /// The entries naming the package that advisories call `eco`/`name`.
    fn entries(&self, eco: &OsvEcosystem, name: &str) -> &[CompactEntry] {
        let key = (Box::from(eco_key(eco).as_str()), Box::from(&*normalize(eco.known(), name)));
        self.by_package.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Ids of every advisory that names a component of `inventory` as the matcher looks it up
    /// (ecosystem and normalised name; a distribution package by its source package), whatever
    /// the component's version.
    pub fn candidates(&self, inventory: &Inventory) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for c in inventory.components.iter().filter(|c| !c.local) {
            let Some((eco, name, _)) = advisory_target(c) else { continue };
            out.extend(
                self.entries(&eco, name).iter().filter_map(|e| self.id(e.advisory)).map(str::to_owned),
            );
        }
        out
    }

    /// Ids of the advisories matching `inventory` needs, with [`aliases_to_read`] of them: for a
    /// registry component with a version, those whose entry for it affects that version or cannot
    /// tell (decided here, from the compact ranges); for any other component every candidate, as
    /// the matcher names them all as not evaluated. An advisory left out could only have said
    /// "not affected", so matching against these decides exactly as against every record.
    ///
    /// [`aliases_to_read`]: Self::aliases_to_read
    pub fn records_to_read(&self, inventory: &Inventory) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for c in inventory.components.iter().filter(|c| !c.local) {
            let Some((eco, name, version)) = advisory_target(c) else { continue };
            let decide = matches!(c.source, Source::Registry) && !version.trim().is_empty();
            for e in self.entries(&eco, name) {
                if !decide || self.may_affect(e, &eco, version) {
                    out.extend(self.id(e.advisory).map(str::to_owned));
                }
            }
        }
        out
    }

    /// Whether `entry` may affect `version` of a package of `eco`: `false` only when its
    /// compiled ranges and `versions` list say "not affected" (or its release is another).
    fn may_affect(&self, entry: &CompactEntry, eco: &OsvEcosystem, version: &str) -> bool {
        let ecosystem = OsvEcosystem::parse(self.strings.get(entry.ecosystem));
        if ecosystem.suffix().is_some() && ecosystem.suffix() != eco.suffix() {
            return false;
        }
        let ranges: Vec<Range> = entry
            .ranges
            .iter()
            .map(|r| Range {
                kind: r.kind,
                repo: None,
                events: r
                    .events
                    .iter()
                    .map(|&(kind, sym)| {
                        let v = self.strings.get(sym).to_owned();
                        match kind {
                            EventKind::Introduced => Event::Introduced(v),
                            EventKind::Fixed => Event::Fixed(v),
                            EventKind::LastAffected => Event::LastAffected(v),
                            EventKind::Limit => Event::Limit(v),
                        }
                    })
                    .collect(),
            })
            .collect();
        // The ranges first, without the list: the list (hundreds of versions in some records)
        // is read only when they say "not affected".
        if CompiledAffected::from_parts(&ecosystem, &ranges, &[]).evaluate(version) != Verdict::NotAffected {
            return true;
        }
        if entry.versions.is_empty() {
            return false;
        }
        let listed = || entry.versions.iter().map(|&v| self.strings.get(v));
        if listed().any(|v| v == version) {
            return true;
        }
        // Listed under another spelling of the same version, as the matcher compares them.
        let Ok(scheme) = ecosystem.scheme() else { return false };
        let Ok(installed) = Version::parse(scheme, version) else { return true };
        listed().any(|v| Version::parse_osv(scheme, v).is_ok_and(|(v, _)| v == installed))
    }

    /// The aliases of `read` that are advisories of their own, not read yet: matching rates a
    /// finding of unknown severity from them.
    pub fn aliases_to_read(&self, read: &[Advisory]) -> BTreeSet<String> {
        let have: BTreeSet<&str> = read.iter().map(Advisory::id).collect();
        read.iter()
            .flat_map(|a| a.aliases())
            .filter(|x| !have.contains(x.as_str()) && self.contains(x))
            .cloned()
            .collect()
    }

    /// A database of `advisories` (the candidates and the aliases read for them) that reports this
    /// index's totals, so coverage counts and "no data for" gaps are those of the whole data.
    pub fn database(&self, advisories: Vec<Advisory>) -> Database {
        let info = DatabaseInfo { sources: Vec::new(), ..self.info.clone() };
        Database::new(advisories, Vec::new(), Vec::new()).with_totals(info, self.by_release.clone())
    }
}

/// One advisory's keys in the index's compact form, before its ordinal is known.
struct Pending {
    modified: Box<str>,
    withdrawn: bool,
    aliases: Box<[Box<str>]>,
    entries: Vec<PendingEntry>,
}

/// One `affected[]` entry in compact form with the keys it is filed under.
struct PendingEntry {
    /// [`eco_key`] of its ecosystem.
    key: Box<str>,
    /// The normalised package name.
    name: Box<str>,
    /// The full ecosystem string when the ecosystem is known (per-release counts).
    release: Option<Box<str>>,
    /// The entry (its `advisory` ordinal set when the index is finished).
    entry: CompactEntry,
}

/// One source's records, already in the compact form, held apart until the index is built: a
/// source being written keys them as it stores them (a later record of an id replacing the
/// earlier one, a withdrawn one removing it), and [`PackageIndexBuilder::merge`] adds them in
/// the source's turn, so building the index after the source was stored does not read it back.
#[derive(Default)]
pub struct StagedSource {
    by_id: HashMap<Box<str>, Pending>,
}

impl StagedSource {
    /// Drops the record of `id` put before, if any.
    pub fn remove(&mut self, id: &str) {
        self.by_id.remove(id);
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Builds a [`PackageIndex`] one record at a time, keeping each only in the compact form: the
/// records' own strings (hundreds of versions in some) are dropped as each is added, so building
/// from 250k records never holds them all.
#[derive(Default)]
pub struct PackageIndexBuilder {
    interner: Interner,
    by_id: BTreeMap<Box<str>, Pending>,
    duplicates: usize,
}

impl PackageIndexBuilder {
    /// Adds one record's keys; of two records with one id the newer `modified` wins (the later
    /// one on a tie), as in [`Database::new`].
    pub fn add(&mut self, k: AdvisoryKeys) {
        if self.loses(&k.id, &k.modified) {
            return;
        }
        let pending = self.compact(&k);
        self.by_id.insert(k.id.into_boxed_str(), pending);
    }

    /// Counts a record of `id` added when one is already there; `true` when the one there is
    /// newer (the new one is dropped).
    fn loses(&mut self, id: &str, modified: &str) -> bool {
        match self.by_id.get(id) {
            Some(old) => {
                self.duplicates += 1;
                modified < &*old.modified
            }
            None => false,
        }
    }

    /// Puts one record's keys into `source`, in the compact form, replacing the one of its id
    /// put before (a source holds one record per id: the caller decides which).
    pub fn stage(&mut self, source: &mut StagedSource, k: &AdvisoryKeys) {
        let pending = self.compact(k);
        source.by_id.insert(Box::from(k.id.as_str()), pending);
    }

    /// Adds every record of `source` as [`add`](Self::add) would add them one by one (in any
    /// order: its ids are unique).
    pub fn merge(&mut self, source: StagedSource) {
        for (id, pending) in source.by_id {
            if self.loses(&id, &pending.modified) {
                continue;
            }
            self.by_id.insert(id, pending);
        }
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn compact(&mut self, k: &AdvisoryKeys) -> Pending {
        let interner = &mut self.interner;
        let entries = k
            .affected
            .iter()
            .map(|f| {
                let ecosystem = OsvEcosystem::parse(&f.ecosystem);
                let entry = CompactEntry {
                    advisory: 0,
                    ecosystem: interner.intern(&f.ecosystem),
                    ranges: f
                        .ranges
                        .iter()
                        .map(|r| CompactRange {
                            kind: r.kind,
                            events: r
                                .events
                                .iter()
                                .map(|e| {
                                    let kind = match e {
                                        Event::Introduced(_) => EventKind::Introduced,
                                        Event::Fixed(_) => EventKind::Fixed,
                                        Event::LastAffected(_) => EventKind::LastAffected,
                                        Event::Limit(_) => EventKind::Limit,
                                    };
                                    (kind, interner.intern(e.version()))
                                })
                                .collect(),
                        })
                        .collect(),
                    versions: f.versions.iter().map(|v| interner.intern(v)).collect(),
                };
                PendingEntry {
                    key: eco_key(&ecosystem).into_boxed_str(),
                    name: Box::from(&*normalize(ecosystem.known(), &f.name)),
                    release: ecosystem.known().is_some().then(|| ecosystem.to_string().into_boxed_str()),
                    entry,
                }
            })
            .collect();
        Pending {
            modified: Box::from(k.modified.as_str()),
            withdrawn: k.withdrawn,
            aliases: k.aliases.iter().map(|a| Box::from(a.as_str())).collect(),
            entries,
        }
    }

    /// The index: usable advisories numbered in id order, withdrawn ones counted and left out.
    pub fn finish(self) -> PackageIndex {
        let mut index = PackageIndex::default();
        let mut by_release: HashMap<String, BTreeSet<usize>> = HashMap::new();
        let mut by_ecosystem: BTreeMap<String, usize> = BTreeMap::new();
        let mut newest: Option<Box<str>> = None;
        let mut withdrawn = 0;
        let mut ordinal = 0usize;
        for (id, p) in self.by_id {
            if p.withdrawn {
                withdrawn += 1;
                continue;
            }
            let at = u32::try_from(ordinal).unwrap_or(u32::MAX);
            let mut ecosystems: Vec<Box<str>> = Vec::new();
            for PendingEntry { key, name, release, mut entry } in p.entries {
                if let Some(release) = release {
                    by_release.entry(release.into_string()).or_default().insert(ordinal);
                }
                entry.advisory = at;
                ecosystems.push(key.clone());
                index.by_package.entry((key, name)).or_default().push(entry);
            }
            ecosystems.sort();
            ecosystems.dedup();
            for e in ecosystems {
                *by_ecosystem.entry(e.into_string()).or_default() += 1;
            }
            for alias in p.aliases {
                index.by_alias.entry(alias).or_default().push(at);
            }
            if newest.as_deref().is_none_or(|n| &*p.modified > n) {
                newest = Some(p.modified);
            }
            index.ids.push(id);
            ordinal += 1;
        }
        index.strings = self.interner.strings;
        index.strings.text.shrink_to_fit();
        index.strings.ends.shrink_to_fit();
        index.ids.shrink_to_fit();
        for entries in index.by_package.values_mut() {
            entries.shrink_to_fit();
        }
        index.by_release = Arc::new(by_release);
        index.by_package.shrink_to_fit();
        index.by_alias.shrink_to_fit();
        index.info = DatabaseInfo {
            advisories: index.ids.len(),
            withdrawn,
            duplicates: self.duplicates,
            by_ecosystem,
            newest_modified: newest.map(String::from),
            ..DatabaseInfo::default()
        };
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An rpm package of a distribution OSV covers is matched from the index's records as from
    /// the whole data (the index once skipped rpm packages when they were not matched at all):
    /// the real AlmaLinux record ALSA-2024:2447 is read for `openssl-libs` of AlmaLinux 9 below
    /// its fix, and not for one at the fix.
    #[test]
    fn rpm_packages_have_their_distributions_records_read() {
        let text = include_str!("../../tests/fixtures/rpm-osv/almalinux9/ALSA-2024-2447.json");
        let index = PackageIndex::new([AdvisoryKeys::from_json(text.as_bytes()).expect("keys")]);
        let rpm = |evr: &str| {
            let at = crate::inventory::Location::new("var/lib/rpm/rpmdb.sqlite", None);
            let mut p =
                crate::inventory::Package::new(crate::inventory::Ecosystem::Rpm, "openssl-libs", evr, at)
                    .expect("valid package");
            p.distro = Some(crate::inventory::DistroPackage {
                release: "AlmaLinux:9".into(),
                source: "openssl-libs".into(),
                source_version: evr.into(),
            });
            Inventory::assemble([p], Vec::new(), Vec::new(), Vec::new())
        };
        let below = index.records_to_read(&rpm("1:3.0.7-25.el9_3"));
        assert_eq!(below.iter().map(String::as_str).collect::<Vec<_>>(), ["ALSA-2024:2447"]);
        assert!(index.records_to_read(&rpm("1:3.0.7-27.el9")).is_empty(), "fixed there");
    }

    #[test]
    fn keys_read_from_json_are_the_advisorys() {
        let text = r#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],"details":"long",
            "affected":[{"package":{"ecosystem":"PyPI","name":"Django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]},
            {"ranges":[{"type":"GIT","repo":"https://g","events":[{"introduced":"0"}]}]}]}"#;
        let a = Advisory::from_json(text.as_bytes()).expect("valid");
        assert_eq!(AdvisoryKeys::from_json(text.as_bytes()).expect("keys"), AdvisoryKeys::of(&a));
    }

    /// The alias record names the package otherwise, so it is no candidate; it is read for the
    /// severity it lends, as a database of every record would lend it. Constructed records.
    #[test]
    fn an_alias_record_is_read_for_its_severity() {
        use crate::inventory::{Ecosystem, Location, Package};
        let pysec = r#"{"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","aliases":["GHSA-aaaa-bbbb-cccc"],"affected":[{"package":{"ecosystem":"PyPI","name":"pkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}"#;
        let ghsa = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"affected":[{"package":{"ecosystem":"PyPI","name":"pkg-renamed"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}"#;
        let records: Vec<Advisory> =
            [pysec, ghsa].iter().map(|r| Advisory::from_json(r.as_bytes()).expect("valid")).collect();
        let full = Database::new(records.clone(), Vec::new(), Vec::new());
        let index = PackageIndex::new(records.iter().map(AdvisoryKeys::of));
        let pkg = Package::new(Ecosystem::PyPI, "pkg", "1.0", Location::new("lock", None)).expect("package");
        let inv = Inventory::assemble([pkg], Vec::new(), Vec::new(), Vec::new());
        let candidates: Vec<Advisory> =
            index.candidates(&inv).iter().filter_map(|id| full.advisory(id).cloned()).collect();
        assert_eq!(candidates.iter().map(Advisory::id).collect::<Vec<_>>(), ["PYSEC-1"]);
        let aliases = index.aliases_to_read(&candidates);
        assert_eq!(aliases.iter().map(String::as_str).collect::<Vec<_>>(), ["GHSA-aaaa-bbbb-cccc"]);
        let mut read = candidates;
        read.extend(aliases.iter().filter_map(|id| full.advisory(id).cloned()));
        let expected = crate::vuln::match_inventory(&inv, &full);
        assert_eq!(expected.findings[0].severity.from_alias.as_deref(), Some("GHSA-aaaa-bbbb-cccc"));
        assert_eq!(crate::vuln::match_inventory(&inv, &index.database(read)), expected);
    }

    /// A source keyed while it is stored (a later record of an id replacing the earlier one, one
    /// removed) and merged in its turn builds the index that adding the stored records one by one
    /// builds: the same winners (a tie goes to the later source), duplicates and totals.
    /// Constructed records; the alias tells which record won.
    #[test]
    fn a_staged_source_merged_in_its_turn_builds_what_adding_its_records_builds() {
        let keys = |id: &str, modified: &str, alias: &str| AdvisoryKeys {
            id: id.into(),
            modified: modified.into(),
            withdrawn: false,
            aliases: vec![alias.into()],
            affected: vec![AffectedKeys {
                ecosystem: "npm".into(),
                name: format!("pkg-{id}"),
                ranges: Vec::new(),
                versions: vec![format!("1.0.0-{alias}")],
            }],
        };
        let first = [keys("A", "2024-01-01", "a-first"), keys("B", "2024-03-01", "b-first")];
        let second_stored = [keys("A", "2024-01-01", "a-second"), keys("B", "2024-02-01", "b-second")];
        let direct = PackageIndex::new(first.iter().chain(&second_stored).cloned());

        let mut builder = PackageIndexBuilder::default();
        let mut staged = StagedSource::default();
        // Written, then replaced by a newer record of its id, as the import rewrites rows.
        builder.stage(&mut staged, &keys("A", "2023-01-01", "replaced"));
        builder.stage(&mut staged, &keys("C", "2024-01-01", "removed"));
        for k in &second_stored {
            builder.stage(&mut staged, k);
        }
        staged.remove("C");
        assert_eq!(staged.len(), 2);
        for k in &first {
            builder.add(k.clone());
        }
        builder.merge(staged);
        let merged = builder.finish();

        assert_eq!(merged.info(), direct.info());
        assert_eq!((merged.info().advisories, merged.info().duplicates), (2, 2));
        for alias in ["a-first", "a-second", "b-first", "b-second", "replaced", "removed"] {
            assert_eq!(
                merged.with_alias(alias).collect::<Vec<_>>(),
                direct.with_alias(alias).collect::<Vec<_>>(),
                "{alias}"
            );
        }
        assert_eq!(
            merged.with_alias("a-second").collect::<Vec<_>>(),
            ["A"],
            "a tie goes to the later source"
        );
        assert_eq!(merged.with_alias("b-first").collect::<Vec<_>>(), ["B"], "the newer record wins");
    }

    #[test]
    fn the_newest_record_of_an_id_decides_and_withdrawn_ones_are_left_out() {
        let keys = |id: &str, modified: &str, withdrawn: bool| AdvisoryKeys {
            id: id.into(),
            modified: modified.into(),
            withdrawn,
            aliases: vec!["CVE-9".into()],
            affected: vec![AffectedKeys {
                ecosystem: "npm".into(),
                name: "a".into(),
                ranges: Vec::new(),
                versions: Vec::new(),
            }],
        };
        let index = PackageIndex::new([
            keys("A", "2024-01-01", false),
            keys("A", "2024-02-01", true),
            keys("B", "2024-01-01", false),
        ]);
        assert!(!index.contains("A") && index.contains("B"));
        assert_eq!((index.info().advisories, index.info().withdrawn, index.info().duplicates), (1, 1, 1));
        assert_eq!(index.with_alias("CVE-9").collect::<Vec<_>>(), ["B"]);
    }
}
