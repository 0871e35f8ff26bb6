//! The dashboard's executor: runs each [`Cmd`] against the daemon through `cairn-sdk` as a tokio
//! task and answers with the [`Msg`]s msg.rs documents; follows one scan (`WatchScan`) and the
//! tenant's live feed (`/ws/events`) from start-up.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cairn_sdk::types::{
    Approval, ApprovalState, BomFormat, CreateProject, CreateScan, ProjectId, ProjectKind, RequestApproval,
    ScanEvent, ScanId, ScanStatus, SubmitSource,
};
use cairn_sdk::{Client, EventsWatcher, FeedEvent, ListQuery, ScanWatcher, Upload, WatchEvent, WatchOptions};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::msg::{
    ApprovalAsk, Cmd, Failure, GateView, ImageVersion, Level, Link, Msg, NewScan, NewScanSource, Session,
};
use super::screens::tail;

/// The largest tree packed for an upload, before compression (as `cairn scan --max-upload`).
pub const MAX_UPLOAD: u64 = 512 * 1024 * 1024;
/// How many scans the queue screen's history loads.
const RECENT_SCANS: u32 = 100;
/// The shortest interval between two export progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Runs the dashboard's commands. Dropping it stops the watchers.
pub struct Executor {
    client: Client,
    local: bool,
    tx: UnboundedSender<Msg>,
    watch: Option<AbortHandle>,
    feed: Option<AbortHandle>,
}

impl Executor {
    /// An executor talking through `client` (`local`: the per-user daemon, which reads paths on
    /// this machine), answering on `tx`.
    pub fn new(client: Client, local: bool, tx: UnboundedSender<Msg>) -> Self {
        Executor { client, local, tx, watch: None, feed: None }
    }

    /// Starts the live feed: [`Msg::Link`] as its state changes, [`Msg::Queue`] on each sync,
    /// [`Msg::ScanProgress`] per event and [`Msg::Notify`] when a scan completes or fails.
    pub fn start_feed(&mut self) {
        if let Some(old) = self.feed.take() {
            old.abort();
        }
        let client = self.client.clone();
        let tx = self.tx.clone();
        let task = tokio::spawn(async move { feed(client, tx).await });
        self.feed = Some(task.abort_handle());
    }

    /// Runs one command; its answer arrives on the channel.
    pub fn run(&mut self, cmd: Cmd) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        match cmd {
            Cmd::WatchScan(id) => {
                if let Some(old) = self.watch.take() {
                    old.abort();
                }
                let task = tokio::spawn(async move { watch(client, id, tx).await });
                self.watch = Some(task.abort_handle());
            }
            Cmd::Unwatch => {
                if let Some(old) = self.watch.take() {
                    old.abort();
                }
            }
            cmd => {
                let local = self.local;
                tokio::spawn(async move {
                    for msg in answer(&client, local, cmd, &tx).await {
                        if tx.send(msg).is_err() {
                            return;
                        }
                    }
                });
            }
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        for task in [self.watch.take(), self.feed.take()].into_iter().flatten() {
            task.abort();
        }
    }
}

/// A collected stream, as a screen receives it.
async fn all<T>(
    stream: futures_util::stream::BoxStream<'static, Result<T, cairn_sdk::Error>>,
) -> Result<Vec<T>, Failure> {
    stream.try_collect().await.map_err(Failure::from)
}

fn scan_filter(scan: ScanId) -> ListQuery {
    ListQuery::limit(1000).filter("scan", scan.to_string())
}

