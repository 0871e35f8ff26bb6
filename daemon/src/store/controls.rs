//! Reads the controls × frameworks view judges on (`evidence/controls.rs`): per project its
//! recent scans, latest completed scan (matched or not, gated or not) and product fields; the
//! released versions with their latest scan's stored SBOM formats; policy assignments; OSV data
//! imported; the tenant's audit entries.

use cairn_sdk::types::{ProductProfile, ProjectId, ScanId, TenantId, VersionId};
use time::OffsetDateTime;

use super::{Store, StoreError, StoreResult, parse_id, ts};

/// A project as the controls see it.
#[derive(Debug, Clone)]
pub struct ProjectEvidence {
    /// The project.
    pub id: ProjectId,
    /// Its product fields.
    pub product: ProductProfile,
    /// Its completed scans that finished inside the window.
    pub recent_scans: u64,
    /// Its latest completed scan, if any.
    pub latest_scan: Option<ScanId>,
    /// Whether that scan was matched against vulnerability data.
    pub latest_matched: bool,
    /// Whether that scan has a gate result.
    pub latest_gated: bool,
}

/// A released (or end-of-life) version and the SBOM formats its latest completed scan stored.
#[derive(Debug, Clone)]
pub struct ReleaseEvidence {
    /// The version.
    pub id: VersionId,
    /// Its latest completed scan.
    pub scan: Option<ScanId>,
    /// That scan's stored document formats.
    pub formats: Vec<String>,
}

/// Where stored policies are assigned.
#[derive(Debug, Clone, Default)]
pub struct Assignments {
    /// A tenant default is assigned.
    pub tenant_default: bool,
    /// Projects with their own assignment.
    pub projects: Vec<ProjectId>,
}

impl Store {
    /// Every project of the tenant with its scans since `since` and its latest completed scan.
    pub async fn controls_projects(
        &self,
        tenant: TenantId,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<ProjectEvidence>> {
        type Row = (String, Option<String>, i64, Option<String>, Option<String>, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.id, p.product, \
             (SELECT COUNT(*) FROM scans r WHERE r.tenant_id = p.tenant_id AND r.project_id = p.id \
              AND r.status = 'completed' AND r.finished_at >= $2), \
             s.id, s.vulndb, \
             (SELECT COUNT(*) FROM gate_results g WHERE g.tenant_id = p.tenant_id AND g.scan_id = s.id) \
             FROM projects p LEFT JOIN scans s ON s.id = (SELECT s2.id FROM scans s2 WHERE s2.tenant_id = p.tenant_id \
               AND s2.project_id = p.id AND s2.status = 'completed' ORDER BY s2.finished_at DESC, s2.id DESC LIMIT 1) \
             WHERE p.tenant_id = $1 ORDER BY p.id",
        )
        .bind(tenant.to_string())
        .bind(ts(since))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, product, recent, scan, vulndb, gates)| {
                let product = match product.as_deref() {
                    Some(p) => {
                        serde_json::from_str(p).map_err(|e| StoreError::Corrupt(format!("product: {e}")))?
                    }
                    None => ProductProfile::default(),
                };
                Ok(ProjectEvidence {
                    id: parse_id(&id)?,
                    product,
                    recent_scans: u64::try_from(recent).unwrap_or(0),
                    latest_matched: scan.is_some() && super::scans::matched(vulndb.as_deref())?,
                    latest_scan: scan.as_deref().map(parse_id).transpose()?,
                    latest_gated: gates > 0,
                })
            })
            .collect()
    }

    /// The tenant's released and end-of-life versions, each with the document formats of its
    /// latest completed scan.
    pub async fn controls_releases(&self, tenant: TenantId) -> StoreResult<Vec<ReleaseEvidence>> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT v.id, s.id, d.format FROM project_versions v \
             LEFT JOIN scans s ON s.id = (SELECT s2.id FROM scans s2 WHERE s2.tenant_id = v.tenant_id \
               AND s2.version_id = v.id AND s2.status = 'completed' ORDER BY s2.finished_at DESC, s2.id DESC LIMIT 1) \
             LEFT JOIN scan_documents d ON d.tenant_id = v.tenant_id AND d.scan_id = s.id \
             WHERE v.tenant_id = $1 AND v.release_state IN ('released', 'end_of_life') ORDER BY v.id, d.format",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<ReleaseEvidence> = Vec::new();
        for (version, scan, format) in rows {
            let id: VersionId = parse_id(&version)?;
            if out.last().is_none_or(|r| r.id != id) {
                out.push(ReleaseEvidence {
                    id,
                    scan: scan.as_deref().map(parse_id).transpose()?,
                    formats: Vec::new(),
                });
            }
            if let (Some(f), Some(r)) = (format, out.last_mut()) {
                r.formats.push(f);
            }
        }
        Ok(out)
    }

    /// Where the tenant's stored policies are assigned.
    pub async fn controls_assignments(&self, tenant: TenantId) -> StoreResult<Assignments> {
        let rows: Vec<(Option<String>,)> = sqlx::query_as(
            "SELECT project_id FROM policy_assignments WHERE tenant_id = $1 ORDER BY project_id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut a = Assignments::default();
        for (project,) in rows {
            match project {
                Some(p) => a.projects.push(parse_id(&p)?),
                None => a.tenant_default = true,
            }
        }
        Ok(a)
    }

    /// OSV sources imported and the advisories they hold (KEV lists are not OSV data).
    pub async fn controls_osv_data(&self) -> StoreResult<(u64, u64)> {
        let (sources, advisories): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(advisories), 0) AS BIGINT) FROM vulndb_sources WHERE kind = 'osv'",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((u64::try_from(sources).unwrap_or(0), u64::try_from(advisories).unwrap_or(0)))
    }

    /// The tenant's audit entries.
    pub async fn controls_audit_entries(&self, tenant: TenantId) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
