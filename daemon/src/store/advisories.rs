//! Advisories as the tenant meets them: those with findings in each project's latest completed
//! scan, searched by id, alias or summary, with how many projects and findings they touch.

use cairn_sdk::types::{AdvisorySummary, Severity, TenantId};
use sqlx::FromRow;

use super::findings::LATEST_SCANS;
use super::scan_results::corrupt;
use super::sql::Sql;
use super::{Store, StoreResult};

#[derive(FromRow)]
struct Row {
    id: String,
    aliases: String,
    summary: Option<String>,
    severity: Option<String>,
    projects: i64,
    findings: i64,
}

impl Store {
    /// Advisories affecting the tenant now, by id, whose id, aliases or summary contain `q` (any
    /// case) when given; `offset`/`limit` paged, with the total.
    pub async fn advisories_affecting(
        &self,
        tenant: TenantId,
        q: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AdvisorySummary>, i64)> {
        let narrow = |sql: &mut Sql| {
            sql.push(
                " FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id WHERE f.tenant_id = ",
            )
            .bind(tenant.to_string())
            .push(" AND f.scan_id IN (")
            .push(LATEST_SCANS)
            .push(")");
            if let Some(q) = q {
                let mut pattern = String::from("%");
                for c in q.to_lowercase().chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
                pattern.push('%');
                sql.push(" AND (lower(f.vulnerability_id) LIKE ")
                    .bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(v.aliases) LIKE ")
                    .bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(v.summary) LIKE ")
                    .bind(pattern)
                    .push(" ESCAPE '\\')");
            }
        };
        let mut count = Sql::new("SELECT COUNT(DISTINCT f.vulnerability_id)");
        narrow(&mut count);
        let total = count.query_scalar::<i64>().fetch_one(self.pool()).await?;
        let mut sql = Sql::new(
            "SELECT f.vulnerability_id AS id, v.aliases, v.summary, v.severity, \
             COUNT(DISTINCT f.project_id) AS projects, COUNT(*) AS findings",
        );
        narrow(&mut sql);
        sql.push(" GROUP BY f.vulnerability_id, v.aliases, v.summary, v.severity ORDER BY f.vulnerability_id LIMIT ")
            .bind(limit)
            .push(" OFFSET ")
            .bind(offset);
        let rows = sql.query_as::<Row>().fetch_all(self.pool()).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(AdvisorySummary {
                    id: r.id,
                    aliases: serde_json::from_str(&r.aliases).map_err(corrupt("aliases"))?,
                    summary: r.summary,
                    severity: r.severity.as_deref().and_then(|s| s.parse().ok()).unwrap_or(Severity::Unknown),
                    projects: u64::try_from(r.projects).unwrap_or(0),
                    findings: u64::try_from(r.findings).unwrap_or(0),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok((items, total))
    }
}
