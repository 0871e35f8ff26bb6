//! Idempotency-Key replay store: the first response to a key is kept for 24 hours.

use time::Duration;

use super::{Store, StoreResult, now, ts};

/// A response kept for replay.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// Hash of method, path and body of the original request.
    pub request_hash: String,
    /// Status code.
    pub status: u16,
    /// Headers worth replaying (content-type, location, etag) as JSON pairs.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Store {
    /// The kept response for `(principal, key)`, if any and not expired.
    pub async fn idempotency_get(&self, principal: &str, key: &str) -> StoreResult<Option<StoredResponse>> {
        let row: Option<(String, i64, String, Vec<u8>)> = sqlx::query_as(
            "SELECT request_hash, status, headers, body FROM idempotency_keys \
             WHERE principal = $1 AND key = $2 AND expires_at > $3",
        )
        .bind(principal)
        .bind(key)
        .bind(ts(now()))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(request_hash, status, headers, body)| StoredResponse {
            request_hash,
            status: u16::try_from(status).unwrap_or(500),
            headers: serde_json::from_str(&headers).unwrap_or_default(),
            body,
        }))
    }

    /// Keeps a response; a concurrent first write wins and this one is dropped.
    pub async fn idempotency_put(
        &self,
        principal: &str,
        key: &str,
        method: &str,
        path: &str,
        response: &StoredResponse,
    ) -> StoreResult<()> {
        let created = now();
        // Expired rows of this key are replaced; others are left for the sweep below.
        sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND expires_at <= $3")
            .bind(principal)
            .bind(key)
            .bind(ts(created))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, headers, body, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (principal, key) DO NOTHING",
        )
        .bind(principal)
        .bind(key)
        .bind(method)
        .bind(path)
        .bind(&response.request_hash)
        .bind(i64::from(response.status))
        .bind(serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into()))
        .bind(response.body.clone())
        .bind(ts(created))
        .bind(ts(created + Duration::hours(24)))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Drops expired keys.
    pub async fn idempotency_sweep(&self) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
            .bind(ts(now()))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