/// The answer to a one-shot command (`tx` carries progress for long ones).
async fn answer(client: &Client, local: bool, cmd: Cmd, tx: &UnboundedSender<Msg>) -> Vec<Msg> {
    let one = match cmd {
        Cmd::LoadSession => Msg::Session(session(client, local).await),
        Cmd::LoadProjects => Msg::Projects(all(client.projects(ListQuery::limit(1000))).await),
        Cmd::LoadScans => Msg::Scans(
            client
                .scans_page(&ListQuery::limit(RECENT_SCANS).sort("-created_at"))
                .await
                .map(|p| p.items)
                .map_err(Failure::from),
        ),
        Cmd::LoadScan(id) => Msg::Scan(client.scan(id).await.map_err(Failure::from)),
        Cmd::CancelScan(scan) => {
            Msg::Cancelled { scan, result: client.cancel_scan(scan).await.map_err(Failure::from) }
        }
        Cmd::LoadFindings(scan) => {
            Msg::Findings { scan, result: all(client.findings(scan_filter(scan))).await }
        }
        Cmd::LoadComponents(scan) => {
            Msg::Components { scan, result: all(client.scan_components(scan, ListQuery::limit(1000))).await }
        }
        Cmd::LoadDependencies(scan) => Msg::Dependencies {
            scan,
            result: all(client.scan_dependencies(scan, ListQuery::limit(1000))).await,
        },
        Cmd::LoadLicenses(scan) => {
            Msg::Licenses { scan, result: all(client.scan_licenses(scan, ListQuery::limit(1000))).await }
        }
        Cmd::LoadCrypto(scan) => {
            Msg::Crypto { scan, result: all(client.scan_crypto_assets(scan, ListQuery::limit(1000))).await }
        }
        Cmd::LoadEvents(scan) => {
            Msg::Events { scan, result: all(client.scan_events(scan, ListQuery::limit(1000))).await }
        }
        Cmd::WhereUsed(package) => {
            let key = if package.starts_with("pkg:") { "purl" } else { "name" };
            let result =
                all(client.components_search(ListQuery::limit(1000).filter(key, package.clone()))).await;
            Msg::WhereUsed { package, result }
        }
        Cmd::LoadHistory(project) => Msg::History {
            project,
            result: client.project_history(project, None).await.map_err(Failure::from),
        },
        Cmd::Compare { from, to } => {
            Msg::Compared { from, to, result: client.comparison(from, to).await.map_err(Failure::from) }
        }
        Cmd::LoadAdvisory(id) => {
            let result = client.vulnerability(&id).await.map_err(Failure::from);
            Msg::Advisory { id, result }
        }
        Cmd::LoadDiagnostics(scan) => Msg::Diagnostics {
            scan,
            result: all(client.scan_diagnostics(scan, ListQuery::limit(1000))).await,
        },
        Cmd::LoadWarnings(scan) => {
            Msg::Warnings { scan, result: all(client.scan_warnings(scan, ListQuery::limit(1000))).await }
        }
        Cmd::LoadFinding(id) => Msg::Finding(client.finding(&id).await.map_err(Failure::from)),
        Cmd::Triage { id, version, update } => match client.triage_finding(&id, version, &update).await {
            Ok(f) => Msg::Triaged(f),
            Err(e) if e.status() == Some(412) => match client.finding(&id).await {
                Ok(now) => Msg::TriageConflict(now),
                Err(e) => Msg::TriageFailed { id, failure: Failure::from(e) },
            },
            Err(e) => Msg::TriageFailed { id, failure: Failure::from(e) },
        },
        Cmd::TriageRule { key, rule } => match client.create_triage_rule(&rule).await {
            Ok(made) => Msg::TriageRuleMade { key, rule: made.rule, applied_now: made.applied_now },
            Err(e) => Msg::TriageFailed { id: key, failure: Failure::from(e) },
        },
        Cmd::Submit(new) => Msg::Submitted(submit(client, local, new).await),
        Cmd::Export { scan, format, path } => {
            Msg::Exported { scan, result: export(client, scan, format, &path, tx).await }
        }
        Cmd::LoadVulnDb => Msg::VulnDb(client.vulndb_status().await.map_err(Failure::from)),
        Cmd::LoadUnread => {
            Msg::Unread(client.notifications_unread_count().await.map(|u| u.unread).map_err(Failure::from))
        }
        Cmd::LoadInbox { unread_only } => Msg::Inbox(
            client.notifications(unread_only, Some(1000), None).await.map(|p| p.items).map_err(Failure::from),
        ),
        Cmd::MarkRead(id) => Msg::MarkedRead(client.notification_read(id).await.map_err(Failure::from)),
        Cmd::LoadWatches => Msg::Watches(all(client.cve_watches(ListQuery::limit(1000))).await),
        Cmd::LoadWatchHits(watch) => {
            Msg::WatchHits { watch, result: all(client.cve_watch_hits(watch, ListQuery::limit(1000))).await }
        }
        Cmd::LoadGate(scan) => Msg::Gate { scan, result: gate(client, scan).await },
        Cmd::RequestApproval(ask) => Msg::ApprovalRequested(request_approval(client, ask).await),
        Cmd::LoadApprovals => Msg::Approvals(approvals(client).await),
        Cmd::Decide { id, version, approve } => {
            let decided = if approve {
                client.approve(id, version, None).await
            } else {
                client.reject(id, version, None).await
            };
            match decided {
                Ok(a) => Msg::Decided(a),
                Err(e) if e.status() == Some(412) => match client.approval(id).await {
                    Ok(now) => Msg::DecisionConflict(now),
                    Err(e) => Msg::DecisionFailed { id, failure: Failure::from(e) },
                },
                Err(e) => Msg::DecisionFailed { id, failure: Failure::from(e) },
            }
        }
        Cmd::LoadImages => {
            Msg::Images(all(client.projects_of_kind(ProjectKind::Image, ListQuery::limit(1000))).await)
        }
        Cmd::LoadImageVersions(project) => {
            Msg::ImageVersions { project, result: image_versions(client, project).await }
        }
        Cmd::LoadVersionHistory { project, version } => Msg::VersionHistory {
            version,
            result: all(client.version_scan_history(project, version, ListQuery::limit(1000))).await,
        },
        Cmd::DownloadSbom { project, version, format, path } => {
            let result = match client.version_sbom(project, version, format).await {
                Ok(mut download) => {
                    let progress = |written, total| Msg::SbomProgress { version, written, total };
                    save(&mut download, &path, progress, tx).await
                }
                Err(e) if e.status() == Some(404) => Err(Failure {
                    message: "no document: the version has no completed scan yet (or, for OpenVEX, \
                              nothing to state)"
                        .to_owned(),
                    ..Failure::from(e)
                }),
                Err(e) => Err(Failure::from(e)),
            };
            Msg::SbomDownloaded { version, result }
        }
        Cmd::LoadRequests => {
            Msg::Requests(all(client.feature_requests(ListQuery::limit(1000).sort("-created_at"))).await)
        }
        Cmd::CreateRequest(body) => {
            Msg::RequestCreated(client.create_feature_request(&body).await.map_err(Failure::from))
        }
        Cmd::SetRequestStatus { id, version, change } => {
            match client.set_feature_request_status(id, version, &change).await {
                Ok(r) => Msg::RequestChanged(r),
                Err(e) if e.status() == Some(412) => match client.feature_request(id).await {
                    Ok(now) => Msg::RequestConflict(now),
                    Err(e) => Msg::RequestChangeFailed { id, failure: Failure::from(e) },
                },
                Err(e) => Msg::RequestChangeFailed { id, failure: Failure::from(e) },
            }
        }
        Cmd::MarkAllRead => {
            Msg::MarkedAllRead(client.notifications_read_all().await.map(|u| u.unread).map_err(Failure::from))
        }
        // Handled by the executor itself.
        Cmd::WatchScan(_) | Cmd::Unwatch => return Vec::new(),
    };
    vec![one]
}

