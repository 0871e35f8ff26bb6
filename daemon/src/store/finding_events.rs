//! `finding.new` and `finding.resolved`: the difference between a project's findings before and
//! after a change (a new scan's results), appended to the outbox in the transaction that stores
//! the change. Findings are the same when their advisory and purl are.

use std::collections::{BTreeMap, BTreeSet};

use cairn_sdk::types::{EventKind, FindingEventData, ProjectId, ScanId, Severity, TenantId};
use sqlx::FromRow;

use super::events::{NewEvent, append};
use super::scan_results::{NewFinding, NewVulnerability};
use super::{StoreError, StoreResult};

/// One open finding of a project, as the events describe it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpenFinding {
    pub(crate) id: String,
    pub(crate) advisory: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) purl: String,
    pub(crate) severity: Severity,
    pub(crate) fixed_version: Option<String>,
}

#[derive(FromRow)]
struct OpenFindingRow {
    id: String,
    vulnerability_id: String,
    aliases: String,
    purl: String,
    severity: String,
    fixed_version: Option<String>,
}

impl OpenFindingRow {
    fn into_open(self) -> StoreResult<OpenFinding> {
        Ok(OpenFinding {
            aliases: serde_json::from_str(&self.aliases)
                .map_err(|e| StoreError::Corrupt(format!("vulnerability aliases: {e}")))?,
            severity: self.severity.parse().unwrap_or(Severity::Unknown),
            id: self.id,
            advisory: self.vulnerability_id,
            purl: self.purl,
            fixed_version: self.fixed_version,
        })
    }
}

/// The open findings of `scan` (resolved ones, closed by a re-match, are not open).
pub(crate) async fn open_findings(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    scan: ScanId,
) -> StoreResult<Vec<OpenFinding>> {
    let rows: Vec<OpenFindingRow> = sqlx::query_as(
        "SELECT f.id, f.vulnerability_id, v.aliases, f.purl, f.severity, f.fixed_version FROM findings f \
         JOIN vulnerabilities v ON v.id = f.vulnerability_id \
         WHERE f.tenant_id = $1 AND f.scan_id = $2 AND f.resolved_at IS NULL ORDER BY f.ord, f.id",
    )
    .bind(tenant.to_string())
    .bind(scan.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter().map(OpenFindingRow::into_open).collect()
}

/// The open findings `scan` already stored, `None` when it stored no results yet (its documents'
/// input is stored with every result).
pub(crate) async fn stored_findings(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    scan: ScanId,
) -> StoreResult<Option<Vec<OpenFinding>>> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT scan_id FROM scan_bom_inputs WHERE tenant_id = $1 AND scan_id = $2")
            .bind(tenant.to_string())
            .bind(scan.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    match stored {
        Some(_) => Ok(Some(open_findings(tx, tenant, scan).await?)),
        None => Ok(None),
    }
}

/// The project's latest completed scan other than `except` (the scan being stored).
pub(crate) async fn previous_completed_scan(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    project: ProjectId,
    except: ScanId,
) -> StoreResult<Option<ScanId>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM scans WHERE tenant_id = $1 AND project_id = $2 AND status = 'completed' AND id <> $3 \
         ORDER BY finished_at DESC, id DESC LIMIT 1",
    )
    .bind(tenant.to_string())
    .bind(project.to_string())
    .bind(except.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| super::parse_id(&r.0)).transpose()
}

/// A purl without its version, qualifiers and subpath: the package, whatever its version.
fn package_of(purl: &str) -> &str {
    let head = purl.split(['?', '#']).next().unwrap_or(purl);
    // The version follows the last '@' after the type (an npm scope's '@' is written %40).
    match head.rfind('@') {
        Some(at) if head[..at].contains('/') => &head[..at],
        _ => head,
    }
}

/// Why a finding left the results of `scan`, whose components are `purls`.
fn resolved_reason(purl: &str, scan: ScanId, purls: &BTreeSet<&str>) -> String {
    if purls.contains(purl) {
        return format!("no longer matched in scan {scan}: the vulnerability data changed");
    }
    let package = package_of(purl);
    if purls.iter().any(|p| package_of(p) == package) {
        format!("fixed in scan {scan}: the package's version changed")
    } else {
        format!("no longer in the inventory of scan {scan}")
    }
}

