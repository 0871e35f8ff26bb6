//! Components across scans: a project's latest components with filters, and where a package is
//! used across the tenant (each project's latest completed scan).

use cairn_sdk::types::{ComponentUsage, FileLine, ScanComponent, ScanId, TenantId};
use sqlx::FromRow;

use super::findings::LATEST_SCANS;
use super::scan_results::{COMPONENT_COLUMNS, ComponentRow, corrupt};
use super::sql::Sql;
use super::{Store, StoreResult, parse_id, parse_ts_opt};

/// Filters of a scan's component list (already validated).
#[derive(Debug, Clone, Default)]
pub struct ComponentFilter {
    /// Names containing this, any case.
    pub name: Option<String>,
    /// This purl type.
    pub ecosystem: Option<String>,
    /// Concluded licenses containing this, any case.
    pub license: Option<String>,
}

/// What to look for across the tenant (one of `purl` and `name` at least).
#[derive(Debug, Clone, Default)]
pub struct UsageQuery {
    /// A purl: with a version, that exact component; without, every version of the package.
    pub purl: Option<String>,
    /// A package name, any case.
    pub name: Option<String>,
    /// Only this version.
    pub version: Option<String>,
    /// Only this purl type.
    pub ecosystem: Option<String>,
}

#[derive(FromRow)]
struct UsageRow {
    project_id: String,
    project_name: String,
    version_id: Option<String>,
    version_name: Option<String>,
    scan_id: String,
    finished_at: Option<String>,
    purl: String,
    ecosystem: String,
    name: String,
    version: Option<String>,
    locations: String,
}

impl UsageRow {
    fn into_wire(self) -> StoreResult<ComponentUsage> {
        let locations: Vec<String> = serde_json::from_str(&self.locations).map_err(corrupt("locations"))?;
        Ok(ComponentUsage {
            project_id: parse_id(&self.project_id)?,
            project_name: self.project_name,
            version_id: self.version_id.as_deref().map(parse_id).transpose()?,
            version_name: self.version_name,
            scan_id: parse_id(&self.scan_id)?,
            scanned_at: parse_ts_opt(self.finished_at.as_deref())?,
            purl: self.purl,
            ecosystem: self.ecosystem,
            name: self.name,
            version: self.version,
            locations: locations.iter().map(|l| FileLine::parse(l)).collect(),
        })
    }
}

/// `%text%` for LIKE, with LIKE's own characters escaped by `\`.
fn contains(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The statements of a page of a scan's components (`limit + 1` rows after position `after`)
/// and of the total of matches.
pub(super) fn scan_components_sql(
    tenant: TenantId,
    scan: ScanId,
    filter: &ComponentFilter,
    after: i64,
    limit: i64,
) -> (Sql, Sql) {
    let narrow = |sql: &mut Sql| {
        sql.push(" WHERE tenant_id = ").bind(tenant.to_string());
        sql.push(" AND scan_id = ").bind(scan.to_string());
        if let Some(n) = &filter.name {
            sql.push(" AND lower(name) LIKE ").bind(contains(n)).push(" ESCAPE '\\'");
        }
        if let Some(e) = &filter.ecosystem {
            sql.push(" AND ecosystem = ").bind(e.to_lowercase());
        }
        if let Some(l) = &filter.license {
            sql.push(" AND lower(concluded_license) LIKE ").bind(contains(l)).push(" ESCAPE '\\'");
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM components");
    narrow(&mut count);
    let mut sql = Sql::new("SELECT ");
    sql.push(COMPONENT_COLUMNS).push(" FROM components");
    narrow(&mut sql);
    sql.push(" AND ord > ").bind(after).push(" ORDER BY ord LIMIT ").bind(limit + 1);
    (sql, count)
}

impl Store {
    /// A scan's components matching `filter`, after position `after` (cursor paging), with the
    /// total of matches.
    pub async fn scan_components_filtered(
        &self,
        tenant: TenantId,
        scan: ScanId,
        filter: &ComponentFilter,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanComponent)>, i64)> {
        let (sql, count) = scan_components_sql(tenant, scan, filter, after, limit);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        let rows = sql.query_as::<ComponentRow>().fetch_all(self.pool()).await?;
        let items = rows.into_iter().map(ComponentRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    /// Where a package is used: the components of each project's latest completed scan that
    /// match `q`, by project name then purl, `offset`/`limit` paged, with the total.
    pub async fn component_usage(
        &self,
        tenant: TenantId,
        q: &UsageQuery,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ComponentUsage>, i64)> {
        let narrow = |sql: &mut Sql| {
            sql.push(" WHERE c.tenant_id = ").bind(tenant.to_string());
            sql.push(" AND c.scan_id IN (").push(LATEST_SCANS).push(")");
            if let Some(p) = &q.purl {
                if p.contains('@') {
                    sql.push(" AND c.purl = ").bind(p.as_str());
                } else {
                    // Every version: the purl up to its `@`, compared exactly (no LIKE wildcards).
                    let len = i64::try_from(p.len()).unwrap_or(i64::MAX);
                    sql.push(" AND substr(c.purl, 1, CAST(")
                        .bind(len)
                        .push(" AS INTEGER)) = ")
                        .bind(p.as_str());
                    sql.push(" AND substr(c.purl, CAST(")
                        .bind(len.saturating_add(1))
                        .push(" AS INTEGER), 1) = '@'");
                }
            }
            if let Some(n) = &q.name {
                sql.push(" AND lower(c.name) = ").bind(n.to_lowercase());
            }
            if let Some(v) = &q.version {
                sql.push(" AND c.version = ").bind(v.as_str());
            }
            if let Some(e) = &q.ecosystem {
                sql.push(" AND c.ecosystem = ").bind(e.to_lowercase());
            }
        };
        let mut count = Sql::new("SELECT COUNT(*) FROM components c");
        narrow(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        let mut sql = Sql::new(
            "SELECT s.project_id, p.name AS project_name, s.version_id, v.name AS version_name, s.id AS scan_id, \
             s.finished_at, c.purl, c.ecosystem, c.name, c.version, c.locations \
             FROM components c JOIN scans s ON s.id = c.scan_id JOIN projects p ON p.id = s.project_id \
             LEFT JOIN project_versions v ON v.id = s.version_id",
        );
        narrow(&mut sql);
        sql.push(" ORDER BY p.name, c.purl LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
        let rows = sql.query_as::<UsageRow>().fetch_all(self.pool()).await?;
        let items = rows.into_iter().map(UsageRow::into_wire).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }
}