async fn session(client: &Client, local: bool) -> Result<Session, Failure> {
    let me = client.me().await?;
    let membership =
        me.current_tenant.and_then(|t| me.tenants.iter().find(|m| m.tenant_id == t)).or(me.tenants.first());
    Ok(Session {
        server: client.base_url().as_str().trim_end_matches('/').to_owned(),
        local,
        tenant: membership.map(|m| m.name.clone()).unwrap_or_default(),
        role: membership.map(|m| m.role),
        user_id: Some(me.user.id),
        user: me.user.email,
    })
}

/// A scan's gate, `None` when it has none (404: not completed), with its stored policy's name
/// (absent when that policy cannot be read: the gate still names its id and revision).
async fn gate(client: &Client, scan: ScanId) -> Result<Option<GateView>, Failure> {
    let gate = match client.scan_gate_result(scan).await {
        Ok(g) => g,
        Err(e) if e.status() == Some(404) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let policy_name = match gate.policy.stored_id {
        Some(id) => client.policy(id).await.ok().and_then(|p| p.name),
        None => None,
    };
    Ok(Some(GateView { gate, policy_name }))
}

/// `POST /approvals` for the dialog's request, expiring `days` from now.
async fn request_approval(client: &Client, ask: ApprovalAsk) -> Result<Approval, Failure> {
    let body = RequestApproval {
        project_id: Some(ask.project),
        rule: Some(ask.rule),
        subject: Some(ask.subject),
        finding_id: None,
        reason: ask.reason,
        expires_at: time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(ask.days)),
    };
    Ok(client.request_approval(&body).await?)
}

