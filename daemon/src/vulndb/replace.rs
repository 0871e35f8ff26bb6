//! A source's data streamed from its file into the store: the engine's loader reads and checks
//! the records a batch at a time (in parallel), each batch becomes rows, and the rows are written
//! into the one transaction that replaces the source. Memory holds a batch or two and the ids
//! seen so far, never the whole data; a failure anywhere rolls the source back to its old records.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use cairn_engine::vuln::{
    Advisory, AdvisoryKeys, Chunk, LoadDiagnostic, LoadError, PackageIndexBuilder, StagedSource, readings_of,
};
use rayon::prelude::*;

use super::VulnDbError;
use super::load::{Keyed, row_of};
use crate::store::{OsvRow, Store, VulnSourceRecord};

/// Records parsed, turned into rows and written at a time: large enough that each INSERT carries
/// hundreds of rows, small enough that a batch of OSV's largest records stays a few MB.
const RECORDS_PER_BATCH: usize = 2_000;

/// Batches read ahead of the writer.
const BATCHES_AHEAD: usize = 2;

/// What replacing a source stored.
#[derive(Debug)]
pub struct Replaced {
    /// Usable records stored (unique ids, withdrawn ones left out).
    pub records: u64,
    /// Records read and rejected.
    pub rejected: u64,
    /// The generation the replacement committed.
    pub generation: String,
}

/// One batch as the writer needs it.
#[derive(Default)]
struct Batch {
    /// Rows to write (ids unique in the batch).
    rows: Vec<OsvRow>,
    /// Ids written by an earlier batch whose newest record is withdrawn.
    remove: Vec<String>,
}

/// Which record of each id wins, decided as the engine's [`Database::new`] decides: the newest
/// `modified` (a later record on a tie), then withdrawn ones left out.
///
/// [`Database::new`]: cairn_engine::vuln::Database::new
#[derive(Default)]
struct Winners {
    /// id → (`modified` of the winning record, whether it is withdrawn).
    by_id: HashMap<String, (String, bool)>,
    diagnostics: Vec<LoadDiagnostic>,
    ecosystems: BTreeSet<String>,
    /// The index being built, and this source's records keyed as they are written (a later
    /// record of an id replacing, a withdrawn one removing, as in the store).
    builder: PackageIndexBuilder,
    keyed: StagedSource,
}

impl Winners {
    /// The rows and removals `chunk` brings, given the records seen before it.
    fn batch(&mut self, chunk: Chunk) -> Result<Batch, VulnDbError> {
        self.diagnostics.extend(chunk.diagnostics);
        // The batch's winner of each id it names, in first-seen order, and whether an earlier
        // batch stored a row of that id.
        let mut winners: Vec<(Advisory, bool)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for a in chunk.records {
            match at.get(a.id()) {
                Some(&i) => {
                    if a.modified() >= winners[i].0.modified() {
                        winners[i].0 = a;
                    }
                }
                None => {
                    let before = self.by_id.get(a.id());
                    if before.is_some_and(|(modified, _)| a.modified() < modified.as_str()) {
                        continue;
                    }
                    let stored = before.is_some_and(|(_, withdrawn)| !withdrawn);
                    at.insert(a.id().to_owned(), winners.len());
                    winners.push((a, stored));
                }
            }
        }
        let mut keep = Vec::with_capacity(winners.len());
        let mut remove = Vec::new();
        for (a, stored) in winners {
            let withdrawn = a.withdrawn().is_some();
            self.by_id.insert(a.id().to_owned(), (a.modified().to_owned(), withdrawn));
            if !withdrawn {
                keep.push(a);
            } else if stored {
                remove.push(a.id().to_owned());
            }
        }
        for e in super::load::ecosystems_of(&keep) {
            self.ecosystems.insert(e);
        }
        let rows = keep
            .par_iter()
            .map(|a| {
                // Irregular versions read as OSV.dev reads them: said, so an operator can see on
                // what reading those advisories match.
                for r in readings_of(a) {
                    tracing::info!(advisory = %r.advisory, package = %r.package, "{}", r.note);
                }
                Ok((row_of(a)?, AdvisoryKeys::of(a)))
            })
            .collect::<Result<Vec<_>, VulnDbError>>()?;
        for id in &remove {
            self.keyed.remove(id);
        }
        let rows = rows
            .into_iter()
            .map(|(row, keys)| {
                self.builder.stage(&mut self.keyed, &keys);
                row
            })
            .collect();
        Ok(Batch { rows, remove })
    }

