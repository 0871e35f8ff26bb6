//! The policy gate: evaluated at the scan's end (the engine's policy evaluation over the scan's
//! results, the project's triage and the vulnerability data it was matched against) and again
//! when a triage decision, the policy, its assignment or an approval changes (`reevaluate`, from
//! the stored facts and document input), and when a re-match changes what the data says of the
//! scan (`reevaluate_rematched`, with the new match in place of the stored one). The policy is the project's assigned one, else the
//! tenant default, else the built-in default (`config/policy.default.toml`); the project's
//! approved exceptions in force are applied (`policy::apply_exceptions`).

use std::collections::HashMap;

use cairn_engine::bom::BomInput;
use cairn_engine::policy::{self, CryptoFacts, Exception, Policy, PolicyInput, ProjectFacts, VulnFacts};
use cairn_sdk::types::{GateResult, PolicyId, ProjectId, ScanId, TenantId, TriageState};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::matching::Matched;
use super::{Job, Stop};
use crate::state::AppState;
use crate::store::StoreError;

/// What a gate is evaluated over besides the document input (components, crypto), stored with
/// the gate so a triage change can evaluate it again.
#[derive(Debug, Serialize, Deserialize)]
struct GateFacts {
    project: ProjectFacts,
    vulnerabilities: Option<VulnFacts>,
    /// Whether the scan inventoried cryptography (an empty inventory is then "none found").
    crypto: bool,
}

/// Why a gate could not be evaluated again.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored input that does not read back.
    #[error("{0}")]
    Input(String),
}

type TriageMap = HashMap<(String, String), TriageState>;

async fn triage(
    state: &AppState,
    tenant: TenantId,
    project: Option<ProjectId>,
    scan: ScanId,
) -> Result<TriageMap, StoreError> {
    Ok(state
        .store
        .triage_for_subject(tenant, project, scan)
        .await?
        .into_iter()
        .map(|(key, t)| (key, t.state))
        .collect())
}

/// The policy `project`'s gate uses — its own, else the tenant default, else the built-in
/// default — at its stored revision, with the stored policy's id.
pub async fn policy_for(
    state: &AppState,
    tenant: TenantId,
    project: Option<ProjectId>,
) -> Result<(Policy, Option<PolicyId>), GateError> {
    let (_, stored) = state.store.policy_effective(tenant, project).await?;
    let Some(stored) = stored else { return Ok((Policy::builtin_default(), None)) };
    // Checked when it was stored; a document that no longer reads is named, not replaced.
    let mut policy = Policy::parse(&stored.document).map_err(|e| {
        GateError::Input(format!("stored policy {} revision {}: {e}", stored.id, stored.revision))
    })?;
    policy.revision = stored.revision;
    Ok((policy, Some(stored.id)))
}

/// The approved exceptions of `project` in force at `at` (none for an ad-hoc scan).
async fn exceptions(
    state: &AppState,
    tenant: TenantId,
    project: Option<ProjectId>,
    at: OffsetDateTime,
) -> Result<Vec<Exception>, StoreError> {
    let Some(project) = project else { return Ok(Vec::new()) };
    Ok(state
        .store
        .approvals_active(tenant, project, at)
        .await?
        .into_iter()
        .map(|a| Exception {
            id: a.id.to_string(),
            rule: a.rule,
            subject: a.subject_key,
            expires_at: a.expires_at,
        })
        .collect())
}

