//! A version's CRA checklist. `gather` reads the facts (the version, its product, the latest
//! completed scan, its documents and open findings with triage and KEV marks, the tenant's SLA,
//! the KEV sources); `judge` turns them into items, pure and testable. An item whose evidence
//! source is missing (no completed scan, no matched scan, no KEV data imported, no triage SLA set)
//! is `not_evaluated` with the reason: Cairn never concludes `met`, nor `not_met`, from what it did
//! not see.

use std::collections::HashMap;

use cairn_sdk::types::{
    CraEvidence, CraItem, CraItemStatus, CraRequirement, CraStatus, Finding, Project, ReleaseState, Scan,
    TenantId, TriageSla, TriageState, Version, VersionId, VulnDataState,
};
use time::OffsetDateTime;

use super::sla::{self, SlaVerdict};

use crate::store::{FindingsQuery, KevSource, Store, StoreError, StoreResult};

/// The SBOM formats a technical file needs, as the scan's stored document formats spell them.
const SBOM_FORMATS: [&str; 2] = ["cyclonedx", "spdx"];

/// At most this many failing finding ids are listed in an item's evidence.
const FAILING_LISTED: usize = 100;

/// Findings read per page while gathering.
const PAGE: i64 = 1000;

/// Everything the checklist is judged on.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The version.
    pub version: Version,
    /// Its project (the product).
    pub project: Project,
    /// The version's latest completed scan, with what it stored.
    pub scan: Option<ScanFacts>,
    /// The tenant's triage SLA.
    pub sla: Option<TriageSla>,
    /// The KEV lists stored.
    pub kev_sources: Vec<KevSource>,
    /// Completed scans of the version after its release.
    pub scans_after_release: Option<u64>,
    /// Now.
    pub now: OffsetDateTime,
}

/// What one scan gives the checklist.
#[derive(Debug, Clone)]
pub struct ScanFacts {
    /// The scan.
    pub scan: Scan,
    /// Stored document formats.
    pub documents: Vec<String>,
    /// Direct dependencies in its inventory.
    pub direct: u64,
    /// Its open findings with triage and KEV marks.
    pub findings: Vec<Finding>,
    /// When each (advisory, purl) was first found in the project.
    pub first_seen: HashMap<(String, String), OffsetDateTime>,
}

