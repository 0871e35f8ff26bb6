//! `/admin/audit` (the hash-chained log, paged), `/admin/audit/verify` (walks the chain) and
//! `/admin/outbox` (mail queued while no SMTP server is configured). Super admins only.

use axum::extract::State;
use axum::http::Uri;
use cairn_sdk::types::{AuditEntry, AuditVerification, OutboxMessage};

use super::admin::Operator;
use super::extract::Query;
use super::pagination::{ListParams, PageResponse, page};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ts;

/// The audit log, oldest first (or sorted).
#[utoipa::path(get, operation_id = "admin_audit", path = "/admin/audit", tag = "admin", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Audit entries", body = cairn_sdk::types::Page<AuditEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    _op: Operator,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<AuditEntry>, ApiError> {
    let q = params.to_query(&["created_at", "action", "object_type", "seq"])?;
    let (rows, total) = state.store.audit_list(&q).await?;
    Ok(page(rows, total, &q, |e: &AuditEntry| (ts(e.created_at), e.id.clone()), &uri))
}

/// Recomputes every hash from the first row and reports the first broken link.
#[utoipa::path(get, operation_id = "admin_audit_verify", path = "/admin/audit/verify", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Verification result", body = AuditVerification)))]
pub async fn verify(
    State(state): State<AppState>,
    _op: Operator,
) -> Result<axum::Json<AuditVerification>, ApiError> {
    Ok(axum::Json(state.store.audit_verify().await?))
}

/// Mail the daemon queued, oldest first.
#[utoipa::path(get, operation_id = "admin_outbox", path = "/admin/outbox", tag = "admin", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Queued mail", body = cairn_sdk::types::Page<OutboxMessage>)))]
pub async fn outbox(
    State(state): State<AppState>,
    _op: Operator,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<OutboxMessage>, ApiError> {
    let q = params.to_query(&["created_at", "recipient"])?;
    let (rows, total) = state.store.outbox_list(&q).await?;
    Ok(page(rows, total, &q, |m: &OutboxMessage| (ts(m.created_at), m.id.clone()), &uri))
}
