//! The policy gate: evaluated at the scan's end (the engine's policy evaluation over the scan's
//! results, the project's triage and the vulnerability data it was matched against) and again
//! when a triage decision changes (`reevaluate`, from the stored facts and document input).
//! The policy is the built-in default (`config/policy.default.toml`): stored policies and their
//! assignment to tenants and projects are not in the daemon yet.

use std::collections::HashMap;

use cairn_engine::bom::BomInput;
use cairn_engine::policy::{self, CryptoFacts, Policy, PolicyInput, ProjectFacts, VulnFacts};
use cairn_sdk::types::{GateResult, ProjectId, ScanId, TenantId, TriageState};
use serde::{Deserialize, Serialize};

use super::matching::Matched;
use super::scan::Scanned;
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

/// Evaluates the gate of the scan `ctx` runs for; the result and its facts as JSON.
pub(super) async fn evaluate(
    ctx: &Job<'_>,
    scanned: &Scanned,
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
    let vulnerabilities = match (&matched.matches, &matched.snapshot) {
        (Some(m), Some(snap)) => {
            let mut v = VulnFacts::of(m, &snap.database, |_| None);
            // The daemon knows when its data last changed, which says more than the records' dates.
            v.data_as_of = matched.snapshot_time;
            Some(v)
        }
        _ => None,
    };
    let facts = GateFacts { project, vulnerabilities, crypto: scanned.readiness.is_some() };
    let triage = triage(state, job.tenant, scan.project_id, job.scan).await?;
    let engine = &scanned.engine;
    let result =
        gate_of(&facts, &triage, &engine.inventory.components, &engine.crypto, &engine.crypto_material);
    let json = serde_json::to_string(&facts).map_err(|e| Stop::Failed(format!("the gate's facts: {e}")))?;
    let now = crate::store::now();
    Ok((wire(&result, job.scan, scan.project_id, now).map_err(Stop::Failed)?, json))
}

/// Evaluates a stored scan's gate again with the current triage and stores it; nothing to do
/// for a scan without a gate.
pub async fn reevaluate(state: &AppState, tenant: TenantId, scan: ScanId) -> Result<(), GateError> {
    let facts = match state.store.gate_facts(tenant, scan).await {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let facts: GateFacts =
        serde_json::from_str(&facts).map_err(|e| GateError::Input(format!("stored gate facts: {e}")))?;
    let row = state.store.scan_get(tenant, scan).await?;
    let Some(packed) = state.store.scan_bom_input(tenant, scan).await? else {
        return Err(GateError::Input("the scan's document input was not kept".into()));
    };
    let input: BomInput = crate::jobs::documents::unpack(&packed).map_err(GateError::Input)?;
    let triage = triage(state, tenant, row.project_id, scan).await?;
    let result = gate_of(&facts, &triage, &input.inventory.components, &input.crypto, &input.crypto_material);
    let json =
        serde_json::to_string(&facts).map_err(|e| GateError::Input(format!("the gate's facts: {e}")))?;
    let g = wire(&result, scan, row.project_id, crate::store::now()).map_err(GateError::Input)?;
    // The built-in default policy: no stored policy id. Becoming failing is a `gate.failed` event.
    state.store.gate_store(tenant, None, &g, &json).await?;
    Ok(())
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

/// The built-in default policy over the facts with `triage` laid on the findings.
fn gate_of(
    facts: &GateFacts,
    triage: &TriageMap,
    components: &[cairn_engine::Component],
    uses: &[cairn_engine::crypto::CryptoUse],
    material: &[cairn_engine::crypto::material::CryptoMaterial],
) -> policy::GateResult {
    let vulnerabilities = facts.vulnerabilities.clone().map(|mut v| {
        for f in &mut v.findings {
            f.triage = triage.get(&(f.advisory.clone(), f.purl.clone())).copied();
        }
        v
    });
    let input = PolicyInput {
        project: facts.project.clone(),
        now: crate::store::now(),
        components,
        vulnerabilities,
        crypto: facts.crypto.then_some(CryptoFacts { uses, material }),
    };
    policy::evaluate(&Policy::builtin_default(), &input)
}

/// The engine's gate result as the wire carries it: the same fields, plus the scan, its project
/// and the time of evaluation.
fn wire(
    g: &policy::GateResult,
    scan: ScanId,
    project: Option<ProjectId>,
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
    serde_json::from_value(v).map_err(|e| format!("the gate result: {e}"))
}
