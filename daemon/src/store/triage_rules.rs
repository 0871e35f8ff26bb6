//! Triage rules and automatic triage: the rules' rows, the findings a rule or a VEX import may
//! triage, and triage written by a rule or a document with its source recorded on the row.

use cairn_sdk::types::{
    CreateTriageRule, Justification, ProjectId, ScanId, TenantId, TriageResponse, TriageRule, TriageRuleId,
    TriageState, UserId,
};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::sql::Sql;
use super::{ListQuery, Store, StoreError, StoreResult, now, parse_id, parse_ts, ts};

#[derive(FromRow)]
struct RuleRow {
    id: String,
    vulnerability: String,
    purl: String,
    version_range: Option<String>,
    projects: Option<String>,
    state: String,
    justification: Option<String>,
    response: Option<String>,
    note: Option<String>,
    expires_at: Option<String>,
    created_by: Option<String>,
    created_at: String,
    applied: i64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

impl RuleRow {
    fn into_wire(self, at: OffsetDateTime) -> StoreResult<TriageRule> {
        let expires_at = self.expires_at.as_deref().map(parse_ts).transpose()?;
        Ok(TriageRule {
            id: parse_id(&self.id)?,
            vulnerability: self.vulnerability,
            purl: self.purl,
            version_range: self.version_range,
            projects: self
                .projects
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("triage rule projects", e))?,
            state: self.state.parse().map_err(|e| corrupt("triage rule state", e))?,
            justification: self
                .justification
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| corrupt("justification", e))?,
            response: self
                .response
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| corrupt("response", e))?,
            note: self.note,
            expired: expires_at.is_some_and(|e| e <= at),
            expires_at,
            applied: u64::try_from(self.applied).unwrap_or(0),
            created_by: self.created_by.as_deref().map(parse_id).transpose()?,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

const RULE_COLUMNS: &str = "r.id, r.vulnerability, r.purl, r.version_range, r.projects, r.state, r.justification, \
     r.response, r.note, r.expires_at, r.created_by, r.created_at, \
     (SELECT COUNT(*) FROM triage t WHERE t.tenant_id = r.tenant_id AND t.source_kind = 'rule' \
     AND t.source_id = r.id) AS applied";

/// A finding a rule or a VEX statement may triage: its triage key and the ids it is known by.
#[derive(Debug, Clone)]
pub struct TriageCandidate {
    /// The project (absent for an ad-hoc scan).
    pub project_id: Option<ProjectId>,
    /// The scan (the triage key of an ad-hoc scan).
    pub scan_id: ScanId,
    /// The advisory.
    pub vulnerability_id: String,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// The component.
    pub purl: String,
    /// The current triage's state, justification, response, note and source (kind, id,
    /// document), when triaged.
    pub current: Option<CurrentTriage>,
}

/// The triage a candidate has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentTriage {
    /// State.
    pub state: TriageState,
    /// Justification.
    pub justification: Option<Justification>,
    /// Response.
    pub response: Option<TriageResponse>,
    /// Note.
    pub note: Option<String>,
    /// `rule` or `vex`, absent for a person.
    pub source_kind: Option<String>,
    /// The rule id or the VEX document.
    pub source_key: Option<String>,
}

/// Which findings to look at.
#[derive(Debug, Clone)]
pub enum CandidateScope {
    /// Each project's latest completed scan (only these projects when given) and, without a
    /// project list, completed ad-hoc scans.
    Latest(Option<Vec<ProjectId>>),
    /// One scan.
    Scan(ScanId),
}

#[derive(FromRow)]
struct CandidateRow {
    project_id: Option<String>,
    scan_id: String,
    vulnerability_id: String,
    aliases: String,
    purl: String,
    state: Option<String>,
    justification: Option<String>,
    response: Option<String>,
    note: Option<String>,
    source_kind: Option<String>,
    source_id: Option<String>,
    source_document: Option<String>,
}

/// Triage set automatically.
#[derive(Debug, Clone)]
pub struct AutoTriage<'a> {
    /// State.
    pub state: TriageState,
    /// Justification.
    pub justification: Option<Justification>,
    /// Response.
    pub response: Option<TriageResponse>,
    /// Note.
    pub note: Option<&'a str>,
    /// Who is answerable (the rule's author, the importing user).
    pub user: Option<UserId>,
    /// What set it.
    pub source: AutoSource<'a>,
}

/// What set an automatic triage.
#[derive(Debug, Clone, Copy)]
pub enum AutoSource<'a> {
    /// A rule: fills untriaged findings only.
    Rule(TriageRuleId),
    /// A VEX import: sets the triage unless it is already exactly this document's.
    Vex {
        /// The import.
        import: cairn_sdk::types::VexImportId,
        /// The document key.
        document: &'a str,
        /// The statement's place.
        statement: &'a str,
    },
}

/// What an automatic write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoOutcome {
    /// A triage was set (new row or new revision).
    Set,
    /// Already exactly so: nothing written.
    Unchanged,
    /// Left alone (a rule never overrides existing triage).
    Kept,
}

