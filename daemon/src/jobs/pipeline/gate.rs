//! The policy gate at the scan's end: the engine's policy evaluation over the scan's results, the
//! project's triage and the vulnerability data it was matched against, stored with the scan.
//! The policy is the built-in default (`config/policy.default.toml`): stored policies and their
//! assignment to tenants and projects are not in the daemon yet.

use std::collections::HashMap;

use cairn_engine::policy::{self, CryptoFacts, Policy, PolicyInput, ProjectFacts, VulnFacts};
use cairn_sdk::types::GateResult;

use super::matching::Matched;
use super::scan::Scanned;
use super::{Job, Stop};

/// Evaluates the gate of the scan `ctx` runs for.
pub(super) async fn evaluate(
    ctx: &Job<'_>,
    scanned: &Scanned,
    matched: &Matched,
) -> Result<GateResult, Stop> {
    let Job { state, job, scan, .. } = *ctx;
    let project = match scan.project_id {
        Some(p) => {
            let p = state.store.project_get(job.tenant, p).await?;
            ProjectFacts { name: p.name, tags: p.tags }
        }
        None => ProjectFacts::default(),
    };
    let triage: HashMap<(String, String), cairn_sdk::types::TriageState> = state
        .store
        .triage_for_subject(job.tenant, scan.project_id, job.scan)
        .await?
        .into_iter()
        .map(|(key, t)| (key, t.state))
        .collect();
    let now = crate::store::now();
    let vulnerabilities = match (&matched.matches, &matched.snapshot) {
        (Some(m), Some(snap)) => {
            let mut v =
                VulnFacts::of(m, &snap.database, |f| triage.get(&(f.id.clone(), f.purl.clone())).copied());
            // The daemon knows when its data last changed, which says more than the records' dates.
            v.data_as_of = matched.snapshot_time;
            Some(v)
        }
        _ => None,
    };
    let engine = &scanned.engine;
    let input = PolicyInput {
        project,
        now,
        components: &engine.inventory.components,
        vulnerabilities,
        crypto: scanned
            .readiness
            .is_some()
            .then_some(CryptoFacts { uses: &engine.crypto, material: &engine.crypto_material }),
    };
    let result = policy::evaluate(&Policy::builtin_default(), &input);
    wire(&result, job.scan, scan.project_id, now)
}

/// The engine's gate result as the wire carries it: the same fields, plus the scan, its project
/// and the time of evaluation.
fn wire(
    g: &policy::GateResult,
    scan: cairn_sdk::types::ScanId,
    project: Option<cairn_sdk::types::ProjectId>,
    at: time::OffsetDateTime,
) -> Result<GateResult, Stop> {
    let mut v = serde_json::to_value(g).map_err(|e| Stop::Failed(format!("the gate result: {e}")))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("scan_id".into(), serde_json::json!(scan));
        o.insert("project_id".into(), serde_json::json!(project));
        o.insert(
            "evaluated_at".into(),
            serde_json::json!(at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()),
        );
    }
    serde_json::from_value(v).map_err(|e| Stop::Failed(format!("the gate result: {e}")))
}
