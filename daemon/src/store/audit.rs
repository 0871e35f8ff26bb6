//! The audit log: append-only rows, each hash-chained to the one before it.
//!
//! `hash = SHA-256(prev_hash || "\n" || canonical)`, where `canonical` is the JSON array of the
//! row's fields in a fixed order. A unique index on `prev_hash` makes a fork impossible: of two
//! writers racing for the same tail one fails and retries on the new tail.

use cairn_sdk::types::{AuditEntry, AuditVerification, TenantId};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_ts, ts};
use crate::auth::secrets::sha256_hex;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What to record.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    /// Tenant the action happened in.
    pub tenant_id: Option<String>,
    /// Acting user.
    pub actor_user_id: Option<String>,
    /// API key used.
    pub actor_api_key_id: Option<String>,
    /// `object.verb`.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// The object.
    pub object_id: Option<String>,
    /// Extra facts (a JSON object; never secrets).
    pub detail: serde_json::Value,
    /// Request that caused it.
    pub request_id: Option<String>,
}

#[derive(FromRow)]
struct AuditRow {
    seq: i64,
    id: String,
    tenant_id: Option<String>,
    actor_user_id: Option<String>,
    actor_api_key_id: Option<String>,
    action: String,
    object_type: String,
    object_id: Option<String>,
    detail: String,
    request_id: Option<String>,
    created_at: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    fn canonical(&self) -> String {
        canonical(
            &self.id,
            self.tenant_id.as_deref(),
            self.actor_user_id.as_deref(),
            self.actor_api_key_id.as_deref(),
            &self.action,
            &self.object_type,
            self.object_id.as_deref(),
            &self.detail,
            self.request_id.as_deref(),
            &self.created_at,
        )
    }

    fn into_wire(self) -> StoreResult<AuditEntry> {
        Ok(AuditEntry {
            seq: self.seq,
            created_at: parse_ts(&self.created_at)?,
            detail: serde_json::from_str(&self.detail)
                .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
            id: self.id,
            tenant_id: self.tenant_id,
            actor_user_id: self.actor_user_id,
            actor_api_key_id: self.actor_api_key_id,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            request_id: self.request_id,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn canonical(
    id: &str,
    tenant_id: Option<&str>,
    actor_user_id: Option<&str>,
    actor_api_key_id: Option<&str>,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    detail: &str,
    request_id: Option<&str>,
    created_at: &str,
) -> String {
    serde_json::json!([
        id,
        tenant_id,
        actor_user_id,
        actor_api_key_id,
        action,
        object_type,
        object_id,
        detail,
        request_id,
        created_at
    ])
    .to_string()
}

/// The hash of a row given its predecessor's hash.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut data = Vec::with_capacity(prev_hash.len() + 1 + canonical.len());
    data.extend_from_slice(prev_hash.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(canonical.as_bytes());
    sha256_hex(&data)
}

macro_rules! columns {
    () => {
        "seq, id, tenant_id, actor_user_id, actor_api_key_id, action, object_type, object_id, detail, \
         request_id, created_at, prev_hash, hash"
    };
}

impl Store {
    /// Appends an event at the tail of the chain.
    pub async fn audit_append(&self, event: &AuditEvent) -> StoreResult<()> {
        // One appender per process at a time; across processes the unique `prev_hash` decides.
        let _guard = self.audit_lock.lock().await;
        let detail = if event.detail.is_object() { event.detail.to_string() } else { "{}".to_owned() };
        let mut attempts = 0;
        loop {
            attempts += 1;
            let tail: Option<(String,)> =
                sqlx::query_as("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(self.pool())
                    .await?;
            let prev = tail.map_or_else(|| GENESIS.to_owned(), |t| t.0);
            let id = uuid::Uuid::now_v7().to_string();
            let created = ts(now());
            let canon = canonical(
                &id,
                event.tenant_id.as_deref(),
                event.actor_user_id.as_deref(),
                event.actor_api_key_id.as_deref(),
                &event.action,
                &event.object_type,
                event.object_id.as_deref(),
                &detail,
                event.request_id.as_deref(),
                &created,
            );
            let hash = chain_hash(&prev, &canon);
            let done = sqlx::query(
                "INSERT INTO audit_log (id, tenant_id, actor_user_id, actor_api_key_id, action, object_type, \
                 object_id, detail, request_id, created_at, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&id)
            .bind(event.tenant_id.clone())
            .bind(event.actor_user_id.clone())
            .bind(event.actor_api_key_id.clone())
            .bind(&event.action)
            .bind(&event.object_type)
            .bind(event.object_id.clone())
            .bind(&detail)
            .bind(event.request_id.clone())
            .bind(&created)
            .bind(&prev)
            .bind(&hash)
            .execute(self.pool())
            .await;
            match done.map_err(StoreError::from) {
                Ok(_) => return Ok(()),
                // Another process appended to the same tail first: take the new tail.
                Err(StoreError::Conflict(_)) if attempts < 20 => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// A page of the audit log in creation order (or sorted), with the total.
    pub async fn audit_list(&self, q: &ListQuery) -> StoreResult<(Vec<AuditEntry>, i64)> {
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM audit_log WHERE 1 = 1"));
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<AuditRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(AuditRow::into_wire).collect::<StoreResult<_>>()?, total.0))
    }

    /// The tenant's entries about any of `objects` (object ids), in chain order: a version's
    /// audit extract.
    pub async fn audit_of_objects(
        &self,
        tenant: TenantId,
        objects: &[String],
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut out = Vec::new();
        for chunk in objects.chunks(500) {
            let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM audit_log WHERE tenant_id = "));
            sql.bind(tenant.to_string()).push(" AND object_id IN (");
            sql.bind_list(chunk.iter().map(String::as_str));
            sql.push(") ORDER BY seq");
            let rows = sql.query_as::<AuditRow>().fetch_all(self.pool()).await?;
            out.extend(rows.into_iter().map(AuditRow::into_wire).collect::<StoreResult<Vec<_>>>()?);
        }
        out.sort_by_key(|e| e.seq);
        Ok(out)
    }

    /// Up to `limit` rows after `after_seq`, in chain order (for exports).
    pub async fn audit_batch(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM audit_log WHERE seq > $1 ORDER BY seq ASC LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(AuditRow::into_wire).collect()
    }

    /// Walks the chain from the first row and reports the first broken link.
    pub async fn audit_verify(&self) -> StoreResult<AuditVerification> {
        const BATCH: i64 = 1000;
        let mut expected_prev = GENESIS.to_owned();
        let mut last_seq = 0_i64;
        let mut checked = 0_i64;
        loop {
            let rows: Vec<AuditRow> = sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM audit_log WHERE seq > $1 ORDER BY seq ASC LIMIT $2"
            ))
            .bind(last_seq)
            .bind(BATCH)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(AuditVerification { ok: true, checked, first_broken_seq: None, reason: None });
            }
            for row in rows {
                let broken = |reason: &str| AuditVerification {
                    ok: false,
                    checked,
                    first_broken_seq: Some(row.seq),
                    reason: Some(reason.to_owned()),
                };
                if row.prev_hash != expected_prev {
                    return Ok(broken(
                        "prev_hash does not match the previous row's hash (a row was removed or reordered)",
                    ));
                }
                if chain_hash(&row.prev_hash, &row.canonical()) != row.hash {
                    return Ok(broken("hash does not match the row's content (the row was altered)"));
                }
                checked += 1;
                last_seq = row.seq;
                expected_prev = row.hash;
            }
        }
    }
}
