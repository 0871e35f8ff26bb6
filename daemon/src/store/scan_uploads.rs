//! Uploads waiting for their scan: the archive or document, written with the scan and its job,
//! read by the worker that claims the job, and deleted when the scan ends.

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
    /// The content.
    pub content: Vec<u8>,
}

/// A stored upload.
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
    /// The content.
    pub content: Vec<u8>,
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
        "INSERT INTO scan_uploads (scan_id, tenant_id, filename, media_type, bytes, sha256, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(scan.to_string())
    .bind(tenant.to_string())
    .bind(&upload.filename)
    .bind(&upload.media_type)
    .bind(i64::try_from(upload.content.len()).unwrap_or(i64::MAX))
    .bind(&upload.sha256)
    .bind(upload.content.as_slice())
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
            "SELECT filename, media_type, bytes, sha256, content FROM scan_uploads \
             WHERE tenant_id = $1 AND scan_id = $2",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }
}
