//! Findings across scans with their triage (VEX): the tenant-wide list, one finding with its
//! advisory record, triage writes (optimistic, per project or per ad-hoc scan), a scan's edges and
//! the projects' risk summaries.
//!
//! Triage is keyed by `subject` (`p:<project>` for findings of a project's scans, `s:<scan>` for an
//! ad-hoc scan's), the advisory and the purl, so it survives re-scans of the same project.

use std::collections::HashMap;

use cairn_sdk::types::{
    EventKind, Finding, FindingEventData, Justification, KnownExploited, PqcSummary, ProjectId, ProjectRisk,
    ScanEdge, ScanFinding, ScanId, Severity, TenantId, Triage, TriageResponse, TriageSource, TriageState,
    UserId,
};
use serde::Deserialize;
use sqlx::FromRow;

use super::events::NewEvent;
use super::kev::{KevRow, first_listings};
use super::sql::Sql;
use super::{Backend, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

/// The join from a finding `f` to its triage `t`.
const TRIAGE_JOIN: &str = "LEFT JOIN triage t ON t.tenant_id = f.tenant_id \
     AND t.subject = COALESCE('p:' || f.project_id, 's:' || f.scan_id) \
     AND t.vulnerability_id = f.vulnerability_id AND t.purl = f.purl";

/// The scans whose findings are "what is true now": each project's latest completed scan (`$1` is
/// the tenant: statements using it bind the tenant first).
pub(super) const LATEST_SCANS: &str = "SELECT s.id FROM scans s WHERE s.tenant_id = $1 AND s.status = 'completed' \
     AND s.project_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM scans n WHERE n.tenant_id = s.tenant_id \
     AND n.project_id = s.project_id AND n.status = 'completed' \
     AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id)))";

const FINDING_COLUMNS: &str = "f.id, f.scan_id, f.project_id, f.component_id, f.purl, f.vulnerability_id, v.aliases, \
     v.summary, f.severity, v.cvss_score, v.cvss_vector, f.fixed_version, f.created_at, t.state, t.justification, \
     t.response, t.note, t.updated_by, t.updated_at, t.version, t.source_kind, t.source_id, t.source_document, \
     t.source_statement, (SELECT u.email FROM users u WHERE u.id = t.updated_by) AS updated_by_email, \
     CASE WHEN v.summary IS NULL THEN (SELECT MIN(o.source || '|' || o.modified) FROM osv_records o \
     WHERE o.id = f.vulnerability_id) END AS summary_stamp";

/// The page's columns by their names in `FINDING_COLUMNS`, in the order of `Row`'s fields: each
/// row of a page becomes one JSON array of them (see `list_sql`). Both databases write text and
/// integers exactly; a REAL becomes 15 significant digits on SQLite (the shortest exact form on
/// Postgres), which gives back the same double for a CVSS score, a number with one decimal.
const PAGE_ROW_FIELDS: &str = "p.id, p.scan_id, p.project_id, p.component_id, p.purl, p.vulnerability_id, \
     p.aliases, p.summary, p.severity, p.cvss_score, p.cvss_vector, p.fixed_version, p.created_at, p.state, \
     p.justification, p.response, p.note, p.updated_by, p.updated_at, p.version, p.source_kind, p.source_id, \
     p.source_document, p.source_statement, p.updated_by_email, p.summary_stamp";

/// Filters of the tenant-wide findings list (already validated).
#[derive(Debug, Clone, Default)]
pub struct FindingsQuery {
    /// Only findings of this project.
    pub project: Option<ProjectId>,
    /// Only findings of this scan (any scan, not only the latest).
    pub scan: Option<ScanId>,
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only this triage state; `Some(None)` = untriaged.
    pub state: Option<Option<TriageState>>,
    /// Only this advisory id.
    pub vulnerability: Option<String>,
    /// Only this purl.
    pub purl: Option<String>,
}

/// The triage a write stores (the merged result of the PATCH).
#[derive(Debug, Clone)]
pub struct TriageWrite {
    /// State.
    pub state: TriageState,
    /// Justification.
    pub justification: Option<Justification>,
    /// Response.
    pub response: Option<TriageResponse>,
    /// Note.
    pub note: Option<String>,
    /// Who.
    pub user: UserId,
}

/// One finding as the list and the detail read it: a row of `FINDING_COLUMNS`, or (serde, from a
/// JSON array in field order) one element of a page the database aggregated.
#[derive(FromRow, Deserialize)]
struct Row {
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
    state: Option<String>,
    justification: Option<String>,
    response: Option<String>,
    note: Option<String>,
    updated_by: Option<String>,
    updated_at: Option<String>,
    version: Option<i64>,
    source_kind: Option<String>,
    source_id: Option<String>,
    source_document: Option<String>,
    source_statement: Option<String>,
    updated_by_email: Option<String>,
    /// Which stored OSV record (`source|modified`) summarises the advisory when it has no
    /// summary (see `advisory_summaries`).
    summary_stamp: Option<String>,
}

#[derive(FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    row: Row,
    osv: Option<String>,
}