/// Evaluates the gate of the scan `ctx` runs for over the documents' input (the scan's
/// inventory and crypto, moved there) and whether crypto was inventoried; the result and its
/// facts as JSON.
pub(super) async fn evaluate(
    ctx: &Job<'_>,
    input: &BomInput,
    crypto: bool,
    matched: &Matched,
) -> Result<(GateResult, String), Stop> {
    let Job { state, job, scan, .. } = *ctx;
    let project = match scan.project_id {
        Some(p) => {
            let p = state.store.project_get(job.tenant, p).await?;
            ProjectFacts { name: p.name, tags: p.tags }
        }
        None => ProjectFacts::default(),
    };
    let vulnerabilities = match (&matched.matches, &matched.database) {
        (Some(m), Some(db)) => {
            let mut v = VulnFacts::of(m, db, |_| None);
            // The daemon knows when its data last changed, which says more than the records' dates.
            v.data_as_of = matched.snapshot_time;
            Some(v)
        }
        _ => None,
    };
    let facts = GateFacts { project, vulnerabilities, crypto };
    let triage = triage(state, job.tenant, scan.project_id, job.scan).await?;
    let now = crate::store::now();
    let (policy, stored) = policy_for(state, job.tenant, scan.project_id).await.map_err(|e| match e {
        GateError::Store(s) => Stop::Store(s),
        GateError::Input(m) => Stop::Failed(m),
    })?;
    let exceptions = exceptions(state, job.tenant, scan.project_id, now).await?;
    let parts = Parts {
        components: &input.inventory.components,
        uses: &input.crypto,
        material: &input.crypto_material,
    };
    let result = gate_of(&policy, &facts, &triage, parts, &exceptions, now);
    let json = serde_json::to_string(&facts).map_err(|e| Stop::Failed(format!("the gate's facts: {e}")))?;
    Ok((wire(&result, job.scan, scan.project_id, stored, now).map_err(Stop::Failed)?, json))
}

/// Evaluates a stored scan's gate again with the current triage, policy and exceptions and
/// stores it; nothing to do for a scan without a gate.
pub async fn reevaluate(state: &AppState, tenant: TenantId, scan: ScanId) -> Result<(), GateError> {
    reevaluate_at(state, tenant, scan, crate::store::now()).await
}

