//! A source's records replaced in one transaction, written as they stream in: the import never
//! holds the whole data, and readers see the old records until the new ones are committed whole.

use cairn_sdk::types::VulndbUpdatedData;

use super::rematch::queue_rematches;
use super::vulndb::{OsvRow, VulnSourceRecord, set_generation};
use super::{Store, StoreResult, ts_opt};

/// Rows per multi-row INSERT: 9 binds a row stays far below SQLite's 32,766 and Postgres's
/// 65,535 bind limits, and a few hundred rows a statement make the round trips negligible.
const ROWS_PER_INSERT: usize = 500;

/// An open replacement of one source's records; dropped without [`finish`](Self::finish), it
/// rolls back and the source keeps its previous records.
pub struct SourceReplacement {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    source: String,
}

impl Store {
    /// Starts replacing `source`'s records: its row is upserted (its count and ecosystems set at
    /// [`SourceReplacement::finish`]) and its old records deleted, in a write transaction.
    pub async fn vulndb_begin_replace(&self, source: &VulnSourceRecord) -> StoreResult<SourceReplacement> {
        let mut tx = self.begin_write().await?;
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
        Ok(SourceReplacement { tx, source: source.name.clone() })
    }
}

impl SourceReplacement {
    /// Stores `rows` (ids unique within the call): a record of an id already written by this
    /// replacement is replaced (the caller decides which record of an id wins); the summaries in
    /// `vulnerabilities` are upserted.
    pub async fn write(&mut self, rows: &[OsvRow]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO osv_records (source, id, modified, record) VALUES {} \
                 ON CONFLICT (source, id) DO UPDATE SET modified = excluded.modified, record = excluded.record",
                placeholders(chunk.len(), 4)
            );
            // Unprepared: each chunk size is its own statement text, and most are used once.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for r in chunk {
                q = q.bind(&self.source).bind(&r.id).bind(&r.modified).bind(&r.record);
            }
            q.execute(&mut *self.tx).await?;
            let sql = format!(
                "INSERT INTO vulnerabilities (id, aliases, summary, severity, cvss_vector, cvss_score, published_at, modified_at, record) \
                 VALUES {} ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = excluded.summary, \
                 severity = excluded.severity, cvss_vector = excluded.cvss_vector, cvss_score = excluded.cvss_score, \
                 published_at = excluded.published_at, modified_at = excluded.modified_at, record = excluded.record",
                placeholders(chunk.len(), 9)
            );
            // Not a cached statement: sqlx's Any driver declares a NULL `Option<f64>` as float4 on
            // Postgres, and a statement prepared that way rejects the next chunk's 8-byte scores
            // ("incorrect binary data format"). Unprepared, each chunk declares its own types.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for r in chunk {
                q = q
                    .bind(&r.id)
                    .bind(&r.aliases)
                    .bind(&r.summary)
                    .bind(r.severity.map(|s| s.as_str()))
                    .bind(&r.cvss_vector)
                    .bind(r.cvss_score)
                    .bind(&r.published)
                    .bind(&r.modified)
                    .bind(&r.record);
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

/// `($1, $2, …), (…)` for `rows` rows of `cols` columns.
fn placeholders(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=cols {
            if c > 1 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c).to_string());
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_every_cell() {
        assert_eq!(placeholders(2, 2), "($1, $2), ($3, $4)");
    }
}
