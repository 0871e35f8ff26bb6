//! The CVE watch consumer: later hits of the tenant's watches, from the events that change a
//! project's latest results — `finding.new` (a project scan's new findings, or a re-match on new
//! data) for advisory watches, `scan.completed` of a project scan (its components) for package
//! watches. Each hit is recorded once per (watch, project, advisory, component) with its
//! `cve_watch.hit` event, in the consumer's batch; notifications and webhooks then take that
//! event like any other.

use cairn_sdk::types::{CveWatchId, Event, EventKind, FindingEventData, ScanEventData, ScanStatus};

use super::Matcher;
use crate::events::{Consumer, ConsumerFuture};
use crate::store::{EventBatch, HitCandidate, Store, StoreResult};

/// Records CVE watch hits.
#[derive(Debug, Default)]
pub struct WatchConsumer;

impl Consumer for WatchConsumer {
    fn name(&self) -> &'static str {
        "cve_watches"
    }

    fn handle<'a>(&'a self, store: &'a Store, batch: &'a mut EventBatch) -> ConsumerFuture<'a> {
        Box::pin(async move {
            let events: Vec<Event> = batch
                .events
                .iter()
                .filter(|e| {
                    matches!(e.kind, EventKind::FindingNew | EventKind::ScanCompleted) && e.project.is_some()
                })
                .cloned()
                .collect();
            if events.is_empty() {
                return Ok(());
            }
            let watches: Vec<(CveWatchId, cairn_sdk::types::WatchTarget, Matcher)> = batch
                .cve_watches(store.backend())
                .await?
                .into_iter()
                .filter_map(|(id, target)| match Matcher::new(&target) {
                    Ok(m) => Some((id, target, m)),
                    Err(e) => {
                        // Checked on creation; one that no longer reads is skipped loudly.
                        tracing::error!(watch = %id, error = %e, "a stored CVE watch does not read; skipped");
                        None
                    }
                })
                .collect();
            if watches.is_empty() {
                return Ok(());
            }
            for event in &events {
                for candidate in candidates(batch, event, &watches).await? {
                    for (id, target, m) in &watches {
                        if m.hits(&candidate) && batch.cve_watch_hit(*id, target, &candidate).await? {
                            tracing::info!(watch = %id, project = %candidate.project, purl = %candidate.purl, "CVE watch hit");
                        }
                    }
                }
            }
            Ok(())
        })
    }

    // Its commits carry new events: the other consumers and the sockets hear of them at once.
    fn wakes_readers(&self) -> bool {
        true
    }
}

/// The places `event` put in a project's latest results that some watch may name.
async fn candidates(
    batch: &mut EventBatch,
    event: &Event,
    watches: &[(CveWatchId, cairn_sdk::types::WatchTarget, Matcher)],
) -> StoreResult<Vec<HitCandidate>> {
    let Some(project) = event.project else { return Ok(Vec::new()) };
    match event.kind {
        EventKind::FindingNew => {
            let Ok(f) = event.data_as::<FindingEventData>() else {
                tracing::warn!(event = %event.id, "a finding.new event without its finding; no watch can hit it");
                return Ok(Vec::new());
            };
            Ok(vec![HitCandidate {
                project,
                scan: f.scan,
                advisory: Some(f.advisory),
                aliases: f.aliases,
                purl: f.purl,
                finding: Some(f.finding),
                severity: Some(f.severity),
            }])
        }
        EventKind::ScanCompleted => {
            let Ok(s) = event.data_as::<ScanEventData>() else { return Ok(Vec::new()) };
            if s.status != ScanStatus::Completed {
                return Ok(Vec::new());
            }
            let mut bases: Vec<&str> = watches.iter().filter_map(|(_, _, m)| m.base()).collect();
            bases.sort_unstable();
            bases.dedup();
            let mut out = Vec::new();
            for base in bases {
                out.extend(batch.cve_watch_scan_components(s.scan, base).await?);
            }
            Ok(out)
        }
        _ => Ok(Vec::new()),
    }
}