impl Store {
    /// Stores a rule (already checked).
    pub async fn triage_rule_create(
        &self,
        tenant: TenantId,
        by: UserId,
        rule: &CreateTriageRule,
    ) -> StoreResult<TriageRuleId> {
        let id = TriageRuleId::new();
        let projects = rule
            .projects
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("projects", e))?;
        sqlx::query(
            "INSERT INTO triage_rules (id, tenant_id, vulnerability, purl, version_range, projects, state, \
             justification, response, note, expires_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(rule.vulnerability.clone())
        .bind(rule.purl.clone())
        .bind(rule.version_range.clone())
        .bind(projects)
        .bind(rule.state.as_str())
        .bind(rule.justification.map(Justification::as_str))
        .bind(rule.response.map(TriageResponse::as_str))
        .bind(rule.note.clone())
        .bind(rule.expires_at.map(ts))
        .bind(by.to_string())
        .bind(ts(now()))
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// One rule of the tenant, as of `at` (for `expired`).
    pub async fn triage_rule_get(
        &self,
        tenant: TenantId,
        id: TriageRuleId,
        at: OffsetDateTime,
    ) -> StoreResult<TriageRule> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM triage_rules r WHERE r.tenant_id = $1 AND r.id = $2");
        let row: RuleRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_one(self.pool())
            .await?;
        row.into_wire(at)
    }

    /// A page of the tenant's rules, with the total.
    pub async fn triage_rule_list(
        &self,
        tenant: TenantId,
        q: &ListQuery,
        at: OffsetDateTime,
    ) -> StoreResult<(Vec<TriageRule>, i64)> {
        let mut sql = Sql::new("SELECT ");
        sql.push(RULE_COLUMNS).push(" FROM triage_rules r WHERE r.tenant_id = ").bind(tenant.to_string());
        q.push_page(&mut sql, "r.")?;
        let rows = sql.query_as::<RuleRow>().fetch_all(self.pool()).await?;
        let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM triage_rules WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        let items = rows.into_iter().map(|r| r.into_wire(at)).collect::<StoreResult<_>>()?;
        Ok((items, total.0))
    }

