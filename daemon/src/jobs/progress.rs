//! A running scan's progress: each state change and (throttled) engine step becomes a
//! `scan_events` row and the scan row's status, then goes out on the bus. The overall percent
//! never goes back, across retries too.

use std::time::{Duration, Instant};

use cairn_engine::Step;
use cairn_sdk::types::{ScanCounts, ScanEvent, ScanId, ScanStatus, TenantId, VulnDataUsed};

use super::bus::BusEvent;
use crate::state::AppState;
use crate::store::{Progress, StoreResult};

/// Engine progress is written at most this often (and on every step change).
const THROTTLE: Duration = Duration::from_millis(250);

/// Where an engine step sits in the overall percent: `(start, end)`.
fn engine_span(step: Step) -> (u8, u8) {
    match step {
        Step::Walking => (5, 15),
        Step::Cataloging => (15, 50),
        Step::Licenses => (50, 65),
        Step::Crypto => (65, 80),
    }
}

/// The step's wire name.
pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Walking => "walking",
        Step::Cataloging => "cataloging",
        Step::Licenses => "licenses",
        Step::Crypto => "crypto",
    }
}

/// Writes one scan's events.
pub struct Reporter {
    state: AppState,
    tenant: TenantId,
    scan: ScanId,
    percent: u8,
    status: ScanStatus,
    /// Counts so far, sent with every event.
    pub counts: ScanCounts,
    last_engine: Option<(Step, u8, Instant)>,
    /// The scan's upload file: removed once the end is stored (that deletes its row), before the
    /// end is published, so whoever sees the end sees the file gone.
    upload_file: Option<std::path::PathBuf>,
}

impl Reporter {
    /// Starts at `floor` percent (where an earlier attempt got to).
    pub fn new(state: AppState, tenant: TenantId, scan: ScanId, floor: u8, counts: ScanCounts) -> Self {
        Self {
            state,
            tenant,
            scan,
            percent: floor,
            status: ScanStatus::Queued,
            counts,
            last_engine: None,
            upload_file: None,
        }
    }

    /// The upload file to remove when the scan ends.
    pub fn with_upload_file(mut self, file: Option<std::path::PathBuf>) -> Self {
        self.upload_file = file;
        self
    }

    /// The status last written.
    pub fn status(&self) -> ScanStatus {
        self.status
    }

    /// Records a state change (always written).
    pub async fn state(
        &mut self,
        status: ScanStatus,
        step: Option<&str>,
        percent: u8,
        message: Option<String>,
    ) -> StoreResult<ScanEvent> {
        self.write(status, step, percent, message, None, None).await
    }

    /// Records the vulnerability data used, with its state change.
    pub async fn matched(
        &mut self,
        used: VulnDataUsed,
        percent: u8,
        message: String,
    ) -> StoreResult<ScanEvent> {
        self.write(ScanStatus::Matching, Some("matched"), percent, Some(message), None, Some(used)).await
    }

    /// Records a failure with the user's error text.
    pub async fn failed(&mut self, error: String) -> StoreResult<ScanEvent> {
        let percent = self.percent;
        self.write(ScanStatus::Failed, None, percent, Some(error.clone()), Some(error), None).await
    }

    /// Records an engine progress report, throttled: a new step, or a percent change at most
    /// every 250 ms.
    pub async fn engine(&mut self, step: Step, step_percent: Option<u8>, detail: &str) -> StoreResult<()> {
        let (start, end) = engine_span(step);
        let within = u16::from(step_percent.unwrap_or(0).min(100));
        let overall = u8::try_from(u16::from(start) + (u16::from(end - start) * within) / 100).unwrap_or(end);
        let now = Instant::now();
        let due = match self.last_engine {
            None => true,
            Some((s, p, t)) => s != step || (p != overall && now.duration_since(t) >= THROTTLE),
        };
        if !due {
            return Ok(());
        }
        self.last_engine = Some((step, overall, now));
        let message = (!detail.is_empty()).then(|| detail.to_owned());
        self.write(ScanStatus::Scanning, Some(step_name(step)), overall, message, None, None).await?;
        Ok(())
    }

    async fn write(
        &mut self,
        status: ScanStatus,
        step: Option<&str>,
        percent: u8,
        message: Option<String>,
        error: Option<String>,
        vulndb: Option<VulnDataUsed>,
    ) -> StoreResult<ScanEvent> {
        self.percent = self.percent.max(percent.min(100));
        self.status = status;
        let p = Progress {
            status,
            step: step.map(str::to_owned),
            percent: self.percent,
            message,
            counts: self.counts.clone(),
            error,
            vulndb,
        };
        let event = self.state.store.scan_progress(self.tenant, self.scan, &p).await?;
        if status.is_terminal()
            && let Some(file) = self.upload_file.take()
        {
            crate::uploads::files::remove(&file).await;
        }
        self.state
            .jobs
            .bus
            .publish(&self.state.store, BusEvent { tenant: self.tenant, event: event.clone() })
            .await;
        Ok(event)
    }
}
