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
    /// Body bytes (empty when `secret_withheld`).
    pub body: Vec<u8>,
    /// The response carried a one-time secret and was not kept: a replay is refused.
    pub secret_withheld: bool,
}

/// What claiming a key found.
#[derive(Debug, Clone)]
pub enum IdempotencyClaim {
    /// The caller holds the key now and runs the request.
    Claimed,
    /// Another request with this key is running.
    InProgress {
        /// It carries the same method, path and body.
        same_request: bool,
    },
    /// A request with this key finished; this is its response.
    Done(StoredResponse),
}

impl Store {
    /// The kept response for `(principal, key)`, if any and not expired.
    pub async fn idempotency_get(&self, principal: &str, key: &str) -> StoreResult<Option<StoredResponse>> {
        let row: Option<(String, i64, String, Vec<u8>, i64)> = sqlx::query_as(
            "SELECT request_hash, status, headers, body, secret_withheld FROM idempotency_keys \
             WHERE principal = $1 AND key = $2 AND expires_at > $3",
        )
        .bind(principal)
        .bind(key)
        .bind(ts(now()))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(request_hash, status, headers, body, withheld)| StoredResponse {
            request_hash,
            status: u16::try_from(status).unwrap_or(500),
            headers: serde_json::from_str(&headers).unwrap_or_default(),
            body,
            secret_withheld: withheld != 0,
        }))
    }

    /// Claims `(principal, key)` for a request before running it. A row with status 0 marks a
    /// request in flight; it expires after ten minutes in case its process died.
    pub async fn idempotency_claim(
        &self,
        principal: &str,
        key: &str,
        path: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyClaim> {
        for _ in 0..3 {
            let created = now();
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND expires_at <= $3",
            )
            .bind(principal)
            .bind(key)
            .bind(ts(created))
            .execute(self.pool())
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, headers, body, created_at, expires_at) \
                 VALUES ($1, $2, 'POST', $3, $4, 0, '[]', $5, $6, $7) ON CONFLICT (principal, key) DO NOTHING",
            )
            .bind(principal)
            .bind(key)
            .bind(path)
            .bind(request_hash)
            .bind(Vec::<u8>::new())
            .bind(ts(created))
            .bind(ts(created + Duration::minutes(10)))
            .execute(self.pool())
            .await?;
            if inserted.rows_affected() == 1 {
                return Ok(IdempotencyClaim::Claimed);
            }
            match self.idempotency_get(principal, key).await? {
                Some(stored) if stored.status == 0 => {
                    return Ok(IdempotencyClaim::InProgress {
                        same_request: stored.request_hash == request_hash,
                    });
                }
                Some(stored) => return Ok(IdempotencyClaim::Done(stored)),
                // The holder gave up (or it expired) between our insert and read: try again.
                None => continue,
            }
        }
        Ok(IdempotencyClaim::InProgress { same_request: true })
    }

    /// Stores the response of a claimed request for replay (kept 24 hours).
    pub async fn idempotency_complete(
        &self,
        principal: &str,
        key: &str,
        response: &StoredResponse,
    ) -> StoreResult<()> {
        let created = now();
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3, created_at = $4, expires_at = $5, \
             secret_withheld = $6 WHERE principal = $7 AND key = $8 AND status = 0",
        )
        .bind(i64::from(response.status))
        .bind(serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into()))
        .bind(response.body.clone())
        .bind(ts(created))
        .bind(ts(created + Duration::hours(24)))
        .bind(i64::from(response.secret_withheld))
        .bind(principal)
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Releases a claim whose request failed, so a retry runs it again.
    pub async fn idempotency_abandon(&self, principal: &str, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status = 0")
            .bind(principal)
            .bind(key)
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