/// Appends `finding.new` for each finding of `scan` (its results `findings`, `vulnerabilities`,
/// with components `purls`) that the project's previous completed scan did not have, and
/// `finding.resolved` for each the previous one had that `scan` has not. On a project's first
/// scan every finding is new: a subscriber to `finding.new` wants to hear of the vulnerabilities
/// of a project it just added (Dependency-Track notifies NEW_VULNERABILITY on first analysis too).
pub(crate) async fn append_scan_differences(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    project: ProjectId,
    scan: ScanId,
    rerun_of: Option<Vec<OpenFinding>>,
    (findings, vulnerabilities): (&[NewFinding], &[NewVulnerability]),
    purls: &BTreeSet<&str>,
) -> StoreResult<usize> {
    let before = match (rerun_of, previous_completed_scan(tx, tenant, project, scan).await?) {
        (Some(first_run), _) => first_run,
        (None, Some(prev)) => open_findings(tx, tenant, prev).await?,
        (None, None) => Vec::new(),
    };
    let aliases: BTreeMap<&str, &Vec<String>> =
        vulnerabilities.iter().map(|v| (v.id.as_str(), &v.aliases)).collect();
    let after: Vec<OpenFinding> = findings
        .iter()
        .map(|f| OpenFinding {
            id: f.id.clone(),
            advisory: f.vulnerability_id.clone(),
            aliases: aliases.get(f.vulnerability_id.as_str()).map(|a| (*a).clone()).unwrap_or_default(),
            purl: f.purl.clone(),
            severity: f.severity,
            fixed_version: f.fixed_version.clone(),
        })
        .collect();
    append_differences(tx, tenant, project, scan, &before, &after, |f| resolved_reason(&f.purl, scan, purls))
        .await
}

/// Appends `finding.new` for what is in `after` and not `before`, `finding.resolved` (with
/// `reason`) for what is in `before` and not `after`; returns how many events.
pub(crate) async fn append_differences(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: TenantId,
    project: ProjectId,
    scan: ScanId,
    before: &[OpenFinding],
    after: &[OpenFinding],
    reason: impl Fn(&OpenFinding) -> String,
) -> StoreResult<usize> {
    let key = |f: &OpenFinding| (f.advisory.clone(), f.purl.clone());
    let had: BTreeSet<_> = before.iter().map(key).collect();
    let has: BTreeSet<_> = after.iter().map(key).collect();
    let mut n = 0;
    for f in after.iter().filter(|f| !had.contains(&key(f))) {
        append(tx, tenant, &event(EventKind::FindingNew, project, scan, f, None)).await?;
        n += 1;
    }
    for f in before.iter().filter(|f| !has.contains(&key(f))) {
        append(tx, tenant, &event(EventKind::FindingResolved, project, scan, f, Some(reason(f)))).await?;
        n += 1;
    }
    Ok(n)
}

fn event(
    kind: EventKind,
    project: ProjectId,
    scan: ScanId,
    f: &OpenFinding,
    reason: Option<String>,
) -> NewEvent {
    let data = FindingEventData {
        finding: f.id.clone(),
        scan,
        advisory: f.advisory.clone(),
        aliases: f.aliases.clone(),
        purl: f.purl.clone(),
        severity: f.severity,
        fixed_version: f.fixed_version.clone(),
        state: None,
        reason,
    };
    NewEvent::new(kind, Some(project), &data).with_severity(f.severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_is_its_purl_without_version_qualifiers_or_subpath() {
        assert_eq!(package_of("pkg:cargo/smallvec@1.6.0"), "pkg:cargo/smallvec");
        assert_eq!(package_of("pkg:npm/%40babel/core@7.0.0?arch=x#lib"), "pkg:npm/%40babel/core");
        assert_eq!(package_of("pkg:cargo/smallvec"), "pkg:cargo/smallvec");
    }

    #[test]
    fn a_resolved_finding_says_whether_it_was_upgraded_removed_or_unmatched() {
        let scan = ScanId::new();
        let purls: BTreeSet<&str> = ["pkg:cargo/smallvec@1.6.1", "pkg:cargo/time@0.1.43"].into();
        assert!(resolved_reason("pkg:cargo/smallvec@1.6.0", scan, &purls).starts_with("fixed in scan"));
        assert!(
            resolved_reason("pkg:cargo/regex@1.0.0", scan, &purls).starts_with("no longer in the inventory")
        );
        assert!(resolved_reason("pkg:cargo/time@0.1.43", scan, &purls).starts_with("no longer matched"));
    }
}
