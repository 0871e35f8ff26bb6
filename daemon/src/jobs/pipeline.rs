//! One scan job: fetching (obtain the source) -> scanning (the engine, with progress and cancel
//! through its sink) -> matching (the vulnerability snapshot; none or stale said loudly) ->
//! evaluating (counts, every document rendered once, results stored in one transaction) ->
//! completed. The work directory goes when the `Obtained` is dropped, whatever happens.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use cairn_engine::bom::{BomInput, Format, render, to_cbom};
use cairn_engine::crypto::quantum::{METHODOLOGY, readiness};
use cairn_engine::inventory::Inventory;
use cairn_engine::vuln::{Matches, WarningKind as EngineWarningKind, match_inventory};
use cairn_engine::{Progress, ScanOptions, ScanSink, Step, scan_path};
use cairn_sdk::types::{
    BomFormat, CryptoAsset, PqcSummary, ScanComponent, ScanCounts, ScanDiagnostic, ScanStatus, ScanWarning,
    VulnDataState, VulnDataUsed, WarningKind,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;

use super::documents;
use super::progress::Reporter;
use super::queue::{JobPayload, source_policy};
use crate::sources::{self, Obtained};
use crate::state::AppState;
use crate::store::{
    ClaimedJob, NewComponent, NewDocument, NewFinding, NewVulnerability, ScanResults, StoreError,
};

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Completed; results and documents stored.
    Completed,
    /// Stopped on request.
    Cancelled,
    /// Failed; the text is the user's.
    Failed(String),
}

/// Why a pipeline stopped early.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// Vulnerability data not known current for longer than this is stale (`[vulndb] stale_after_secs`).
pub fn stale_after(state: &AppState) -> time::Duration {
    state.config.vulndb.stale_after()
}

/// Runs the job to its end and records that end on the scan (except when the job was taken
/// away, which the worker reports).
pub async fn run(state: &AppState, job: &ClaimedJob, cancel: Arc<AtomicBool>) -> Outcome {
    let scan = match state.store.scan_get(job.tenant, job.scan).await {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(format!("the scan row could not be read: {e}")),
    };
    let mut reporter =
        Reporter::new(state.clone(), job.tenant, job.scan, scan.percent, ScanCounts::default());
    let result = steps(state, job, &scan, &cancel, &mut reporter).await;
    let outcome = match result {
        Ok(()) => Outcome::Completed,
        Err(Stop::Cancelled) => Outcome::Cancelled,
        Err(Stop::Failed(msg)) => Outcome::Failed(msg),
        Err(Stop::Store(e)) => {
            tracing::error!(error = %e, scan = %job.scan, "scan failed on storage");
            Outcome::Failed("the scan could not be stored (database error; see the daemon log)".into())
        }
    };
    let end = match &outcome {
        Outcome::Completed => Ok(()),
        Outcome::Cancelled => {
            let pct = 0;
            reporter
                .state(ScanStatus::Cancelled, None, pct, Some("cancelled on request".into()))
                .await
                .map(|_| ())
        }
        Outcome::Failed(msg) => reporter.failed(msg.clone()).await.map(|_| ()),
    };
    if let Err(e) = end {
        tracing::error!(error = %e, scan = %job.scan, "could not record the scan's end");
    }
    outcome
}