#[derive(FromRow)]
struct TriageRow {
    vulnerability_id: String,
    purl: String,
    state: String,
    justification: Option<String>,
    response: Option<String>,
    note: Option<String>,
    updated_by: Option<String>,
    updated_at: String,
    version: i64,
}

#[derive(FromRow)]
struct RiskRow {
    project_id: String,
    id: String,
    finished_at: Option<String>,
    counts: String,
    pqc: Option<String>,
    open_findings: i64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[allow(clippy::too_many_arguments)] // the columns of one triage row
fn triage_of(
    state: &str,
    justification: Option<&str>,
    response: Option<&str>,
    note: Option<String>,
    updated_by: (Option<&str>, Option<String>),
    updated_at: &str,
    version: i64,
) -> StoreResult<Triage> {
    let (updated_by, updated_by_email) = updated_by;
    Ok(Triage {
        state: state.parse().map_err(|e| corrupt("triage state", e))?,
        justification: justification.map(str::parse).transpose().map_err(|e| corrupt("justification", e))?,
        response: response.map(str::parse).transpose().map_err(|e| corrupt("response", e))?,
        note,
        updated_by: updated_by.map(parse_id).transpose()?,
        updated_by_email,
        updated_at: parse_ts(updated_at)?,
        version,
        source: None,
    })
}

/// The source columns of a triage row: `None` for a person's triage.
fn source_of(
    kind: Option<&str>,
    id: Option<&str>,
    document: Option<String>,
    statement: Option<String>,
) -> StoreResult<Option<TriageSource>> {
    Ok(match (kind, id) {
        (Some("rule"), Some(id)) => Some(TriageSource::Rule { rule_id: parse_id(id)? }),
        (Some("vex"), Some(id)) => Some(TriageSource::Vex {
            import_id: parse_id(id)?,
            document: document.unwrap_or_default(),
            statement: statement.unwrap_or_default(),
        }),
        (None, _) => None,
        (Some(other), _) => return Err(corrupt("triage source", other)),
    })
}

impl TriageRow {
    fn into_entry(self) -> StoreResult<((String, String), Triage)> {
        let t = triage_of(
            &self.state,
            self.justification.as_deref(),
            self.response.as_deref(),
            self.note,
            // Documents state the decision, not who made it: no email there.
            (self.updated_by.as_deref(), None),
            &self.updated_at,
            self.version,
        )?;
        Ok(((self.vulnerability_id, self.purl), t))
    }
}

impl Row {
    fn into_wire(self) -> StoreResult<Finding> {
        let triage = match (&self.state, &self.updated_at, self.version) {
            (Some(state), Some(at), Some(version)) => Some(
                triage_of(
                    state,
                    self.justification.as_deref(),
                    self.response.as_deref(),
                    self.note,
                    (self.updated_by.as_deref(), self.updated_by_email),
                    at,
                    version,
                )
                .and_then(|mut t| {
                    t.source = source_of(
                        self.source_kind.as_deref(),
                        self.source_id.as_deref(),
                        self.source_document.clone(),
                        self.source_statement.clone(),
                    )?;
                    Ok(t)
                })?,
            ),
            _ => None,
        };
        Ok(Finding {
            finding: ScanFinding {
                id: self.id,
                scan_id: parse_id(&self.scan_id)?,
                project_id: self.project_id.as_deref().map(parse_id).transpose()?,
                component_id: self.component_id,
                purl: self.purl,
                vulnerability_id: self.vulnerability_id,
                aliases: serde_json::from_str(&self.aliases).map_err(|e| corrupt("aliases", e))?,
                summary: self.summary,
                severity: self.severity.parse().map_err(|e| corrupt("severity", e))?,
                cvss_score: self.cvss_score,
                cvss_vector: self.cvss_vector,
                fixed_version: self.fixed_version,
                created_at: parse_ts(&self.created_at)?,
            },
            triage,
            // Filled in by `mark_known_exploited` from the stored KEV lists.
            known_exploited: None,
            details: None,
            references: Vec::new(),
        })
    }
}

/// Puts what SQLite aggregated in the order `ORDER BY` gives on Postgres (see `list_sql`): the
/// page by id, the KEV entries by CVE id, date added and source. SQLite compares `TEXT` byte by
/// byte (the `BINARY` collation of these columns), as Rust compares strings.
fn in_sqlite_order(page: &mut [Row], kev: &mut [KevRow]) {
    page.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    kev.sort_by(|a, b| (&a.0, &a.1, &a.4).cmp(&(&b.0, &b.1, &b.4)));
}

/// Marks each finding with the earliest of `listed` (KEV entries by CVE id) among its advisory's
/// names.
fn mark_listed(findings: &mut [Finding], listed: &HashMap<String, KnownExploited>) {
    if listed.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        f.known_exploited = std::iter::once(&f.finding.vulnerability_id)
            .chain(&f.finding.aliases)
            .filter_map(|id| listed.get(id))
            .min_by_key(|k| k.date_added)
            .cloned();
    }
}

