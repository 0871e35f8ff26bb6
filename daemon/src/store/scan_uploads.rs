//! Uploads waiting for their scan: the archive or document (its bytes, or the path of the file
//! that holds them), written with the scan and its job, read by the worker that claims the job,
//! and deleted when the scan ends.

use std::collections::HashSet;

use cairn_sdk::types::{ScanId, TenantId};
use sqlx::FromRow;

use super::{Store, StoreResult};

/// An upload to store with its scan.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// The file name the client sent.
    pub filename: String,
    /// The media type the client sent.
    pub media_type: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Length of the content.
    pub bytes: u64,
    /// Where the content is.
    pub content: UploadContent,
}

/// Where an upload's content is kept.
#[derive(Debug, Clone)]
pub enum UploadContent {
    /// In the row (`[uploads] store = "database"`).
    Bytes(Vec<u8>),
    /// In this file (`[uploads] store = "files"`); the row holds the path.
    File(String),
}

/// A stored upload: `content` for rows kept in the database (and every row from before
/// migration 0024), `path` for rows kept as files.
#[derive(Debug, Clone, FromRow)]
pub struct StoredUpload {
    /// The file name the client sent.
    pub filename: String,
    /// The media type the client sent.
    pub media_type: String,
    /// Length of the content.
    pub bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The content, when kept in the row.
    pub content: Option<Vec<u8>>,
    /// The file holding the content, when kept as a file.
    pub path: Option<String>,
}

/// Inserts the scan's upload inside the transaction that creates the scan.
pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    scan: ScanId,
    upload: &NewUpload,
    stamp: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO scan_uploads (scan_id, tenant_id, filename, media_type, bytes, sha256, content, path, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(scan.to_string())
    .bind(tenant.to_string())
    .bind(&upload.filename)
    .bind(&upload.media_type)
    .bind(i64::try_from(upload.bytes).unwrap_or(i64::MAX))
    .bind(&upload.sha256)
    .bind(match &upload.content {
        UploadContent::Bytes(b) => Some(b.as_slice()),
        UploadContent::File(_) => None,
    })
    .bind(match &upload.content {
        UploadContent::Bytes(_) => None,
        UploadContent::File(p) => Some(p.as_str()),
    })
    .bind(stamp)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the scan's upload inside the transaction that ends the scan.
pub(crate) async fn delete(tx: &mut sqlx::Transaction<'_, sqlx::Any>, scan: ScanId) -> StoreResult<()> {
    sqlx::query("DELETE FROM scan_uploads WHERE scan_id = $1")
        .bind(scan.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The scan's upload, while its scan has not ended.
    pub async fn scan_upload_get(&self, tenant: TenantId, scan: ScanId) -> StoreResult<Option<StoredUpload>> {
        let row: Option<StoredUpload> = sqlx::query_as(
            "SELECT filename, media_type, bytes, sha256, content, path FROM scan_uploads \
             WHERE tenant_id = $1 AND scan_id = $2",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The scan's upload file, while its scan has not ended (none for bytes kept in the row).
    pub async fn scan_upload_path(&self, tenant: TenantId, scan: ScanId) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT path FROM scan_uploads WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// Every upload file a waiting scan references, in all tenants (for the orphan sweep).
    pub async fn scan_upload_paths(&self) -> StoreResult<HashSet<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT path FROM scan_uploads WHERE path IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
