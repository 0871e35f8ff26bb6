//! Storing: the gate evaluated, the rows built (components and edges a batch at a time as they
//! are inserted), the readiness summary, then every result in one transaction, the triage rules applied to the new findings, the gate
//! (evaluated again when a rule triaged something), and the `completed` event.

use cairn_engine::crypto::quantum::{METHODOLOGY, Readiness};
use cairn_sdk::types::{PqcSummary, ScanCounts, ScanStatus, VulnDataState, VulnDataUsed};

use super::matching::Matched;
use super::render::Rendered;
use super::rows::build_results;
use super::{Job, Stop, check};
use crate::jobs::progress::Reporter;

/// Builds the rows and stores them with the documents, reporting `storing` then `completed`.
/// The inventory lives in the documents' input, read in place; it goes when this returns.
pub(super) async fn store(
    ctx: &Job<'_>,
    readiness: Option<Readiness>,
    matched: Matched,
    rendered: Rendered,
    reporter: &mut Reporter,
) -> Result<(), Stop> {
    let Job { state, job, scan, cancel } = *ctx;
    let (gate, facts) = super::gate::evaluate(ctx, &rendered.input, readiness.is_some(), &matched).await?;
    let Matched { matches, used, snapshot_time, .. } = matched;
    let Rendered { input, packed, documents, stamp } = rendered;
    let mut built = build_results(&stamp, &input, matches.as_ref(), snapshot_time, documents);
    drop(matches);
    built.bom_input = Some(packed);
    reporter.counts.crypto_assets = built.crypto.len() as u64;
    built.pqc = readiness.map(|r| PqcSummary {
        score: r.score,
        methodology: METHODOLOGY.to_owned(),
        rated: r.rated,
        safe: r.safe,
        quantum_vulnerable: r.vulnerable,
        assets: reporter.counts.crypto_assets,
    });
    check(cancel)?;
    reporter.state(ScanStatus::Evaluating, Some("storing"), 95, Some("storing results".into())).await?;
    state.store.scan_store_results(job.tenant, job.scan, scan.project_id, built).await?;
    // Stored: the inventory and the documents' input are not needed any more.
    drop(input);
    // Triage rules apply to the new findings before anyone can see the scan completed.
    let triaged =
        crate::triage::rules::apply_to_scan(&state.store, job.tenant, job.scan, crate::store::now()).await?;
    if triaged > 0 {
        tracing::info!(scan = %job.scan, triaged, "triage rules applied");
    }
    // The gate names its stored policy (none for the built-in default). A failing gate is a
    // `gate.failed` event.
    state.store.gate_store(job.tenant, &gate, &facts).await?;
    if triaged > 0 {
        // The gate above saw the findings before the rules triaged them.
        if let Err(e) = super::gate::reevaluate(state, job.tenant, job.scan).await {
            tracing::warn!(scan = %job.scan, error = %e, "could not evaluate the gate after triage rules");
        }
    }
    reporter
        .state(ScanStatus::Completed, None, 100, Some(completed_message(&reporter.counts, &used)))
        .await?;
    Ok(())
}

fn completed_message(c: &ScanCounts, used: &VulnDataUsed) -> String {
    let vulns = match used.state {
        VulnDataState::None | VulnDataState::Unknown => {
            "vulnerabilities NOT checked (no vulnerability data)".to_owned()
        }
        VulnDataState::Stale => format!("{} findings (vulnerability data STALE)", c.findings),
        VulnDataState::Fresh => format!("{} findings", c.findings),
    };
    // Never "0 findings" alone when an ecosystem had no data: say how many were not evaluated.
    let not_evaluated: u64 = c.coverage.iter().map(|e| e.not_evaluated_count()).sum();
    let gaps = if not_evaluated > 0 {
        format!(" ({not_evaluated} components not evaluated)")
    } else {
        String::new()
    };
    format!(
        "{} components, {vulns}{gaps}, {} warnings, {} crypto assets",
        c.components, c.warnings, c.crypto_assets
    )
}