/// The longest summary taken from `details` (a folded YAML paragraph is one long line).
const SUMMARY_MAX_CHARS: usize = 160;

/// An advisory without a summary (PyPA's PYSEC records have none) is summarised by the first
/// non-blank line of its `details`, cut at a word before 160 characters with `…`.
/// The record is read through the engine's advisory model.
pub(crate) fn summary_from_details(record: &str) -> Option<String> {
    let advisory = cairn_engine::vuln::Advisory::from_json(record.as_bytes()).ok()?;
    summary_of_details(advisory.details()?)
}

pub(crate) fn summary_of_details(details: &str) -> Option<String> {
    let line = details.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    if line.is_empty() {
        return None;
    }
    if line.chars().count() <= SUMMARY_MAX_CHARS {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(SUMMARY_MAX_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end();
    Some(format!("{cut}…"))
}

/// The triage key of a finding.
fn subject(project: Option<ProjectId>, scan: ScanId) -> String {
    match project {
        Some(p) => format!("p:{p}"),
        None => format!("s:{scan}"),
    }
}

/// Appends the list's conditions (after `FROM findings f …`) to `sql`.
fn push_filter(sql: &mut Sql, tenant: TenantId, q: &FindingsQuery) {
    sql.push(" WHERE f.tenant_id = ").bind(tenant.to_string());
    // Findings a re-match closed stay in the table with `resolved_at`; lists show open ones.
    sql.push(" AND f.resolved_at IS NULL");
    match q.scan {
        Some(s) => sql.push(" AND f.scan_id = ").bind(s.to_string()),
        None => sql.push(" AND f.scan_id IN (").push(LATEST_SCANS).push(")"),
    };
    if let Some(p) = q.project {
        sql.push(" AND f.project_id = ").bind(p.to_string());
    }
    if let Some(s) = &q.severity {
        sql.push(" AND f.severity = ").bind(s.as_str());
    }
    match q.state {
        Some(Some(s)) => {
            sql.push(" AND t.state = ").bind(s.as_str());
        }
        Some(None) => {
            sql.push(" AND t.state IS NULL");
        }
        None => {}
    }
    if let Some(v) = &q.vulnerability {
        sql.push(" AND f.vulnerability_id = ").bind(v.as_str());
    }
    if let Some(p) = &q.purl {
        sql.push(" AND f.purl = ").bind(p.as_str());
    }
}

/// The statements of the list's total: `count`, less `less` when there is one.
pub(super) struct TotalSql {
    pub(super) count: Sql,
    pub(super) less: Option<Sql>,
}

/// Appends the kept counts' sum for the list's project, scan and severity (see `finding_counts`).
fn push_kept_total(count: &mut Sql, tenant: TenantId, q: &FindingsQuery) {
    count.push("SELECT CAST(COALESCE(SUM(c.open), 0) AS BIGINT) FROM scan_finding_counts c");
    count.push(" WHERE c.tenant_id = ").bind(tenant.to_string());
    match q.scan {
        Some(s) => count.push(" AND c.scan_id = ").bind(s.to_string()),
        None => count.push(" AND c.scan_id IN (").push(LATEST_SCANS).push(")"),
    };
    if let Some(p) = q.project {
        count
            .push(" AND c.scan_id IN (SELECT id FROM scans WHERE tenant_id = c.tenant_id AND project_id = ")
            .bind(p.to_string())
            .push(")");
    }
    if let Some(s) = &q.severity {
        count.push(" AND c.severity = ").bind(s.as_str());
    }
}

/// Appends the count of the list's findings that have a triage (in `q.state`, or any): driven
/// from the triage rows, which are few beside the findings.
fn push_triaged_count(count: &mut Sql, tenant: TenantId, q: &FindingsQuery) {
    // CROSS JOIN keeps triage the outer loop on SQLite; Postgres orders joins by its statistics.
    count.push("SELECT COUNT(*) FROM triage t CROSS JOIN findings f");
    push_filter(count, tenant, q);
    count.push(
        " AND t.tenant_id = f.tenant_id AND t.vulnerability_id = f.vulnerability_id AND t.purl = f.purl \
         AND t.subject = COALESCE('p:' || f.project_id, 's:' || f.scan_id)",
    );
}

/// Appends the count of an advisory's or a purl's findings (walked on their indexes).
fn push_indexed_count(count: &mut Sql, tenant: TenantId, q: &FindingsQuery) {
    count.push("SELECT COUNT(*) FROM findings f ");
    // The triage join only when a state is asked for: it does not change the count otherwise.
    if q.state.is_some() {
        count.push(TRIAGE_JOIN);
    }
    push_filter(count, tenant, q);
}

/// How the list's total is counted. No statement counts the tenant's findings one by one: the
/// unfiltered total and the untriaged one come from the kept counts (less the triaged findings),
/// a triage state's from its triage rows, an advisory's or a purl's from their indexes.
enum TotalPlan {
    Indexed,
    Kept,
    Triaged,
    KeptLessTriaged,
}

fn total_plan(q: &FindingsQuery) -> TotalPlan {
    if q.vulnerability.is_some() || q.purl.is_some() {
        return TotalPlan::Indexed;
    }
    match q.state {
        None => TotalPlan::Kept,
        Some(Some(_)) => TotalPlan::Triaged,
        Some(None) => TotalPlan::KeptLessTriaged,
    }
}

/// The statements of the list's total, each on its own (what the plan test explains).
pub(super) fn list_total_sql(tenant: TenantId, q: &FindingsQuery) -> TotalSql {
    let mut count = Sql::new("");
    match total_plan(q) {
        TotalPlan::Indexed => push_indexed_count(&mut count, tenant, q),
        TotalPlan::Kept => push_kept_total(&mut count, tenant, q),
        TotalPlan::Triaged => push_triaged_count(&mut count, tenant, q),
        TotalPlan::KeptLessTriaged => {
            push_kept_total(&mut count, tenant, q);
            let mut less = Sql::new("");
            push_triaged_count(&mut less, tenant, &FindingsQuery { state: None, ..q.clone() });
            return TotalSql { count, less: Some(less) };
        }
    }
    TotalSql { count, less: None }
}

/// Appends the list's total as an expression of scalar subqueries.
fn push_total(sql: &mut Sql, tenant: TenantId, q: &FindingsQuery) {
    sql.push("(");
    match total_plan(q) {
        TotalPlan::Indexed => push_indexed_count(sql, tenant, q),
        TotalPlan::Kept => push_kept_total(sql, tenant, q),
        TotalPlan::Triaged => push_triaged_count(sql, tenant, q),
        TotalPlan::KeptLessTriaged => {
            push_kept_total(sql, tenant, q);
            sql.push(") - (");
            push_triaged_count(sql, tenant, &FindingsQuery { state: None, ..q.clone() });
        }
    }
    sql.push(")");
}

/// The KEV entries naming a finding's advisory or one of its aliases, as one JSON array of
/// `KevRow`s (SQLite; a column of the page's rows in `list_sql`).
const SQLITE_ROW_KEV: &str = ", (SELECT COALESCE(json_group_array(json_array(k.cve_id, k.date_added, k.due_date, \
     k.ransomware, k.source)), '[]') FROM json_each(json_insert(v.aliases, '$[#]', f.vulnerability_id)) a \
     JOIN kev_entries k ON k.cve_id = a.value) AS kev";

/// Appends the statement of one page: `limit + 1` rows after the id `after`, in id order, with
/// `extra` columns after `FINDING_COLUMNS`.
fn push_page(
    sql: &mut Sql,
    tenant: TenantId,
    q: &FindingsQuery,
    after: Option<&str>,
    limit: i64,
    extra: Option<&'static str>,
) {
    sql.push("SELECT ").push(FINDING_COLUMNS);
    if let Some(extra) = extra {
        sql.push(extra);
    }
    sql.push(" FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id ").push(TRIAGE_JOIN);
    push_filter(sql, tenant, q);
    if let Some(a) = after {
        sql.push(" AND f.id > ").bind(a);
    }
    // A bare `LIMIT $n` makes SQLite (3.5x) read the bound value while planning, and so plan the
    // statement again after every new binding: every page re-prepared. The cast keeps it a value.
    sql.push(" ORDER BY f.id LIMIT CAST(").bind(limit + 1).push(" AS BIGINT)");
}

/// The statement of one page of the list: `limit + 1` rows after the id `after`, in id order.
pub(super) fn list_page_sql(tenant: TenantId, q: &FindingsQuery, after: Option<&str>, limit: i64) -> Sql {
    let mut sql = Sql::new("");
    push_page(&mut sql, tenant, q, after, limit, None);
    sql
}

/// The whole list in one statement and one row: the total; the page aggregated by the database
/// into one JSON text (an array of `PAGE_ROW_FIELDS` arrays); and the KEV entries naming the
/// page's advisories or their aliases (arrays of `KevRow`). A statement per part and a row per
/// finding cost a round trip to the driver's worker and a copy of every value each; this is one
/// of each. The tenant is bound first (`$1`), as `LATEST_SCANS` needs.
///
/// On SQLite each element of the page is `[[PAGE_ROW_FIELDS…], [KevRow…]]`, the KEV entries of
/// that finding, and the third column is NULL: a page named three times (the items and the KEV
/// lookup's two lists) was materialised into a temporary B-tree of 101 wide rows and read back
/// three times, a tenth of the statement's instructions; named once it is read as it is produced.
///
/// Postgres orders both arrays in the aggregate (by its collation, the page's). SQLite would
/// order an aggregate's input in a temp B-tree; its `TEXT` order is byte order, so the caller
/// sorts the few rows instead (`in_sqlite_order`).
pub(super) fn list_sql(
    backend: Backend,
    tenant: TenantId,
    q: &FindingsQuery,
    after: Option<&str>,
    limit: i64,
) -> Sql {
    match backend {
        Backend::Sqlite => {
            // The total first: its first binding is the tenant, the `$1` of `LATEST_SCANS`.
            let mut sql = Sql::new("SELECT ");
            push_total(&mut sql, tenant, q);
            sql.push(" AS total, (SELECT COALESCE(json_group_array(json_array(json_array(")
                .push(PAGE_ROW_FIELDS)
                .push("), json(p.kev))), '[]') FROM (");
            push_page(&mut sql, tenant, q, after, limit, Some(SQLITE_ROW_KEV));
            sql.push(") p) AS items, NULL AS kev");
            sql
        }
        Backend::Postgres => {
            let mut sql = Sql::new("WITH p AS (");
            push_page(&mut sql, tenant, q, after, limit, None);
            sql.push(") SELECT ");
            push_total(&mut sql, tenant, q);
            sql.push(" AS total, (SELECT COALESCE(json_agg(json_build_array(")
                .push(PAGE_ROW_FIELDS)
                .push(
                    ") ORDER BY p.id)::text, '[]') FROM p) AS items, (SELECT COALESCE(json_agg(json_build_array(\
                     k.cve_id, k.date_added, k.due_date, k.ransomware, k.source) ORDER BY k.cve_id, k.date_added, \
                     k.source)::text, '[]') FROM kev_entries k WHERE k.cve_id IN (SELECT p.vulnerability_id FROM p \
                     UNION ALL SELECT a.value FROM p, json_array_elements_text(p.aliases::json) AS a(value))) AS kev",
                );
            sql
        }
    }
}

impl Store {
    /// Findings matching `q` with their triage, ordered by id, after the id `after`; with the total.
    pub async fn findings_list(
        &self,
        tenant: TenantId,
        q: &FindingsQuery,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<(Vec<Finding>, i64)> {
        let (total, page, kev): (i64, String, Option<String>) =
            list_sql(self.backend(), tenant, q, after, limit).query_as().fetch_one(self.pool()).await?;
        let (mut rows, mut kev) = match self.backend() {
            Backend::Sqlite => {
                let page: Vec<(Row, Vec<KevRow>)> =
                    serde_json::from_str(&page).map_err(|e| corrupt("findings page", e))?;
                let mut kev = Vec::new();
                let rows: Vec<Row> = page
                    .into_iter()
                    .map(|(row, listed)| {
                        kev.extend(listed);
                        row
                    })
                    .collect();
                (rows, kev)
            }
            Backend::Postgres => {
                let rows: Vec<Row> = serde_json::from_str(&page).map_err(|e| corrupt("findings page", e))?;
                let kev: Vec<KevRow> = serde_json::from_str(kev.as_deref().unwrap_or("[]"))
                    .map_err(|e| corrupt("KEV entries", e))?;
                (rows, kev)
            }
        };
        if self.backend() == Backend::Sqlite {
            in_sqlite_order(&mut rows, &mut kev);
        }
        let mut stamps = Vec::with_capacity(rows.len());
        let mut items = Vec::with_capacity(rows.len());
        for mut row in rows {
            stamps.push(row.summary_stamp.take());
            items.push(row.into_wire()?);
        }
        self.fill_missing_summaries(
            items.iter_mut().map(|f| &mut f.finding).zip(stamps.iter().map(Option::as_deref)),
        )
        .await?;
        let mut listed = HashMap::new();
        first_listings(kev, &mut listed)?;
        mark_listed(&mut items, &listed);
        Ok((items, total))
    }

    /// Marks each finding whose advisory id or an alias is on a stored KEV list.
    pub async fn mark_known_exploited(&self, findings: &mut [Finding]) -> StoreResult<()> {
        // A page repeats advisories: each name is asked once.
        let ids: Vec<&str> = findings
            .iter()
            .flat_map(|f| std::iter::once(&f.finding.vulnerability_id).chain(&f.finding.aliases))
            .map(String::as_str)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let listed = self.kev_lookup(&ids).await?;
        mark_listed(findings, &listed);
        Ok(())
    }

    /// One finding with its triage and the advisory's OSV record (JSON text) from the imported
    /// database, when it still holds it.
    pub async fn finding_get(&self, tenant: TenantId, id: &str) -> StoreResult<(Finding, Option<String>)> {
        let sql = format!(
            "SELECT {FINDING_COLUMNS}, (SELECT o.record FROM osv_records o WHERE o.id = f.vulnerability_id \
             ORDER BY o.source LIMIT 1) AS osv FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id \
             {TRIAGE_JOIN} WHERE f.tenant_id = $1 AND f.id = $2"
        );
        let row: DetailRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant.to_string())
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        let mut finding = row.row.into_wire()?;
        if finding.finding.summary.is_none() {
            finding.finding.summary = row.osv.as_deref().and_then(summary_from_details);
        }
        let mut one = [finding];
        self.mark_known_exploited(&mut one).await?;
        let [finding] = one;
        Ok((finding, row.osv))
    }

    /// Sets the triage of finding `f` if its version is still `expected` (0 = never triaged);
    /// else `VersionMismatch` with the current version. A project's finding gets its
    /// `finding.triaged` event in the same transaction.
    pub async fn triage_write(
        &self,
        tenant: TenantId,
        f: &ScanFinding,
        expected: i64,
        w: &TriageWrite,
    ) -> StoreResult<()> {
        let key = subject(f.project_id, f.scan_id);
        let stamp = ts(now());
        let mut tx = self.begin_write().await?;
        let done = if expected == 0 {
            sqlx::query(
                "INSERT INTO triage (id, tenant_id, project_id, scan_id, subject, vulnerability_id, purl, state, \
                 justification, response, note, updated_by, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) ON CONFLICT DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(tenant.to_string())
            .bind(f.project_id.map(|p| p.to_string()))
            .bind(f.project_id.is_none().then(|| f.scan_id.to_string()))
            .bind(key.clone())
            .bind(f.vulnerability_id.clone())
            .bind(f.purl.clone())
            .bind(w.state.as_str())
            .bind(w.justification.map(Justification::as_str))
            .bind(w.response.map(TriageResponse::as_str))
            .bind(w.note.clone())
            .bind(w.user.to_string())
            .bind(stamp.clone())
            .bind(stamp)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE triage SET state = $1, justification = $2, response = $3, note = $4, updated_by = $5, \
                 updated_at = $6, version = version + 1, source_kind = NULL, source_id = NULL, \
                 source_document = NULL, source_statement = NULL WHERE tenant_id = $7 AND subject = $8 \
                 AND vulnerability_id = $9 AND purl = $10 AND version = $11",
            )
            .bind(w.state.as_str())
            .bind(w.justification.map(Justification::as_str))
            .bind(w.response.map(TriageResponse::as_str))
            .bind(w.note.clone())
            .bind(w.user.to_string())
            .bind(stamp)
            .bind(tenant.to_string())
            .bind(key.clone())
            .bind(f.vulnerability_id.clone())
            .bind(f.purl.clone())
            .bind(expected)
            .execute(&mut *tx)
            .await?
        };
        if done.rows_affected() == 0 {
            let current: Option<(i64,)> = sqlx::query_as(
                "SELECT version FROM triage WHERE tenant_id = $1 AND subject = $2 AND vulnerability_id = $3 \
                 AND purl = $4",
            )
            .bind(tenant.to_string())
            .bind(key)
            .bind(f.vulnerability_id.clone())
            .bind(f.purl.clone())
            .fetch_optional(&mut *tx)
            .await?;
            return Err(StoreError::VersionMismatch(current.map_or(0, |c| c.0)));
        }
        // Ad-hoc scans' findings belong to no project's results: no event.
        if let Some(project) = f.project_id {
            let data = FindingEventData {
                finding: f.id.clone(),
                scan: f.scan_id,
                advisory: f.vulnerability_id.clone(),
                aliases: f.aliases.clone(),
                purl: f.purl.clone(),
                severity: f.severity,
                fixed_version: f.fixed_version.clone(),
                state: Some(w.state),
                reason: w.note.clone(),
            };
            let e = NewEvent::new(EventKind::FindingTriaged, Some(project), &data).with_severity(f.severity);
            super::events::append(&mut tx, tenant, &e).await?;
        }
        tx.commit().await?;
        if f.project_id.is_some() {
            self.events_committed().await;
        }
        Ok(())
    }

    /// Every triage of the scan's subject (its project, or the ad-hoc scan itself), sorted by
    /// (advisory, purl): what its documents state.
    pub async fn triage_for_subject(
        &self,
        tenant: TenantId,
        project: Option<ProjectId>,
        scan: ScanId,
    ) -> StoreResult<Vec<((String, String), Triage)>> {
        let rows: Vec<TriageRow> = sqlx::query_as(
            "SELECT vulnerability_id, purl, state, justification, response, note, updated_by, updated_at, version \
             FROM triage WHERE tenant_id = $1 AND subject = $2 ORDER BY vulnerability_id, purl",
        )
        .bind(tenant.to_string())
        .bind(subject(project, scan))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(TriageRow::into_entry).collect()
    }

    /// A scan's dependency edges ordered by (from, to), skipping `offset`, with the total.
    pub async fn scan_edges(
        &self,
        tenant: TenantId,
        scan: ScanId,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(i64, ScanEdge)>, i64)> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT from_purl, to_purl FROM component_edges WHERE tenant_id = $1 AND scan_id = $2 \
             ORDER BY from_purl, to_purl LIMIT $3 OFFSET $4",
        )
        .bind(tenant.to_string())
        .bind(scan.to_string())
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM component_edges WHERE tenant_id = $1 AND scan_id = $2")
                .bind(tenant.to_string())
                .bind(scan.to_string())
                .fetch_one(self.pool())
                .await?;
        let items =
            rows.into_iter().zip(offset..).map(|((from, to), ord)| (ord, ScanEdge { from, to })).collect();
        Ok((items, total.0))
    }

    /// The risk of each of `projects` from its latest completed scan, in one query.
    pub async fn project_risks(
        &self,
        tenant: TenantId,
        projects: &[ProjectId],
    ) -> StoreResult<HashMap<ProjectId, ProjectRisk>> {
        if projects.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new(
            "SELECT s.project_id, s.id, s.finished_at, s.counts, s.pqc, \
             (SELECT COUNT(*) FROM findings f ",
        );
        sql.push(TRIAGE_JOIN)
            .push(
                " WHERE f.tenant_id = s.tenant_id AND f.scan_id = s.id AND f.resolved_at IS NULL \
                 AND (t.state IS NULL OR t.state IN ('in_triage', 'affected'))) AS open_findings \
                 FROM scans s WHERE s.tenant_id = ",
            )
            .bind(tenant.to_string())
            .push(" AND s.id IN (")
            .push(LATEST_SCANS)
            .push(") AND s.project_id IN (")
            .bind_list(projects.iter().map(ToString::to_string))
            .push(")");
        let q = sql.query_as::<RiskRow>();
        let rows = q.fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|r| {
                let pqc: Option<PqcSummary> =
                    r.pqc.as_deref().map(serde_json::from_str).transpose().map_err(|e| corrupt("pqc", e))?;
                let finished =
                    r.finished_at.ok_or_else(|| corrupt("scan", "completed without finished_at"))?;
                Ok((
                    parse_id(&r.project_id)?,
                    ProjectRisk {
                        scan_id: parse_id(&r.id)?,
                        scanned_at: parse_ts(&finished)?,
                        counts: serde_json::from_str(&r.counts).map_err(|e| corrupt("counts", e))?,
                        open_findings: u64::try_from(r.open_findings).unwrap_or(0),
                        pqc_score: pqc.and_then(|p| p.score),
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{summary_from_details, summary_of_details};

    #[test]
    fn a_summary_is_the_first_line_of_details_cut_at_a_word() {
        assert_eq!(
            summary_of_details("\n## Open redirect in login\n\nMore text.").as_deref(),
            Some("Open redirect in login")
        );
        let s = summary_of_details(&"word ".repeat(100)).expect("a summary");
        assert!(s.ends_with("word…") && s.chars().count() <= 161, "{s}");
        assert_eq!(summary_of_details("  "), None);
    }

    #[test]
    fn a_summary_comes_from_a_records_details_through_the_advisory_model() {
        let record = r#"{"id": "PYSEC-2024-1", "modified": "2024-01-01T00:00:00Z",
            "details": "\n## Open redirect in login\n\nMore text."}"#;
        assert_eq!(summary_from_details(record).as_deref(), Some("Open redirect in login"));
        let no_details = r#"{"id": "PYSEC-2024-2", "modified": "2024-01-01T00:00:00Z", "summary": "x"}"#;
        assert_eq!(summary_from_details(no_details), None);
        assert_eq!(summary_from_details("not json"), None);
    }
}