/// [`reevaluate`] as of `at` (which exceptions are in force, the policy's notion of now): the
/// clock seam the expiry tests inject time through.
pub async fn reevaluate_at(
    state: &AppState,
    tenant: TenantId,
    scan: ScanId,
    at: OffsetDateTime,
) -> Result<(), GateError> {
    let facts = match state.store.gate_facts(tenant, scan).await {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let facts: GateFacts =
        serde_json::from_str(&facts).map_err(|e| GateError::Input(format!("stored gate facts: {e}")))?;
    let Some(packed) = state.store.scan_bom_input(tenant, scan).await? else {
        return Err(GateError::Input("the scan's document input was not kept".into()));
    };
    let input: BomInput = crate::jobs::documents::unpack(&packed).map_err(GateError::Input)?;
    evaluate_and_store(state, tenant, scan, &facts, &input, at).await
}

/// After a re-match of `scan` (a project's latest) against new data: its gate evaluated again
/// over `vulnerabilities`, the new match, when they differ from the facts it was last evaluated
/// over (new or closed findings, or only the data's date, which the data-age rules read). The
/// comparison, not the re-match's count of changes, decides, so a re-match resumed after a crash
/// between its findings and this still brings the gate up to date. Whether it was evaluated;
/// nothing to do for a scan without a gate.
pub async fn reevaluate_rematched(
    state: &AppState,
    tenant: TenantId,
    scan: ScanId,
    input: &BomInput,
    vulnerabilities: VulnFacts,
    at: OffsetDateTime,
) -> Result<bool, GateError> {
    let facts = match state.store.gate_facts(tenant, scan).await {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let mut facts: GateFacts =
        serde_json::from_str(&facts).map_err(|e| GateError::Input(format!("stored gate facts: {e}")))?;
    if facts.vulnerabilities.as_ref() == Some(&vulnerabilities) {
        return Ok(false);
    }
    facts.vulnerabilities = Some(vulnerabilities);
    evaluate_and_store(state, tenant, scan, &facts, input, at).await?;
    Ok(true)
}

/// Evaluates `scan`'s gate over `facts` and its document input with the current triage, policy
/// and exceptions in force at `at`, and stores the result with the facts.
async fn evaluate_and_store(
    state: &AppState,
    tenant: TenantId,
    scan: ScanId,
    facts: &GateFacts,
    input: &BomInput,
    at: OffsetDateTime,
) -> Result<(), GateError> {
    let row = state.store.scan_get(tenant, scan).await?;
    let triage = triage(state, tenant, row.project_id, scan).await?;
    let (policy, stored) = policy_for(state, tenant, row.project_id).await?;
    let exceptions = exceptions(state, tenant, row.project_id, at).await?;
    let parts = Parts {
        components: &input.inventory.components,
        uses: &input.crypto,
        material: &input.crypto_material,
    };
    let result = gate_of(&policy, facts, &triage, parts, &exceptions, at);
    let json =
        serde_json::to_string(facts).map_err(|e| GateError::Input(format!("the gate's facts: {e}")))?;
    let g = wire(&result, scan, row.project_id, stored, at).map_err(GateError::Input)?;
    // Becoming failing is a `gate.failed` event (store/gates.rs).
    state.store.gate_store(tenant, &g, &json).await?;
    Ok(())
}

/// Evaluates again the latest gate of `project` as of `at`; nothing to do for a project without one.
pub async fn reevaluate_project(
    state: &AppState,
    tenant: TenantId,
    project: ProjectId,
    at: OffsetDateTime,
) -> Result<(), GateError> {
    match state.store.gate_latest_scan(tenant, project).await {
        Ok(scan) => reevaluate_at(state, tenant, scan, at).await,
        Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Evaluates again the gate a triage decision on a finding of `scan` touches: its project's
/// latest gate (project triage applies to the project's scans), or the ad-hoc scan's own.
pub async fn reevaluate_after_triage(
    state: &AppState,
    tenant: TenantId,
    project: Option<ProjectId>,
    scan: ScanId,
) -> Result<(), GateError> {
    let scan = match project {
        Some(p) => match state.store.gate_latest_scan(tenant, p).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        },
        None => scan,
    };
    reevaluate(state, tenant, scan).await
}

/// The scan's own parts of the policy input.
#[derive(Clone, Copy)]
struct Parts<'a> {
    components: &'a [cairn_engine::Component],
    uses: &'a [cairn_engine::crypto::CryptoUse],
    material: &'a [cairn_engine::crypto::material::CryptoMaterial],
}

/// `policy` over the facts with `triage` laid on the findings, then the exceptions in force at `at`.
fn gate_of(
    policy: &Policy,
    facts: &GateFacts,
    triage: &TriageMap,
    parts: Parts<'_>,
    exceptions: &[Exception],
    at: OffsetDateTime,
) -> policy::GateResult {
    let Parts { components, uses, material } = parts;
    let vulnerabilities = facts.vulnerabilities.clone().map(|mut v| {
        for f in &mut v.findings {
            f.triage = triage.get(&(f.advisory.to_string(), f.purl.to_string())).copied();
        }
        v
    });
    let input = PolicyInput {
        project: facts.project.clone(),
        now: at,
        components,
        vulnerabilities,
        crypto: facts.crypto.then_some(CryptoFacts { uses, material }),
    };
    let mut result = policy::evaluate(policy, &input);
    policy::apply_exceptions(&mut result, exceptions, at);
    result
}

/// The engine's gate result as the wire carries it: the same fields, plus the scan, its project,
/// the stored policy's id and the time of evaluation.
fn wire(
    g: &policy::GateResult,
    scan: ScanId,
    project: Option<ProjectId>,
    stored: Option<PolicyId>,
    at: time::OffsetDateTime,
) -> Result<GateResult, String> {
    let mut v = serde_json::to_value(g).map_err(|e| format!("the gate result: {e}"))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("scan_id".into(), serde_json::json!(scan));
        o.insert("project_id".into(), serde_json::json!(project));
        o.insert(
            "evaluated_at".into(),
            serde_json::json!(at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()),
        );
    }
    let mut g: GateResult = serde_json::from_value(v).map_err(|e| format!("the gate result: {e}"))?;
    g.policy.stored_id = stored;
    Ok(g)
}