    fn usable(&self) -> u64 {
        self.by_id.values().filter(|(_, withdrawn)| !withdrawn).count() as u64
    }
}

/// Replaces the source `source` with the records at `path` (zip, directory or file), named
/// `shown` in messages (the source's location, never a path of the daemon's own). Data without a
/// single usable record is refused and changes nothing, so a broken download never empties a
/// source. The records stored are keyed into `keyed` as they are written, so the snapshot is
/// rebuilt without reading them back ([`super::load::rebuild`]).
pub async fn replace_source(
    store: &Store,
    path: PathBuf,
    shown: &str,
    source: &VulnSourceRecord,
    keyed: &mut Keyed,
) -> Result<Replaced, VulnDbError> {
    let local = path.display().to_string();
    // `archive.zip!entry` and `dir/file.json` become `shown!entry`, `shown/file.json`.
    let named = |s: &str| match s.strip_prefix(&local) {
        Some(rest) => format!("{shown}{rest}"),
        None => s.to_owned(),
    };
    let (to_writer, mut batches) = tokio::sync::mpsc::channel::<Result<Batch, VulnDbError>>(BATCHES_AHEAD);
    let (builder, staged) = keyed.start_source();
    let reader = tokio::task::spawn_blocking(move || {
        let mut winners = Winners { builder, keyed: staged, ..Winners::default() };
        let read = cairn_engine::vuln::stream_paths(&[path], RECORDS_PER_BATCH, &mut |chunk| {
            let batch = winners.batch(chunk);
            let failed = batch.is_err();
            // The writer gone (a store error) or a row that cannot be written: stop reading.
            to_writer.blocking_send(batch).is_ok() && !failed
        });
        (read, winners)
    });
    let mut replacement = match store.vulndb_begin_replace(source).await {
        Ok(r) => r,
        Err(e) => {
            // The reader keeps the builder until it stops; what was keyed with it goes too.
            keyed.lost();
            return Err(e.into());
        }
    };
    let mut written = Ok(());
    while let Some(batch) = batches.recv().await {
        let step = async {
            let batch = batch?;
            replacement.remove(&batch.remove).await?;
            replacement.write(&batch.rows).await?;
            Ok::<_, VulnDbError>(())
        };
        if let Err(e) = step.await {
            written = Err(e);
            break;
        }
    }
    // Dropping the receiver stops the reader at its next batch.
    drop(batches);
    let (read, mut winners) = match reader.await {
        Ok(done) => done,
        Err(e) => {
            keyed.lost();
            return Err(VulnDbError::Invalid(format!("{shown}: loader stopped: {e}")));
        }
    };
    let builder = std::mem::take(&mut winners.builder);
    let staged = std::mem::take(&mut winners.keyed);
    let stored = async {
        written?;
        read.map_err(|e: LoadError| VulnDbError::Invalid(load_error(&e, shown)))?;
        let rejected = winners.diagnostics.len() as u64;
        let records = winners.usable();
        if records == 0 {
            winners.diagnostics.sort();
            let why = match winners.diagnostics.first() {
                Some(d) => format!(
                    "{shown}: no valid OSV record ({rejected} rejected, first: {}: {})",
                    named(&d.source),
                    d.reason
                ),
                None => format!("{shown}: no OSV records found"),
            };
            return Err(VulnDbError::Invalid(why));
        }
        let ecosystems: Vec<String> = winners.ecosystems.into_iter().collect();
        let generation = uuid::Uuid::now_v7().to_string();
        replacement.finish(store, records, &ecosystems, &generation).await?;
        Ok::<_, VulnDbError>(Replaced { records, rejected, generation })
    }
    .await;
    match &stored {
        Ok(r) => keyed.end_source(builder, Some((&source.name, staged, &r.generation))),
        Err(_) => keyed.end_source(builder, None),
    }
    stored
}