/// Every approval of the tenant (all pages), pending first, then newest first.
async fn approvals(client: &Client) -> Result<Vec<Approval>, Failure> {
    let mut q = ListQuery::limit(1000);
    let mut out = Vec::new();
    loop {
        let page = client.approvals_page(None, &q).await?;
        let next = q.next(&page);
        out.extend(page.items);
        match next {
            Some(n) => q = n,
            None => break,
        }
    }
    out.sort_by(|a, b| {
        (b.state == ApprovalState::Pending)
            .cmp(&(a.state == ApprovalState::Pending))
            .then(b.created_at.cmp(&a.created_at))
    });
    Ok(out)
}

/// An image's versions, newest first, each with its latest completed scan (one point of its
/// scan history, newest first).
async fn image_versions(client: &Client, project: ProjectId) -> Result<Vec<ImageVersion>, Failure> {
    let versions = all(client.versions(project, ListQuery::limit(1000).sort("-created_at"))).await?;
    let mut out = Vec::with_capacity(versions.len());
    for version in versions {
        let q = ListQuery::limit(1).sort("-finished_at");
        let latest =
            client.version_scan_history_page(project, version.id, &q).await?.items.into_iter().next();
        out.push(ImageVersion { version, latest });
    }
    Ok(out)
}

/// The project named `name`: found by exact name, else created as `kind`.
async fn project(client: &Client, name: &str, kind: ProjectKind) -> Result<ProjectId, Failure> {
    let candidates = all(client.projects(ListQuery::limit(1000).filter("name", name))).await?;
    if let Some(p) = candidates.into_iter().find(|p| p.name == name) {
        return Ok(p.id);
    }
    let body = CreateProject {
        name: name.to_owned(),
        kind,
        repo_url: None,
        default_ref: None,
        team_id: None,
        tags: Vec::new(),
    };
    Ok(client.create_project(&body).await?.id)
}