/// Reads the facts of `version` (404 through `StoreError::NotFound` when not in the tenant).
pub async fn gather(
    store: &Store,
    tenant: TenantId,
    version: VersionId,
    now: OffsetDateTime,
) -> StoreResult<Facts> {
    let version = store.version_get(tenant, version).await?;
    let project = store.project_get(tenant, version.project_id).await?;
    let scan = match store.scan_latest_completed_of_version(tenant, version.id).await {
        Ok(s) => Some(s),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let scan = match scan {
        None => None,
        Some(scan) => {
            let documents = store.scan_document_formats(tenant, scan.id).await?;
            let direct = store.scan_direct_components(tenant, scan.id).await?;
            let q = FindingsQuery { scan: Some(scan.id), ..FindingsQuery::default() };
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
            let first_seen = store.findings_first_seen(tenant, project.id).await?;
            Some(ScanFacts { scan, documents, direct, findings, first_seen })
        }
    };
    let sla = store.tenant_settings(tenant).await?.triage_sla;
    let kev_sources = store.kev_sources().await?;
    let scans_after_release = match version.released_at {
        Some(at) => Some(store.version_scans_completed_after(tenant, version.id, at).await?),
        None => None,
    };
    Ok(Facts { version, project, scan, sla, kev_sources, scans_after_release, now })
}

fn item(
    requirement: CraRequirement,
    status: CraItemStatus,
    reason: impl Into<String>,
    evidence: CraEvidence,
) -> CraItem {
    CraItem { requirement, status, reason: reason.into(), evidence }
}

fn matched(scan: &Scan) -> bool {
    scan.vulndb.as_ref().is_some_and(|v| matches!(v.state, VulnDataState::Fresh | VulnDataState::Stale))
}

/// No decision yet: never triaged, or still `in_triage` (under investigation).
fn undecided(f: &Finding) -> bool {
    f.triage.as_ref().is_none_or(|t| t.state == TriageState::InTriage)
}

fn failing(mut ids: Vec<String>) -> (Vec<String>, Option<u64>) {
    let count = ids.len() as u64;
    ids.sort();
    ids.truncate(FAILING_LISTED);
    (ids, Some(count))
}

/// The version has no completed scan: an SBOM is missing (`not_met`), findings are not known
/// (`not_evaluated`).
fn no_scan(requirement: CraRequirement, status: CraItemStatus) -> CraItem {
    item(requirement, status, "the version has no completed scan: nothing to judge", CraEvidence::default())
}

fn sbom(scan: Option<&ScanFacts>) -> CraItem {
    let Some(s) = scan else { return no_scan(CraRequirement::Sbom, CraItemStatus::NotMet) };
    let documents: Vec<String> =
        s.documents.iter().filter(|d| SBOM_FORMATS.contains(&d.as_str())).cloned().collect();
    let evidence = CraEvidence {
        scan_id: Some(s.scan.id),
        documents: documents.clone(),
        components: Some(s.scan.counts.components),
        direct_dependencies: Some(s.direct),
        ..CraEvidence::default()
    };
    let missing: Vec<&str> = SBOM_FORMATS.into_iter().filter(|f| !documents.iter().any(|d| d == f)).collect();
    if !missing.is_empty() {
        let reason = format!("no stored {} document for the scan", missing.join(" or "));
        return item(CraRequirement::Sbom, CraItemStatus::NotMet, reason, evidence);
    }
    if s.direct == 0 {
        let reason = "the SBOM names no top-level dependency";
        return item(CraRequirement::Sbom, CraItemStatus::NotMet, reason, evidence);
    }
    let reason = format!(
        "CycloneDX and SPDX documents stored with {} components, {} of them top-level",
        s.scan.counts.components, s.direct
    );
    item(CraRequirement::Sbom, CraItemStatus::Met, reason, evidence)
}

fn known_exploited(scan: Option<&ScanFacts>, kev: &[KevSource]) -> CraItem {
    let req = CraRequirement::KnownExploitedTriaged;
    let Some(s) = scan else { return no_scan(req, CraItemStatus::NotEvaluated) };
    let kev_sources: Vec<String> =
        kev.iter().map(|k| format!("{}@{}", k.name, k.revision.as_deref().unwrap_or("unrevised"))).collect();
    let mut evidence = CraEvidence { scan_id: Some(s.scan.id), kev_sources, ..CraEvidence::default() };
    if kev.is_empty() {
        let reason = "no KEV data imported (`cairnd vulndb import known_exploited_vulnerabilities.json`): \
                      known exploitation was not checked";
        return item(req, CraItemStatus::NotEvaluated, reason, evidence);
    }
    if !matched(&s.scan) {
        let reason = "the scan was not matched against vulnerability data: its findings are not known";
        return item(req, CraItemStatus::NotEvaluated, reason, evidence);
    }
    let listed: Vec<&Finding> = s.findings.iter().filter(|f| f.known_exploited.is_some()).collect();
    let open: Vec<String> = listed.iter().filter(|f| undecided(f)).map(|f| f.finding.id.clone()).collect();
    evidence.findings = Some(s.findings.len() as u64);
    evidence.known_exploited = Some(listed.len() as u64);
    let (ids, count) = failing(open);
    evidence.failing = ids;
    evidence.failing_count = count;
    if count.unwrap_or(0) > 0 {
        let reason = format!(
            "{} of {} known exploited findings have no triage decision",
            count.unwrap_or(0),
            listed.len()
        );
        return item(req, CraItemStatus::NotMet, reason, evidence);
    }
    let reason = format!("all {} known exploited findings are triaged", listed.len());
    item(req, CraItemStatus::Met, reason, evidence)
}

fn within_sla(scan: Option<&ScanFacts>, sla: Option<&TriageSla>, now: OffsetDateTime) -> CraItem {
    let req = CraRequirement::TriagedWithinSla;
    let Some(s) = scan else { return no_scan(req, CraItemStatus::NotEvaluated) };
    let mut evidence = CraEvidence { scan_id: Some(s.scan.id), sla: sla.cloned(), ..CraEvidence::default() };
    let Some(sla) = sla.filter(|s| !s.is_empty()) else {
        let reason = "no triage SLA set (PUT /tenant/settings): nothing to judge against";
        return item(req, CraItemStatus::NotEvaluated, reason, evidence);
    };
    if !matched(&s.scan) {
        let reason = "the scan was not matched against vulnerability data: its findings are not known";
        return item(req, CraItemStatus::NotEvaluated, reason, evidence);
    }
    let mut late = Vec::new();
    let mut without_deadline = 0u64;
    for f in &s.findings {
        match sla::verdict(f, sla, &s.first_seen, now) {
            SlaVerdict::NoDeadline => without_deadline += 1,
            v if !v.on_time() => late.push(f.finding.id.clone()),
            _ => {}
        }
    }
    evidence.findings = Some(s.findings.len() as u64);
    evidence.without_deadline = Some(without_deadline);
    let (ids, count) = failing(late);
    evidence.failing = ids;
    evidence.failing_count = count;
    let late = count.unwrap_or(0);
    if late > 0 {
        let reason = format!("{late} findings were not triaged within the SLA");
        return item(req, CraItemStatus::NotMet, reason, evidence);
    }
    let judged = s.findings.len() as u64 - without_deadline;
    let reason = format!(
        "{judged} findings triaged (or still within their deadline); {without_deadline} of a severity without a deadline"
    );
    item(req, CraItemStatus::Met, reason, evidence)
}

fn handling(project: &Project) -> CraItem {
    let req = CraRequirement::VulnerabilityHandling;
    let p = &project.product;
    let evidence = CraEvidence {
        security_contact: p.security_contact.clone(),
        vulnerability_policy: Some(p.vulnerability_policy.is_some()),
        ..CraEvidence::default()
    };
    match (&p.security_contact, &p.vulnerability_policy) {
        (Some(_), Some(_)) => item(
            req,
            CraItemStatus::Met,
            "a security contact and a vulnerability handling policy are recorded",
            evidence,
        ),
        (None, Some(_)) => {
            item(req, CraItemStatus::NotMet, "no security contact recorded on the product", evidence)
        }
        (Some(_), None) => item(
            req,
            CraItemStatus::NotMet,
            "no vulnerability handling policy recorded on the product",
            evidence,
        ),
        (None, None) => item(
            req,
            CraItemStatus::NotMet,
            "neither a security contact nor a vulnerability handling policy is recorded on the product",
            evidence,
        ),
    }
}

fn support(version: &Version, project: &Project) -> CraItem {
    let req = CraRequirement::SupportPeriod;
    let evidence = CraEvidence {
        support_until: version.support_until,
        support_period_months: project.product.support_period_months,
        ..CraEvidence::default()
    };
    match (version.support_until, project.product.support_period_months) {
        (Some(until), _) => {
            item(req, CraItemStatus::Met, format!("the version is supported until {until}"), evidence)
        }
        (None, Some(m)) => item(
            req,
            CraItemStatus::Met,
            format!("the product declares a support period of {m} months"),
            evidence,
        ),
        (None, None) => item(
            req,
            CraItemStatus::NotMet,
            "no end of support on the version and no support period on the product",
            evidence,
        ),
    }
}

fn immutable(version: &Version, scans_after_release: Option<u64>) -> CraItem {
    let req = CraRequirement::ReleaseImmutable;
    let evidence = CraEvidence {
        release_state: Some(version.release_state),
        released_at: version.released_at,
        scans_after_release,
        ..CraEvidence::default()
    };
    if version.release_state == ReleaseState::Draft {
        return item(req, CraItemStatus::NotApplicable, "the version is a draft: not released yet", evidence);
    }
    match scans_after_release {
        Some(0) => item(
            req,
            CraItemStatus::Met,
            "released; the release state only moves forward and no scan of the version completed after release",
            evidence,
        ),
        Some(n) => item(
            req,
            CraItemStatus::NotMet,
            format!("{n} scans of the version completed after its release: its inventory may have changed"),
            evidence,
        ),
        None => item(req, CraItemStatus::NotMet, "released, but no release time is recorded", evidence),
    }
}

/// The checklist over `facts`, one item per requirement in order.
pub fn judge(facts: &Facts) -> CraStatus {
    let scan = facts.scan.as_ref();
    let items = vec![
        sbom(scan),
        known_exploited(scan, &facts.kev_sources),
        within_sla(scan, facts.sla.as_ref(), facts.now),
        handling(&facts.project),
        support(&facts.version, &facts.project),
        immutable(&facts.version, facts.scans_after_release),
    ];
    let count = |s: CraItemStatus| items.iter().filter(|i| i.status == s).count() as u32;
    CraStatus {
        version_id: facts.version.id,
        version_name: facts.version.name.clone(),
        project_id: facts.project.id,
        project_name: facts.project.name.clone(),
        scan_id: scan.map(|s| s.scan.id),
        evaluated_at: facts.now,
        met: count(CraItemStatus::Met),
        not_met: count(CraItemStatus::NotMet),
        not_evaluated: count(CraItemStatus::NotEvaluated),
        not_applicable: count(CraItemStatus::NotApplicable),
        items,
    }
}
