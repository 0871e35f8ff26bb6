//! The in-memory vulnerability database: advisories by id, an index from (ecosystem, normalised
//! name) to affected entries with their ranges compiled, and a record of what it was built from.

use super::load::LoadDiagnostic;
use super::name::normalize;
use super::osv::{Advisory, Affected};
use super::range::CompiledAffected;
use super::version::OsvEcosystem;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// One source given to the loader and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// The path as given.
    pub path: String,
    /// `file`, `directory` or `zip`.
    pub kind: &'static str,
    /// Records read successfully from it.
    pub records: usize,
    /// Records or files that could not be read.
    pub errors: usize,
}

/// What a database was built from: a scan names its OSV snapshot with this.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatabaseInfo {
    /// Every source, in the order given.
    pub sources: Vec<SourceInfo>,
    /// Advisories usable for matching (unique ids, withdrawn ones left out).
    pub advisories: usize,
    /// Withdrawn advisories read and left out.
    pub withdrawn: usize,
    /// Records whose id was already read (the newest `modified` is kept).
    pub duplicates: usize,
    /// Usable advisories per ecosystem (without release suffix); an advisory naming two
    /// ecosystems counts in both.
    pub by_ecosystem: BTreeMap<String, usize>,
    /// The newest `modified` timestamp of any usable advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_modified: Option<String>,
    /// Records or files that could not be read, and why.
    pub diagnostics: Vec<LoadDiagnostic>,
    /// Advisories with versions that are not strict in their scheme, read as OSV.dev reads them
    /// (`introduced: "1.0"` as `1.0.0`): which, and how. They match; this says on what reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<VersionReading>,
}

/// An advisory's irregular version and how it was read: a diagnostic on the advisory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VersionReading {
    /// The advisory's id.
    pub advisory: String,
    /// The affected package (`ecosystem/name`).
    pub package: String,
    /// What was read how (`SEMVER range, introduced "1.0" read as 1.0.0 (…)`).
    pub note: String,
}

/// One indexed `affected[]` entry.
#[derive(Debug)]
pub(crate) struct Entry {
    pub advisory: usize,
    pub affected: usize,
    pub ecosystem: OsvEcosystem,
    pub compiled: CompiledAffected,
}

/// Advisories ready to match.
#[derive(Debug, Default)]
pub struct Database {
    advisories: Vec<Advisory>,
    index: HashMap<(String, String), Vec<Entry>>,
    info: DatabaseInfo,
    /// Advisories per full ecosystem string (`Debian:12`, and `Debian` for release-less entries),
    /// for the per-release count of distribution ecosystems.
    by_release: Arc<HashMap<String, BTreeSet<usize>>>,
}

/// The index key of an ecosystem: its base name (suffix dropped) or the unknown string as given.
pub(crate) fn eco_key(e: &OsvEcosystem) -> String {
    match e.known() {
        Some(k) => k.as_str().to_owned(),
        None => e.to_string(),
    }
}

/// The irregular versions of `a`'s affected entries and how they were read (as
/// [`DatabaseInfo::readings`] lists them), compiling each entry's ranges once: for a consumer that
/// checks records one by one instead of building a [`Database`].
pub fn readings_of(a: &Advisory) -> Vec<VersionReading> {
    let mut out = Vec::new();
    for f in a.affected() {
        let Some(p) = f.package() else { continue };
        let compiled = CompiledAffected::new(&OsvEcosystem::parse(&p.ecosystem), f);
        out.extend(compiled.readings().iter().map(|note| VersionReading {
            advisory: a.id().to_owned(),
            package: format!("{}/{}", p.ecosystem, p.name),
            note: note.clone(),
        }));
    }
    out
}

impl Database {
    /// Build from advisories (any order, repeats allowed) and what the loader recorded.
    pub fn new(
        records: impl IntoIterator<Item = Advisory>,
        sources: Vec<SourceInfo>,
        diagnostics: Vec<LoadDiagnostic>,
    ) -> Database {
        let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
        let mut duplicates = 0;
        for a in records {
            match by_id.get(a.id()) {
                Some(old) => {
                    duplicates += 1;
                    if a.modified() >= old.modified() {
                        by_id.insert(a.id().to_owned(), a);
                    }
                }
                None => {
                    by_id.insert(a.id().to_owned(), a);
                }
            }
        }
        let (withdrawn, advisories): (Vec<Advisory>, Vec<Advisory>) =
            by_id.into_values().partition(|a| a.withdrawn().is_some());
        let mut index: HashMap<(String, String), Vec<Entry>> = HashMap::new();
        let mut by_ecosystem: BTreeMap<String, usize> = BTreeMap::new();
        let mut readings: Vec<VersionReading> = Vec::new();
        let mut by_release: HashMap<String, BTreeSet<usize>> = HashMap::new();
        for (ai, a) in advisories.iter().enumerate() {
            let mut ecosystems: Vec<String> = Vec::new();
            for (fi, f) in a.affected().iter().enumerate() {
                let Some(p) = f.package() else { continue };
                let ecosystem = OsvEcosystem::parse(&p.ecosystem);
                let key = eco_key(&ecosystem);
                let name = normalize(ecosystem.known(), &p.name).into_owned();
                let compiled = CompiledAffected::new(&ecosystem, f);
                readings.extend(compiled.readings().iter().map(|note| VersionReading {
                    advisory: a.id().to_owned(),
                    package: format!("{}/{}", p.ecosystem, p.name),
                    note: note.clone(),
                }));
                ecosystems.push(key.clone());
                if ecosystem.known().is_some() {
                    by_release.entry(ecosystem.to_string()).or_default().insert(ai);
                }
                index.entry((key, name)).or_default().push(Entry {
                    advisory: ai,
                    affected: fi,
                    ecosystem,
                    compiled,
                });
            }
            ecosystems.sort();
            ecosystems.dedup();
            for e in ecosystems {
                *by_ecosystem.entry(e).or_default() += 1;
            }
        }
        let newest_modified = advisories.iter().map(Advisory::modified).max().map(str::to_owned);
        let info = DatabaseInfo {
            sources,
            advisories: advisories.len(),
            withdrawn: withdrawn.len(),
            duplicates,
            by_ecosystem,
            newest_modified,
            diagnostics,
            readings,
        };
        Database { advisories, index, info, by_release: Arc::new(by_release) }
    }