async fn submit(client: &Client, local: bool, new: NewScan) -> Result<cairn_sdk::types::Scan, Failure> {
    // An image goes into the image catalogue, which lists projects of kind image.
    let kind = match new.source {
        NewScanSource::Image { .. } => ProjectKind::Image,
        _ => ProjectKind::Repo,
    };
    let project = match new.project.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => Some(project(client, name, kind).await?),
        None => None,
    };
    let create = |source| CreateScan { source, project, version: None, crypto: new.crypto };
    let scan = match new.source {
        NewScanSource::Git { url, reference } => {
            let reference = reference.filter(|r| !r.trim().is_empty());
            client.create_scan(&create(SubmitSource::Git { url: url.trim().to_owned(), reference })).await?
        }
        NewScanSource::Path(path) => {
            // The local daemon reads this machine: give it the absolute path. A server's path is
            // one on its machine, sent as typed.
            let path = if local {
                let abs = tokio::fs::canonicalize(&path)
                    .await
                    .map_err(|e| Failure::message(format!("{}: {e}", path.display())))?;
                abs.to_str()
                    .ok_or_else(|| Failure::message(format!("{} is not valid UTF-8", abs.display())))?
                    .to_owned()
            } else {
                path.to_str()
                    .ok_or_else(|| Failure::message(format!("{} is not valid UTF-8", path.display())))?
                    .to_owned()
            };
            client.create_scan(&create(SubmitSource::Path { path })).await?
        }
        NewScanSource::Image { reference, platform } => {
            client
                .create_scan(&create(SubmitSource::Image {
                    reference: reference.trim().to_owned(),
                    platform,
                }))
                .await?
        }
        NewScanSource::Upload(path) => {
            let file = upload(path).await?;
            client.upload_scan(file, project, None).await?
        }
    };
    Ok(scan)
}

/// A directory packed as tar.gz, or an archive file as it is.
async fn upload(path: PathBuf) -> Result<Upload, Failure> {
    let meta =
        tokio::fs::metadata(&path).await.map_err(|e| Failure::message(format!("{}: {e}", path.display())))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "root".into());
    if meta.is_dir() {
        let dir = path.clone();
        let bytes = tokio::task::spawn_blocking(move || crate::pack::tarball(&dir, MAX_UPLOAD))
            .await
            .map_err(|e| Failure::message(format!("packing {}: {e}", path.display())))?
            .map_err(|e| Failure::message(format!("{e:#}")))?;
        Ok(Upload { file_name: format!("{name}.tar.gz"), bytes })
    } else {
        let bytes =
            tokio::fs::read(&path).await.map_err(|e| Failure::message(format!("{}: {e}", path.display())))?;
        Ok(Upload { file_name: name, bytes })
    }
}

/// Streams the document to a temporary file beside `path`, renamed over it at the end (a failed
/// export leaves any earlier file whole).
async fn export(
    client: &Client,
    scan: ScanId,
    format: BomFormat,
    path: &Path,
    tx: &UnboundedSender<Msg>,
) -> Result<(PathBuf, u64), Failure> {
    let mut download = client.scan_bom_download(scan, format).await?;
    save(&mut download, path, |written, total| Msg::ExportProgress { scan, written, total }, tx).await
}

/// Streams a download to a temporary file beside `path`, renamed over it at the end, sending
/// `progress(written, total)` as bytes arrive.
async fn save(
    download: &mut cairn_sdk::Download,
    path: &Path,
    progress: impl Fn(u64, Option<u64>) -> Msg,
    tx: &UnboundedSender<Msg>,
) -> Result<(PathBuf, u64), Failure> {
    let total = download.content_length();
    let file_name = path
        .file_name()
        .ok_or_else(|| Failure::message(format!("{} names no file", path.display())))?
        .to_string_lossy()
        .into_owned();
    let partial = path.with_file_name(format!(".{file_name}.{}.part", uuid::Uuid::new_v4().simple()));
    let result = write_to(download, &partial, &progress, total, tx).await;
    let written = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
    };
    if let Err(e) = tokio::fs::rename(&partial, path).await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(Failure::message(format!("{}: {e}", path.display())));
    }
    Ok((path.to_path_buf(), written))
}

