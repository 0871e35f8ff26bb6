//! Summaries of advisories that have none (PyPA's PYSEC records): the first line of `details` of
//! the stored OSV record, derived once per record version and kept in memory. A page of findings
//! then reads each record's version stamp (`source|modified`) instead of fetching and parsing
//! every record again for every row.

use std::collections::HashMap;
use std::sync::Mutex;

use cairn_sdk::types::ScanFinding;
use sqlx::FromRow;

use super::findings::summary_from_details;
use super::sql::Sql;
use super::{Store, StoreResult};

/// Entries kept before the cache starts over (a summary is at most 160 characters).
const MAX_ENTRIES: usize = 50_000;

/// Derived summaries by advisory id, each with the stamp of the record it came from.
#[derive(Debug, Default)]
pub(crate) struct SummaryCache {
    entries: Mutex<HashMap<String, (String, Option<String>)>>,
}

#[derive(FromRow)]
struct RecordRow {
    id: String,
    stamp: String,
    record: String,
}

/// One finding's wish: its advisory, the stamp of the advisory's first stored record, and where
/// the summary goes.
struct Wanted<'a> {
    id: &'a str,
    stamp: &'a str,
    summary: &'a mut Option<String>,
}

impl Store {
    /// Fills the summary of each finding that has none but whose advisory has a stored record
    /// (`stamp`, as the list read it): from the cache, or derived from the records in one query
    /// for those it misses or holds for an older record.
    pub(super) async fn fill_missing_summaries<'a>(
        &self,
        findings: impl Iterator<Item = (&'a mut ScanFinding, Option<&'a str>)>,
    ) -> StoreResult<()> {
        let mut wanted: Vec<Wanted<'a>> = findings
            .filter_map(|(f, stamp)| {
                let ScanFinding { vulnerability_id, summary, .. } = f;
                match (summary.is_none(), stamp) {
                    (true, Some(stamp)) => Some(Wanted { id: vulnerability_id, stamp, summary }),
                    _ => None,
                }
            })
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let mut missing: Vec<&str> = Vec::new();
        {
            let cache = self.summaries.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for w in &mut wanted {
                match cache.get(w.id) {
                    Some((stamp, summary)) if stamp == w.stamp => *w.summary = summary.clone(),
                    _ => missing.push(w.id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        let mut derived: HashMap<String, (String, Option<String>)> = HashMap::new();
        for chunk in missing.chunks(500) {
            let mut sql = Sql::new(
                "SELECT o.id, o.source || '|' || o.modified AS stamp, o.record FROM osv_records o WHERE o.id IN (",
            );
            sql.bind_list(chunk.iter().copied()).push(")");
            for row in sql.query_as::<RecordRow>().fetch_all(self.pool()).await? {
                // The record with the least stamp, as the list's `MIN(stamp)` names it.
                match derived.get(&row.id) {
                    Some((stamp, _)) if *stamp <= row.stamp => {}
                    _ => {
                        let summary = summary_from_details(&row.record);
                        derived.insert(row.id, (row.stamp, summary));
                    }
                }
            }
        }
        for w in &mut wanted {
            // A record changed since the page was read gives the newer summary.
            if let Some((_, summary)) = derived.get(w.id) {
                *w.summary = summary.clone();
            }
        }
        let mut cache = self.summaries.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() + derived.len() > MAX_ENTRIES {
            cache.clear();
        }
        cache.extend(derived);
        Ok(())
    }
}