/// Why the loader refused the data, naming it as `shown`.
fn load_error(e: &LoadError, shown: &str) -> String {
    match e {
        LoadError::Io { error, .. } => format!("{shown}: {error}"),
        LoadError::UnknownKind(_) => format!("{shown}: not an OSV file (.json, .yaml, .yml) or zip archive"),
        LoadError::Zip { reason, .. } => format!("{shown}: not a readable zip archive: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, modified: &str, withdrawn: bool) -> Advisory {
        let withdrawn = if withdrawn { r#""withdrawn":"2024-06-01T00:00:00Z","# } else { "" };
        let text = format!(
            r#"{{"id":"{id}",{withdrawn}"modified":"{modified}T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"a"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.0.0"}}]}}]}}]}}"#
        );
        Advisory::from_json(text.as_bytes()).expect("valid")
    }

    fn written(batch: &Batch) -> Vec<(&str, &str)> {
        batch.rows.iter().map(|r| (r.id.as_str(), &r.modified[..10])).collect()
    }

    /// Records of one id spread over batches end as `Database::new` would keep them: the newest
    /// wins (the later on a tie), a newer withdrawn one removes what an earlier batch wrote, an
    /// older one after it changes nothing.
    #[test]
    fn the_newest_record_of_an_id_wins_across_batches_and_withdrawn_ones_are_removed() {
        let mut winners = Winners::default();
        let chunk = |records| Chunk { records, diagnostics: Vec::new() };
        let first = winners
            .batch(chunk(vec![
                record("A", "2024-01-01", false),
                record("B", "2024-01-01", false),
                record("C", "2024-02-01", false),
                record("C", "2024-01-01", false),
                record("D", "2024-03-01", true),
            ]))
            .expect("batch");
        assert_eq!(written(&first), [("A", "2024-01-01"), ("B", "2024-01-01"), ("C", "2024-02-01")]);
        assert!(first.remove.is_empty());
        let second = winners
            .batch(chunk(vec![
                record("A", "2024-02-01", true),
                record("B", "2024-01-01", false),
                record("C", "2023-01-01", false),
                record("D", "2024-01-01", false),
                record("E", "2024-01-01", false),
                record("E", "2024-02-01", true),
            ]))
            .expect("batch");
        assert_eq!(written(&second), [("B", "2024-01-01")]);
        assert_eq!(second.remove, ["A"]);
        assert_eq!(winners.usable(), 2, "B and C");
        assert_eq!(winners.ecosystems.iter().collect::<Vec<_>>(), ["npm"]);
    }

    /// The records keyed for the index are the rows the store holds at the end: a newer record
    /// of an id replaces the one keyed before, a newer withdrawn one removes it.
    #[test]
    fn the_keyed_records_are_the_stored_ones() {
        let mut winners = Winners::default();
        let chunk = |records| Chunk { records, diagnostics: Vec::new() };
        winners
            .batch(chunk(vec![record("A", "2024-01-01", false), record("B", "2024-01-01", false)]))
            .expect("batch");
        assert_eq!(winners.keyed.len(), 2);
        winners
            .batch(chunk(vec![
                record("A", "2024-02-01", true),
                record("B", "2024-02-01", false),
                record("C", "2024-01-01", true),
            ]))
            .expect("batch");
        assert_eq!(winners.keyed.len(), 1, "A withdrawn, B replaced, C never stored");
        let mut builder = std::mem::take(&mut winners.builder);
        builder.merge(std::mem::take(&mut winners.keyed));
        let index = builder.finish();
        assert!(index.contains("B") && !index.contains("A") && !index.contains("C"));
        assert_eq!(index.info().newest_modified.as_deref(), Some("2024-02-01T00:00:00Z"));
    }
}
