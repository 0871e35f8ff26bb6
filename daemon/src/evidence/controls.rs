//! Controls × frameworks: `gather` reads the tenant's evidence through the store; `judge_kinds`
//! (pure) says what each kind of evidence shows; `controls` applies the catalogue. Missing
//! evidence sources (no SLA set, no scan matched, no released version, no product) make a kind
//! `not_assessed` with the reason; data that was looked at and falls short makes it `not_met`;
//! nothing is `met` for lack of data.

use std::collections::{BTreeMap, HashMap, HashSet};

use cairn_sdk::types::{
    AuditVerification, Control, ControlEvidence, ControlStatus, EvidenceKind, Finding, Framework,
    FrameworkId, ProjectId, RECENT_SCAN_DAYS, TenantId, TriageSla,
};
use time::{Duration, OffsetDateTime};

use super::catalogue::{ControlEntry, FrameworkEntry};
use super::sla::{self, SlaVerdict};
use crate::store::{
    Assignments, FindingsQuery, KevSource, ProjectEvidence, ReleaseEvidence, Store, StoreResult,
};

/// The SBOM formats a released version needs, as the scan's stored document formats spell them.
const SBOM_FORMATS: [&str; 2] = ["cyclonedx", "spdx"];

/// Findings read per page while gathering.
const PAGE: i64 = 1000;

/// Everything the controls are judged on.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Now.
    pub now: OffsetDateTime,
    /// Every project with its recent scans, latest scan and product fields.
    pub projects: Vec<ProjectEvidence>,
    /// Released versions and their latest scan's stored formats.
    pub releases: Vec<ReleaseEvidence>,
    /// Policy assignments.
    pub assignments: Assignments,
    /// OSV sources and advisories imported.
    pub osv_sources: u64,
    /// Advisories they hold.
    pub osv_advisories: u64,
    /// KEV lists imported.
    pub kev: Vec<KevSource>,
    /// The tenant's triage SLA.
    pub sla: Option<TriageSla>,
    /// Open findings of each project's latest completed scan, with triage.
    pub findings: Vec<Finding>,
    /// When each (advisory, purl) was first found, per project.
    pub first_seen: HashMap<ProjectId, HashMap<(String, String), OffsetDateTime>>,
    /// The tenant's audit entries.
    pub audit_entries: u64,
    /// The audit chain's verification.
    pub audit_chain: AuditVerification,
}

/// Reads the tenant's evidence.
pub async fn gather(store: &Store, tenant: TenantId, now: OffsetDateTime) -> StoreResult<Facts> {
    let since = now - Duration::days(i64::from(RECENT_SCAN_DAYS));
    let projects = store.controls_projects(tenant, since).await?;
    let releases = store.controls_releases(tenant).await?;
    let assignments = store.controls_assignments(tenant).await?;
    let (osv_sources, osv_advisories) = store.controls_osv_data().await?;
    let kev = store.kev_sources().await?;
    let sla = store.tenant_settings(tenant).await?.triage_sla;
    let q = FindingsQuery::default();
    let mut findings = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (mut page, _) = store.findings_list(tenant, &q, after.as_deref(), PAGE).await?;
        let more = page.len() as i64 > PAGE;
        page.truncate(PAGE as usize);
        after = page.last().map(|f| f.finding.id.clone());
        findings.extend(page);
        if !more {
            break;
        }
    }
    let mut first_seen = HashMap::new();
    let with_findings: HashSet<ProjectId> = findings.iter().filter_map(|f| f.finding.project_id).collect();
    for p in with_findings {
        first_seen.insert(p, store.findings_first_seen(tenant, p).await?);
    }
    let audit_entries = store.controls_audit_entries(tenant).await?;
    let audit_chain = store.audit_verify().await?;
    Ok(Facts {
        now,
        projects,
        releases,
        assignments,
        osv_sources,
        osv_advisories,
        kev,
        sla,
        findings,
        first_seen,
        audit_entries,
        audit_chain,
    })
}