/// Resolves once a cancel was requested (the flag has no waker; a quarter second is soon enough).
async fn cancelled(cancel: &AtomicBool) {
    while !cancel.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn check(cancel: &AtomicBool) -> Result<(), Stop> {
    if cancel.load(Ordering::SeqCst) { Err(Stop::Cancelled) } else { Ok(()) }
}

async fn steps(
    state: &AppState,
    job: &ClaimedJob,
    scan: &cairn_sdk::types::Scan,
    cancel: &Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<(), Stop> {
    let payload: JobPayload = serde_json::from_str(&job.payload)
        .map_err(|e| Stop::Failed(format!("the job's source is unreadable: {e}")))?;
    let attempt = if job.attempts > 1 { format!(" (attempt {})", job.attempts) } else { String::new() };
    reporter
        .state(
            ScanStatus::Fetching,
            Some("obtaining"),
            2,
            Some(format!("obtaining the {} source{attempt}", scan.source.kind())),
        )
        .await?;
    check(cancel)?;
    // Obtaining is cancelled by dropping it (the clone or extraction is killed, its work
    // directory removed), so a cancel does not wait for a long clone to finish.
    let policy = source_policy(state);
    let spooled = super::spool::spool(state, job, &payload.source, &policy).await.map_err(Stop::Failed)?;
    let spec = payload.source.spec(&spooled.file);
    let obtained = tokio::select! {
        r = sources::obtain(&spec, &policy) => r.map_err(|e| Stop::Failed(e.to_string()))?,
        _ = cancelled(cancel) => return Err(Stop::Cancelled),
    };
    // Extracted or read: the spooled copy is not needed any more (the row stays until the end).
    drop(spooled);
    check(cancel)?;

    let scanned_tree = matches!(obtained, Obtained::Tree { .. });
    let engine_scan = match obtained {
        Obtained::Tree { root, workdir, revision, notes } => {
            let detail = match &revision {
                Some(rev) => format!("scanning the tree at commit {rev}"),
                None => "scanning the tree".into(),
            };
            reporter.state(ScanStatus::Scanning, Some("walking"), 5, Some(detail)).await?;
            let result = run_engine(root, payload.crypto, cancel.clone(), reporter).await;
            drop(workdir);
            let mut scanned = result?;
            // What obtaining left out (links, special files in an archive) is part of the record.
            scanned
                .inventory
                .diagnostics
                .extend(notes.into_iter().map(|n| cairn_engine::Diagnostic::warning("", None, n)));
            scanned
        }
        Obtained::Sbom(read) => {
            // A document has no tree: its inventory goes straight to matching.
            cairn_engine::Scan { inventory: read.inventory, ..Default::default() }
        }
    };
    check(cancel)?;
    // Scored by the engine (cairn-cbom-v1) from what the crypto stage found; none without it.
    let readiness = (payload.crypto && scanned_tree).then(|| readiness(&engine_scan.crypto));
    let inv = &engine_scan.inventory;
    reporter.counts.components = inv.components.len() as u64;
    reporter.counts.diagnostics = inv.diagnostics.len() as u64;
    reporter.counts.licensed_components =
        inv.components.iter().filter(|c| c.licenses.concluded.is_some()).count() as u64;

    // Matching: the snapshot taken once; what it was is recorded on the scan.
    reporter.state(ScanStatus::Matching, Some("matching"), 82, None).await?;
    let (snapshot, used) = loop {
        let snap = state.vulndb.snapshot();
        let used = state.vulndb.used(OffsetDateTime::now_utc(), stale_after(state));
        if used.snapshot == snap.as_ref().map(|s| s.id.clone()) {
            break (snap, used);
        }
    };
    let matches: Option<Matches> = match &snapshot {
        Some(snap) => {
            let snap = snap.clone();
            let inventory = engine_scan.inventory.clone();
            Some(
                tokio::task::spawn_blocking(move || match_inventory(&inventory, &snap.database))
                    .await
                    .map_err(|e| Stop::Failed(format!("matching stopped unexpectedly: {e}")))?,
            )
        }
        None => None,
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
    check(cancel)?;

    // Evaluating: every document, one at a time with an event each (big trees take a while),
    // then the rows, then one transaction.
    let stamp = document_timestamp();
    let name = project_name(state, job, scan).await;
    // Triage given earlier (a project's, surviving re-scans) is stated in the documents.
    let triage = state.store.triage_for_subject(job.tenant, scan.project_id, job.scan).await?;
    let triage_stamp = documents::stamp(&triage);
    let mut input = BomInput::from_scan(name, None, stamp.clone(), &engine_scan, matches.as_ref());
    documents::apply(&mut input, &triage);
    let bom_input = documents::pack(&input).map_err(Stop::Failed)?;
    let input = Arc::new(input);
    let mut documents = Vec::new();
    let mut cbom_json = None;
    for (i, format) in BomFormat::ALL.into_iter().enumerate() {
        check(cancel)?;
        let pct = 90 + u8::try_from(i * 5 / BomFormat::ALL.len()).unwrap_or(0);
        reporter
            .state(
                ScanStatus::Evaluating,
                Some("documents"),
                pct,
                Some(format!("rendering {}", format.as_str())),
            )
            .await?;
        let input = input.clone();
        let triage_stamp = triage_stamp.clone();
        let rendered = tokio::task::spawn_blocking(move || render_document(format, &input, &triage_stamp))
            .await
            .map_err(|e| Stop::Failed(format!("rendering stopped unexpectedly: {e}")))??;
        if let Some((doc, text)) = rendered {
            if format == BomFormat::Cbom {
                cbom_json = Some(text);
            }
            documents.push(doc);
        }
    }
    drop(input);
    let mut built = {
        let matches = matches.clone();
        let snapshot_time = snapshot.as_ref().map(|s| s.updated_at);
        tokio::task::spawn_blocking(move || {
            build_results(
                &stamp,
                &engine_scan,
                matches.as_ref(),
                snapshot_time,
                cbom_json.as_deref(),
                documents,
            )
        })
        .await
        .map_err(|e| Stop::Failed(format!("evaluating stopped unexpectedly: {e}")))??
    };
    built.bom_input = Some(bom_input);
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
    state.store.scan_store_results(job.tenant, job.scan, scan.project_id, &built).await?;
    reporter
        .state(ScanStatus::Completed, None, 100, Some(completed_message(&reporter.counts, &used)))
        .await?;
    Ok(())
}

/// The engine on a blocking thread; its progress comes back over a channel and is written here.
async fn run_engine(
    root: std::path::PathBuf,
    crypto: bool,
    cancel: Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<cairn_engine::Scan, Stop> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Step, Option<u8>, String)>();
    let sink = ChannelSink { tx, cancel, last: Mutex::new(None) };
    let handle = tokio::task::spawn_blocking(move || {
        let opts = ScanOptions { crypto, ..ScanOptions::default() };
        scan_path(&root, &opts, &sink)
    });
    while let Some((step, pct, detail)) = rx.recv().await {
        reporter.engine(step, pct, &detail).await?;
    }
    match handle.await {
        Ok(Ok(scan)) => Ok(scan),
        Ok(Err(cairn_engine::ScanError::Cancelled)) => Err(Stop::Cancelled),
        Ok(Err(e)) => Err(Stop::Failed(format!("scanning failed: {e}"))),
        Err(e) => Err(Stop::Failed(format!("scanning stopped unexpectedly: {e}"))),
    }
}

/// Forwards engine progress (only changes) and answers the cancel flag.
struct ChannelSink {
    tx: mpsc::UnboundedSender<(Step, Option<u8>, String)>,
    cancel: Arc<AtomicBool>,
    last: Mutex<Option<(Step, Option<u8>)>>,
}

impl ScanSink for ChannelSink {
    fn progress(&self, p: &Progress<'_>) -> bool {
        let changed = match self.last.lock() {
            Ok(mut last) => {
                let now = Some((p.step, p.percent));
                let changed = *last != now;
                *last = now;
                changed
            }
            Err(_) => true,
        };
        if changed {
            let _ = self.tx.send((p.step, p.percent, p.detail.to_owned()));
        }
        !self.cancel.load(Ordering::SeqCst)
    }
}

fn vulndb_message(used: &VulnDataUsed, findings: u64) -> String {
    match used.state {
        VulnDataState::None => {
            "NO vulnerability data: vulnerabilities were NOT checked (import OSV data with `cairnd vulndb import`)".into()
        }
        VulnDataState::Stale => format!(
            "vulnerability data is STALE (last updated {}): {findings} findings, some may be missing",
            used.updated_at.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| "never".into())
        ),
        VulnDataState::Fresh => format!("{findings} findings against {} advisories", used.advisories),
    }
}

fn completed_message(c: &ScanCounts, used: &VulnDataUsed) -> String {
    let vulns = match used.state {
        VulnDataState::None => "vulnerabilities NOT checked (no vulnerability data)".to_owned(),
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

/// The engine's coverage of one ecosystem as the wire carries it.
fn wire_coverage(c: &cairn_engine::vuln::EcosystemCoverage) -> cairn_sdk::types::EcosystemCoverage {
    use cairn_engine::vuln::GapReason as E;
    use cairn_sdk::types::GapReason as W;
    cairn_sdk::types::EcosystemCoverage {
        ecosystem: c.ecosystem.osv_name().to_owned(),
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
                },
                components: g.components as u64,
                message: g.message.clone(),
            })
            .collect(),
    }
}

