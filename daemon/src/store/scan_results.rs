//! A scan's results: components, edges, findings (with the vulnerability rows they reference),
//! licenses, crypto assets, diagnostics, warnings and the rendered documents. Written once, in one
//! transaction and in batches; read with cursor paging.

use cairn_sdk::types::{
    CryptoAsset, PqcSummary, ProjectId, ScanComponent, ScanDiagnostic, ScanFinding, ScanId, ScanLicense,
    ScanWarning, Severity, TenantId, WarningKind,
};
use std::collections::BTreeSet;

use sqlx::FromRow;

use super::finding_events::{append_scan_differences, stored_findings};
use super::scans::to_json;
use super::sql::{Sql, placeholders};
use super::{Backend, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// Rows per multi-row INSERT: far below both databases' parameter limits. These INSERTs run
/// unprepared (`persistent(false)`): each pooled connection kept its own compiled copy of every
/// batch size it had seen (hundreds of KiB each on SQLite, in its own malloc arena), and the
/// daemon's resident memory grew with them scan after scan (docs/benchmarks.md "Daemon memory").
const BATCH: usize = 100;

/// One component to store.
#[derive(Debug, Clone)]
pub struct NewComponent {
    /// The wire shape (its `id` is used as the row id).
    pub component: ScanComponent,
    /// Declared license expression.
    pub declared: Option<String>,
    /// Detected license expression.
    pub detected: Option<String>,
    /// License category.
    pub category: Option<String>,
}

/// One vulnerability referenced by findings (shared reference data, upserted).
#[derive(Debug, Clone)]
pub struct NewVulnerability {
    /// OSV id.
    pub id: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// CVSS vector.
    pub cvss_vector: Option<String>,
    /// CVSS score.
    pub cvss_score: Option<f64>,
    /// When the advisory last changed (RFC 3339), or the match time when unknown.
    pub modified_at: String,
}

/// One finding to store.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// Row id.
    pub id: String,
    /// The component's row id.
    pub component_id: String,
    /// Its purl.
    pub purl: String,
    /// The advisory.
    pub vulnerability_id: String,
    /// Severity.
    pub severity: Severity,
    /// Nearest fixed version.
    pub fixed_version: Option<String>,
}

/// One rendered document.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// `BomFormat` name.
    pub format: String,
    /// Media type it is served with.
    pub media_type: String,
    /// SHA-256 of the uncompressed bytes, hex.
    pub sha256: String,
    /// Uncompressed length.
    pub bytes: i64,
    /// Compressed bytes (DEFLATE, gzip framing).
    pub compressed: Vec<u8>,
    /// Fingerprint of the triage it was rendered with (empty: none).
    pub triage_stamp: String,
}

/// Everything a finished scan stores. Components and edges are produced a batch at a time while
/// they are inserted (the caller builds each row from its own data as it is asked for): a big
/// scan's rows are never all in memory at once.
pub struct ScanResults<'a> {
    /// Components in inventory order.
    pub components: Box<dyn Iterator<Item = NewComponent> + Send + 'a>,
    /// The purls of every component (a finding whose component is gone is resolved for that reason).
    pub purls: BTreeSet<&'a str>,
    /// Edges (from purl, to purl).
    pub edges: Box<dyn Iterator<Item = (String, String)> + Send + 'a>,
    /// Vulnerabilities referenced by `findings`.
    pub vulnerabilities: Vec<NewVulnerability>,
    /// Findings.
    pub findings: Vec<NewFinding>,
    /// Crypto assets.
    pub crypto: Vec<CryptoAsset>,
    /// Diagnostics.
    pub diagnostics: Vec<ScanDiagnostic>,
    /// Informational advisories that apply (warnings, not findings).
    pub warnings: Vec<ScanWarning>,
    /// Documents.
    pub documents: Vec<NewDocument>,
    /// Post-quantum readiness (scans with crypto on and a tree).
    pub pqc: Option<PqcSummary>,
    /// The documents' input (gzipped JSON), kept to render them again after triage.
    pub bom_input: Option<Vec<u8>>,
}