fn evidence(
    kind: EvidenceKind,
    status: ControlStatus,
    count: u64,
    reason: impl Into<String>,
) -> ControlEvidence {
    ControlEvidence { kind, status, count, reason: reason.into() }
}

/// `met` when all of `total` qualify, `partially_met` when some do, `not_met` when none do.
fn share(part: u64, total: u64) -> ControlStatus {
    if part == total {
        ControlStatus::Met
    } else if part == 0 {
        ControlStatus::NotMet
    } else {
        ControlStatus::PartiallyMet
    }
}

fn recent_scans(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::RecentScans;
    let scans: u64 = f.projects.iter().map(|p| p.recent_scans).sum();
    if f.projects.is_empty() {
        return evidence(kind, ControlStatus::NotMet, 0, "the tenant has no project: nothing is scanned");
    }
    let total = f.projects.len() as u64;
    let scanned = f.projects.iter().filter(|p| p.recent_scans > 0).count() as u64;
    let reason = format!(
        "{scans} completed scans in the last {RECENT_SCAN_DAYS} days; {scanned} of {total} projects scanned in that time"
    );
    evidence(kind, share(scanned, total), scans, reason)
}

fn vulnerability_data(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::VulnerabilityData;
    if f.osv_sources == 0 {
        return evidence(
            kind,
            ControlStatus::NotMet,
            0,
            "no OSV vulnerability data imported: scans cannot find vulnerabilities",
        );
    }
    let reason = format!("{} OSV advisories imported from {} sources", f.osv_advisories, f.osv_sources);
    evidence(kind, ControlStatus::Met, f.osv_advisories, reason)
}

fn kev_data(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::KevData;
    let entries: u64 = f.kev.iter().map(|k| u64::try_from(k.entries).unwrap_or(0)).sum();
    if f.kev.is_empty() {
        return evidence(
            kind,
            ControlStatus::NotMet,
            0,
            "no KEV list imported: known exploitation is not checked",
        );
    }
    let lists: Vec<String> = f
        .kev
        .iter()
        .map(|k| format!("{}@{}", k.name, k.revision.as_deref().unwrap_or("unrevised")))
        .collect();
    evidence(
        kind,
        ControlStatus::Met,
        entries,
        format!("{entries} KEV entries imported ({})", lists.join(", ")),
    )
}

fn triaged_within_sla(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::TriagedWithinSla;
    let Some(sla) = f.sla.as_ref().filter(|s| !s.is_empty()) else {
        return evidence(kind, ControlStatus::NotAssessed, 0, "no triage SLA set (PUT /tenant/settings)");
    };
    if !f.projects.iter().any(|p| p.latest_matched) {
        return evidence(
            kind,
            ControlStatus::NotAssessed,
            0,
            "no project's latest scan was matched against vulnerability data: its findings are not known",
        );
    }
    let none = HashMap::new();
    let (mut on_time, mut pending, mut late, mut no_deadline) = (0u64, 0u64, 0u64, 0u64);
    for finding in &f.findings {
        let seen = finding.finding.project_id.and_then(|p| f.first_seen.get(&p)).unwrap_or(&none);
        match sla::verdict(finding, sla, seen, f.now) {
            SlaVerdict::DecidedOnTime => on_time += 1,
            SlaVerdict::Pending => pending += 1,
            SlaVerdict::Late => late += 1,
            SlaVerdict::NoDeadline => no_deadline += 1,
        }
    }
    let reason = format!(
        "{on_time} findings decided within the SLA, {late} late, {pending} undecided within their deadline, \
         {no_deadline} of a severity without a deadline"
    );
    let status = match (late, on_time) {
        (0, _) => ControlStatus::Met,
        (_, 0) => ControlStatus::NotMet,
        _ => ControlStatus::PartiallyMet,
    };
    evidence(kind, status, on_time, reason)
}

