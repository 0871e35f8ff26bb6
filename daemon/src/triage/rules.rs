//! Triage rules: which findings a rule names (its advisory id or alias, its purl pattern and
//! range, its projects) and applying it. A rule fills findings nobody triaged; it never
//! overrides a triage a person, a document or another rule set. An expired rule applies to no
//! new finding; the triage it already set stays, still saying "by rule R".

use cairn_engine::vuln::PurlPattern;
use cairn_sdk::types::{ScanId, TenantId, TriageRule};
use time::OffsetDateTime;

use crate::store::{
    AutoOutcome, AutoSource, AutoTriage, CandidateScope, Store, StoreResult, TriageCandidate,
};

/// Whether `rule` names candidate `c` (its projects, advisory and component).
fn names(rule: &TriageRule, pattern: &PurlPattern, c: &TriageCandidate) -> bool {
    let in_projects = match (&rule.projects, c.project_id) {
        (None, _) => true,
        (Some(list), Some(p)) => list.contains(&p),
        (Some(_), None) => false,
    };
    in_projects
        && (c.vulnerability_id == rule.vulnerability || c.aliases.contains(&rule.vulnerability))
        && pattern.matches(&c.purl)
}

async fn apply(
    store: &Store,
    tenant: TenantId,
    rule: &TriageRule,
    candidates: &[TriageCandidate],
) -> StoreResult<u64> {
    // Rules were checked on creation; one that no longer reads is skipped loudly.
    let pattern = match PurlPattern::new(&rule.purl, rule.version_range.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(rule = %rule.id, error = %e, "a stored triage rule does not read; it is not applied");
            return Ok(0);
        }
    };
    let write = AutoTriage {
        state: rule.state,
        justification: rule.justification,
        response: rule.response,
        note: rule.note.as_deref(),
        user: rule.created_by,
        source: AutoSource::Rule(rule.id),
    };
    let mut set = 0;
    for c in candidates.iter().filter(|c| c.current.is_none() && names(rule, &pattern, c)) {
        if store.triage_auto(tenant, c, &write).await? == AutoOutcome::Set {
            set += 1;
        }
    }
    Ok(set)
}

/// Applies a new rule to the findings there are now (each project's latest scan, ad-hoc scans);
/// how many it triaged.
pub async fn apply_new(store: &Store, tenant: TenantId, rule: &TriageRule) -> StoreResult<u64> {
    if rule.expired {
        return Ok(0);
    }
    let candidates = store
        .triage_candidates(tenant, &CandidateScope::Latest(rule.projects.clone()), Some(&rule.vulnerability))
        .await?;
    apply(store, tenant, rule, &candidates).await
}

/// Applies every rule not expired at `at` to the findings of a scan that just completed (the
/// pipeline's last step); how many findings were triaged. `finding.triaged` events belong here.
pub async fn apply_to_scan(
    store: &Store,
    tenant: TenantId,
    scan: ScanId,
    at: OffsetDateTime,
) -> StoreResult<u64> {
    let rules = store.triage_rules_active(tenant, at).await?;
    if rules.is_empty() {
        return Ok(0);
    }
    let mut candidates = store.triage_candidates(tenant, &CandidateScope::Scan(scan), None).await?;
    let mut set = 0;
    // Oldest rule first: once a finding is triaged, later rules leave it alone.
    for rule in &rules {
        let n = apply(store, tenant, rule, &candidates).await?;
        if n > 0 {
            set += n;
            candidates = store.triage_candidates(tenant, &CandidateScope::Scan(scan), None).await?;
        }
    }
    Ok(set)
}
