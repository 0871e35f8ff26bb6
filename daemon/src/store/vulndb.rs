//! Vulnerability data (installation-wide OSV reference data, not tenant-owned): sources, their
//! records, the per-id summary findings reference, and the generation id replicas watch.

use cairn_sdk::types::VulndbUpdatedData;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::rematch::queue_rematches;
use super::{Store, StoreResult, parse_ts_opt, ts};

/// The `settings` key holding the current data generation.
const GENERATION_KEY: &str = "vulndb_generation";

/// Ids per `IN (…)` list when reading records by id.
const ID_BATCH: usize = 500;

/// One source as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnSourceRecord {
    /// Ecosystem name (mirror) or import name.
    pub name: String,
    /// `update` or `import`.
    pub origin: String,
    /// URL or path.
    pub location: String,
    /// The mirror's ETag for the stored content.
    pub etag: Option<String>,
    /// The mirror's Last-Modified for the stored content (HTTP date, as sent).
    pub last_modified: Option<String>,
    /// Records stored for it.
    pub advisories: i64,
    /// When its content last changed.
    pub updated_at: Option<OffsetDateTime>,
    /// When it was last checked.
    pub checked_at: Option<OffsetDateTime>,
    /// The last check's error.
    pub last_error: Option<String>,
    /// The ecosystems its records are about; `None`: stored before they were recorded.
    pub ecosystems: Option<Vec<String>>,
}

#[derive(FromRow)]
struct SourceRow {
    name: String,
    origin: String,
    location: String,
    etag: Option<String>,
    last_modified: Option<String>,
    advisories: i64,
    updated_at: Option<String>,
    checked_at: Option<String>,
    last_error: Option<String>,
    ecosystems: Option<String>,
}

impl SourceRow {
    fn into_record(self) -> StoreResult<VulnSourceRecord> {
        // Written by this module only; a value that does not read is shown as not recorded.
        let ecosystems = self.ecosystems.as_deref().and_then(|e| serde_json::from_str(e).ok());
        Ok(VulnSourceRecord {
            ecosystems,
            updated_at: parse_ts_opt(self.updated_at.as_deref())?,
            checked_at: parse_ts_opt(self.checked_at.as_deref())?,
            name: self.name,
            origin: self.origin,
            location: self.location,
            etag: self.etag,
            last_modified: self.last_modified,
            advisories: self.advisories,
            last_error: self.last_error,
        })
    }
}

/// What a reload's index builder is sent, source by source.
#[derive(Debug)]
pub enum IndexFeed {
    /// A stored record (OSV JSON).
    Record(String),
    /// The turn of this source, whose records the builder keyed while they were stored.
    Keyed(String),
}

/// One record to store for a source, with the summary columns of `vulnerabilities`.
#[derive(Debug, Clone)]
pub struct OsvRow {
    /// Advisory id.
    pub id: String,
    /// Its `modified` timestamp (as written in the record).
    pub modified: String,
    /// Its `published` timestamp.
    pub published: Option<String>,
    /// Aliases as a JSON array.
    pub aliases: String,
    /// Summary line.
    pub summary: Option<String>,
    /// Rating.
    pub severity: Option<cairn_sdk::types::Severity>,
    /// The CVSS vector it was rated from.
    pub cvss_vector: Option<String>,
    /// The CVSS base score.
    pub cvss_score: Option<f64>,
    /// The OSV JSON.
    pub record: String,
}