fn sboms_per_release(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::SbomsPerRelease;
    if f.releases.is_empty() {
        return evidence(kind, ControlStatus::NotAssessed, 0, "no released version yet");
    }
    let total = f.releases.len() as u64;
    let with_sbom = f
        .releases
        .iter()
        .filter(|r| SBOM_FORMATS.iter().all(|want| r.formats.iter().any(|have| have == want)))
        .count() as u64;
    let unscanned = f.releases.iter().filter(|r| r.scan.is_none()).count();
    let reason = format!(
        "{with_sbom} of {total} released versions have CycloneDX and SPDX SBOMs stored ({unscanned} without a completed scan)"
    );
    evidence(kind, share(with_sbom, total), with_sbom, reason)
}

fn gate_results(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::GateResults;
    let scanned: Vec<&ProjectEvidence> = f.projects.iter().filter(|p| p.latest_scan.is_some()).collect();
    if scanned.is_empty() {
        return evidence(kind, ControlStatus::NotAssessed, 0, "no project has a completed scan to gate");
    }
    let total = scanned.len() as u64;
    let gated = scanned.iter().filter(|p| p.latest_gated).count() as u64;
    let reason = format!("{gated} of {total} projects' latest scans have a gate result");
    evidence(kind, share(gated, total), gated, reason)
}

fn policy_assigned(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::PolicyAssigned;
    let a = &f.assignments;
    let count = a.projects.len() as u64 + u64::from(a.tenant_default);
    if a.tenant_default {
        let reason =
            format!("a stored policy is the tenant's default ({} projects with their own)", a.projects.len());
        return evidence(kind, ControlStatus::Met, count, reason);
    }
    if f.projects.is_empty() || a.projects.is_empty() {
        return evidence(
            kind,
            ControlStatus::NotMet,
            count,
            "no stored policy is assigned (only the built-in default applies)",
        );
    }
    let assigned: HashSet<ProjectId> = a.projects.iter().copied().collect();
    let total = f.projects.len() as u64;
    let covered = f.projects.iter().filter(|p| assigned.contains(&p.id)).count() as u64;
    let reason = format!("{covered} of {total} projects have a stored policy assigned; no tenant default");
    evidence(kind, share(covered, total), count, reason)
}

fn audit_log(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::AuditLog;
    if !f.audit_chain.ok {
        let reason = format!(
            "the audit chain is broken at entry {}: {}",
            f.audit_chain.first_broken_seq.unwrap_or_default(),
            f.audit_chain.reason.as_deref().unwrap_or("unknown")
        );
        return evidence(kind, ControlStatus::NotMet, f.audit_entries, reason);
    }
    if f.audit_entries == 0 {
        return evidence(kind, ControlStatus::NotMet, 0, "the tenant has no audit entry");
    }
    let reason = format!(
        "{} audit entries of the tenant; the hash chain verifies ({} entries checked)",
        f.audit_entries, f.audit_chain.checked
    );
    evidence(kind, ControlStatus::Met, f.audit_entries, reason)
}

fn product_fields(f: &Facts) -> ControlEvidence {
    let kind = EvidenceKind::ProductFields;
    if f.projects.is_empty() {
        return evidence(kind, ControlStatus::NotAssessed, 0, "the tenant has no product (project)");
    }
    let total = f.projects.len() as u64;
    let complete = f
        .projects
        .iter()
        .filter(|p| {
            let pr = &p.product;
            pr.security_contact.is_some()
                && pr.vulnerability_policy.is_some()
                && pr.support_period_months.is_some()
        })
        .count() as u64;
    let reason = format!(
        "{complete} of {total} products record a security contact, a vulnerability handling policy and a support period"
    );
    evidence(kind, share(complete, total), complete, reason)
}

/// What each kind of evidence shows.
pub fn judge_kinds(f: &Facts) -> BTreeMap<EvidenceKind, ControlEvidence> {
    [
        recent_scans(f),
        vulnerability_data(f),
        kev_data(f),
        triaged_within_sla(f),
        sboms_per_release(f),
        gate_results(f),
        policy_assigned(f),
        audit_log(f),
        product_fields(f),
    ]
    .into_iter()
    .map(|e| (e.kind, e))
    .collect()
}