/// The next batch of `rows`: at most [`BATCH`] of them, none when they are all taken.
fn next_batch<T>(rows: &mut (dyn Iterator<Item = T> + Send + '_)) -> Vec<T> {
    rows.take(BATCH).collect()
}

/// A stored document.
#[derive(Debug, Clone, FromRow)]
pub struct StoredDocument {
    /// Media type.
    pub media_type: String,
    /// SHA-256 hex of the uncompressed bytes.
    pub sha256: String,
    /// Uncompressed length.
    pub bytes: i64,
    /// Compressed bytes.
    pub compressed: Vec<u8>,
    /// Fingerprint of the triage it was rendered with.
    pub triage_stamp: String,
}

/// The columns of a `ComponentRow`.
pub(super) const COMPONENT_COLUMNS: &str = "id, purl, ecosystem, name, version, scope, direct, local, concluded_license, locations, hashes, findings, ord";

#[derive(FromRow)]
pub(super) struct ComponentRow {
    id: String,
    purl: String,
    ecosystem: String,
    name: String,
    version: Option<String>,
    scope: Option<String>,
    direct: i64,
    local: i64,
    concluded_license: Option<String>,
    locations: String,
    hashes: String,
    findings: i64,
    ord: i64,
}

#[derive(FromRow)]
struct LicenseRow {
    id: String,
    purl: String,
    declared_license: Option<String>,
    detected_license: Option<String>,
    concluded_license: Option<String>,
    license_category: Option<String>,
    ord: i64,
}

#[derive(FromRow)]
struct FindingRow {
    id: String,
    scan_id: String,
    project_id: Option<String>,
    component_id: String,
    purl: String,
    vulnerability_id: String,
    aliases: String,
    summary: Option<String>,
    severity: String,
    cvss_score: Option<f64>,
    cvss_vector: Option<String>,
    fixed_version: Option<String>,
    created_at: String,
    ord: i64,
    /// Which stored OSV record summarises the advisory when it has no summary (see
    /// `advisory_summaries`).
    summary_stamp: Option<String>,
}

#[derive(FromRow)]
struct DiagnosticRow {
    ord: i64,
    severity: String,
    path: Option<String>,
    line: Option<i64>,
    message: String,
}

#[derive(FromRow)]
struct WarningRow {
    ord: i64,
    kind: String,
    advisory_id: String,
    aliases: String,
    purl: String,
    ecosystem: String,
    name: String,
    version: String,
    summary: Option<String>,
    fixed: String,
    url: Option<String>,
}

#[derive(FromRow)]
struct CryptoRow {
    id: String,
    asset_type: String,
    name: String,
    primitive: Option<String>,
    quantum_level: Option<i64>,
    detail: String,
    locations: String,
    ord: i64,
}

impl ComponentRow {
    /// The wire component, with its position in the scan.
    pub(super) fn into_wire(self) -> StoreResult<(i64, ScanComponent)> {
        let r = self;
        Ok((
            r.ord,
            ScanComponent {
                id: r.id,
                purl: r.purl,
                ecosystem: r.ecosystem,
                name: r.name,
                version: r.version,
                scope: r.scope.as_deref().map(str::parse).transpose().map_err(corrupt("scope"))?,
                direct: r.direct != 0,
                local: r.local != 0,
                license: r.concluded_license,
                locations: serde_json::from_str(&r.locations).map_err(corrupt("locations"))?,
                hashes: serde_json::from_str(&r.hashes).map_err(corrupt("hashes"))?,
                findings: u64::try_from(r.findings).unwrap_or(0),
            },
        ))
    }
}

pub(super) fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// Filters of the findings list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only this component purl.
    pub purl: Option<String>,
}

/// The statements of a page of a scan's open findings (`limit + 1` rows after position `after`)
/// and of the total of matches.
pub(super) fn scan_findings_sql(
    tenant: TenantId,
    scan: ScanId,
    f: &FindingFilter,
    after: i64,
    limit: i64,
) -> (Sql, Sql) {
    let narrow = |sql: &mut Sql| {
        sql.push(" WHERE f.tenant_id = ").bind(tenant.to_string());
        sql.push(" AND f.scan_id = ").bind(scan.to_string()).push(" AND f.resolved_at IS NULL");
        if let Some(s) = f.severity {
            sql.push(" AND f.severity = ").bind(s.as_str());
        }
        if let Some(p) = &f.purl {
            sql.push(" AND f.purl = ").bind(p.as_str());
        }
    };
    let mut sql = Sql::new(
        "SELECT f.id, f.scan_id, f.project_id, f.component_id, f.purl, f.vulnerability_id, v.aliases, v.summary, \
         f.severity, v.cvss_score, v.cvss_vector, f.fixed_version, f.created_at, f.ord, \
         CASE WHEN v.summary IS NULL THEN (SELECT MIN(o.source || '|' || o.modified) FROM osv_records o \
         WHERE o.id = f.vulnerability_id) END AS summary_stamp \
         FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id",
    );
    narrow(&mut sql);
    sql.push(" AND f.ord > ").bind(after).push(" ORDER BY f.ord LIMIT ").bind(limit + 1);
    let mut count = Sql::new("SELECT COUNT(*) FROM findings f");
    narrow(&mut count);
    (sql, count)
}

