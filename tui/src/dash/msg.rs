//! The dashboard's two message types, the seam between the screens and the network:
//! screens emit [`Cmd`]s (what they want done), the executor runs each against the daemon through
//! `cairn-sdk` and answers with [`Msg`]s (what arrived). The screens never touch the network, so
//! they are tested by feeding `Msg`s and keys and snapshotting the frame.

use std::path::PathBuf;

use cairn_sdk::types::{
    AdvisoryDetail, Approval, ApprovalId, BomFormat, ComponentUsage, CreateFeatureRequest, CryptoAsset,
    FeatureRequest, FeatureRequestId, FeatureRequestStatusChange, Finding, GateResult, GateSubject,
    HistoryPoint, Notification, NotificationId, Project, ProjectId, Role, Scan, ScanComparison,
    ScanComponent, ScanDiagnostic, ScanEdge, ScanEvent, ScanHistory, ScanId, ScanLicense, ScanWarning,
    TriageUpdate, UserId, Version, VersionId, VulnDbStatus,
};

/// Why a load or an action failed, as the user should read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line for the status bar or an error pane.
    pub message: String,
    /// The HTTP status, when the daemon answered.
    pub status: Option<u16>,
    /// The problem's `code` (`PRECONDITION_FAILED`, `RATE_LIMITED`, …), when there was one.
    pub code: Option<String>,
}

impl Failure {
    /// A failure that is only a message (no HTTP answer).
    pub fn message(message: impl Into<String>) -> Self {
        Failure { message: message.into(), status: None, code: None }
    }
}

impl From<&cairn_sdk::Error> for Failure {
    fn from(e: &cairn_sdk::Error) -> Self {
        Failure { message: e.to_string(), status: e.status(), code: e.code().map(str::to_owned) }
    }
}

impl From<cairn_sdk::Error> for Failure {
    fn from(e: cairn_sdk::Error) -> Self {
        Failure::from(&e)
    }
}

/// A result as the screens receive it.
pub type Loaded<T> = Result<T, Failure>;

/// What to scan, from the new-scan form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewScanSource {
    /// A directory the daemon reads in place (local mode, or a path under the server's roots).
    Path(PathBuf),
    /// A git repository the daemon clones.
    Git {
        /// The clone URL.
        url: String,
        /// Branch, tag or commit; the default branch when absent.
        reference: Option<String>,
    },
    /// A local directory packed as tar.gz and uploaded (a remote daemon cannot read it), or an
    /// archive file uploaded as it is.
    Upload(PathBuf),
    /// A container image the daemon pulls from a registry.
    Image {
        /// `registry/repo:tag` or `…@sha256:…`.
        reference: String,
        /// `os/arch[/variant]`; the image's only platform, else linux/amd64, when absent.
        platform: Option<String>,
    },
}

/// A new scan, as the form submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScan {
    /// What to scan.
    pub source: NewScanSource,
    /// The project's name: an existing project is used, a new name creates it; none = ad hoc.
    pub project: Option<String>,
    /// Also inventory cryptography (default on).
    pub crypto: bool,
}

