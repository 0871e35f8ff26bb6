//! Reads the CRA checklist and other evidence views need beyond the scan and finding reads: a
//! scan's stored document formats and direct dependencies, when each finding of a project was
//! first seen, and a version's scans completed after its release.

use std::collections::HashMap;

use cairn_sdk::types::{ProjectId, ScanId, TenantId, VersionId};
use time::OffsetDateTime;

use super::{Store, StoreResult, parse_ts, ts};

impl Store {
    /// The formats of the documents stored for a scan, sorted.
    pub async fn scan_document_formats(&self, tenant: TenantId, scan: ScanId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT format FROM scan_documents WHERE tenant_id = $1 AND scan_id = $2 ORDER BY format",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// How many of a scan's components are direct (top-level) dependencies.
    pub async fn scan_direct_components(&self, tenant: TenantId, scan: ScanId) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM components WHERE tenant_id = $1 AND scan_id = $2 AND direct = 1",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// When each (advisory, purl) was first found in any scan of the project: the start of its
    /// triage deadline (a re-scan makes new finding rows; the first one counts).
    pub async fn findings_first_seen(
        &self,
        tenant: TenantId,
        project: ProjectId,
    ) -> StoreResult<HashMap<(String, String), OffsetDateTime>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT vulnerability_id, purl, MIN(created_at) FROM findings WHERE tenant_id = $1 AND project_id = $2 \
             GROUP BY vulnerability_id, purl",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|(v, p, at)| Ok(((v, p), parse_ts(&at)?))).collect()
    }

    /// Completed scans of the version that finished after `after`.
    pub async fn version_scans_completed_after(
        &self,
        tenant: TenantId,
        version: VersionId,
        after: OffsetDateTime,
    ) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM scans WHERE tenant_id = $1 AND version_id = $2 AND status = 'completed' \
             AND finished_at > $3",
        )
        .bind(tenant.to_string())
        .bind(version.to_string())
        .bind(ts(after))
        .fetch_one(self.pool())
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl Store {
    /// The project's released (or end-of-life) version released last before `before` (any time
    /// when `None`), other than `except`: what a version is compared with in its technical file.
    pub async fn version_previous_released(
        &self,
        tenant: TenantId,
        project: ProjectId,
        except: VersionId,
        before: Option<OffsetDateTime>,
    ) -> StoreResult<Option<VersionId>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, released_at FROM project_versions WHERE tenant_id = $1 AND project_id = $2 AND id <> $3 \
             AND release_state IN ('released', 'end_of_life') AND released_at IS NOT NULL \
             ORDER BY released_at DESC, id DESC",
        )
        .bind(tenant.to_string())
        .bind(project.to_string())
        .bind(except.to_string())
        .fetch_all(self.pool())
        .await?;
        for (id, at) in rows {
            if before.is_none_or(|b| parse_ts(&at).is_ok_and(|t| t < b)) {
                return Ok(Some(super::parse_id(&id)?));
            }
        }
        Ok(None)
    }
}
