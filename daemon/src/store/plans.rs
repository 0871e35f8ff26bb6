//! Query plans of the list statements, as the database would run them: what the test of every
//! list's plan reads (no full scan of findings or components, no sort outside an index).
//!
//! The statements are built by the same functions the lists run, with sample values bound. SQLite
//! answers `EXPLAIN QUERY PLAN`; Postgres `EXPLAIN` with sequential scans and sorts disabled for
//! the transaction, so the plan shows whether an index path exists at all (on an empty test
//! database the planner would rightly prefer a scan), and a scan or sort it still chose is one no
//! index can avoid. The Postgres plan is read as text: the `Any` driver cannot decode `json`.

use cairn_sdk::types::{ProjectId, ScanId, Severity, TenantId, TriageState};

use super::components::{ComponentFilter, scan_components_sql};
use super::findings::{FindingsQuery, list_page_sql, list_sql, list_total_sql};
use super::scan_results::{FindingFilter, scan_findings_sql};
use super::sql::Sql;
use super::{Backend, Store, StoreResult};

/// The tables a list must never read whole.
const BIG_TABLES: [&str; 2] = ["findings", "components"];

/// One list statement and its plan.
#[derive(Debug, Clone)]
pub struct ListPlan {
    /// Which list and variant (`findings page, severity`).
    pub name: String,
    /// The plan's lines as the database printed them.
    pub lines: Vec<String>,
    /// What in the plan reads a big table whole or sorts outside an index.
    pub problems: Vec<String>,
}

/// The problems of a SQLite plan line (`SCAN f`, `USE TEMP B-TREE FOR ORDER BY`). SQLite names a
/// table by its alias: the statements call findings `f` and components `c` (and the kept counts,
/// which no list should read whole either).
fn sqlite_problems(line: &str) -> Option<String> {
    if line.contains("TEMP B-TREE") {
        return Some(format!("sort outside an index: {line}"));
    }
    let scanned = line.strip_prefix("SCAN ")?;
    let table = scanned.split_whitespace().next().unwrap_or_default();
    let big = BIG_TABLES.contains(&table) || matches!(table, "f" | "c");
    big.then(|| format!("full scan: {line}"))
}

/// The problems of a Postgres plan line (`Seq Scan on findings f`, `Sort`).
fn postgres_problems(line: &str) -> Option<String> {
    let node = line.trim_start().trim_start_matches("->").trim_start();
    if node.starts_with("Sort ") || node.starts_with("Incremental Sort ") {
        return Some(format!("sort outside an index: {}", line.trim()));
    }
    let table = node.strip_prefix("Seq Scan on ")?.split_whitespace().next().unwrap_or_default();
    BIG_TABLES.contains(&table).then(|| format!("full scan: {}", line.trim()))
}