/// What a screen asks the executor to do. Every `Load*` is answered by the `Msg` of the same
/// name (success or `Err(Failure)`); actions are answered as their docs say.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Who and where we are: answered by [`Msg::Session`].
    LoadSession,
    /// Every project with its risk: [`Msg::Projects`].
    LoadProjects,
    /// The most recent scans (the queue screen's history): [`Msg::Scans`].
    LoadScans,
    /// One scan: [`Msg::Scan`].
    LoadScan(ScanId),
    /// A scan's findings with their triage: [`Msg::Findings`].
    LoadFindings(ScanId),
    /// A scan's components: [`Msg::Components`].
    LoadComponents(ScanId),
    /// A scan's dependency edges: [`Msg::Dependencies`].
    LoadDependencies(ScanId),
    /// A scan's license rows: [`Msg::Licenses`].
    LoadLicenses(ScanId),
    /// A scan's cryptographic assets: [`Msg::Crypto`].
    LoadCrypto(ScanId),
    /// A scan's progress events so far: [`Msg::Events`].
    LoadEvents(ScanId),
    /// What a scan could not read fully: [`Msg::Diagnostics`].
    LoadDiagnostics(ScanId),
    /// A scan's informational advisories: [`Msg::Warnings`].
    LoadWarnings(ScanId),
    /// Follow one scan live (replaces any scan followed before): [`Msg::ScanProgress`] per
    /// event, [`Msg::Scan`] on every (re)connection's sync.
    WatchScan(ScanId),
    /// Stop following the scan.
    Unwatch,
    /// One finding with its advisory details and triage: [`Msg::Finding`].
    LoadFinding(String),
    /// Triage one finding with `If-Match: version`: [`Msg::Triaged`] on success; on a 412,
    /// [`Msg::TriageConflict`] with the finding as it is now (re-fetched).
    Triage {
        /// The finding's id.
        id: String,
        /// The version the user saw ([`Finding::etag_version`]).
        version: i64,
        /// What to set.
        update: TriageUpdate,
    },
    /// Make a triage rule (the triage dialog's "all projects"): [`Msg::TriageRuleMade`] or
    /// [`Msg::TriageFailed`] with the rule's key as the id.
    TriageRule {
        /// What the dialog tracks it by (advisory and package).
        key: String,
        /// The rule.
        rule: cairn_sdk::types::CreateTriageRule,
    },
    /// Submit a scan: [`Msg::Submitted`].
    Submit(NewScan),
    /// Download a scan's document to a file: [`Msg::ExportProgress`] as bytes arrive, then
    /// [`Msg::Exported`].
    Export {
        /// The scan.
        scan: ScanId,
        /// The format.
        format: BomFormat,
        /// Where to write it (replaced atomically).
        path: PathBuf,
    },
    /// The vulnerability data's state: [`Msg::VulnDb`].
    LoadVulnDb,
    /// Cancel a scan (`POST /scans/{id}/cancel`): [`Msg::Cancelled`]. The scan's new state also
    /// arrives on the live feed.
    CancelScan(ScanId),
    /// Where a package (a name, or a purl) is used across the tenant: [`Msg::WhereUsed`].
    WhereUsed(String),
    /// An advisory by id or alias with every affected project: [`Msg::Advisory`].
    LoadAdvisory(String),
    /// A project's completed scans over time: [`Msg::History`].
    LoadHistory(ProjectId),
    /// Two completed scans compared: [`Msg::Compared`].
    Compare {
        /// The earlier scan.
        from: ScanId,
        /// The later scan.
        to: ScanId,
    },
    /// The user's unread notification count: [`Msg::Unread`].
    LoadUnread,
    /// The user's notifications (newest 1,000; unread ones only when asked): [`Msg::Inbox`].
    LoadInbox {
        /// Only unread ones.
        unread_only: bool,
    },
    /// Mark one notification read: [`Msg::MarkedRead`].
    MarkRead(NotificationId),
    /// Mark every notification read: [`Msg::MarkedAllRead`].
    MarkAllRead,
    /// The tenant's CVE watches: [`Msg::Watches`].
    LoadWatches,
    /// A watch's hits: [`Msg::WatchHits`].
    LoadWatchHits(cairn_sdk::types::CveWatchId),
    /// A completed scan's policy gate with its policy's name: [`Msg::Gate`].
    LoadGate(ScanId),
    /// Ask for an exception to a gate violation (`POST /approvals`): [`Msg::ApprovalRequested`].
    RequestApproval(ApprovalAsk),
    /// The tenant's approvals, pending first: [`Msg::Approvals`].
    LoadApprovals,
    /// Approve or reject an approval with `If-Match: version`: [`Msg::Decided`] on success; on a
    /// 412, [`Msg::DecisionConflict`] with the approval as it is now (re-fetched).
    Decide {
        /// The approval.
        id: ApprovalId,
        /// The version the user saw.
        version: i64,
        /// Approve (else reject).
        approve: bool,
    },
    /// The image catalogue (the tenant's projects of kind image): [`Msg::Images`].
    LoadImages,
    /// An image's versions (tags, digests), each with its latest completed scan:
    /// [`Msg::ImageVersions`].
    LoadImageVersions(ProjectId),
    /// A version's completed scans over time: [`Msg::VersionHistory`].
    LoadVersionHistory {
        /// The image project.
        project: ProjectId,
        /// The version (tag).
        version: VersionId,
    },
    /// Download a version's SBOM (of its latest completed scan) to a file: [`Msg::SbomProgress`]
    /// as bytes arrive, then [`Msg::SbomDownloaded`].
    DownloadSbom {
        /// The image project.
        project: ProjectId,
        /// The version (tag).
        version: VersionId,
        /// The format.
        format: BomFormat,
        /// Where to write it (replaced atomically).
        path: PathBuf,
    },
    /// The tenant's feature requests, newest first: [`Msg::Requests`].
    LoadRequests,
    /// Ask for something (`POST /feature-requests`): [`Msg::RequestCreated`].
    CreateRequest(CreateFeatureRequest),
    /// Change a request's status with `If-Match: version` (admins): [`Msg::RequestChanged`]; on a
    /// 412, [`Msg::RequestConflict`] with the request as it is now (re-fetched).
    SetRequestStatus {
        /// The request.
        id: FeatureRequestId,
        /// The version the user saw.
        version: i64,
        /// The new status and note.
        change: FeatureRequestStatusChange,
    },
}