impl Store {
    /// Every source, by name.
    pub async fn vulndb_sources(&self) -> StoreResult<Vec<VulnSourceRecord>> {
        let rows: Vec<SourceRow> = sqlx::query_as(
            "SELECT name, origin, location, etag, last_modified, advisories, updated_at, checked_at, last_error, ecosystems \
             FROM vulndb_sources ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(SourceRow::into_record).collect()
    }

    /// The current data generation; `None` before any data landed.
    pub async fn vulndb_generation(&self) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(GENERATION_KEY)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// The generation and every stored record (OSV JSON), read in one transaction so they agree.
    pub async fn vulndb_records(&self) -> StoreResult<(Option<String>, Vec<String>)> {
        let mut tx = self.begin_write().await?;
        let generation: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(GENERATION_KEY)
            .fetch_optional(&mut *tx)
            .await?;
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT record FROM osv_records ORDER BY source, id").fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok((generation.map(|g| g.0), rows.into_iter().map(|r| r.0).collect()))
    }

    /// Sends the generation's stored records (OSV JSON) to `to` as they are read, source by
    /// source in the order of their names (each source's by id), in one transaction so they
    /// agree, and returns that generation (`None` before any data landed). A source named in
    /// `keyed` is not read: its turn is sent as [`IndexFeed::Keyed`] instead (its records were
    /// keyed as they were stored) — unless the generation is no longer `keyed_generation`, when
    /// every source is read. Streamed, so a reload never holds all the records' text at once.
    /// Stops early, without error, when the receiver is dropped.
    pub async fn vulndb_stream_records(
        &self,
        to: tokio::sync::mpsc::Sender<IndexFeed>,
        keyed: &std::collections::BTreeSet<String>,
        keyed_generation: Option<&str>,
    ) -> StoreResult<Option<String>> {
        use futures_util::TryStreamExt;
        // A read transaction, not a write one: the stream lasts as long as its reader parses, and
        // writers must not wait that long. SQLite (WAL) reads one snapshot from the first SELECT
        // on; Postgres needs REPEATABLE READ for the SELECTs to see the same data.
        let mut tx = self.pool().begin().await?;
        if matches!(self.backend, super::Backend::Postgres) {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        }
        let generation: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(GENERATION_KEY)
            .fetch_optional(&mut *tx)
            .await?;
        let generation = generation.map(|g| g.0);
        // Keyed sources stand for the generation their import committed; another writer since
        // may have changed them.
        let trust_keyed = generation.is_some() && generation.as_deref() == keyed_generation;
        // Source by source in name order is `ORDER BY source, id` over the records (the same
        // column type and collation), the order a reload has always read them in: of two records
        // of one id with the same `modified`, the later source's wins.
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM vulndb_sources ORDER BY name").fetch_all(&mut *tx).await?;
        'sources: for (name,) in names {
            if trust_keyed && keyed.contains(&name) {
                if to.send(IndexFeed::Keyed(name)).await.is_err() {
                    break;
                }
                continue;
            }
            let mut rows = sqlx::query_as::<_, (String,)>(
                "SELECT record FROM osv_records WHERE source = $1 ORDER BY id",
            )
            .bind(name)
            .fetch(&mut *tx);
            while let Some((record,)) = rows.try_next().await? {
                if to.send(IndexFeed::Record(record)).await.is_err() {
                    break 'sources;
                }
            }
        }
        tx.commit().await?;
        Ok(generation)
    }

    /// The stored records with these ids, every source's, as (id, OSV JSON): for each id in the
    /// order a reload reads them (by source), so the newest-record rule picks the same one.
    pub async fn vulndb_records_of(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ID_BATCH) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, record FROM osv_records WHERE id IN ({}) ORDER BY id, source",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }

    /// Removes the source `name` and its records, and makes `generation` current; `false` when
    /// there is no such source (nothing changes). The summaries in `vulnerabilities` stay: findings
    /// reference them.
    pub async fn vulndb_remove_source(&self, name: &str, generation: &str) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM osv_records WHERE source = $1").bind(name).execute(&mut *tx).await?;
        let gone =
            sqlx::query("DELETE FROM vulndb_sources WHERE name = $1").bind(name).execute(&mut *tx).await?;
        if gone.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        set_generation(&mut tx, generation).await?;
        let change = VulndbUpdatedData {
            source: name.to_owned(),
            records: 0,
            removed: true,
            generation: generation.to_owned(),
        };
        queue_rematches(&mut tx, &change).await?;
        tx.commit().await?;
        self.data_changed().await;
        Ok(true)
    }

    /// After a data change committed its events and re-match jobs: wakes their readers and,
    /// on Postgres, the other replicas' workers (this replica's are woken by the caller).
    pub(super) async fn data_changed(&self) {
        self.events_committed().await;
        if let Err(e) = self.job_notify().await {
            tracing::debug!(error = %e, "could not NOTIFY cairn_jobs; workers poll");
        }
    }

    /// Records a check that changed nothing: a 304, or a failure (`error`), which keeps the data.
    /// A source never stored before gets a row (with no records) so its failure is visible.
    pub async fn vulndb_mark_checked(
        &self,
        name: &str,
        origin: &str,
        location: &str,
        at: OffsetDateTime,
        error: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO vulndb_sources (name, origin, location, advisories, checked_at, last_error) \
             VALUES ($1, $2, $3, 0, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET checked_at = $4, last_error = $5",
        )
        .bind(name)
        .bind(origin)
        .bind(location)
        .bind(ts(at))
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

pub(super) async fn set_generation(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    generation: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(GENERATION_KEY)
    .bind(generation)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
