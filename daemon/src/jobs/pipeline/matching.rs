//! Matching: the inventory against the vulnerability snapshot, taken once; what it was (none,
//! stale, fresh) is recorded on the scan and said in its events.

use cairn_engine::vuln::{Database, Matches, match_inventory};
use cairn_sdk::types::{ScanStatus, VulnDataState, VulnDataUsed};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::scan::Scanned;
use super::{Stop, stale_after};
use crate::jobs::progress::Reporter;
use crate::state::AppState;

/// The match and the data it was made against.
pub(super) struct Matched {
    /// `None` when there was no vulnerability data at all.
    pub matches: Option<Matches>,
    pub used: VulnDataUsed,
    /// When the snapshot's data was last updated.
    pub snapshot_time: Option<OffsetDateTime>,
    /// The advisories matched against (the gate reads their publication dates from it).
    pub database: Option<std::sync::Arc<Database>>,
}

/// Matches the scanned inventory, reporting `matching` and then the data used with the finding
/// counts. The scan goes to the blocking thread and comes back with the match (no copy of the
/// inventory is made for the thread).
pub(super) async fn matching(
    state: &AppState,
    scanned: Scanned,
    reporter: &mut Reporter,
) -> Result<(Scanned, Matched), Stop> {
    reporter.state(ScanStatus::Matching, Some("matching"), 82, None).await?;
    let (snapshot, used) = loop {
        let snap = state.vulndb.snapshot();
        let used = state.vulndb.used(OffsetDateTime::now_utc(), stale_after(state));
        if used.snapshot == snap.as_ref().map(|s| s.id.clone()) {
            break (snap, used);
        }
    };
    let (scanned, matches, database): (Scanned, Option<Matches>, _) = match &snapshot {
        Some(snap) => {
            let database = snap
                .database
                .database_for(&state.store, &scanned.engine.inventory)
                .await
                .map_err(|e| Stop::Failed(format!("reading the vulnerability data failed: {e}")))?;
            let db = database.clone();
            let (scanned, m) = tokio::task::spawn_blocking(move || {
                let m = match_inventory(&scanned.engine.inventory, &db);
                (scanned, m)
            })
            .await
            .map_err(|e| Stop::Failed(format!("matching stopped unexpectedly: {e}")))?;
            (scanned, Some(m), Some(database))
        }
        None => (scanned, None, None),
    };
    if let Some(m) = &matches {
        reporter.counts.findings = m.findings.len() as u64;
        reporter.counts.warnings = m.warnings.len() as u64;
        reporter.counts.coverage = m.coverage.iter().map(wire_coverage).collect();
        for f in &m.findings {
            reporter.counts.severities.add(f.severity.rating);
        }
    }
    let message = vulndb_message(&used, reporter.counts.findings);
    reporter.matched(used.clone(), 88, message).await?;
    Ok((scanned, Matched { matches, used, snapshot_time: snapshot.as_ref().map(|s| s.updated_at), database }))
}

fn vulndb_message(used: &VulnDataUsed, findings: u64) -> String {
    match used.state {
        VulnDataState::None | VulnDataState::Unknown => {
            "NO vulnerability data: vulnerabilities were NOT checked (import OSV data with `cairnd vulndb import`)".into()
        }
        VulnDataState::Stale => format!(
            "vulnerability data is STALE (last updated {}): {findings} findings, some may be missing",
            used.updated_at.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| "never".into())
        ),
        VulnDataState::Fresh => format!("{findings} findings against {} advisories", used.advisories),
    }
}

/// The engine's coverage of one ecosystem as the wire carries it.
fn wire_coverage(c: &cairn_engine::vuln::EcosystemCoverage) -> cairn_sdk::types::EcosystemCoverage {
    use cairn_engine::vuln::GapReason as E;
    use cairn_sdk::types::GapReason as W;
    cairn_sdk::types::EcosystemCoverage {
        ecosystem: c.name(),
        components: c.components as u64,
        advisories: c.advisories as u64,
        evaluated: c.evaluated as u64,
        not_evaluated: c
            .not_evaluated
            .iter()
            .map(|g| cairn_sdk::types::CoverageGap {
                reason: match g.reason {
                    E::NoAdvisories => W::NoAdvisories,
                    E::NotRegistry => W::NotRegistry,
                    E::NoVersion => W::NoVersion,
                    E::NoRelease => W::NoRelease,
                    E::NoMatcher => W::NoMatcher,
                },
                components: g.components as u64,
                message: g.message.clone(),
            })
            .collect(),
    }
}