/// An image's version as the catalogue lists it: the tag with its digest, and its latest
/// completed scan (none yet: absent, which is not a scan with zero findings).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageVersion {
    /// The version (its name is the tag, or the digest of a by-digest reference).
    pub version: Version,
    /// Its latest completed scan.
    pub latest: Option<HistoryPoint>,
}

/// An exception request as the dialog makes it; the executor turns `days` into the expiry from
/// its clock (the screens never read one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalAsk {
    /// The project whose gate it waives.
    pub project: ProjectId,
    /// The violation's rule.
    pub rule: String,
    /// The violation's subject.
    pub subject: GateSubject,
    /// Why.
    pub reason: String,
    /// Days from now until it expires.
    pub days: u16,
}

/// A scan's gate as the summary shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateView {
    /// The gate.
    pub gate: GateResult,
    /// The stored policy's name, when it has one (the built-in default has none stored).
    pub policy_name: Option<String>,
}

/// The live feed's state (`/ws/events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connecting for the first time.
    Connecting,
    /// Connected and synced.
    Live,
    /// Lost; the executor retries after the delay.
    Retrying {
        /// Seconds until the next attempt.
        in_secs: u64,
        /// Why it was lost.
        reason: String,
    },
}

/// Who the dashboard is talking to, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The server's base URL.
    pub server: String,
    /// True for the per-user local daemon.
    pub local: bool,
    /// The signed-in user's email (or the API key's owner).
    pub user: String,
    /// The tenant in use.
    pub tenant: String,
    /// The signed-in user (absent when the daemon did not say).
    pub user_id: Option<UserId>,
    /// The user's role in that tenant (absent when the daemon named no membership).
    pub role: Option<Role>,
}

impl Session {
    /// Whether admin-only actions are offered: a tenant admin or owner, or the local daemon
    /// (whose only user is its owner).
    pub fn is_admin(&self) -> bool {
        self.local || self.role.is_some_and(|r| r >= Role::Admin)
    }

    /// The role as the screens name it (`member`, `admin (local daemon)`, `unknown`).
    pub fn role_text(&self) -> String {
        match (self.local, self.role) {
            (true, _) => "admin (local daemon)".to_owned(),
            (false, Some(r)) => r.as_str().to_owned(),
            (false, None) => "not a member of this tenant".to_owned(),
        }
    }
}

/// How bad a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something finished well.
    Info,
    /// Worth a look.
    Warning,
    /// Something failed.
    Error,
}

