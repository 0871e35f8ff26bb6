//! KEV lists (known exploited vulnerabilities) as vulnerability data sources: each imported list
//! replaces its source's entries in one transaction; findings are marked by looking their advisory
//! id and aliases up here.

use std::collections::HashMap;

use cairn_engine::vuln::KevCatalog;
use cairn_sdk::types::KnownExploited;
use time::Date;
use time::macros::format_description;

use super::sql::Sql;
use super::{Store, StoreError, StoreResult, ts};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Rows per multi-row INSERT.
const BATCH: usize = 100;

fn parse_date(s: &str) -> StoreResult<Date> {
    Date::parse(s, DATE).map_err(|e| StoreError::Corrupt(format!("KEV date {s:?}: {e}")))
}

/// A KEV entry as lookups read it: CVE id, date added, due date, ransomware use, source.
pub(super) type KevRow = (String, String, Option<String>, String, String);

/// Adds the first listing of each CVE among `rows` (ordered by CVE id, date added and source) to
/// `out`.
pub(super) fn first_listings(
    rows: impl IntoIterator<Item = KevRow>,
    out: &mut HashMap<String, KnownExploited>,
) -> StoreResult<()> {
    for (cve, added, due, ransomware, source) in rows {
        if out.contains_key(&cve) {
            continue;
        }
        let entry = KnownExploited {
            cve_id: cve.clone(),
            date_added: parse_date(&added)?,
            due_date: due.as_deref().map(parse_date).transpose()?,
            ransomware,
            source,
        };
        out.insert(cve, entry);
    }
    Ok(())
}

fn fmt_date(d: Date) -> StoreResult<String> {
    d.format(DATE).map_err(|e| StoreError::Corrupt(format!("KEV date: {e}")))
}

/// A stored KEV source and its revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevSource {
    /// Source name.
    pub name: String,
    /// The catalogue's `catalogVersion`.
    pub revision: Option<String>,
    /// Entries stored.
    pub entries: i64,
    /// When its entries last changed.
    pub updated_at: Option<time::OffsetDateTime>,
}

impl Store {
    /// Replaces the KEV source `name` with `catalog` (source row kind `kev`, revision the
    /// catalogue's version). OSV matching is untouched, so the generation stays.
    pub async fn kev_replace_source(
        &self,
        name: &str,
        location: &str,
        catalog: &KevCatalog,
        at: time::OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO vulndb_sources (name, origin, location, advisories, updated_at, checked_at, last_error, kind, revision) \
             VALUES ($1, 'import', $2, $3, $4, $4, NULL, 'kev', $5) \
             ON CONFLICT (name) DO UPDATE SET origin = 'import', location = $2, advisories = $3, updated_at = $4, \
             checked_at = $4, last_error = NULL, kind = 'kev', revision = $5, ecosystems = NULL",
        )
        .bind(name)
        .bind(location)
        .bind(catalog.entries.len() as i64)
        .bind(ts(at))
        .bind(&catalog.catalog_version)
        .execute(&mut *tx)
        .await?;
        // A source that held OSV records before holds none now.
        sqlx::query("DELETE FROM osv_records WHERE source = $1").bind(name).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM kev_entries WHERE source = $1").bind(name).execute(&mut *tx).await?;
        for chunk in catalog.entries.chunks(BATCH) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let cells: Vec<String> = (1..=8).map(|c| format!("${}", r * 8 + c)).collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            // Only placeholders are formatted into the text; every value is bound.
            let sql = format!(
                "INSERT INTO kev_entries (source, cve_id, vendor_project, product, name, date_added, due_date, ransomware) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for e in chunk {
                q = q
                    .bind(name)
                    .bind(&e.cve_id)
                    .bind(&e.vendor_project)
                    .bind(&e.product)
                    .bind(&e.name)
                    .bind(fmt_date(e.date_added)?)
                    .bind(e.due_date.map(fmt_date).transpose()?)
                    .bind(&e.ransomware);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The stored KEV sources with their revisions, by name.
    pub async fn kev_sources(&self) -> StoreResult<Vec<KevSource>> {
        let rows: Vec<(String, Option<String>, i64, Option<String>)> = sqlx::query_as(
            "SELECT name, revision, advisories, updated_at FROM vulndb_sources WHERE kind = 'kev' ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(name, revision, entries, at)| {
                Ok(KevSource { name, revision, entries, updated_at: super::parse_ts_opt(at.as_deref())? })
            })
            .collect()
    }

    /// The KEV entry of each of `ids` that a stored list names (the earliest `date_added` when
    /// several lists do), keyed by CVE id.
    pub async fn kev_lookup(&self, ids: &[&str]) -> StoreResult<HashMap<String, KnownExploited>> {
        let cves: Vec<&str> = ids.iter().copied().filter(|i| i.starts_with("CVE-")).collect();
        let mut out: HashMap<String, KnownExploited> = HashMap::new();
        for chunk in cves.chunks(500) {
            let mut sql = Sql::new(
                "SELECT cve_id, date_added, due_date, ransomware, source FROM kev_entries WHERE cve_id IN (",
            );
            sql.bind_list(chunk.iter().copied());
            sql.push(") ORDER BY cve_id, date_added, source");
            let rows = sql.query_as::<KevRow>().fetch_all(self.pool()).await?;
            first_listings(rows, &mut out)?;
        }
        Ok(out)
    }
}
