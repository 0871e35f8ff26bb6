//! Open findings per scan and severity (`scan_finding_counts`), recomputed for a scan in the
//! transaction that changes its findings, so list totals are sums over a few rows.

use cairn_sdk::types::{ScanId, TenantId};

use super::StoreResult;

/// Recounts `scan`'s open findings per severity inside `tx`.
pub(super) async fn refresh(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    scan: ScanId,
) -> StoreResult<()> {
    let (t, s) = (tenant.to_string(), scan.to_string());
    sqlx::query("DELETE FROM scan_finding_counts WHERE scan_id = $1").bind(&s).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO scan_finding_counts (scan_id, tenant_id, severity, open) \
         SELECT scan_id, tenant_id, severity, COUNT(*) FROM findings \
         WHERE tenant_id = $1 AND scan_id = $2 AND resolved_at IS NULL GROUP BY scan_id, tenant_id, severity",
    )
    .bind(&t)
    .bind(&s)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