    /// This database with another data's totals: the advisories it counts per ecosystem and
    /// release, and what [`info`](Self::info) says, for a database holding only part of that
    /// data (see [`PackageIndex::database`](super::package_index::PackageIndex::database)).
    pub(crate) fn with_totals(
        mut self,
        info: DatabaseInfo,
        by_release: Arc<HashMap<String, BTreeSet<usize>>>,
    ) -> Database {
        self.info = info;
        self.by_release = by_release;
        self
    }

    /// Advisory ordinals per full ecosystem string: what [`with_totals`](Self::with_totals) takes,
    /// for a cache that builds partial databases reporting this one's totals.
    pub(crate) fn by_release(&self) -> &Arc<HashMap<String, BTreeSet<usize>>> {
        &self.by_release
    }

    /// What the database was built from.
    pub fn info(&self) -> &DatabaseInfo {
        &self.info
    }

    /// Usable advisories loaded for an ecosystem (any release suffix).
    ///
    /// With a release suffix (`Debian:12`) only that release's advisories count, plus those whose
    /// entries name no release: the ones a package of that release is matched against.
    pub fn advisories_for(&self, ecosystem: &OsvEcosystem) -> usize {
        if ecosystem.suffix().is_none() {
            return self.info.by_ecosystem.get(&eco_key(ecosystem)).copied().unwrap_or(0);
        }
        let empty = BTreeSet::new();
        let exact = self.by_release.get(&ecosystem.to_string()).unwrap_or(&empty);
        let bare = self.by_release.get(&eco_key(ecosystem)).unwrap_or(&empty);
        exact.union(bare).count()
    }

    /// Usable advisories, sorted by id.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The advisory with this id.
    pub fn advisory(&self, id: &str) -> Option<&Advisory> {
        self.advisories.binary_search_by(|a| a.id().cmp(id)).ok().map(|i| &self.advisories[i])
    }

    /// Affected entries for a package: same ecosystem, same name under the ecosystem's rules, and
    /// a release suffix that is absent from the advisory or equal to the package's.
    pub(crate) fn candidates<'a>(
        &'a self,
        ecosystem: &'a OsvEcosystem,
        name: &str,
    ) -> impl Iterator<Item = (&'a Advisory, &'a Affected, &'a CompiledAffected)> + 'a {
        let key = (eco_key(ecosystem), normalize(ecosystem.known(), name).into_owned());
        self.index
            .get(&key)
            .into_iter()
            .flatten()
            .filter(move |e| e.ecosystem.suffix().is_none() || e.ecosystem.suffix() == ecosystem.suffix())
            .filter_map(|e| {
                let a = self.advisories.get(e.advisory)?;
                Some((a, a.affected().get(e.affected)?, &e.compiled))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14 point 13: the advisory with a partial version says how it was read.
    #[test]
    fn an_irregular_version_is_a_reading_on_its_advisory() {
        let text = r#"{"id":"GHSA-T","modified":"2024-01-01T00:00:00Z","affected":[
            {"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0"},{"fixed":"1.2.0"}]}]},
            {"package":{"ecosystem":"npm","name":"b"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}"#;
        let a = Advisory::from_json(text.as_bytes()).expect("valid");
        let db = Database::new([a], Vec::new(), Vec::new());
        let readings = &db.info().readings;
        assert_eq!(readings.len(), 1, "{readings:?}");
        assert_eq!((readings[0].advisory.as_str(), readings[0].package.as_str()), ("GHSA-T", "npm/a"));
        assert!(readings[0].note.contains("introduced \"1.0\" read as 1.0.0"), "{readings:?}");
        let json = serde_json::to_value(db.info()).expect("json");
        assert_eq!(json["readings"][0]["advisory"], "GHSA-T");
    }
}
