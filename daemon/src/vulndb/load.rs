//! Between the engine and the store: the row stored for each advisory, and the snapshot's index
//! rebuilt from the stored records (those an import just wrote keyed as it wrote them, so not
//! read back).

use std::collections::{BTreeMap, BTreeSet};

use super::advisories::Advisories;
use super::{Snapshot, VulnDb, VulnDbError};
use crate::store::{IndexFeed, OsvRow, Store};
use cairn_engine::vuln::{Advisory, AdvisoryKeys, PackageIndexBuilder, StagedSource, severity};

/// Every ecosystem `advisories` name, once, sorted (`Debian:12` counts as `Debian`).
pub fn ecosystems_of(advisories: &[Advisory]) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = advisories
        .iter()
        .flat_map(|a| a.affected())
        .filter_map(|f| f.package())
        .map(|p| p.ecosystem.split(':').next().unwrap_or(&p.ecosystem))
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

/// The stored form of an advisory: its JSON and the summary columns of `vulnerabilities`.
pub fn row_of(a: &Advisory) -> Result<OsvRow, VulnDbError> {
    // The most severe rating any affected package gets (the advisory's own list when none has one).
    let sev = a.affected().iter().map(|f| severity::assess(a, f)).max_by(|x, y| {
        x.rating.cmp(&y.rating).then(x.score.unwrap_or(0.0).total_cmp(&y.score.unwrap_or(0.0)))
    });
    Ok(OsvRow {
        id: a.id().to_owned(),
        modified: a.modified().to_owned(),
        published: a.published().map(str::to_owned),
        aliases: to_json(a.id(), a.aliases())?,
        // Advisories without a summary (PyPA's) get one from their details here, once, so lists
        // never read and parse records to show one.
        summary: a
            .summary()
            .map(str::to_owned)
            .or_else(|| a.details().and_then(crate::store::summary_of_details)),
        severity: sev.as_ref().map(|s| s.rating),
        cvss_vector: sev.as_ref().and_then(|s| s.vector.clone()),
        cvss_score: sev.as_ref().and_then(|s| s.score),
        record: to_json(a.id(), a)?,
    })
}

fn to_json<T: serde::Serialize + ?Sized>(id: &str, v: &T) -> Result<String, VulnDbError> {
    serde_json::to_string(v).map_err(|e| VulnDbError::Corrupt { id: id.to_owned(), reason: e.to_string() })
}

/// The index an import builds as it stores: the records of each source it replaced, keyed as
/// they were written (see [`StagedSource`]), and the generation its last replacement committed.
/// Rebuilding the snapshot from it reads back only the other sources' records.
#[derive(Default)]
pub struct Keyed {
    builder: PackageIndexBuilder,
    sources: BTreeMap<String, StagedSource>,
    generation: Option<String>,
}

impl Keyed {
    /// The builder and a new, empty source to key into: moved to the thread that reads the data.
    pub(super) fn start_source(&mut self) -> (PackageIndexBuilder, StagedSource) {
        (std::mem::take(&mut self.builder), StagedSource::default())
    }

    /// The builder back; `stored` (the source `name`'s records as committed with `generation`)
    /// kept for the rebuild, or `None` when the source was not replaced (its keys dropped).
    pub(super) fn end_source(
        &mut self,
        builder: PackageIndexBuilder,
        stored: Option<(&str, StagedSource, &str)>,
    ) {
        self.builder = builder;
        if let Some((name, source, generation)) = stored {
            self.sources.insert(name.to_owned(), source);
            self.generation = Some(generation.to_owned());
        }
    }

    /// The builder was lost with the thread that held it: the keys kept so far name strings only
    /// it held, so none of them can be used.
    pub(super) fn lost(&mut self) {
        *self = Keyed::default();
    }
}

/// Rebuilds the snapshot from the database and installs it; returns the generation now current
/// (`None`: no data stored, nothing installed). Only the index is built: the records are streamed
/// from the store, their keys read, their text dropped (see [`super::advisories`]).
pub async fn reload(store: &Store, vulndb: &VulnDb) -> Result<Option<String>, VulnDbError> {
    rebuild(store, vulndb, Keyed::default()).await
}

/// [`reload`] with the sources `keyed` holds taken from it instead of read back, while the data
/// is still the generation it committed (else every source is read, as by [`reload`]).
pub async fn rebuild(store: &Store, vulndb: &VulnDb, keyed: Keyed) -> Result<Option<String>, VulnDbError> {
    let sources = store.vulndb_sources().await?;
    let Keyed { builder, sources: mut staged, generation: keyed_generation } = keyed;
    let names: BTreeSet<String> = staged.keys().cloned().collect();
    let (to, mut from) = tokio::sync::mpsc::channel::<IndexFeed>(1024);
    // Each record is reduced to the index's compact form as it arrives (its text and keys
    // dropped at once): building from every record never holds them all.
    let builder = tokio::task::spawn_blocking(move || {
        let mut builder = builder;
        while let Some(item) = from.blocking_recv() {
            match item {
                IndexFeed::Record(record) => match AdvisoryKeys::from_json(record.as_bytes()) {
                    Ok(k) => builder.add(k),
                    Err(e) => tracing::warn!(error = %e, "stored OSV record no longer reads; left out"),
                },
                IndexFeed::Keyed(name) => {
                    if let Some(source) = staged.remove(&name) {
                        builder.merge(source);
                    }
                }
            }
        }
        builder
    });
    let generation = store.vulndb_stream_records(to, &names, keyed_generation.as_deref()).await;
    let builder =
        builder.await.map_err(|e| VulnDbError::Invalid(format!("rebuilding the index stopped: {e}")))?;
    let Some(generation) = generation? else { return Ok(None) };
    if builder.is_empty() {
        // Every source was removed (or none ever held a record): scans must say "no data", not
        // match against an empty index. Cheap to repeat, so replicas may keep checking.
        vulndb.clear();
        tracing::info!(generation = %generation, "vulnerability data removed; none loaded");
        return Ok(None);
    }
    let updated_at = sources.iter().filter_map(|s| s.updated_at).max().unwrap_or_else(crate::store::now);
    let index = tokio::task::spawn_blocking(move || builder.finish())
        .await
        .map_err(|e| VulnDbError::Invalid(format!("rebuilding the index stopped: {e}")))?;
    let advisories = index.info().advisories as u64;
    vulndb.install(Snapshot {
        database: Advisories::Stored(Box::new(index)),
        id: generation.clone(),
        updated_at,
        advisories,
    });
    vulndb.set_current_as_of(super::current_as_of(&sources));
    tracing::info!(generation = %generation, advisories, "vulnerability data loaded");
    Ok(Some(generation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_engine::vuln::Rating;

    #[test]
    fn a_stored_record_reads_back_as_the_same_advisory() {
        let text = r#"{"id":"T-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],"summary":"s",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;
        let a = Advisory::from_json(text.as_bytes()).expect("valid");
        let row = row_of(&a).expect("row");
        assert_eq!(Advisory::from_json(row.record.as_bytes()).expect("round trip"), a);
        assert_eq!((row.aliases.as_str(), row.severity), ("[\"CVE-1\"]", Some(Rating::Critical)));
        assert_eq!(row.cvss_score, Some(9.8));
    }
}