/// UTC seconds, the form every document format accepts.
fn document_timestamp() -> String {
    let t = OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The root component's name: the project's, else the scanned source's last part.
async fn project_name(state: &AppState, job: &ClaimedJob, scan: &cairn_sdk::types::Scan) -> String {
    if let Some(p) = scan.project_id
        && let Ok(project) = state.store.project_get(job.tenant, p).await
    {
        return project.name;
    }
    let raw = match &scan.source {
        cairn_sdk::types::ScanSource::Git { url, .. } => url.clone(),
        cairn_sdk::types::ScanSource::Path { path } => path.clone(),
        cairn_sdk::types::ScanSource::Upload { filename, .. }
        | cairn_sdk::types::ScanSource::Sbom { filename, .. } => filename.clone(),
    };
    raw.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("scan")
        .to_owned()
}

/// One document and its text; `None` for OpenVEX without findings (nothing to state, so that
/// format is simply absent).
fn render_document(
    format: BomFormat,
    input: &BomInput,
    triage_stamp: &str,
) -> Result<Option<(NewDocument, String)>, Stop> {
    let text = if format == BomFormat::Cbom {
        to_cbom(input)
    } else {
        let f = Format::from_str(format.as_str()).map_err(Stop::Failed)?;
        match render(f, input) {
            Ok(t) => t,
            Err(cairn_engine::bom::BomError::NothingToState) => return Ok(None),
            Err(e) => return Err(Stop::Failed(format!("rendering {}: {e}", format.as_str()))),
        }
    };
    Ok(Some((documents::document(format, &text, triage_stamp).map_err(Stop::Failed)?, text)))
}

/// Every row of the results, built off the async threads.
fn build_results(
    stamp: &str,
    scan: &cairn_engine::Scan,
    matches: Option<&Matches>,
    snapshot_time: Option<OffsetDateTime>,
    cbom_json: Option<&str>,
    documents: Vec<NewDocument>,
) -> Result<ScanResults, Stop> {
    let inv: &Inventory = &scan.inventory;
    let mut per_purl: HashMap<&str, u64> = HashMap::new();
    if let Some(m) = matches {
        for f in &m.findings {
            *per_purl.entry(f.purl.as_str()).or_default() += 1;
        }
    }
    let mut ids: HashMap<&str, String> = HashMap::new();
    let components: Vec<NewComponent> = inv
        .components
        .iter()
        .map(|c| {
            let id = uuid::Uuid::now_v7().to_string();
            ids.insert(c.purl.as_str(), id.clone());
            let declared = join_unique(c.licenses.declared.iter().map(|d| d.expression.clone()));
            let detected = join_unique(c.licenses.detected.iter().map(|d| d.id.clone()));
            NewComponent {
                component: ScanComponent {
                    id,
                    purl: c.purl.clone(),
                    ecosystem: c.ecosystem.purl_type().to_owned(),
                    name: c.name.clone(),
                    version: (!c.version.is_empty()).then(|| c.version.clone()),
                    scope: Some(c.scope),
                    direct: c.direct == Some(true),
                    local: c.local,
                    license: c.licenses.concluded.as_ref().map(|l| l.expression.clone()),
                    locations: c
                        .locations
                        .iter()
                        .map(|l| match l.line {
                            Some(n) => format!("{}:{n}", l.path),
                            None => l.path.clone(),
                        })
                        .collect(),
                    hashes: c.hashes.iter().map(|h| format!("{}:{}", h.algorithm, h.value)).collect(),
                    findings: per_purl.get(c.purl.as_str()).copied().unwrap_or(0),
                },
                declared,
                detected,
                // The most demanding category of the conclusion (the list is sorted least first).
                category: c.licenses.categories.last().and_then(serde_word),
            }
        })
        .collect();

    let mut vulnerabilities: BTreeMap<String, NewVulnerability> = BTreeMap::new();
    let mut findings = Vec::new();
    if let Some(m) = matches {
        let modified =
            snapshot_time.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| stamp.to_owned());
        for f in &m.findings {
            let Some(component_id) = ids.get(f.purl.as_str()) else { continue };
            let severity = f.severity.rating;
            let mut aliases: Vec<String> =
                f.ids.iter().chain(&f.aliases).filter(|a| **a != f.id).cloned().collect();
            aliases.sort();
            aliases.dedup();
            vulnerabilities.entry(f.id.clone()).or_insert_with(|| NewVulnerability {
                id: f.id.clone(),
                aliases,
                summary: f.summary.clone(),
                severity,
                cvss_vector: f.severity.vector.clone(),
                cvss_score: f.severity.score,
                modified_at: modified.clone(),
                record: serde_json::to_string(f).unwrap_or_else(|_| "{}".into()),
            });
            findings.push(NewFinding {
                id: uuid::Uuid::now_v7().to_string(),
                component_id: component_id.clone(),
                purl: f.purl.clone(),
                vulnerability_id: f.id.clone(),
                severity,
                fixed_version: f.nearest_fixed.clone(),
            });
        }
    }

    let crypto = cbom_json.map(crypto_assets).unwrap_or_default();
    let diagnostics = inv
        .diagnostics
        .iter()
        .map(|d| ScanDiagnostic {
            severity: serde_word(&d.severity).unwrap_or_else(|| "error".into()),
            path: (!d.path.is_empty()).then(|| d.path.clone()),
            line: d.line,
            message: d.message.clone(),
        })
        .collect();
    let warnings = matches
        .map(|m| {
            m.warnings
                .iter()
                .map(|w| ScanWarning {
                    kind: wire_warning_kind(w.kind),
                    advisory_id: w.advisory.clone(),
                    aliases: w.aliases.clone(),
                    purl: w.purl.clone(),
                    ecosystem: w.ecosystem.purl_type().to_owned(),
                    name: w.name.clone(),
                    version: w.version.clone(),
                    summary: w.summary.clone(),
                    fixed: w.fixed.clone(),
                    url: w.url.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ScanResults {
        components,
        edges: inv.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect(),
        vulnerabilities: vulnerabilities.into_values().collect(),
        findings,
        crypto,
        diagnostics,
        warnings,
        documents,
        pqc: None,
        bom_input: None,
    })
}

fn wire_warning_kind(k: EngineWarningKind) -> WarningKind {
    match k {
        EngineWarningKind::Unmaintained => WarningKind::Unmaintained,
        EngineWarningKind::Unsound => WarningKind::Unsound,
        EngineWarningKind::Notice => WarningKind::Notice,
        EngineWarningKind::Other => WarningKind::Other,
    }
}

/// The CBOM's cryptographic-asset components as rows: the engine's own mapping, read back.
fn crypto_assets(cbom: &str) -> Vec<CryptoAsset> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(cbom) else { return Vec::new() };
    let Some(components) = doc["components"].as_array() else { return Vec::new() };
    components
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .map(|c| {
            let props = &c["cryptoProperties"];
            let algo = &props["algorithmProperties"];
            let locations = c["evidence"]["occurrences"]
                .as_array()
                .map(|occ| {
                    occ.iter()
                        .filter_map(|o| {
                            let loc = o["location"].as_str()?;
                            Some(match o["line"].as_u64() {
                                Some(l) => format!("{loc}:{l}"),
                                None => loc.to_owned(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            CryptoAsset {
                // bom-refs repeat across scans of the same tree; the row id must not.
                id: uuid::Uuid::now_v7().to_string(),
                asset_type: props["assetType"].as_str().unwrap_or("algorithm").to_owned(),
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                primitive: algo["primitive"].as_str().map(str::to_owned),
                quantum_level: algo["nistQuantumSecurityLevel"].as_i64(),
                detail: serde_json::json!({"bom_ref": c["bom-ref"], "cryptoProperties": props, "properties": c["properties"]}),
                locations,
            }
        })
        .collect()
}

fn serde_word<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned))
}

fn join_unique(items: impl Iterator<Item = String>) -> Option<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    match v.len() {
        0 => None,
        1 => v.pop(),
        _ => Some(v.iter().map(|e| format!("({e})")).collect::<Vec<_>>().join(" AND ")),
    }
}
