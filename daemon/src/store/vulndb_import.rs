//! A source's records replaced in one transaction, written as they stream in: the import never
//! holds the whole data, and readers see the old records until the new ones are committed whole.

use cairn_sdk::types::VulndbUpdatedData;

use super::rematch::queue_rematches;
use super::sql::placeholders;
use super::vulndb::{OsvRow, VulnSourceRecord, set_generation};
use sqlx::SqlSafeStr;

use super::{Backend, Store, StoreResult, ts_opt};

/// Rows per multi-row INSERT: 8 binds a row stays far below SQLite's 32,766 and Postgres's
/// 65,535 bind limits, and a few hundred rows a statement make the round trips negligible.
const ROWS_PER_INSERT: usize = 500;

/// The import connection's page cache: 128 MiB (negative: KiB), the indexes of OSV's whole
/// data (~250k records: ids, sources, timestamps) with room to spare.
const IMPORT_CACHE_PRAGMA: &str = "PRAGMA cache_size = -131072";

/// The import connection's statement journals in memory: each multi-row INSERT may fail halfway
/// (a constraint), so SQLite copies every index page it changes that existed before the statement
/// into a journal, a temporary file under /var/tmp past 64 KiB (as many bytes as the records).
/// In memory it is a copy freed when the statement ends; the transaction's durability is the
/// WAL's, which this does not touch.
const IMPORT_TEMP_STORE_PRAGMA: &str = "PRAGMA temp_store = MEMORY";

/// An open replacement of one source's records; dropped without [`finish`](Self::finish), it
/// rolls back and the source keeps its previous records.
pub struct SourceReplacement {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    source: String,
    backend: Backend,
}

impl Store {
    /// Starts replacing `source`'s records: its row is upserted (its count and ecosystems set at
    /// [`SourceReplacement::finish`]) and its old records deleted, in a write transaction.
    pub async fn vulndb_begin_replace(&self, source: &VulnSourceRecord) -> StoreResult<SourceReplacement> {
        let mut tx = match self.backend {
            Backend::Sqlite => {
                // A connection of its own, closed when the replacement ends, with a page cache
                // that holds the indexes being filled (ids arrive in no order): with SQLite's
                // default 2 MiB, each insert evicted a dirty index page into the WAL and read
                // another back, writing the same pages many times over. Only the cache changes;
                // durability is the pool's (WAL, synchronous = NORMAL).
                let mut conn = self.pool().acquire().await?;
                conn.close_on_drop();
                sqlx::query(IMPORT_CACHE_PRAGMA).execute(&mut *conn).await?;
                sqlx::query(IMPORT_TEMP_STORE_PRAGMA).execute(&mut *conn).await?;
                sqlx::Transaction::begin(conn, Some("BEGIN IMMEDIATE".into_sql_str())).await?
            }
            Backend::Postgres => self.begin_write().await?,
        };
        sqlx::query(
            "INSERT INTO vulndb_sources (name, origin, location, etag, last_modified, advisories, updated_at, checked_at, last_error, ecosystems) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7, NULL, NULL) \
             ON CONFLICT (name) DO UPDATE SET origin = $2, location = $3, etag = $4, last_modified = $5, \
             updated_at = $6, checked_at = $7, last_error = NULL",
        )
        .bind(&source.name)
        .bind(&source.origin)
        .bind(&source.location)
        .bind(&source.etag)
        .bind(&source.last_modified)
        .bind(ts_opt(source.updated_at))
        .bind(ts_opt(source.checked_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM osv_records WHERE source = $1").bind(&source.name).execute(&mut *tx).await?;
        Ok(SourceReplacement { tx, source: source.name.clone(), backend: self.backend })
    }
}

impl SourceReplacement {
    /// Stores `rows` (ids unique within the call): a record of an id already written by this
    /// replacement is replaced (the caller decides which record of an id wins); the summaries in
    /// `vulnerabilities` are upserted (the record itself is stored once, here in `osv_records`).
    pub async fn write(&mut self, rows: &[OsvRow]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            // A full chunk's statement text is the same every time: prepared once and kept. The
            // last, shorter chunk's is used once.
            let full = chunk.len() == ROWS_PER_INSERT;
            let sql = format!(
                "INSERT INTO osv_records (source, id, modified, record) VALUES {} \
                 ON CONFLICT (source, id) DO UPDATE SET modified = excluded.modified, record = excluded.record",
                placeholders(self.backend, chunk.len(), 4)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(full);
            for r in chunk {
                q = q.bind(&self.source).bind(&r.id).bind(&r.modified).bind(&r.record);
            }
            q.execute(&mut *self.tx).await?;
            let sql = format!(
                "INSERT INTO vulnerabilities (id, aliases, summary, severity, cvss_vector, cvss_score, published_at, modified_at) \
                 VALUES {} ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = excluded.summary, \
                 severity = excluded.severity, cvss_vector = excluded.cvss_vector, cvss_score = excluded.cvss_score, \
                 published_at = excluded.published_at, modified_at = excluded.modified_at",
                placeholders(self.backend, chunk.len(), 8)
            );
            // Not a cached statement on Postgres: sqlx's Any driver declares a NULL `Option<f64>`
            // as float4 there, and a statement prepared that way rejects the next chunk's 8-byte
            // scores ("incorrect binary data format"). Unprepared, each chunk declares its own
            // types. SQLite's types are the values'.
            let mut q =
                sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(full && self.backend == Backend::Sqlite);
            for r in chunk {
                q = q
                    .bind(&r.id)
                    .bind(&r.aliases)
                    .bind(&r.summary)
                    .bind(r.severity.map(|s| s.as_str()))
                    .bind(&r.cvss_vector)
                    .bind(r.cvss_score)
                    .bind(&r.published)
                    .bind(&r.modified);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Drops the records of `ids` written earlier by this replacement (a newer withdrawn record
    /// of the id came later). Their summaries stay, as every summary does.
    pub async fn remove(&mut self, ids: &[String]) -> StoreResult<()> {
        for id in ids {
            sqlx::query("DELETE FROM osv_records WHERE source = $1 AND id = $2")
                .bind(&self.source)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Commits the replacement: the source's record count and ecosystems, the generation
    /// `generation`, and every tenant's `vulndb.updated` event and re-match job.
    pub async fn finish(
        mut self,
        store: &Store,
        records: u64,
        ecosystems: &[String],
        generation: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE vulndb_sources SET advisories = $1, ecosystems = $2 WHERE name = $3")
            .bind(i64::try_from(records).unwrap_or(i64::MAX))
            .bind(serde_json::Value::from(ecosystems.to_vec()).to_string())
            .bind(&self.source)
            .execute(&mut *self.tx)
            .await?;
        set_generation(&mut self.tx, generation).await?;
        let change = VulndbUpdatedData {
            source: self.source.clone(),
            records,
            removed: false,
            generation: generation.to_owned(),
        };
        queue_rematches(&mut self.tx, &change).await?;
        self.tx.commit().await?;
        store.data_changed().await;
        Ok(())
    }
}
