//! Feature requests of a tenant: created `open` by a member, their status changed by an admin at
//! the row's version (the optimistic lock `If-Match` carries).

use cairn_sdk::types::{
    FeatureRequest, FeatureRequestId, FeatureRequestKind, FeatureRequestStatus, TenantId, UserId,
};
use sqlx::FromRow;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, parse_ts_opt, ts};

#[derive(FromRow)]
struct FeatureRequestRow {
    id: String,
    kind: String,
    title: String,
    body: String,
    status: String,
    requested_by: Option<String>,
    status_note: Option<String>,
    status_changed_by: Option<String>,
    status_changed_at: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl FeatureRequestRow {
    fn into_wire(self) -> StoreResult<FeatureRequest> {
        Ok(FeatureRequest {
            id: parse_id(&self.id)?,
            kind: FeatureRequestKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("feature request kind {:?}", self.kind)))?,
            title: self.title,
            body: self.body,
            status: FeatureRequestStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("feature request status {:?}", self.status)))?,
            requested_by: self.requested_by.as_deref().map(parse_id).transpose()?,
            status_note: self.status_note,
            status_changed_by: self.status_changed_by.as_deref().map(parse_id).transpose()?,
            status_changed_at: parse_ts_opt(self.status_changed_at.as_deref())?,
            version: self.version,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, kind, title, body, status, requested_by, status_note, status_changed_by, status_changed_at, \
         version, created_at, updated_at"
    };
}

/// A checked request to record.
#[derive(Debug, Clone)]
pub struct NewFeatureRequest {
    /// Feature, package or bug.
    pub kind: FeatureRequestKind,
    /// Trimmed title.
    pub title: String,
    /// Details.
    pub body: String,
}

/// Filters of the feature request list.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureRequestFilter {
    /// Only this status.
    pub status: Option<FeatureRequestStatus>,
    /// Only this kind.
    pub kind: Option<FeatureRequestKind>,
}

impl Store {
    /// Records a request, `open`.
    pub async fn feature_request_create(
        &self,
        tenant: TenantId,
        by: UserId,
        new: &NewFeatureRequest,
    ) -> StoreResult<FeatureRequest> {
        let id = FeatureRequestId::new();
        let stamp = ts(now());
        sqlx::query(
            "INSERT INTO feature_requests (id, tenant_id, kind, title, body, status, requested_by, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, 1, $7, $8)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(new.kind.as_str())
        .bind(&new.title)
        .bind(&new.body)
        .bind(by.to_string())
        .bind(&stamp)
        .bind(&stamp)
        .execute(self.pool())
        .await?;
        self.feature_request_get(tenant, id).await
    }

    /// One request of the tenant.
    pub async fn feature_request_get(
        &self,
        tenant: TenantId,
        id: FeatureRequestId,
    ) -> StoreResult<FeatureRequest> {
        let row: FeatureRequestRow = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM feature_requests WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await?;
        row.into_wire()
    }

    /// The tenant's requests, filtered and paged.
    pub async fn feature_request_list(
        &self,
        tenant: TenantId,
        f: FeatureRequestFilter,
        q: &ListQuery,
    ) -> StoreResult<(Vec<FeatureRequest>, i64)> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE tenant_id = ").bind(tenant.to_string());
            if let Some(s) = f.status {
                sql.push(" AND status = ").bind(s.as_str());
            }
            if let Some(k) = f.kind {
                sql.push(" AND kind = ").bind(k.as_str());
            }
        };
        let mut sql = Sql::new(concat!("SELECT ", columns!(), " FROM feature_requests"));
        filter(&mut sql);
        q.push_page(&mut sql, "")?;
        let rows = sql.query_as::<FeatureRequestRow>().fetch_all(self.pool()).await?;
        let mut count = Sql::new("SELECT COUNT(*) FROM feature_requests");
        filter(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        Ok((rows.into_iter().map(FeatureRequestRow::into_wire).collect::<StoreResult<_>>()?, total))
    }

    /// Sets a request's status (and note) at version `expected`: `VersionMismatch` with the
    /// current version when it changed meanwhile.
    pub async fn feature_request_set_status(
        &self,
        tenant: TenantId,
        id: FeatureRequestId,
        expected: i64,
        by: UserId,
        status: FeatureRequestStatus,
        note: Option<&str>,
    ) -> StoreResult<FeatureRequest> {
        let stamp = ts(now());
        let done = sqlx::query(
            "UPDATE feature_requests SET status = $1, status_note = $2, status_changed_by = $3, \
             status_changed_at = $4, version = version + 1, updated_at = $5 \
             WHERE tenant_id = $6 AND id = $7 AND version = $8",
        )
        .bind(status.as_str())
        .bind(note.map(str::to_owned))
        .bind(by.to_string())
        .bind(&stamp)
        .bind(&stamp)
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(expected)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            // Gone (NotFound) or changed meanwhile.
            let current = self.feature_request_get(tenant, id).await?;
            return Err(StoreError::VersionMismatch(current.version));
        }
        self.feature_request_get(tenant, id).await
    }
}