/// A control's status from its kinds': `met` only when every kind is met; `not_assessed` when no
/// kind could be judged; `not_met` when none shows any of it; else `partially_met`.
fn combine(kinds: &[ControlEvidence]) -> ControlStatus {
    let all = |s: ControlStatus| kinds.iter().all(|k| k.status == s);
    let any = |s: ControlStatus| kinds.iter().any(|k| k.status == s);
    if all(ControlStatus::Met) {
        ControlStatus::Met
    } else if all(ControlStatus::NotAssessed) {
        ControlStatus::NotAssessed
    } else if !any(ControlStatus::Met) && !any(ControlStatus::PartiallyMet) {
        ControlStatus::NotMet
    } else {
        ControlStatus::PartiallyMet
    }
}

fn control(
    framework: FrameworkId,
    c: &ControlEntry,
    kinds: &BTreeMap<EvidenceKind, ControlEvidence>,
) -> Control {
    let evidence: Vec<ControlEvidence> = c.evidence.iter().filter_map(|k| kinds.get(k).cloned()).collect();
    let (status, reason) = match &c.not_assessed {
        Some(why) => (ControlStatus::NotAssessed, format!("not assessed: {why}")),
        None => {
            let covers = c.covers.as_deref().unwrap_or("");
            (combine(&evidence), format!("evidenced by {covers}"))
        }
    };
    Control {
        framework,
        id: c.id.clone(),
        title: c.title.clone(),
        status,
        evidence_count: evidence.iter().map(|e| e.count).sum(),
        reason,
        evidence,
    }
}

/// The controls of `frameworks`, in catalogue order.
pub fn controls(
    frameworks: &[&FrameworkEntry],
    kinds: &BTreeMap<EvidenceKind, ControlEvidence>,
) -> Vec<Control> {
    frameworks.iter().flat_map(|f| f.controls.iter().map(|c| control(f.id, c, kinds))).collect()
}

/// A framework with its controls' statuses counted.
pub fn framework(f: &FrameworkEntry, kinds: &BTreeMap<EvidenceKind, ControlEvidence>) -> Framework {
    let judged = controls(&[f], kinds);
    let count = |s: ControlStatus| judged.iter().filter(|c| c.status == s).count() as u32;
    Framework {
        id: f.id,
        name: f.name.clone(),
        edition: f.edition.clone(),
        url: f.url.clone(),
        controls: judged.len() as u32,
        met: count(ControlStatus::Met),
        partially_met: count(ControlStatus::PartiallyMet),
        not_met: count(ControlStatus::NotMet),
        not_assessed: count(ControlStatus::NotAssessed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: ControlStatus) -> ControlEvidence {
        evidence(EvidenceKind::AuditLog, status, 1, "r")
    }

    #[test]
    fn a_control_is_met_only_when_every_kind_is_and_unassessed_kinds_never_pass_or_fail_it() {
        use ControlStatus::*;
        assert_eq!(combine(&[kind(Met), kind(Met)]), Met);
        assert_eq!(combine(&[kind(Met), kind(NotAssessed)]), PartiallyMet);
        assert_eq!(combine(&[kind(NotAssessed), kind(NotAssessed)]), NotAssessed);
        assert_eq!(combine(&[kind(NotMet), kind(NotAssessed)]), NotMet);
        assert_eq!(combine(&[kind(Met), kind(NotMet)]), PartiallyMet);
        assert_eq!(combine(&[kind(PartiallyMet)]), PartiallyMet);
    }

    #[test]
    fn shares_of_projects() {
        assert_eq!(share(2, 2), ControlStatus::Met);
        assert_eq!(share(1, 2), ControlStatus::PartiallyMet);
        assert_eq!(share(0, 2), ControlStatus::NotMet);
    }
}