async fn write_to(
    download: &mut cairn_sdk::Download,
    partial: &Path,
    progress: &impl Fn(u64, Option<u64>) -> Msg,
    total: Option<u64>,
    tx: &UnboundedSender<Msg>,
) -> Result<u64, Failure> {
    let io = |e: std::io::Error| Failure::message(format!("{}: {e}", partial.display()));
    let mut file = tokio::fs::File::create(partial).await.map_err(io)?;
    let mut written = 0u64;
    let mut last = Instant::now();
    let _ = tx.send(progress(written, total));
    while let Some(chunk) = download.chunk().await? {
        file.write_all(&chunk).await.map_err(io)?;
        written += chunk.len() as u64;
        if last.elapsed() >= PROGRESS_EVERY {
            last = Instant::now();
            let _ = tx.send(progress(written, total));
        }
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    let _ = tx.send(progress(written, total));
    Ok(written)
}

/// Follows one scan: [`Msg::Scan`] on every sync, [`Msg::ScanProgress`] per event.
async fn watch(client: Client, id: ScanId, tx: UnboundedSender<Msg>) {
    let mut stream = ScanWatcher::new(&client, id).stream();
    while let Some(item) = stream.next().await {
        let msgs = match item {
            Ok(WatchEvent::Sync { scan, events }) => std::iter::once(Msg::Scan(Ok(*scan)))
                .chain(events.into_iter().map(Msg::ScanProgress))
                .collect(),
            Ok(WatchEvent::Event(e)) => vec![Msg::ScanProgress(e)],
            // Reconnecting and Polling: the next Sync brings the scan up to date.
            Ok(_) => Vec::new(),
            Err(e) => vec![Msg::Notify {
                level: Level::Warning,
                text: format!("stopped following scan {}: {e}", tail(&id)),
            }],
        };
        for msg in msgs {
            if tx.send(msg).is_err() {
                return;
            }
        }
    }
}

/// The wait before the live feed starts over after a failure its watcher does not retry itself
/// (evicted by a newer connection, credential refused).
const FEED_RESTART: Duration = Duration::from_secs(30);

/// The live feed, retried for as long as the dashboard runs.
async fn feed(client: Client, tx: UnboundedSender<Msg>) {
    if tx.send(Msg::Link(Link::Connecting)).is_err() {
        return;
    }
    let options = WatchOptions {
        max_reconnects: u32::MAX,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(30),
        ..WatchOptions::default()
    };
    loop {
        let mut stream = EventsWatcher::new(&client).options(options).stream();
        while let Some(item) = stream.next().await {
            let msgs = match item {
                Ok(FeedEvent::Sync(scans)) => vec![Msg::Link(Link::Live), Msg::Queue(scans)],
                Ok(FeedEvent::Event(e)) => {
                    let note = notice(&e);
                    let mut msgs = vec![Msg::ScanProgress(e)];
                    msgs.extend(note.map(|(level, text)| Msg::Notify { level, text }));
                    msgs
                }
                // Into the inbox (and its badge), and shown as a notice.
                Ok(FeedEvent::Notification(n)) => {
                    vec![Msg::Notify { level: Level::Info, text: n.title.clone() }, Msg::Pushed(*n)]
                }
                // The dashboard shows scans and notifications; the tenant's event stream (and a
                // resync of it) has no screen yet.
                Ok(FeedEvent::Feed(_) | FeedEvent::Resync { .. }) => Vec::new(),
                Ok(FeedEvent::Reconnecting { after, reason }) => {
                    let in_secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
                    vec![Msg::Link(Link::Retrying { in_secs, reason })]
                }
                Err(e) => {
                    vec![Msg::Link(Link::Retrying { in_secs: FEED_RESTART.as_secs(), reason: e.to_string() })]
                }
            };
            for msg in msgs {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(FEED_RESTART).await;
    }
}

/// What the user is told when a scan ends on the feed.
fn notice(e: &ScanEvent) -> Option<(Level, String)> {
    let id = tail(&e.scan_id);
    match e.status {
        ScanStatus::Completed => Some((Level::Info, format!("Scan {id} completed"))),
        ScanStatus::Failed => Some((
            Level::Error,
            match &e.message {
                Some(m) => format!("Scan {id} failed: {m}"),
                None => format!("Scan {id} failed"),
            },
        )),
        _ => None,
    }
}
