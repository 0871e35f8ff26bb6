//! One finding against the tenant's triage SLA: its deadline runs from when its (advisory, purl)
//! was first found in the project; a decision's time is its triage's last change, so a later
//! re-triage counts as late, never an early one as on time. The CRA checklist and the controls
//! judge with it.

use std::collections::HashMap;

use cairn_sdk::types::{Finding, TriageSla, TriageState};
use time::{Duration, OffsetDateTime};

/// Where one finding stands against the SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaVerdict {
    /// Its severity has no deadline in the SLA.
    NoDeadline,
    /// Decided by its deadline.
    DecidedOnTime,
    /// Not decided yet, and its deadline is still ahead.
    Pending,
    /// Decided after its deadline, or still undecided past it.
    Late,
}

impl SlaVerdict {
    /// Within the SLA so far (decided on time, or still within its deadline).
    pub fn on_time(self) -> bool {
        matches!(self, SlaVerdict::DecidedOnTime | SlaVerdict::Pending)
    }
}

/// `f` against `sla` at `now`; `first_seen` keyed by (advisory, purl), the finding's own creation
/// when absent.
pub fn verdict(
    f: &Finding,
    sla: &TriageSla,
    first_seen: &HashMap<(String, String), OffsetDateTime>,
    now: OffsetDateTime,
) -> SlaVerdict {
    let Some(days) = sla.days_for(f.finding.severity) else {
        return SlaVerdict::NoDeadline;
    };
    let key = (f.finding.vulnerability_id.clone(), f.finding.purl.clone());
    let seen = first_seen.get(&key).copied().unwrap_or(f.finding.created_at);
    let deadline = seen + Duration::days(i64::from(days));
    let decided_at = f.triage.as_ref().filter(|t| t.state != TriageState::InTriage).map(|t| t.updated_at);
    match decided_at {
        Some(at) if at <= deadline => SlaVerdict::DecidedOnTime,
        Some(_) => SlaVerdict::Late,
        None if now <= deadline => SlaVerdict::Pending,
        None => SlaVerdict::Late,
    }
}