/// What arrived: the answer to a [`Cmd`], or something the live feed pushed.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Answer to [`Cmd::LoadSession`].
    Session(Loaded<Session>),
    /// Answer to [`Cmd::LoadProjects`].
    Projects(Loaded<Vec<Project>>),
    /// Answer to [`Cmd::LoadScans`] (newest first).
    Scans(Loaded<Vec<Scan>>),
    /// Answer to [`Cmd::LoadScan`], and each sync of a watched scan.
    Scan(Loaded<Scan>),
    /// Answer to [`Cmd::LoadFindings`].
    Findings {
        /// The scan.
        scan: ScanId,
        /// Its findings.
        result: Loaded<Vec<Finding>>,
    },
    /// Answer to [`Cmd::LoadComponents`].
    Components {
        /// The scan.
        scan: ScanId,
        /// Its components.
        result: Loaded<Vec<ScanComponent>>,
    },
    /// Answer to [`Cmd::LoadDependencies`].
    Dependencies {
        /// The scan.
        scan: ScanId,
        /// Its edges.
        result: Loaded<Vec<ScanEdge>>,
    },
    /// Answer to [`Cmd::LoadLicenses`].
    Licenses {
        /// The scan.
        scan: ScanId,
        /// Its license rows.
        result: Loaded<Vec<ScanLicense>>,
    },
    /// Answer to [`Cmd::LoadCrypto`].
    Crypto {
        /// The scan.
        scan: ScanId,
        /// Its assets.
        result: Loaded<Vec<CryptoAsset>>,
    },
    /// Answer to [`Cmd::LoadEvents`].
    Events {
        /// The scan.
        scan: ScanId,
        /// Its events, in `seq` order.
        result: Loaded<Vec<ScanEvent>>,
    },
    /// Answer to [`Cmd::LoadWarnings`].
    Warnings {
        /// The scan.
        scan: ScanId,
        /// Its warnings, in scan order.
        result: Loaded<Vec<ScanWarning>>,
    },
    /// Answer to [`Cmd::LoadDiagnostics`].
    Diagnostics {
        /// The scan.
        scan: ScanId,
        /// Its diagnostics, in scan order.
        result: Loaded<Vec<ScanDiagnostic>>,
    },
    /// A progress event of the watched scan, or of any scan of the tenant from the live feed.
    ScanProgress(ScanEvent),
    /// The live feed's sync: the tenant's unfinished scans as they are now.
    Queue(Vec<Scan>),
    /// The live feed's state changed.
    Link(Link),
    /// Answer to [`Cmd::LoadFinding`].
    Finding(Loaded<Finding>),
    /// A triage was saved; the finding as it is now.
    Triaged(Finding),
    /// A triage met someone else's change (412); the finding as it is now, to review and retry.
    TriageConflict(Finding),
    /// A triage failed for another reason.
    TriageFailed {
        /// The finding's id.
        id: String,
        /// Why.
        failure: Failure,
    },
    /// A triage rule was made; how many findings it triaged at once.
    TriageRuleMade {
        /// The dialog's key for it.
        key: String,
        /// The rule.
        rule: cairn_sdk::types::TriageRule,
        /// Findings it triaged on creation.
        applied_now: u64,
    },
    /// Answer to [`Cmd::Submit`]: the queued scan.
    Submitted(Loaded<Scan>),
    /// An export's progress.
    ExportProgress {
        /// The scan.
        scan: ScanId,
        /// Bytes written so far.
        written: u64,
        /// Total bytes when the daemon said (Content-Length).
        total: Option<u64>,
    },
    /// An export ended: the file and its size.
    Exported {
        /// The scan.
        scan: ScanId,
        /// The file written, and its size in bytes.
        result: Loaded<(PathBuf, u64)>,
    },
    /// Answer to [`Cmd::LoadVulnDb`].
    VulnDb(Loaded<VulnDbStatus>),
    /// Answer to [`Cmd::CancelScan`]: the scan as the daemon left it (`cancelled`, still
    /// running until its next step, or already ended before the request).
    Cancelled {
        /// The scan asked about.
        scan: ScanId,
        /// The scan now, or why the daemon refused (403: neither the requester nor an admin).
        result: Loaded<Scan>,
    },
    /// Answer to [`Cmd::WhereUsed`].
    WhereUsed {
        /// What was asked for.
        package: String,
        /// One row per project whose latest completed scan has it.
        result: Loaded<Vec<ComponentUsage>>,
    },
    /// Answer to [`Cmd::LoadAdvisory`].
    Advisory {
        /// The id or alias asked for.
        id: String,
        /// The advisory and the projects it affects.
        result: Loaded<AdvisoryDetail>,
    },
    /// Answer to [`Cmd::LoadHistory`].
    History {
        /// The project.
        project: ProjectId,
        /// Its series, oldest first.
        result: Loaded<ScanHistory>,
    },
    /// Answer to [`Cmd::Compare`].
    Compared {
        /// The earlier scan.
        from: ScanId,
        /// The later scan.
        to: ScanId,
        /// What changed.
        result: Loaded<ScanComparison>,
    },
    /// Answer to [`Cmd::LoadUnread`].
    Unread(Loaded<i64>),
    /// Answer to [`Cmd::LoadInbox`].
    Inbox(Loaded<Vec<Notification>>),
    /// A notification the live feed pushed (made for this user just now).
    Pushed(Notification),
    /// Answer to [`Cmd::MarkRead`]: the notification as it is now.
    MarkedRead(Loaded<Notification>),
    /// Answer to [`Cmd::MarkAllRead`]: the unread count after it.
    MarkedAllRead(Loaded<i64>),
    /// Answer to [`Cmd::LoadWatches`].
    Watches(Loaded<Vec<cairn_sdk::types::CveWatch>>),
    /// Answer to [`Cmd::LoadWatchHits`].
    WatchHits {
        /// The watch.
        watch: cairn_sdk::types::CveWatchId,
        /// Its hits, oldest first.
        result: Loaded<Vec<cairn_sdk::types::CveWatchHit>>,
    },
    /// Answer to [`Cmd::LoadGate`]; `None` when the scan has no gate (not completed).
    Gate {
        /// The scan.
        scan: ScanId,
        /// Its gate.
        result: Loaded<Option<GateView>>,
    },
    /// Answer to [`Cmd::RequestApproval`]: the pending approval.
    ApprovalRequested(Loaded<Approval>),
    /// Answer to [`Cmd::LoadApprovals`].
    Approvals(Loaded<Vec<Approval>>),
    /// An approval was approved or rejected; as it is now.
    Decided(Approval),
    /// A decision met someone else's change (412); the approval as it is now.
    DecisionConflict(Approval),
    /// A decision failed for another reason (403 for a non-admin).
    DecisionFailed {
        /// The approval.
        id: ApprovalId,
        /// Why.
        failure: Failure,
    },
    /// Answer to [`Cmd::LoadImages`].
    Images(Loaded<Vec<Project>>),
    /// Answer to [`Cmd::LoadImageVersions`].
    ImageVersions {
        /// The image project.
        project: ProjectId,
        /// Its versions, newest first.
        result: Loaded<Vec<ImageVersion>>,
    },
    /// Answer to [`Cmd::LoadVersionHistory`].
    VersionHistory {
        /// The version.
        version: VersionId,
        /// Its completed scans, oldest first.
        result: Loaded<Vec<HistoryPoint>>,
    },
    /// An SBOM download's progress.
    SbomProgress {
        /// The version.
        version: VersionId,
        /// Bytes written so far.
        written: u64,
        /// Total bytes when the daemon said (Content-Length).
        total: Option<u64>,
    },
    /// An SBOM download ended: the file and its size.
    SbomDownloaded {
        /// The version.
        version: VersionId,
        /// The file written, and its size in bytes.
        result: Loaded<(PathBuf, u64)>,
    },
    /// Answer to [`Cmd::LoadRequests`].
    Requests(Loaded<Vec<FeatureRequest>>),
    /// Answer to [`Cmd::CreateRequest`].
    RequestCreated(Loaded<FeatureRequest>),
    /// A request's status was changed; as it is now.
    RequestChanged(FeatureRequest),
    /// A status change met someone else's change (412); the request as it is now.
    RequestConflict(FeatureRequest),
    /// A status change failed for another reason (403 for a non-admin, 400 for a bad note).
    RequestChangeFailed {
        /// The request.
        id: FeatureRequestId,
        /// Why.
        failure: Failure,
    },
    /// Something to tell the user (a scan completed or failed on the live feed, …).
    Notify {
        /// How bad.
        level: Level,
        /// One line.
        text: String,
    },
}