    /// The tenant's rules not expired at `at` (a handful: matched in memory).
    pub async fn triage_rules_active(
        &self,
        tenant: TenantId,
        at: OffsetDateTime,
    ) -> StoreResult<Vec<TriageRule>> {
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM triage_rules r WHERE r.tenant_id = $1 \
             AND (r.expires_at IS NULL OR r.expires_at > $2) ORDER BY r.created_at, r.id"
        );
        let rows: Vec<RuleRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(tenant.to_string())
            .bind(ts(at))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(|r| r.into_wire(at)).collect()
    }

    /// Deletes a rule; the triage it set stays, still naming it.
    pub async fn triage_rule_delete(&self, tenant: TenantId, id: TriageRuleId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM triage_rules WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Findings in `scope` whose advisory is `vulnerability` or has it as an alias (every
    /// finding in scope when `None`), one per triage key, with their current triage.
    pub async fn triage_candidates(
        &self,
        tenant: TenantId,
        scope: &CandidateScope,
        vulnerability: Option<&str>,
    ) -> StoreResult<Vec<TriageCandidate>> {
        let mut sql = Sql::new(
            "SELECT DISTINCT f.project_id, f.scan_id, f.vulnerability_id, v.aliases, f.purl, t.state, \
             t.justification, t.response, t.note, t.source_kind, t.source_id, t.source_document \
             FROM findings f JOIN vulnerabilities v ON v.id = f.vulnerability_id \
             LEFT JOIN triage t ON t.tenant_id = f.tenant_id \
             AND t.subject = COALESCE('p:' || f.project_id, 's:' || f.scan_id) \
             AND t.vulnerability_id = f.vulnerability_id AND t.purl = f.purl WHERE f.tenant_id = ",
        );
        sql.bind(tenant.to_string());
        match scope {
            CandidateScope::Scan(s) => {
                sql.push(" AND f.scan_id = ").bind(s.to_string());
            }
            CandidateScope::Latest(projects) => {
                // Each project's latest completed scan (the findings list's "now").
                sql.push(
                    " AND f.scan_id IN (SELECT s.id FROM scans s WHERE s.tenant_id = f.tenant_id \
                     AND s.status = 'completed' AND (s.project_id IS NULL OR NOT EXISTS (SELECT 1 FROM scans n \
                     WHERE n.tenant_id = s.tenant_id AND n.project_id = s.project_id AND n.status = 'completed' \
                     AND (n.finished_at > s.finished_at OR (n.finished_at = s.finished_at AND n.id > s.id)))))",
                );
                if let Some(list) = projects {
                    if list.is_empty() {
                        return Ok(Vec::new());
                    }
                    sql.push(" AND f.project_id IN (")
                        .bind_list(list.iter().map(ToString::to_string))
                        .push(")");
                }
            }
        }
        if let Some(v) = vulnerability {
            // Aliases are a JSON array of strings. LIKE's `_` and `%` only widen the match; the
            // exact check is made again in memory.
            sql.push(" AND (f.vulnerability_id = ")
                .bind(v.to_owned())
                .push(" OR v.aliases LIKE ")
                .bind(format!("%\"{}\"%", v.replace(['"', '\\'], "")))
                .push(")");
        }
        sql.push(" ORDER BY f.vulnerability_id, f.purl");
        let rows = sql.query_as::<CandidateRow>().fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|r| {
                let current = match r.state {
                    None => None,
                    Some(s) => Some(CurrentTriage {
                        state: s.parse().map_err(|e| corrupt("triage state", e))?,
                        justification: r
                            .justification
                            .as_deref()
                            .map(str::parse)
                            .transpose()
                            .map_err(|e| corrupt("justification", e))?,
                        response: r
                            .response
                            .as_deref()
                            .map(str::parse)
                            .transpose()
                            .map_err(|e| corrupt("response", e))?,
                        note: r.note,
                        source_key: match r.source_kind.as_deref() {
                            Some("vex") => r.source_document,
                            _ => r.source_id,
                        },
                        source_kind: r.source_kind,
                    }),
                };
                Ok(TriageCandidate {
                    project_id: r.project_id.as_deref().map(parse_id).transpose()?,
                    scan_id: parse_id(&r.scan_id)?,
                    vulnerability_id: r.vulnerability_id,
                    aliases: serde_json::from_str(&r.aliases).map_err(|e| corrupt("aliases", e))?,
                    purl: r.purl,
                    current,
                })
            })
            .collect()
    }

    /// Writes an automatic triage on `c`. A rule only fills a finding nobody triaged; a VEX
    /// document sets its statement unless the triage already says exactly that from the same
    /// document (then no new revision).
    pub async fn triage_auto(
        &self,
        tenant: TenantId,
        c: &TriageCandidate,
        w: &AutoTriage<'_>,
    ) -> StoreResult<AutoOutcome> {
        let subject = match c.project_id {
            Some(p) => format!("p:{p}"),
            None => format!("s:{}", c.scan_id),
        };
        let (kind, source_id, document, statement) = match w.source {
            AutoSource::Rule(id) => ("rule", id.to_string(), None, None),
            AutoSource::Vex { import, document, statement } => {
                ("vex", import.to_string(), Some(document.to_owned()), Some(statement.to_owned()))
            }
        };
        if let Some(cur) = &c.current {
            if matches!(w.source, AutoSource::Rule(_)) {
                return Ok(AutoOutcome::Kept);
            }
            let same = cur.state == w.state
                && cur.justification == w.justification
                && cur.response == w.response
                && cur.note.as_deref() == w.note
                && cur.source_kind.as_deref() == Some(kind)
                && cur.source_key.as_deref() == document.as_deref();
            if same {
                return Ok(AutoOutcome::Unchanged);
            }
        }
        let stamp = ts(now());
        let done = if c.current.is_none() {
            sqlx::query(
                "INSERT INTO triage (id, tenant_id, project_id, scan_id, subject, vulnerability_id, purl, state, \
                 justification, response, note, updated_by, version, created_at, updated_at, source_kind, source_id, \
                 source_document, source_statement) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $15, $16, $17, $18) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(tenant.to_string())
            .bind(c.project_id.map(|p| p.to_string()))
            .bind(c.project_id.is_none().then(|| c.scan_id.to_string()))
            .bind(subject)
            .bind(c.vulnerability_id.clone())
            .bind(c.purl.clone())
            .bind(w.state.as_str())
            .bind(w.justification.map(Justification::as_str))
            .bind(w.response.map(TriageResponse::as_str))
            .bind(w.note.map(str::to_owned))
            .bind(w.user.map(|u| u.to_string()))
            .bind(stamp.clone())
            .bind(stamp)
            .bind(kind)
            .bind(source_id)
            .bind(document)
            .bind(statement)
            .execute(self.pool())
            .await?
        } else {
            sqlx::query(
                "UPDATE triage SET state = $1, justification = $2, response = $3, note = $4, updated_by = $5, \
                 updated_at = $6, version = version + 1, source_kind = $7, source_id = $8, source_document = $9, \
                 source_statement = $10 WHERE tenant_id = $11 AND subject = $12 AND vulnerability_id = $13 AND purl = $14",
            )
            .bind(w.state.as_str())
            .bind(w.justification.map(Justification::as_str))
            .bind(w.response.map(TriageResponse::as_str))
            .bind(w.note.map(str::to_owned))
            .bind(w.user.map(|u| u.to_string()))
            .bind(stamp)
            .bind(kind)
            .bind(source_id)
            .bind(document)
            .bind(statement)
            .bind(tenant.to_string())
            .bind(subject)
            .bind(c.vulnerability_id.clone())
            .bind(c.purl.clone())
            .execute(self.pool())
            .await?
        };
        // A concurrent writer got there first: its triage stands.
        Ok(if done.rows_affected() == 0 { AutoOutcome::Kept } else { AutoOutcome::Set })
    }
}
