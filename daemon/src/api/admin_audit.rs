//! `/admin/audit` (the hash-chained log, paged), `/admin/audit/export.csv` (all of it, streamed),
//! `/admin/audit/verify` (walks the chain) and `/admin/outbox` (mail queued while no SMTP server is configured). Super admins only.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
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

/// Rows per database round trip of the export.
const EXPORT_BATCH: i64 = 500;

/// The CSV header of the export; `detail` is the JSON object as stored.
const EXPORT_COLUMNS: [&str; 13] = [
    "seq",
    "id",
    "created_at",
    "tenant_id",
    "actor_user_id",
    "actor_api_key_id",
    "action",
    "object_type",
    "object_id",
    "detail",
    "request_id",
    "prev_hash",
    "hash",
];

/// A cell a spreadsheet would not run as a formula: one starting with `= + - @`, TAB or CR gets
/// a leading `'` (OWASP's advice for CSV injection). Importers see the quote; the JSON API keeps
/// the value as stored.
fn inert_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell }
}

fn csv_chunk(rows: &[AuditEntry], header: bool) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(EXPORT_COLUMNS)?;
    }
    for e in rows {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            e.seq.to_string(),
            e.id.clone(),
            ts(e.created_at),
            opt(&e.tenant_id),
            opt(&e.actor_user_id),
            opt(&e.actor_api_key_id),
            e.action.clone(),
            e.object_type.clone(),
            opt(&e.object_id),
            e.detail.to_string(),
            opt(&e.request_id),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        w.write_record(cells.map(inert_cell))?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

/// The whole audit log as CSV, in chain order, streamed in batches (memory stays flat however
/// long the log is).
#[utoipa::path(get, operation_id = "admin_audit_export", path = "/admin/audit/export.csv", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "CSV, one row per entry", content_type = "text/csv")))]
pub async fn export_csv(State(state): State<AppState>, _op: Operator) -> Response {
    // State: (last seq sent, header sent, finished).
    let stream = futures_util::stream::unfold((0_i64, false, false), move |(after, header_sent, done)| {
        let store = state.store.clone();
        async move {
            if done {
                return None;
            }
            match store.audit_batch(after, EXPORT_BATCH).await {
                Ok(rows) => {
                    let last = rows.last().map_or(after, |r| r.seq);
                    let finished = i64::try_from(rows.len()).unwrap_or(0) < EXPORT_BATCH;
                    if rows.is_empty() && header_sent {
                        return None;
                    }
                    Some((csv_chunk(&rows, !header_sent), (last, true, finished)))
                }
                Err(e) => {
                    // Headers are gone already: end the body early so the client sees a broken transfer.
                    tracing::error!(error = %e, "audit export failed");
                    Some((Err(std::io::Error::other("audit export failed")), (after, true, true)))
                }
            }
        }
    });
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    resp.headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.csv\""));
    resp
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

#[cfg(test)]
mod tests {
    use super::inert_cell;

    #[test]
    fn formula_cells_are_quoted_and_others_kept() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert_cell(bad.to_owned()), format!("'{bad}"));
        }
        for good in ["", "1", "project.create", "{\"a\":1}", "x=1"] {
            assert_eq!(inert_cell(good.to_owned()), good);
        }
    }
}