/// Every list statement checked, with a name.
fn statements(backend: Backend) -> Vec<(String, Sql)> {
    let tenant = TenantId::new();
    let project = ProjectId::new();
    let scan = ScanId::new();
    let after = Some("00000000000000000000000000000000");
    let variants: Vec<(&str, FindingsQuery)> = vec![
        ("all", FindingsQuery::default()),
        ("project", FindingsQuery { project: Some(project), ..Default::default() }),
        ("scan", FindingsQuery { scan: Some(scan), ..Default::default() }),
        ("severity", FindingsQuery { severity: Some(Severity::High), ..Default::default() }),
        ("state", FindingsQuery { state: Some(Some(TriageState::Affected)), ..Default::default() }),
        ("untriaged", FindingsQuery { state: Some(None), ..Default::default() }),
        ("vulnerability", FindingsQuery { vulnerability: Some("GHSA-xxxx".into()), ..Default::default() }),
        ("purl", FindingsQuery { purl: Some("pkg:cargo/x@1.0.0".into()), ..Default::default() }),
    ];
    let mut out = Vec::new();
    for (name, q) in &variants {
        out.push((format!("findings page, {name}"), list_page_sql(tenant, q, None, 100)));
        out.push((format!("findings page after a cursor, {name}"), list_page_sql(tenant, q, after, 100)));
        let total = list_total_sql(tenant, q);
        out.push((format!("findings total, {name}"), total.count));
        if let Some(less) = total.less {
            out.push((format!("findings total (the part less), {name}"), less));
        }
        // What the list runs: the parts above in one statement, the page aggregated.
        out.push((format!("findings list, {name}"), list_sql(backend, tenant, q, None, 100)));
        out.push((format!("findings list after a cursor, {name}"), list_sql(backend, tenant, q, after, 100)));
    }
    for (name, filter) in [
        ("all", ComponentFilter::default()),
        ("ecosystem", ComponentFilter { ecosystem: Some("cargo".into()), ..Default::default() }),
        ("name", ComponentFilter { name: Some("serde".into()), ..Default::default() }),
    ] {
        let (page, total) = scan_components_sql(tenant, scan, &filter, 10, 100);
        out.push((format!("scan components page, {name}"), page));
        out.push((format!("scan components total, {name}"), total));
    }
    for (name, filter) in [
        ("all", FindingFilter::default()),
        ("severity", FindingFilter { severity: Some(Severity::High), ..Default::default() }),
    ] {
        let (page, total) = scan_findings_sql(tenant, scan, &filter, 10, 100);
        out.push((format!("scan findings page, {name}"), page));
        out.push((format!("scan findings total, {name}"), total));
    }
    out.push(("scan component ids (re-match)".into(), super::rematch::scan_component_ids_sql(tenant, scan)));
    out
}

impl Store {
    /// The plan of every list statement on this database.
    pub async fn list_plans(&self) -> StoreResult<Vec<ListPlan>> {
        let mut plans = Vec::new();
        for (name, sql) in statements(self.backend()) {
            let (lines, problems) = match self.backend() {
                Backend::Sqlite => {
                    let rows = sql
                        .prefixed("EXPLAIN QUERY PLAN ")
                        .query_as::<(i64, i64, i64, String)>()
                        .fetch_all(self.pool())
                        .await?;
                    let lines: Vec<String> = rows.into_iter().map(|(_, _, _, detail)| detail).collect();
                    let problems = lines.iter().filter_map(|l| sqlite_problems(l)).collect();
                    (lines, problems)
                }
                Backend::Postgres => {
                    let mut tx = self.pool().begin().await?;
                    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
                    sqlx::query("SET LOCAL enable_sort = off").execute(&mut *tx).await?;
                    let lines: Vec<String> =
                        sql.prefixed("EXPLAIN ").query_scalar::<String>().fetch_all(&mut *tx).await?;
                    tx.rollback().await?;
                    let problems = lines.iter().filter_map(|l| postgres_problems(l)).collect();
                    (lines, problems)
                }
            };
            plans.push(ListPlan { name, lines, problems });
        }
        Ok(plans)
    }
}

#[cfg(test)]
mod tests {
    use super::{postgres_problems, sqlite_problems};

    #[test]
    fn plan_lines_that_read_a_big_table_whole_or_sort_are_problems() {
        assert!(sqlite_problems("SCAN f").is_some());
        assert!(sqlite_problems("SCAN components USING INDEX components_scan").is_some());
        assert!(sqlite_problems("USE TEMP B-TREE FOR ORDER BY").is_some());
        assert!(sqlite_problems("SEARCH f USING INDEX findings_scan (scan_id=?)").is_none());
        assert!(sqlite_problems("SCAN s").is_none());
        assert!(
            postgres_problems("  ->  Seq Scan on findings f  (cost=0.00..1.00 rows=1 width=8)").is_some()
        );
        assert!(postgres_problems("Sort  (cost=10000000001.01..10000000001.02 rows=1 width=8)").is_some());
        assert!(postgres_problems("  ->  Seq Scan on scans s  (cost=0.00..1.00 rows=1 width=8)").is_none());
        assert!(
            postgres_problems("  ->  Index Scan using findings_scan on findings f  (cost=0.15..8.17 rows=1)")
                .is_none()
        );
    }
}