/// Upserts the summary rows findings reference (shared reference data: never deleted).
pub(super) async fn upsert_vulnerabilities(
    backend: Backend,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    vulnerabilities: &[NewVulnerability],
) -> StoreResult<()> {
    for chunk in vulnerabilities.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO vulnerabilities (id, aliases, summary, severity, cvss_vector, cvss_score, modified_at) \
             VALUES {} ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, \
             summary = COALESCE(excluded.summary, vulnerabilities.summary), \
             severity = excluded.severity, cvss_vector = excluded.cvss_vector, cvss_score = excluded.cvss_score, \
             modified_at = excluded.modified_at",
            placeholders(backend, chunk.len(), 7)
        );
        // Unprepared: a NULL score would fix the cached statement's type as float4 (see store::vulndb).
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for v in chunk {
            q = q
                .bind(v.id.clone())
                .bind(to_json(&v.aliases))
                .bind(v.summary.clone())
                .bind(v.severity.as_str())
                .bind(v.cvss_vector.clone())
                .bind(v.cvss_score)
                .bind(v.modified_at.clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Replaces the scan's results with `r`, in one transaction (a rerun after a lost worker
    /// leaves no doubles), with the `finding.new`/`finding.resolved` events of a project's scan
    /// against the project's previous completed scan. Rows are taken from `r` a batch at a time
    /// and their values moved into the statement, never copied.
    pub async fn scan_store_results(
        &self,
        tenant: TenantId,
        scan: ScanId,
        project: Option<ProjectId>,
        mut r: ScanResults<'_>,
    ) -> StoreResult<()> {
        let t = tenant.to_string();
        let s = scan.to_string();
        let p = project.map(|p| p.to_string());
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        // A rerun (its worker was lost after this commit) compares with its own first results,
        // whose events were already appended: the events are not doubled.
        let rerun_of = match project {
            Some(_) => stored_findings(&mut tx, tenant, scan).await?,
            None => None,
        };
        for table in [
            "findings",
            "crypto_assets",
            "component_edges",
            "scan_diagnostics",
            "scan_warnings",
            "scan_documents",
            "scan_bom_inputs",
            "components",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND scan_id = $2"
            )))
            .bind(&t)
            .bind(&s)
            .execute(&mut *tx)
            .await?;
        }
        let mut ord: i64 = 0;
        loop {
            let chunk = next_batch(&mut *r.components);
            if chunk.is_empty() {
                break;
            }
            let sql = format!(
                "INSERT INTO components (id, tenant_id, scan_id, purl, ecosystem, name, version, scope, direct, local, \
                 locations, hashes, declared_license, detected_license, concluded_license, license_category, findings, ord) \
                 VALUES {}",
                placeholders(self.backend(), chunk.len(), 18)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for c in chunk {
                let w = c.component;
                q = q
                    .bind(w.id)
                    .bind(t.clone())
                    .bind(s.clone())
                    .bind(w.purl)
                    .bind(w.ecosystem)
                    .bind(w.name)
                    .bind(w.version)
                    .bind(w.scope.map(|s| s.as_str()))
                    .bind(i64::from(w.direct))
                    .bind(i64::from(w.local))
                    .bind(to_json(&w.locations))
                    .bind(to_json(&w.hashes))
                    .bind(c.declared)
                    .bind(c.detected)
                    .bind(w.license)
                    .bind(c.category)
                    .bind(i64::try_from(w.findings).unwrap_or(i64::MAX))
                    .bind(ord);
                ord += 1;
            }
            q.execute(&mut *tx).await?;
        }
        loop {
            let chunk = next_batch(&mut *r.edges);
            if chunk.is_empty() {
                break;
            }
            let sql = format!(
                "INSERT INTO component_edges (tenant_id, scan_id, from_purl, to_purl) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(self.backend(), chunk.len(), 4)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (from, to) in chunk {
                q = q.bind(t.clone()).bind(s.clone()).bind(from).bind(to);
            }
            q.execute(&mut *tx).await?;
        }
        // Findings reference vulnerabilities(id): the summary rows go first.
        upsert_vulnerabilities(self.backend(), &mut tx, &r.vulnerabilities).await?;
        for (i, chunk) in r.findings.chunks(BATCH).enumerate() {
            let sql = format!(
                "INSERT INTO findings (id, tenant_id, scan_id, project_id, component_id, vulnerability_id, severity, \
                 fixed_version, created_at, purl, ord) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(self.backend(), chunk.len(), 11)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (j, f) in chunk.iter().enumerate() {
                q = q
                    .bind(f.id.clone())
                    .bind(t.clone())
                    .bind(s.clone())
                    .bind(p.clone())
                    .bind(f.component_id.clone())
                    .bind(f.vulnerability_id.clone())
                    .bind(f.severity.as_str())
                    .bind(f.fixed_version.clone())
                    .bind(stamp.clone())
                    .bind(f.purl.clone())
                    .bind(i64::try_from(i * BATCH + j).unwrap_or(i64::MAX));
            }
            q.execute(&mut *tx).await?;
        }
        super::finding_counts::refresh(&mut tx, tenant, scan).await?;
        for (i, chunk) in r.crypto.chunks(BATCH).enumerate() {
            let sql = format!(
                "INSERT INTO crypto_assets (id, tenant_id, scan_id, asset_type, name, primitive, quantum_level, detail, \
                 locations, ord) VALUES {}",
                placeholders(self.backend(), chunk.len(), 10)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (j, a) in chunk.iter().enumerate() {
                q = q
                    .bind(a.id.clone())
                    .bind(t.clone())
                    .bind(s.clone())
                    .bind(a.asset_type.clone())
                    .bind(a.name.clone())
                    .bind(a.primitive.clone())
                    .bind(a.quantum_level)
                    .bind(a.detail.to_string())
                    .bind(to_json(&a.locations))
                    .bind(i64::try_from(i * BATCH + j).unwrap_or(i64::MAX));
            }
            q.execute(&mut *tx).await?;
        }
        for (i, chunk) in r.diagnostics.chunks(BATCH).enumerate() {
            let sql = format!(
                "INSERT INTO scan_diagnostics (tenant_id, scan_id, ord, severity, path, line, message) VALUES {}",
                placeholders(self.backend(), chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (j, d) in chunk.iter().enumerate() {
                q = q
                    .bind(t.clone())
                    .bind(s.clone())
                    .bind(i64::try_from(i * BATCH + j).unwrap_or(i64::MAX))
                    .bind(d.severity.clone())
                    .bind(d.path.clone())
                    .bind(d.line.map(i64::from))
                    .bind(d.message.clone());
            }
            q.execute(&mut *tx).await?;
        }
        for (i, chunk) in r.warnings.chunks(BATCH).enumerate() {
            let sql = format!(
                "INSERT INTO scan_warnings (tenant_id, scan_id, ord, kind, advisory_id, aliases, purl, ecosystem, name, \
                 version, summary, fixed, url) VALUES {}",
                placeholders(self.backend(), chunk.len(), 13)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (j, w) in chunk.iter().enumerate() {
                q = q
                    .bind(t.clone())
                    .bind(s.clone())
                    .bind(i64::try_from(i * BATCH + j).unwrap_or(i64::MAX))
                    .bind(w.kind.as_str())
                    .bind(w.advisory_id.clone())
                    .bind(to_json(&w.aliases))
                    .bind(w.purl.clone())
                    .bind(w.ecosystem.clone())
                    .bind(w.name.clone())
                    .bind(w.version.clone())
                    .bind(w.summary.clone())
                    .bind(to_json(&w.fixed))
                    .bind(w.url.clone());
            }
            q.execute(&mut *tx).await?;
        }
        if let Some(input) = r.bom_input.take() {
            sqlx::query(
                "INSERT INTO scan_bom_inputs (tenant_id, scan_id, compressed, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(t.clone())
            .bind(s.clone())
            .bind(input)
            .bind(stamp.clone())
            .execute(&mut *tx)
            .await?;
        }
        for d in std::mem::take(&mut r.documents) {
            sqlx::query(
                "INSERT INTO scan_documents (tenant_id, scan_id, format, media_type, sha256, bytes, compressed, created_at, \
                 triage_stamp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(t.clone())
            .bind(s.clone())
            .bind(d.format)
            .bind(d.media_type)
            .bind(d.sha256)
            .bind(d.bytes)
            .bind(d.compressed)
            .bind(stamp.clone())
            .bind(d.triage_stamp)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(project) = project {
            let after = (&r.findings[..], &r.vulnerabilities[..]);
            append_scan_differences(&mut tx, tenant, project, scan, rerun_of, after, &r.purls).await?;
        }
        // The readiness travels with the results, so a rerun replaces it with them.
        sqlx::query("UPDATE scans SET pqc = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(r.pqc.as_ref().map(to_json))
            .bind(&t)
            .bind(&s)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if project.is_some() {
            self.events_committed().await;
        }
        Ok(())
    }

    /// Components of a scan after position `after` (cursor paging), with the total.
    pub async fn scan_components(
        &self,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanComponent)>, i64)> {
        let (rows, total) = self
            .page_after::<ComponentRow>("components", COMPONENT_COLUMNS, tenant, scan, after, limit)
            .await?;
        let items = rows.into_iter().map(ComponentRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// License facts of a scan's components that have any, after position `after`.
    pub async fn scan_licenses(
        &self,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanLicense)>, i64)> {
        let filter = "tenant_id = $1 AND scan_id = $2 AND (declared_license IS NOT NULL OR detected_license IS NOT NULL \
                      OR concluded_license IS NOT NULL)";
        let rows: Vec<LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, purl, declared_license, detected_license, concluded_license, license_category, ord \
             FROM components WHERE {filter} AND ord > $3 ORDER BY ord LIMIT $4"
        )))
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .bind(after)
        .bind(limit + 1)
        .fetch_all(self.pool())
        .await?;
        let total: (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM components WHERE {filter}")))
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_one(self.pool())
                .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                (
                    r.ord,
                    ScanLicense {
                        component_id: r.id,
                        purl: r.purl,
                        declared: r.declared_license,
                        detected: r.detected_license,
                        concluded: r.concluded_license,
                        category: r.license_category,
                    },
                )
            })
            .collect();
        Ok((items, total.0))
    }

    /// Findings of a scan, filtered, after position `after`.
    pub async fn scan_findings(
        &self,
        tenant: TenantId,
        scan: ScanId,
        f: &FindingFilter,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanFinding)>, i64)> {
        let (sql, count) = scan_findings_sql(tenant, scan, f, after, limit);
        let rows = sql.query_as::<FindingRow>().fetch_all(self.pool()).await?;
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        let mut stamps = Vec::with_capacity(rows.len());
        let mut items: Vec<(i64, ScanFinding)> = rows
            .into_iter()
            .map(|r| {
                stamps.push(r.summary_stamp);
                Ok((
                    r.ord,
                    ScanFinding {
                        id: r.id,
                        scan_id: parse_id(&r.scan_id)?,
                        project_id: r.project_id.as_deref().map(parse_id).transpose()?,
                        component_id: r.component_id,
                        purl: r.purl,
                        vulnerability_id: r.vulnerability_id,
                        aliases: serde_json::from_str(&r.aliases).map_err(corrupt("aliases"))?,
                        summary: r.summary,
                        severity: r.severity.parse().map_err(corrupt("severity"))?,
                        cvss_score: r.cvss_score,
                        cvss_vector: r.cvss_vector,
                        fixed_version: r.fixed_version,
                        created_at: parse_ts(&r.created_at)?,
                    },
                ))
            })
            .collect::<StoreResult<_>>()?;
        self.fill_missing_summaries(
            items.iter_mut().map(|(_, f)| f).zip(stamps.iter().map(Option::as_deref)),
        )
        .await?;
        Ok((items, total))
    }

    /// Crypto assets of a scan after position `after`.
    pub async fn scan_crypto_assets(
        &self,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, CryptoAsset)>, i64)> {
        let (rows, total) = self
            .page_after::<CryptoRow>(
                "crypto_assets",
                "id, asset_type, name, primitive, quantum_level, detail, locations, ord",
                tenant,
                scan,
                after,
                limit,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok((
                    r.ord,
                    CryptoAsset {
                        id: r.id,
                        asset_type: r.asset_type,
                        name: r.name,
                        primitive: r.primitive,
                        quantum_level: r.quantum_level,
                        detail: serde_json::from_str(&r.detail).map_err(corrupt("detail"))?,
                        locations: serde_json::from_str(&r.locations).map_err(corrupt("locations"))?,
                    },
                ))
            })
            .collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// Diagnostics of a scan after position `after`, in the order the scan reported them.
    pub async fn scan_diagnostics(
        &self,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanDiagnostic)>, i64)> {
        let (rows, total) = self
            .page_after::<DiagnosticRow>(
                "scan_diagnostics",
                "ord, severity, path, line, message",
                tenant,
                scan,
                after,
                limit,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                (
                    r.ord,
                    ScanDiagnostic {
                        severity: r.severity,
                        path: r.path,
                        // A line past u32 cannot come from a file the scan read: say none.
                        line: r.line.and_then(|l| u32::try_from(l).ok()),
                        message: r.message,
                    },
                )
            })
            .collect();
        Ok((items, total))
    }

    /// Warnings (informational advisories) of a scan after position `after`, in scan order.
    pub async fn scan_warnings(
        &self,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanWarning)>, i64)> {
        let (rows, total) = self
            .page_after::<WarningRow>(
                "scan_warnings",
                "ord, kind, advisory_id, aliases, purl, ecosystem, name, version, summary, fixed, url",
                tenant,
                scan,
                after,
                limit,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok((
                    r.ord,
                    ScanWarning {
                        kind: WarningKind::from_word(&r.kind),
                        advisory_id: r.advisory_id,
                        aliases: serde_json::from_str(&r.aliases).map_err(corrupt("aliases"))?,
                        purl: r.purl,
                        ecosystem: r.ecosystem,
                        name: r.name,
                        version: r.version,
                        summary: r.summary,
                        fixed: serde_json::from_str(&r.fixed).map_err(corrupt("fixed"))?,
                        url: r.url,
                    },
                ))
            })
            .collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// A stored document of a scan.
    pub async fn scan_document(
        &self,
        tenant: TenantId,
        scan: ScanId,
        format: &str,
    ) -> StoreResult<StoredDocument> {
        Ok(sqlx::query_as(
            "SELECT media_type, sha256, bytes, compressed, triage_stamp FROM scan_documents WHERE tenant_id = $1 \
             AND scan_id = $2 AND format = $3",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .bind(format)
        .fetch_one(self.pool())
        .await?)
    }

    /// Stores a document rendered again (replacing the one of its format).
    pub async fn scan_document_put(
        &self,
        tenant: TenantId,
        scan: ScanId,
        d: &NewDocument,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO scan_documents (tenant_id, scan_id, format, media_type, sha256, bytes, compressed, created_at, \
             triage_stamp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (scan_id, format) DO UPDATE SET \
             media_type = excluded.media_type, sha256 = excluded.sha256, bytes = excluded.bytes, \
             compressed = excluded.compressed, created_at = excluded.created_at, triage_stamp = excluded.triage_stamp",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .bind(d.format.clone())
        .bind(d.media_type.clone())
        .bind(d.sha256.clone())
        .bind(d.bytes)
        .bind(d.compressed.clone())
        .bind(ts(now()))
        .bind(d.triage_stamp.clone())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The documents' stored input (gzipped JSON), absent for scans completed before it was kept.
    pub async fn scan_bom_input(&self, tenant: TenantId, scan: ScanId) -> StoreResult<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT compressed FROM scan_bom_inputs WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// One page of a per-scan result table in scan order: rows after position `after` (one more
    /// than `limit`, so the caller knows whether a next page exists) and the scan's total. `table`
    /// and `columns` are constants of this file, never input.
    async fn page_after<R>(
        &self,
        table: &'static str,
        columns: &'static str,
        tenant: TenantId,
        scan: ScanId,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<R>, i64)>
    where
        R: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let rows: Vec<R> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {columns} FROM {table} WHERE tenant_id = $1 AND scan_id = $2 AND ord > $3 ORDER BY ord LIMIT $4"
        )))
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .bind(after)
        .bind(limit + 1)
        .fetch_all(self.pool())
        .await?;
        let total = self.count(table, tenant, scan).await?;
        Ok((rows, total))
    }

    async fn count(&self, table: &'static str, tenant: TenantId, scan: ScanId) -> StoreResult<i64> {
        let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND scan_id = $2"
        )))
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.0)
    }
}
