//! The dashboard's `App`: the top tabs (Projects, Queue, Notifications), a stack of opened screens
//! (scan, finding), at most one dialog over them, toasts; keys become actions routed to what is
//! focused, messages update the screens, and both answer with the `Cmd`s the executor runs.

use cairn_sdk::types::{ApprovalState, Finding, Scan, ScanId, ScanStatus, VulnDataState, VulnDbStatus};
use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEventKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use time::OffsetDateTime;

use super::keys::{Action, KeyMap};
use super::msg::{Cmd, Level, Link, Msg, Session};
use super::remote::Remote;
use super::screens::advisory::AdvisoryScreen;
use super::screens::approval::ApprovalDialog;
use super::screens::approvals::{ApprovalsScreen, DecisionDialog};
use super::screens::cancel::CancelDialog;
use super::screens::compare::CompareScreen;
use super::screens::component::ComponentScreen;
use super::screens::diagnostics::{self, DiagnosticsScreen};
use super::screens::dialog::Dialog;
use super::screens::export::{self, ExportDialog};
use super::screens::finding::FindingScreen;
use super::screens::help::HelpDialog;
use super::screens::history::{HistoryScreen, Pick};
use super::screens::image_history::VersionHistoryScreen;
use super::screens::images::{ImageVersionsScreen, ImagesScreen};
use super::screens::inbox::{self, Inbox};
use super::screens::new_request::NewRequestForm;
use super::screens::new_scan::NewScanForm;
use super::screens::notifications::{Note, Notifications};
use super::screens::palette::Palette;
use super::screens::projects::Projects;
use super::screens::queue::Queue;
use super::screens::request::RequestDialog;
use super::screens::requests::RequestsScreen;
use super::screens::scan::{self, ScanScreen};
use super::screens::triage::TriagePanel;
use super::screens::watches::WatchesScreen;
use super::screens::where_used::{self, WhereUsedScreen};
use super::screens::{Ctx, Goto, Outcome, SPINNER, failure_text, tail};
use super::theme::Theme;
use super::time::age;
use super::widgets::list::ListState;

/// How the dashboard was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// `--readonly`: triage, new scans and exports are refused.
    pub readonly: bool,
    /// False under NO_COLOR: no colours at all, only modifiers.
    pub color: bool,
}

/// Toasts stay this long (seconds of `tick` clock).
const TOAST_SECS: i64 = 6;
/// Smaller than this, the dashboard only says so.
const MIN_WIDTH: u16 = 60;
const MIN_HEIGHT: u16 = 15;
/// How often the header's vulnerability data state is asked again: the feed carries scan events
/// only, and an import (`cairn db import` in another terminal, the daemon's updater) must show
/// without `r`.
const VULNDB_EVERY_SECS: i64 = 15;
/// Rows a mouse wheel notch scrolls.
const WHEEL_ROWS: isize = 3;

/// The top tabs.
const TOP_TABS: [&str; 3] = ["Projects", "Queue", "Notifications"];

#[derive(Debug)]
struct Toast {
    level: Level,
    text: String,
    /// Set by the first tick after it appeared.
    born: Option<OffsetDateTime>,
}

#[derive(Debug)]
enum View {
    Scan(Box<ScanScreen>),
    Finding(Box<FindingScreen>),
    Component(Box<ComponentScreen>),
    Diagnostics(Box<DiagnosticsScreen>),
    WhereUsed(Box<WhereUsedScreen>),
    Advisory(Box<AdvisoryScreen>),
    History(Box<HistoryScreen>),
    Compare(Box<CompareScreen>),
    Watches(Box<WatchesScreen>),
    Approvals(Box<ApprovalsScreen>),
    Images(Box<ImagesScreen>),
    ImageVersions(Box<ImageVersionsScreen>),
    VersionHistory(Box<VersionHistoryScreen>),
    Requests(Box<RequestsScreen>),
}

/// The dashboard.
#[derive(Debug)]
pub struct App {
    options: Options,
    theme: Theme,
    keys: KeyMap,
    now: Option<OffsetDateTime>,
    /// Ticks so far (the spinner's frame).
    ticks: u64,
    quit: bool,
    session: Remote<Session>,
    vulndb: Remote<VulnDbStatus>,
    /// When the vulnerability data state was last asked for (by the tick clock).
    vulndb_asked: Option<OffsetDateTime>,
    link: Option<Link>,
    top: usize,
    projects: Projects,
    queue: Queue,
    notifications: Notifications,
    inbox: Inbox,
    toasts: Vec<Toast>,
    stack: Vec<View>,
    dialog: Option<Box<dyn Dialog>>,
    watched: Option<ScanId>,
    /// What the new-scan form's path starts as (the directory `cairn` was started in).
    start_dir: Option<String>,
}

impl App {
    /// A dashboard with nothing loaded yet.
    pub fn new(options: Options) -> App {
        App {
            options,
            theme: Theme::new(options.color),
            keys: KeyMap::default(),
            now: None,
            ticks: 0,
            quit: false,
            session: Remote::NotAsked,
            vulndb: Remote::NotAsked,
            vulndb_asked: None,
            link: None,
            top: 0,
            projects: Projects::default(),
            queue: Queue::default(),
            notifications: Notifications::default(),
            inbox: Inbox::default(),
            toasts: Vec::new(),
            stack: Vec::new(),
            dialog: None,
            watched: None,
            start_dir: None,
        }
    }

    /// The new-scan form's path starts as `dir` (the dashboard passes its working directory, so
    /// `n` then `ctrl-s` scans where the user is).
    pub fn with_start_dir(mut self, dir: impl Into<String>) -> App {
        self.start_dir = Some(dir.into());
        self
    }

    /// Keys from `keys` (the built-in table with `config.toml`'s `[keys]`) instead of the
    /// built-in ones.
    pub fn with_keys(mut self, keys: KeyMap) -> App {
        self.keys = keys;
        self
    }

    /// The first loads.
    pub fn init(&mut self) -> Vec<Cmd> {
        self.session = Remote::Loading;
        self.vulndb = Remote::Loading;
        self.projects.data = Remote::Loading;
        self.queue.loading();
        self.inbox.unread = Remote::Loading;
        self.inbox.rows = Remote::Loading;
        vec![
            Cmd::LoadSession,
            Cmd::LoadVulnDb,
            Cmd::LoadProjects,
            Cmd::LoadScans,
            Cmd::LoadUnread,
            Cmd::LoadInbox { unread_only: false },
        ]
    }

    /// True once the user asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    fn ctx(&self) -> Ctx {
        let frame = usize::try_from(self.ticks % SPINNER.len() as u64).unwrap_or(0);
        Ctx { theme: self.theme, now: self.now, readonly: self.options.readonly, spinner: SPINNER[frame] }
    }

    fn toast(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.notifications.push(Note { level, text: text.clone(), at: self.now });
        // The same words already on screen (a bulk triage failing alike) are not stacked again.
        if !self.toasts.iter().any(|t| t.text == text) {
            self.toasts.push(Toast { level, text, born: self.now });
        }
    }

    /// The clock moved: expire toasts ("3m ago" texts use it when drawn).
    pub fn tick(&mut self, now: OffsetDateTime) -> Vec<Cmd> {
        self.now = Some(now);
        self.ticks = self.ticks.wrapping_add(1);
        for t in &mut self.toasts {
            t.born.get_or_insert(now);
        }
        self.toasts.retain(|t| t.born.is_none_or(|b| (now - b).whole_seconds() < TOAST_SECS));
        let asked = *self.vulndb_asked.get_or_insert(now);
        // The old state stays shown until the new one arrives.
        if (now - asked).whole_seconds() >= VULNDB_EVERY_SECS && !matches!(self.vulndb, Remote::Loading) {
            self.vulndb_asked = Some(now);
            return vec![Cmd::LoadVulnDb];
        }
        Vec::new()
    }

    // ---- messages -------------------------------------------------------------------------

    fn scans_mut(&mut self, id: ScanId) -> impl Iterator<Item = &mut ScanScreen> {
        self.stack.iter_mut().filter_map(move |v| match v {
            View::Scan(s) if s.id == id => Some(&mut **s),
            _ => None,
        })
    }

    fn approvals_mut(&mut self) -> Option<&mut ApprovalsScreen> {
        self.stack.iter_mut().rev().find_map(|v| match v {
            View::Approvals(q) => Some(&mut **q),
            _ => None,
        })
    }

    fn requests_mut(&mut self) -> Option<&mut RequestsScreen> {
        self.stack.iter_mut().rev().find_map(|v| match v {
            View::Requests(q) => Some(&mut **q),
            _ => None,
        })
    }

    /// `Ok` when the user may do what only tenant admins may (`what`), else why not, for the
    /// screen to say (the daemon refuses it anyway; this keeps the offer honest).
    fn admin_only(&self, what: &str) -> Result<(), String> {
        match &self.session {
            Remote::Loaded(s) if s.is_admin() => Ok(()),
            Remote::Loaded(s) => Err(format!("Only tenant admins {what}; you are {}", s.role_text())),
            Remote::Failed(_) => Err(format!("Only tenant admins {what}; your role is unknown (no session)")),
            Remote::NotAsked | Remote::Loading => {
                Err(format!("Only tenant admins {what}; your role is not known yet (press r)"))
            }
        }
    }

    fn my_id(&self) -> Option<cairn_sdk::types::UserId> {
        self.session.get().and_then(|s| s.user_id)
    }

    fn findings_changed(&mut self, f: &Finding) {
        for v in &mut self.stack {
            match v {
                View::Scan(s) if s.id == f.finding.scan_id => s.replace_finding(f),
                View::Finding(fs) if fs.id == f.finding.id => fs.finding = Remote::Loaded(f.clone()),
                _ => {}
            }
        }
    }

    /// Data arrived: update the screens; the loads that follows from it.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let cmds = self.update_screens(msg);
        self.name_projects();
        cmds
    }

    /// The dialog's answer to a message it took (`None`: not its message).
    fn dialog_update(&mut self, msg: &Msg) -> Option<Outcome> {
        let outcome = self.dialog.as_mut()?.update(msg)?;
        if matches!(outcome, Outcome::Close | Outcome::CloseWith(_) | Outcome::Run(_) | Outcome::Goto(_)) {
            self.dialog = None;
        }
        Some(outcome)
    }

    /// Scan screens show their project's name: set when scans or projects arrive, not when drawn.
    fn name_projects(&mut self) {
        let projects = self.projects.data.get();
        for v in &mut self.stack {
            if let View::Scan(s) = v {
                let project = s.scan.get().and_then(|x| x.project_id);
                s.project_name =
                    projects.and_then(|ps| ps.iter().find(|p| Some(p.id) == project)).map(|p| p.name.clone());
            }
        }
    }

    fn update_screens(&mut self, msg: Msg) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        let dialog = self.dialog_update(&msg);
        match msg {
            Msg::Session(r) => self.session = r.into(),
            Msg::VulnDb(r) => self.vulndb = r.into(),
            Msg::Link(l) => self.link = Some(l),
            Msg::Projects(r) => cmds.extend(self.projects.set(r).into_iter().map(Cmd::LoadHistory)),
            Msg::Scans(r) => self.queue.set_recent(r),
            Msg::Queue(scans) => self.queue.set_live(scans),
            Msg::Scan(Ok(scan)) => {
                self.queue.upsert(&scan);
                for s in self.scans_mut(scan.id) {
                    cmds.extend(s.set_scan(scan.clone()));
                }
            }
            Msg::Scan(Err(f)) => {
                // The failure names no scan: it answers the scan screen still waiting for one.
                let waiting = self.stack.iter_mut().rev().find_map(|v| match v {
                    View::Scan(s) if s.scan.is_pending() => Some(s),
                    _ => None,
                });
                match waiting {
                    Some(s) => s.scan = Remote::Failed(f),
                    None => self.toast(Level::Error, format!("Could not load a scan: {}", failure_text(&f))),
                }
            }
            Msg::Findings { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.set_findings(result.clone());
                }
            }
            Msg::Components { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.components.set(result.clone(), scan::components::haystack);
                }
            }
            Msg::Dependencies { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.set_edges(result.clone());
                }
            }
            Msg::Licenses { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.licenses.set(result.clone(), scan::licenses::haystack);
                }
            }
            Msg::Crypto { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.crypto.set(result.clone(), scan::crypto::haystack);
                }
            }
            Msg::Events { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.events.set(result.clone(), scan::events::haystack);
                }
            }
            Msg::Warnings { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.warnings.set(result.clone(), scan::warnings::haystack);
                }
            }
            Msg::Diagnostics { scan, result } => {
                for v in &mut self.stack {
                    if let View::Diagnostics(d) = v
                        && d.scan == scan
                    {
                        d.rows.set(result.clone(), diagnostics::haystack);
                    }
                }
            }
            Msg::ScanProgress(ev) => {
                if self.queue.progress(&ev) {
                    cmds.extend([Cmd::LoadScans, Cmd::LoadProjects]);
                }
                for s in self.scans_mut(ev.scan_id) {
                    for c in s.progress(&ev) {
                        if !cmds.contains(&c) {
                            cmds.push(c);
                        }
                    }
                }
            }
            Msg::Finding(Ok(f)) => {
                for v in &mut self.stack {
                    if let View::Finding(fs) = v
                        && fs.id == f.finding.id
                    {
                        fs.finding = Remote::Loaded(f.clone());
                        fs.refresh_failed = None;
                        fs.loading_details = false;
                    }
                }
            }
            Msg::Finding(Err(e)) => {
                if let Some(View::Finding(fs)) = self.stack.last_mut() {
                    fs.loading_details = false;
                    if fs.finding.get().is_some() {
                        fs.refresh_failed = Some(e);
                    } else {
                        fs.finding = Remote::Failed(e);
                    }
                }
            }
            Msg::Triaged(f) => {
                self.findings_changed(&f);
                self.toast(
                    Level::Info,
                    format!("Saved: {} is {}", f.finding.vulnerability_id, scan::vulns::state_text(&f)),
                );
                // The triage panel closed: every save it sent went through.
                if dialog == Some(Outcome::Close) {
                    for v in &mut self.stack {
                        if let View::Scan(s) = v {
                            s.findings.list.clear_marks();
                        }
                    }
                }
            }
            Msg::TriageRuleMade { rule, applied_now, .. } => {
                self.toast(
                    Level::Info,
                    format!(
                        "Rule made: {} in {} is {} in every project ({applied_now} findings now)",
                        rule.vulnerability,
                        rule.purl,
                        rule.state.as_str()
                    ),
                );
                // The rule triaged findings of the open scan too: read them again.
                for v in &mut self.stack {
                    if let View::Scan(s) = v {
                        s.findings.list.clear_marks();
                        cmds.push(Cmd::LoadFindings(s.id));
                    }
                }
            }
            Msg::TriageConflict(f) => {
                self.findings_changed(&f);
                self.toast(
                    Level::Warning,
                    format!("{} was changed by someone else", f.finding.vulnerability_id),
                );
            }
            Msg::TriageFailed { failure, .. } => {
                self.toast(Level::Error, format!("Triage failed: {}", failure_text(&failure)));
            }
            Msg::Submitted(Ok(scan)) => {
                self.queue.upsert(&scan);
                self.toast(Level::Info, format!("Scan {} queued", super::screens::tail(&scan.id)));
                cmds.extend(self.open_scan(scan.id, Some(scan)));
            }
            // The form shows its own failure; without it, a toast does.
            Msg::Submitted(Err(f)) => {
                if dialog.is_none() {
                    self.toast(Level::Error, format!("New scan failed: {}", failure_text(&f)));
                }
            }
            Msg::ExportProgress { .. } => {}
            Msg::Exported { result, .. } => match result {
                Ok((path, bytes)) => {
                    self.toast(Level::Info, format!("Exported {bytes} bytes to {}", path.display()))
                }
                Err(f) => self.toast(Level::Error, format!("Export failed: {}", failure_text(&f))),
            },
            Msg::WhereUsed { package, result } => {
                for v in &mut self.stack {
                    if let View::WhereUsed(w) = v
                        && w.package == package
                    {
                        w.rows.set(result.clone(), where_used::haystack);
                    }
                }
            }
            Msg::History { project, result } => {
                for v in &mut self.stack {
                    if let View::History(h) = v
                        && h.project == project
                    {
                        h.set(result.clone());
                    }
                }
                self.projects.set_history(project, result);
            }
            Msg::Compared { from, to, result } => {
                for v in &mut self.stack {
                    if let View::Compare(c) = v
                        && (c.from, c.to) == (from, to)
                    {
                        c.comparison = result.clone().into();
                    }
                }
            }
            Msg::Advisory { id, result } => {
                for v in &mut self.stack {
                    if let View::Advisory(a) = v
                        && a.id == id
                    {
                        a.set(result.clone());
                    }
                }
            }
            Msg::Notify { level, text } => self.toast(level, text),
            Msg::Unread(r) => self.inbox.unread = r.into(),
            Msg::Watches(r) => {
                for v in &mut self.stack {
                    if let View::Watches(w) = v {
                        w.set(r.clone());
                    }
                }
            }
            Msg::WatchHits { watch, result } => {
                for v in &mut self.stack {
                    if let View::Watches(w) = v {
                        w.set_hits(watch, result.clone());
                    }
                }
            }
            Msg::Inbox(r) => self.inbox.set(r),
            Msg::Pushed(n) => self.inbox.pushed(n),
            Msg::MarkedRead(Ok(n)) => self.inbox.marked(n),
            Msg::MarkedRead(Err(f)) => {
                self.toast(Level::Error, format!("Could not mark it read: {}", failure_text(&f)));
            }
            Msg::MarkedAllRead(Ok(unread)) => {
                self.inbox.unread = Remote::Loaded(unread);
                // Every row's read time is the daemon's: read them again.
                cmds.push(Cmd::LoadInbox { unread_only: self.inbox.unread_only });
            }
            Msg::MarkedAllRead(Err(f)) => {
                self.toast(Level::Error, format!("Could not mark all read: {}", failure_text(&f)));
            }
            Msg::Gate { scan, result } => {
                for s in self.scans_mut(scan) {
                    s.gate = result.clone().into();
                }
            }
            // The dialog shows a refusal itself; a success closes it and says so.
            Msg::ApprovalRequested(Ok(a)) => {
                self.toast(
                    Level::Info,
                    format!(
                        "Exception asked for {}: pending an admin's decision",
                        crate::comparison_text::subject(&a.subject)
                    ),
                );
                if let Some(q) = self.approvals_mut() {
                    q.rows = Remote::Loading;
                    cmds.push(Cmd::LoadApprovals);
                }
            }
            Msg::ApprovalRequested(Err(f)) => {
                if dialog.is_none() {
                    self.toast(Level::Error, format!("Exception not asked: {}", failure_text(&f)));
                }
            }
            Msg::Approvals(r) => {
                let projects = self.projects.data.get().map(Vec::as_slice);
                for v in &mut self.stack {
                    if let View::Approvals(q) = v {
                        q.set(r.clone(), projects);
                    }
                }
            }
            Msg::Decided(a) => {
                if let Some(q) = self.approvals_mut() {
                    q.replace(&a);
                }
                self.toast(
                    Level::Info,
                    format!("{}: {}", a.state.as_str(), crate::comparison_text::subject(&a.subject)),
                );
            }
            Msg::DecisionConflict(a) => {
                if let Some(q) = self.approvals_mut() {
                    q.replace(&a);
                }
                self.toast(
                    Level::Warning,
                    format!("Changed by someone else, reloaded: it is {} now", a.state.as_str()),
                );
            }
            Msg::DecisionFailed { failure, .. } => {
                self.toast(Level::Error, format!("Decision not saved: {}", failure_text(&failure)));
            }
            Msg::Images(r) => {
                for v in &mut self.stack {
                    if let View::Images(i) = v {
                        i.set(r.clone());
                    }
                }
            }
            Msg::ImageVersions { project, result } => {
                for v in &mut self.stack {
                    if let View::ImageVersions(i) = v
                        && i.project == project
                    {
                        i.set(result.clone());
                    }
                }
            }
            Msg::VersionHistory { version, result } => {
                for v in &mut self.stack {
                    if let View::VersionHistory(h) = v
                        && h.version == version
                    {
                        h.set(result.clone());
                    }
                }
            }
            Msg::SbomProgress { .. } => {}
            Msg::SbomDownloaded { result, .. } => match result {
                Ok((path, bytes)) => {
                    self.toast(Level::Info, format!("Downloaded {bytes} bytes to {}", path.display()))
                }
                Err(f) => self.toast(Level::Error, format!("SBOM download failed: {}", failure_text(&f))),
            },
            Msg::Requests(r) => {
                for v in &mut self.stack {
                    if let View::Requests(q) = v {
                        q.set(r.clone());
                    }
                }
            }
            // The form shows a refusal itself; a success closes it, says so and reloads the list.
            Msg::RequestCreated(Ok(r)) => {
                self.toast(Level::Info, format!("Asked: {} ({})", r.title, r.kind.as_str()));
                if let Some(q) = self.requests_mut() {
                    q.rows = Remote::Loading;
                    cmds.push(Cmd::LoadRequests);
                }
            }
            Msg::RequestCreated(Err(f)) => {
                if dialog.is_none() {
                    self.toast(Level::Error, format!("Request not sent: {}", failure_text(&f)));
                }
            }
            Msg::RequestChanged(r) => {
                if let Some(q) = self.requests_mut() {
                    q.replace(&r);
                }
                self.toast(Level::Info, format!("{} is {} now", r.title, r.status.as_str()));
            }
            Msg::RequestConflict(r) => {
                if let Some(q) = self.requests_mut() {
                    q.replace(&r);
                }
                self.toast(
                    Level::Warning,
                    format!(
                        "Changed by someone else, reloaded: it is {} now (version {})",
                        r.status.as_str(),
                        r.version
                    ),
                );
            }
            Msg::RequestChangeFailed { failure, .. } => {
                self.toast(Level::Error, format!("Status not changed: {}", failure_text(&failure)));
            }
            Msg::Cancelled { scan, result: Ok(s) } => {
                self.queue.upsert(&s);
                for screen in self.scans_mut(s.id) {
                    cmds.extend(screen.set_scan(s.clone()));
                }
                let id = tail(&scan);
                let text = match s.status {
                    ScanStatus::Cancelled => format!("Scan {id} cancelled"),
                    st if st.is_terminal() => format!("Scan {id} had already ended ({})", st.as_str()),
                    _ => format!("Scan {id} is stopping: it ends at its next step"),
                };
                self.toast(Level::Info, text);
            }
            Msg::Cancelled { scan, result: Err(f) } => {
                self.toast(
                    Level::Error,
                    format!("Could not cancel scan {}: {}", tail(&scan), failure_text(&f)),
                );
            }
        }
        cmds
    }

    // ---- navigation -----------------------------------------------------------------------

    fn open_scan(&mut self, id: ScanId, known: Option<Scan>) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if known.is_none() {
            cmds.push(Cmd::LoadScan(id));
        }
        if known.as_ref().is_none_or(|s| !s.status.is_terminal()) {
            cmds.push(Cmd::WatchScan(id));
            self.watched = Some(id);
        }
        let mut screen = ScanScreen::new(id, known);
        cmds.extend(screen.gate_load());
        self.stack.push(View::Scan(Box::new(screen)));
        self.name_projects();
        cmds
    }

    /// Open what a dialog asked for (the palette's searches), loading it.
    fn goto(&mut self, goto: Goto) -> Vec<Cmd> {
        match goto {
            Goto::WhereUsed(package) => {
                self.stack.push(View::WhereUsed(Box::new(WhereUsedScreen::new(package.clone()))));
                vec![Cmd::WhereUsed(package)]
            }
            Goto::Advisory(id) => {
                self.stack.push(View::Advisory(Box::new(AdvisoryScreen::new(id.clone()))));
                vec![Cmd::LoadAdvisory(id)]
            }
            Goto::History(name) => {
                let project = match &name {
                    Some(n) => self
                        .projects
                        .data
                        .get()
                        .and_then(|ps| ps.iter().find(|p| p.name.eq_ignore_ascii_case(n.trim())))
                        .cloned(),
                    None if self.stack.is_empty() && self.top == 0 => self.projects.current().cloned(),
                    None => None,
                };
                let Some(p) = project else {
                    let text = match name {
                        Some(n) => format!("No project named {n}"),
                        None => "Pick a project on the Projects tab, or type history NAME".to_owned(),
                    };
                    self.toast(Level::Warning, text);
                    return Vec::new();
                };
                self.stack.push(View::History(Box::new(HistoryScreen::new(p.id, p.name.clone()))));
                vec![Cmd::LoadHistory(p.id)]
            }
        }
    }

    fn back(&mut self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if let Some(View::Scan(s)) = self.stack.pop()
            && self.watched == Some(s.id)
        {
            self.watched = None;
            cmds.push(Cmd::Unwatch);
        }
        cmds
    }

    fn go_top(&mut self, tab: usize) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        while !self.stack.is_empty() {
            cmds.extend(self.back());
        }
        self.top = tab;
        cmds
    }

    fn list(&mut self) -> Option<&mut ListState> {
        match self.stack.last_mut() {
            Some(View::Scan(s)) => s.list(),
            Some(View::Diagnostics(d)) => Some(&mut d.rows.list),
            Some(View::WhereUsed(w)) => Some(&mut w.rows.list),
            Some(View::Advisory(a)) => Some(&mut a.list),
            Some(View::History(h)) => Some(&mut h.list),
            Some(View::Watches(w)) => Some(w.list()),
            Some(View::Approvals(q)) => Some(&mut q.list),
            Some(View::Images(i)) => Some(&mut i.list),
            Some(View::ImageVersions(i)) => Some(&mut i.list),
            Some(View::VersionHistory(h)) => Some(&mut h.list),
            Some(View::Requests(q)) => Some(&mut q.list),
            Some(View::Finding(_) | View::Component(_) | View::Compare(_)) => None,
            None => Some(match self.top {
                0 => &mut self.projects.list,
                1 => &mut self.queue.list,
                _ => &mut self.inbox.list,
            }),
        }
    }

    fn scroll(&mut self, by: isize) {
        match self.stack.last_mut() {
            Some(View::Finding(f)) => f.scroll = f.scroll.saturating_add_signed(by.clamp(-100, 100) as i16),
            Some(View::Component(c)) => c.scroll = c.scroll.saturating_add_signed(by.clamp(-100, 100) as i16),
            Some(View::Compare(c)) => c.scroll = c.scroll.saturating_add_signed(by.clamp(-100, 100) as i16),
            Some(View::Scan(s)) if s.tab == scan::SUMMARY => {
                s.summary_scroll = s.summary_scroll.saturating_add_signed(by.clamp(-100, 100) as i16);
            }
            _ => {
                if let Some(l) = self.list() {
                    l.move_by(by);
                }
            }
        }
    }

    fn refused(&mut self, what: &str) -> Vec<Cmd> {
        self.toast(Level::Warning, format!("Read-only: {what} is not allowed (started with --readonly)"));
        Vec::new()
    }

    fn act(&mut self, action: Action) -> Vec<Cmd> {
        match action {
            Action::Help => self.dialog = Some(Box::new(HelpDialog::new(&self.keys))),
            Action::Palette => self.dialog = Some(Box::new(Palette::new(&self.keys))),
            Action::ForceQuit => self.quit = true,
            Action::Filter => {
                if let Some(l) = self.list() {
                    l.editing = true;
                }
            }
            Action::Quit => {
                if self.stack.is_empty() {
                    self.quit = true;
                } else {
                    return self.back();
                }
            }
            Action::Back => {
                if let Some(l) = self.list()
                    && !l.filter().is_empty()
                {
                    l.clear_filter();
                    return Vec::new();
                }
                // A watch's hits go back to the watches.
                if let Some(View::Watches(w)) = self.stack.last_mut()
                    && w.hits.take().is_some()
                {
                    return Vec::new();
                }
                return self.back();
            }
            Action::Tab(n) => return self.pick_tab(n.saturating_sub(1)),
            Action::NextTab | Action::PrevTab => {
                let next = action == Action::NextTab;
                let (current, count) = match self.stack.last() {
                    Some(View::Scan(s)) => (s.tab, scan::TABS.len()),
                    Some(
                        View::Finding(_)
                        | View::Component(_)
                        | View::Diagnostics(_)
                        | View::WhereUsed(_)
                        | View::Advisory(_)
                        | View::History(_)
                        | View::Compare(_)
                        | View::Watches(_)
                        | View::Approvals(_)
                        | View::Images(_)
                        | View::ImageVersions(_)
                        | View::VersionHistory(_)
                        | View::Requests(_),
                    ) => return Vec::new(),
                    None => (self.top, TOP_TABS.len()),
                };
                let to = if next { (current + 1) % count } else { (current + count - 1) % count };
                return self.pick_tab(to);
            }
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::HalfDown | Action::HalfUp => {
                let half = self.list().map_or(10, |l| l.half_page());
                self.scroll(if action == Action::HalfDown { half } else { -half });
            }
            Action::Top | Action::Bottom => {
                if let Some(l) = self.list() {
                    if action == Action::Top { l.top() } else { l.bottom() }
                } else {
                    self.scroll(if action == Action::Top { -10_000 } else { 10_000 });
                }
            }
            Action::Open => return self.open(),
            Action::Select => {
                // Two scans of a project's history are marked to compare them.
                if let Some(View::History(h)) = self.stack.last_mut() {
                    h.list.toggle_mark();
                    return Vec::new();
                }
                if let Some(View::Scan(s)) = self.stack.last_mut()
                    && s.tab == scan::VULNS
                {
                    if self.options.readonly {
                        return self.refused("triage");
                    }
                    s.findings.list.toggle_mark();
                }
            }
            Action::NewScan if matches!(self.stack.last(), Some(View::Requests(_))) => {
                if self.options.readonly {
                    return self.refused("a new request");
                }
                self.dialog = Some(Box::new(NewRequestForm::new(&self.keys)));
            }
            Action::NewScan => {
                if self.options.readonly {
                    return self.refused("a new scan");
                }
                let form = NewScanForm::with_path(self.start_dir.as_deref(), &self.keys);
                // A team daemon reads only its configured roots, not this machine: Upload first.
                let team = matches!(&self.session, Remote::Loaded(s) if !s.local);
                self.dialog = Some(Box::new(if team { form.upload_first() } else { form }));
            }
            Action::Triage => return self.start_triage(),
            Action::Export => {
                let target = match self.stack.last() {
                    Some(View::Scan(s)) => export::Target::Scan(s.id),
                    Some(View::ImageVersions(i)) => match i.current() {
                        Some(v) => export::Target::Version {
                            project: i.project,
                            version: v.version.id,
                            label: i.label(v),
                        },
                        None => return Vec::new(),
                    },
                    Some(View::VersionHistory(h)) => export::Target::Version {
                        project: h.project,
                        version: h.version,
                        label: h.label.clone(),
                    },
                    _ => return Vec::new(),
                };
                if self.options.readonly {
                    return self.refused("export");
                }
                self.dialog = Some(Box::new(ExportDialog::of(target, &self.keys)));
            }
            Action::Refresh => return self.refresh(),
            Action::GoProjects => return self.go_top(0),
            Action::GoQueue => return self.go_top(1),
            Action::GoNotifications => return self.go_top(2),
            Action::CancelScan => return self.start_cancel(),
            Action::MarkRead | Action::MarkAllRead | Action::UnreadOnly => return self.inbox_action(action),
            Action::RequestApproval => return self.start_approval(),
            Action::GoApprovals => {
                if matches!(self.stack.last(), Some(View::Approvals(_))) {
                    return Vec::new();
                }
                self.stack.push(View::Approvals(Box::new(ApprovalsScreen::loading())));
                return vec![Cmd::LoadApprovals];
            }
            Action::GoImages => {
                if matches!(self.stack.last(), Some(View::Images(_))) {
                    return Vec::new();
                }
                self.stack.push(View::Images(Box::new(ImagesScreen::loading())));
                return vec![Cmd::LoadImages];
            }
            Action::GoRequests => {
                if matches!(self.stack.last(), Some(View::Requests(_))) {
                    return Vec::new();
                }
                self.stack.push(View::Requests(Box::new(RequestsScreen::loading())));
                return vec![Cmd::LoadRequests];
            }
            Action::GoWatches => {
                if matches!(self.stack.last(), Some(View::Watches(_))) {
                    return Vec::new();
                }
                let screen = WatchesScreen { rows: Remote::Loading, ..WatchesScreen::default() };
                self.stack.push(View::Watches(Box::new(screen)));
                return vec![Cmd::LoadWatches];
            }
            // Dialog and text field actions: nothing to do on a screen.
            Action::Confirm
            | Action::Submit
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::FieldDown
            | Action::FieldUp
            | Action::Left
            | Action::Right
            | Action::Backspace
            | Action::Delete
            | Action::Home
            | Action::End
            | Action::Type(_) => {}
        }
        Vec::new()
    }

    /// The inbox's own keys (on the Notifications tab only).
    fn inbox_action(&mut self, action: Action) -> Vec<Cmd> {
        if !self.stack.is_empty() || self.top != 2 {
            return Vec::new();
        }
        match action {
            Action::MarkRead => self.inbox.current_unread().map(Cmd::MarkRead).into_iter().collect(),
            Action::MarkAllRead => vec![Cmd::MarkAllRead],
            Action::UnreadOnly => {
                self.inbox.unread_only = !self.inbox.unread_only;
                self.inbox.rows = Remote::Loading;
                vec![Cmd::LoadInbox { unread_only: self.inbox.unread_only }]
            }
            _ => Vec::new(),
        }
    }

    /// Open the finding or scan of the inbox row under the cursor, marking it read.
    fn open_notification(&mut self) -> Vec<Cmd> {
        let Some(n) = self.inbox.current().cloned() else { return Vec::new() };
        let mut cmds: Vec<Cmd> = self.inbox.current_unread().map(Cmd::MarkRead).into_iter().collect();
        match inbox::target(&n) {
            Some(inbox::Target::Finding(id)) => {
                self.stack.push(View::Finding(Box::new(FindingScreen::new(id.clone(), None))));
                cmds.push(Cmd::LoadFinding(id));
            }
            Some(inbox::Target::Scan(scan)) => {
                let known = self.queue.rows.get().and_then(|r| r.iter().find(|s| s.id == scan)).cloned();
                cmds.extend(self.open_scan(scan, known));
            }
            None => self.toast(Level::Info, format!("{}: nothing to open", n.kind.as_str())),
        }
        cmds
    }

    /// The scan the cancel key is about: the scan screen's, or the queue's row under the cursor.
    fn cancel_target(&self) -> Option<Scan> {
        match self.stack.last() {
            Some(View::Scan(s)) => s.scan.get().cloned(),
            None if self.top == 1 => self.queue.open(),
            _ => None,
        }
    }

    fn start_cancel(&mut self) -> Vec<Cmd> {
        let Some(scan) = self.cancel_target() else { return Vec::new() };
        if self.options.readonly {
            return self.refused("cancelling a scan");
        }
        if scan.status.is_terminal() {
            self.toast(
                Level::Info,
                format!(
                    "Scan {} already ended ({}): nothing to cancel",
                    tail(&scan.id),
                    scan.status.as_str()
                ),
            );
            return Vec::new();
        }
        self.dialog = Some(Box::new(CancelDialog::new(scan, &self.keys)));
        Vec::new()
    }

    fn pick_tab(&mut self, tab: usize) -> Vec<Cmd> {
        match self.stack.last_mut() {
            Some(View::Scan(s)) if tab < scan::TABS.len() => s.show(tab),
            None if tab < TOP_TABS.len() => {
                self.top = tab;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn open(&mut self) -> Vec<Cmd> {
        match self.stack.last_mut() {
            Some(View::Scan(s)) if s.tab == scan::VULNS => {
                let Some(f) = s.current_finding().cloned() else { return Vec::new() };
                let id = f.finding.id.clone();
                // "Found in" needs the scan's components.
                let mut cmds = s.ensure(scan::COMPONENTS);
                self.stack.push(View::Finding(Box::new(FindingScreen::new(id.clone(), Some(f)))));
                cmds.insert(0, Cmd::LoadFinding(id));
                cmds
            }
            Some(View::Scan(s)) if s.tab == scan::COMPONENTS => {
                let Some(c) = s.current_component().cloned() else { return Vec::new() };
                let mut cmds = Vec::new();
                for tab in [scan::VULNS, scan::LICENSES, scan::DEPS] {
                    cmds.extend(s.ensure(tab));
                }
                let id = s.id;
                self.stack.push(View::Component(Box::new(ComponentScreen::new(id, c))));
                cmds
            }
            Some(View::Scan(s)) if s.tab == scan::SUMMARY && s.scan.get().is_some() => {
                let id = s.id;
                self.stack.push(View::Diagnostics(Box::new(DiagnosticsScreen::new(id))));
                vec![Cmd::LoadDiagnostics(id)]
            }
            Some(View::Finding(f)) => {
                // The advisory behind the finding, with every project it affects.
                let Some(id) = f.finding.get().map(|x| x.finding.vulnerability_id.clone()) else {
                    return Vec::new();
                };
                self.goto(Goto::Advisory(id))
            }
            Some(View::WhereUsed(w)) => match w.current_scan() {
                Some(scan) => self.open_scan(scan, None),
                None => Vec::new(),
            },
            Some(View::Advisory(a)) => match a.current_scan() {
                Some(scan) => self.open_scan(scan, None),
                None => Vec::new(),
            },
            Some(View::History(h)) => match h.pick() {
                Some(Pick::Compare(from, to)) => {
                    self.stack.push(View::Compare(Box::new(CompareScreen::new(from, to))));
                    vec![Cmd::Compare { from, to }]
                }
                Some(Pick::Open(scan)) => self.open_scan(scan, None),
                None => Vec::new(),
            },
            Some(View::Approvals(_)) => self.start_decision(),
            Some(View::Images(i)) => {
                let Some(p) = i.current() else { return Vec::new() };
                let (id, name) = (p.id, p.name.clone());
                self.stack.push(View::ImageVersions(Box::new(ImageVersionsScreen::new(id, name))));
                vec![Cmd::LoadImageVersions(id)]
            }
            Some(View::ImageVersions(i)) => {
                let Some(v) = i.current() else { return Vec::new() };
                let (project, version, tag, label) =
                    (i.project, v.version.id, v.version.name.clone(), i.label(v));
                let screen = VersionHistoryScreen::new(project, version, tag, label);
                self.stack.push(View::VersionHistory(Box::new(screen)));
                vec![Cmd::LoadVersionHistory { project, version }]
            }
            Some(View::VersionHistory(h)) => match h.current_scan() {
                Some(scan) => self.open_scan(scan, None),
                None => Vec::new(),
            },
            Some(View::Requests(q)) => {
                let Some(r) = q.current().cloned() else { return Vec::new() };
                let may_change = if self.options.readonly {
                    Err("Read-only: changing the status is not allowed (started with --readonly)".to_owned())
                } else {
                    self.admin_only("change a request's status")
                };
                let me = self.my_id();
                self.dialog = Some(Box::new(RequestDialog::new(r, me, may_change, &self.keys)));
                Vec::new()
            }
            Some(View::Watches(w)) if w.hits.is_none() => {
                w.open_watch().map(Cmd::LoadWatchHits).into_iter().collect()
            }
            Some(View::Watches(w)) => match w.open_hit() {
                Some(inbox::Target::Finding(id)) => {
                    self.stack.push(View::Finding(Box::new(FindingScreen::new(id.clone(), None))));
                    vec![Cmd::LoadFinding(id)]
                }
                Some(inbox::Target::Scan(scan)) => {
                    let known = self.queue.rows.get().and_then(|r| r.iter().find(|s| s.id == scan)).cloned();
                    self.open_scan(scan, known)
                }
                None => Vec::new(),
            },
            Some(_) => Vec::new(),
            None => match self.top {
                0 => match self.projects.open(&self.queue) {
                    Some(Ok(scan)) => {
                        // A scan the queue holds needs no load (nor a watch, when finished).
                        let known =
                            self.queue.rows.get().and_then(|r| r.iter().find(|s| s.id == scan)).cloned();
                        self.open_scan(scan, known)
                    }
                    Some(Err(name)) => {
                        self.toast(Level::Info, format!("{name} has no scan yet: press n to start one"));
                        Vec::new()
                    }
                    None => Vec::new(),
                },
                1 => match self.queue.open() {
                    Some(scan) => self.open_scan(scan.id, Some(scan)),
                    None => Vec::new(),
                },
                _ => self.open_notification(),
            },
        }
    }

    /// The exception request for a violation of the open scan's gate (on its Summary tab).
    fn start_approval(&mut self) -> Vec<Cmd> {
        let Some(View::Scan(s)) = self.stack.last() else { return Vec::new() };
        if s.tab != scan::SUMMARY {
            return Vec::new();
        }
        let violations = s.violations().to_vec();
        let project = s.scan.get().and_then(|x| x.project_id);
        if violations.is_empty() {
            self.toast(Level::Info, "The gate has no violation to ask an exception for");
            return Vec::new();
        }
        if self.options.readonly {
            return self.refused("asking for an exception");
        }
        let Some(project) = project else {
            self.toast(Level::Warning, "Exceptions are per project: this scan has none");
            return Vec::new();
        };
        self.dialog = Some(Box::new(ApprovalDialog::new(project, violations, &self.keys)));
        Vec::new()
    }

    /// The decision on the approval under the cursor (`enter` on the approvals queue).
    fn start_decision(&mut self) -> Vec<Cmd> {
        let Some(View::Approvals(q)) = self.stack.last() else { return Vec::new() };
        let Some(a) = q.current().cloned() else { return Vec::new() };
        if a.state != ApprovalState::Pending {
            self.toast(
                Level::Info,
                format!("Already {}: only pending requests are decided", a.state.as_str()),
            );
            return Vec::new();
        }
        if self.options.readonly {
            return self.refused("deciding an exception");
        }
        if let Err(why) = self.admin_only("decide exceptions") {
            self.toast(Level::Warning, why);
            return Vec::new();
        }
        let project = self.projects.data.get().and_then(|ps| ps.iter().find(|p| p.id == a.project_id));
        let name = project.map(|p| p.name.clone());
        self.dialog = Some(Box::new(DecisionDialog::new(a, name, &self.keys)));
        Vec::new()
    }

    fn start_triage(&mut self) -> Vec<Cmd> {
        let targets = match self.stack.last() {
            Some(View::Scan(s)) => s.triage_targets(),
            Some(View::Finding(f)) => f.finding.get().cloned().into_iter().collect(),
            Some(
                View::Component(_)
                | View::Diagnostics(_)
                | View::WhereUsed(_)
                | View::Advisory(_)
                | View::History(_)
                | View::Compare(_)
                | View::Watches(_)
                | View::Approvals(_)
                | View::Images(_)
                | View::ImageVersions(_)
                | View::VersionHistory(_)
                | View::Requests(_),
            )
            | None => Vec::new(),
        };
        if targets.is_empty() {
            return Vec::new();
        }
        if self.options.readonly {
            return self.refused("triage");
        }
        self.dialog = Some(Box::new(TriagePanel::new(&targets, &self.keys)));
        Vec::new()
    }

    fn refresh(&mut self) -> Vec<Cmd> {
        match self.stack.last_mut() {
            Some(View::Scan(s)) => s.reload(),
            Some(View::Finding(f)) => {
                if f.finding.get().is_none() {
                    f.finding = Remote::Loading;
                }
                f.loading_details = true;
                f.refresh_failed = None;
                vec![Cmd::LoadFinding(f.id.clone())]
            }
            Some(View::Diagnostics(d)) => {
                d.rows.data = Remote::Loading;
                vec![Cmd::LoadDiagnostics(d.scan)]
            }
            Some(View::WhereUsed(w)) => {
                w.rows.data = Remote::Loading;
                vec![Cmd::WhereUsed(w.package.clone())]
            }
            Some(View::Advisory(a)) => {
                a.detail = Remote::Loading;
                vec![Cmd::LoadAdvisory(a.id.clone())]
            }
            Some(View::History(h)) => {
                h.history = Remote::Loading;
                vec![Cmd::LoadHistory(h.project)]
            }
            Some(View::Compare(c)) => {
                c.comparison = Remote::Loading;
                vec![Cmd::Compare { from: c.from, to: c.to }]
            }
            Some(View::Watches(w)) => match &mut w.hits {
                Some(h) => {
                    h.rows = Remote::Loading;
                    vec![Cmd::LoadWatchHits(h.watch.id)]
                }
                None => {
                    w.rows = Remote::Loading;
                    vec![Cmd::LoadWatches]
                }
            },
            Some(View::Approvals(q)) => {
                q.rows = Remote::Loading;
                vec![Cmd::LoadApprovals]
            }
            Some(View::Images(i)) => {
                i.rows = Remote::Loading;
                vec![Cmd::LoadImages]
            }
            Some(View::ImageVersions(i)) => {
                i.rows = Remote::Loading;
                vec![Cmd::LoadImageVersions(i.project)]
            }
            Some(View::VersionHistory(h)) => {
                h.points = Remote::Loading;
                vec![Cmd::LoadVersionHistory { project: h.project, version: h.version }]
            }
            Some(View::Requests(q)) => {
                q.rows = Remote::Loading;
                vec![Cmd::LoadRequests]
            }
            Some(View::Component(c)) => {
                let id = c.scan;
                self.scans_mut(id).next().map_or_else(Vec::new, ScanScreen::reload)
            }
            None => {
                self.vulndb = Remote::Loading;
                match self.top {
                    0 => {
                        self.projects.data = Remote::Loading;
                        vec![Cmd::LoadVulnDb, Cmd::LoadProjects]
                    }
                    1 => {
                        self.queue.loading();
                        vec![Cmd::LoadVulnDb, Cmd::LoadScans]
                    }
                    _ => {
                        self.inbox.rows = Remote::Loading;
                        vec![
                            Cmd::LoadVulnDb,
                            Cmd::LoadUnread,
                            Cmd::LoadInbox { unread_only: self.inbox.unread_only },
                        ]
                    }
                }
            }
        }
    }

    // ---- terminal events ------------------------------------------------------------------

    /// A terminal event (key, mouse, paste, resize): the loads and actions it asks for.
    pub fn handle(&mut self, event: &Event) -> Vec<Cmd> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.key(key),
            Event::Mouse(m) => {
                if self.dialog.is_some() {
                    return Vec::new();
                }
                match m.kind {
                    MouseEventKind::ScrollDown => self.scroll(WHEEL_ROWS),
                    MouseEventKind::ScrollUp => self.scroll(-WHEEL_ROWS),
                    MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                        if let Some(l) = self.list() {
                            l.click(m.column, m.row);
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            Event::Paste(text) => {
                match &mut self.dialog {
                    Some(d) => d.paste(text),
                    None => {
                        if let Some(l) = self.list()
                            && l.editing
                        {
                            l.paste_filter(text);
                        }
                    }
                }
                Vec::new()
            }
            // The layout comes from the frame's area on every draw.
            _ => Vec::new(),
        }
    }

    fn key(&mut self, key: &KeyEvent) -> Vec<Cmd> {
        if let Some(text) = self.dialog.as_ref().map(|d| d.text_focus()) {
            let Some(action) = self.keys.field_action(key, text) else { return Vec::new() };
            if action == Action::ForceQuit {
                self.quit = true;
                return Vec::new();
            }
            let Some(dialog) = &mut self.dialog else { return Vec::new() };
            return match dialog.key(action) {
                Outcome::Stay => Vec::new(),
                Outcome::Close => {
                    self.dialog = None;
                    Vec::new()
                }
                Outcome::Cmds(cmds) => cmds,
                Outcome::CloseWith(cmds) => {
                    self.dialog = None;
                    cmds
                }
                Outcome::Run(action) => {
                    self.dialog = None;
                    self.act(action)
                }
                Outcome::Goto(goto) => {
                    self.dialog = None;
                    self.goto(goto)
                }
            };
        }
        if self.list().is_some_and(|l| l.editing) {
            let action = self.keys.field_action(key, true);
            if action == Some(Action::ForceQuit) {
                self.quit = true;
                return Vec::new();
            }
            if let Some(l) = self.list() {
                match action {
                    Some(Action::Cancel) => l.clear_filter(),
                    Some(Action::Confirm | Action::FieldDown | Action::FieldUp) => l.editing = false,
                    Some(Action::Backspace) => l.pop_filter(),
                    Some(Action::Type(c)) => l.push_filter(c),
                    _ => {}
                }
            }
            return Vec::new();
        }
        match self.keys.screen_action(key) {
            Some(action) => self.act(action),
            None => Vec::new(),
        }
    }

    // ---- drawing --------------------------------------------------------------------------

    /// Draw everything from the frame's area (so resizes need nothing else).
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let ctx = self.ctx();
        let t = self.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text =
                format!("terminal too small ({}x{}; need {MIN_WIDTH}x{MIN_HEIGHT})", area.width, area.height);
            frame.render_widget(
                Paragraph::new(text).style(t.warn()).wrap(ratatui::widgets::Wrap { trim: true }),
                area,
            );
            return;
        }
        let [top, nav, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.top_bar()), top);
        frame.render_widget(Paragraph::new(self.nav_bar()), nav);
        match self.stack.last_mut() {
            Some(View::Scan(s)) => s.draw(frame, body, &ctx),
            Some(View::Finding(_) | View::Component(_)) => {
                // Finding and component detail read the scan screen beneath them.
                let Some((top, below)) = self.stack.split_last_mut() else { return };
                let scan = |id| {
                    below.iter().rev().find_map(|v| match v {
                        View::Scan(s) if s.id == id => Some(&**s),
                        _ => None,
                    })
                };
                match top {
                    View::Finding(f) => {
                        let components =
                            f.finding.get().and_then(|x| scan(x.finding.scan_id)).map(|s| &s.components.data);
                        f.draw(frame, body, &ctx, components);
                    }
                    View::Component(c) => {
                        let id = c.scan;
                        c.draw(frame, body, &ctx, scan(id));
                    }
                    _ => {}
                }
            }
            Some(View::Diagnostics(d)) => d.draw(frame, body, &ctx),
            Some(View::WhereUsed(w)) => w.draw(frame, body, &ctx),
            Some(View::Advisory(a)) => a.draw(frame, body, &ctx),
            Some(View::History(h)) => h.draw(frame, body, &ctx),
            Some(View::Compare(c)) => c.draw(frame, body, &ctx),
            Some(View::Watches(w)) => w.draw(frame, body, &ctx),
            Some(View::Approvals(q)) => q.draw(frame, body, &ctx),
            Some(View::Images(i)) => i.draw(frame, body, &ctx),
            Some(View::ImageVersions(i)) => i.draw(frame, body, &ctx),
            Some(View::VersionHistory(h)) => h.draw(frame, body, &ctx),
            Some(View::Requests(q)) => {
                let me = self.session.get().and_then(|s| s.user_id);
                q.draw(frame, body, &ctx, me);
            }
            None => match self.top {
                0 => self.projects.draw(frame, body, &ctx, &self.queue),
                1 => self.queue.draw(frame, body, &ctx),
                _ => {
                    // The daemon's notifications above; this session's notices below, when any.
                    if self.notifications.history.is_empty() {
                        self.inbox.draw(frame, body, &ctx);
                    } else {
                        let [inbox, session] =
                            Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas(body);
                        self.inbox.draw(frame, inbox, &ctx);
                        self.notifications.draw(frame, session, &ctx);
                    }
                }
            },
        }
        frame.render_widget(Paragraph::new(self.footer()), foot);
        if let Some(d) = &self.dialog {
            d.draw(frame, body, &ctx);
        }
        self.draw_toasts(frame, body);
    }

    fn top_bar(&self) -> Line<'static> {
        let t = self.theme;
        let mut spans = vec![Span::styled("Cairn ", t.title())];
        match &self.session {
            Remote::Loaded(s) => {
                let place = if s.local { "local daemon".to_owned() } else { s.server.clone() };
                spans.push(Span::raw(format!("{place} · {} · {}", s.user, s.tenant)));
            }
            Remote::Failed(f) => spans.push(Span::styled(format!("session: {}", failure_text(f)), t.bad())),
            _ => spans.push(Span::styled("connecting…", t.dim())),
        }
        spans.push(Span::raw(" │ "));
        spans.push(match &self.vulndb {
            Remote::Loaded(v) => match v.state {
                VulnDataState::None | VulnDataState::Unknown => Span::styled(
                    "NO VULNERABILITY DATA: findings cannot be matched (cairn db update)",
                    t.bad(),
                ),
                VulnDataState::Stale => Span::styled(
                    format!(
                        "vuln data STALE ({})",
                        v.age_seconds.map_or_else(|| "age unknown".to_owned(), age)
                    ),
                    t.warn(),
                ),
                VulnDataState::Fresh => Span::styled(
                    format!(
                        "vuln data {} advisories, {}",
                        v.advisories,
                        v.age_seconds.map_or_else(|| "age unknown".to_owned(), age)
                    ),
                    t.good(),
                ),
            },
            Remote::Failed(f) => Span::styled(format!("vuln data unknown: {}", failure_text(f)), t.warn()),
            _ => Span::styled("vuln data …", t.dim()),
        });
        spans.push(Span::raw(" │ "));
        spans.push(match &self.link {
            None => Span::styled("feed off", t.dim()),
            Some(Link::Connecting) => Span::styled("feed connecting", t.dim()),
            Some(Link::Live) => Span::styled("feed live", t.good()),
            Some(Link::Retrying { in_secs, reason }) => {
                Span::styled(format!("feed lost ({reason}), retry in {in_secs}s"), t.warn())
            }
        });
        // The unread badge: only a count the daemon gave (not while loading, never a guessed 0).
        match &self.inbox.unread {
            Remote::Loaded(n) => {
                spans.push(Span::raw(" │ "));
                spans.push(Span::styled(format!("{n} unread"), if *n > 0 { t.warn() } else { t.dim() }));
            }
            Remote::Failed(_) => {
                spans.push(Span::raw(" │ "));
                spans.push(Span::styled("unread ?", t.warn()));
            }
            Remote::NotAsked | Remote::Loading => {}
        }
        Line::from(spans)
    }

    fn nav_bar(&self) -> Line<'static> {
        let t = self.theme;
        let mut spans = Vec::new();
        for (i, name) in TOP_TABS.iter().enumerate() {
            let style = if self.stack.is_empty() && i == self.top { t.selected() } else { t.dim() };
            let label = if i == 2 && !self.notifications.history.is_empty() {
                format!(" {} {name} ({}) ", i + 1, self.notifications.history.len())
            } else {
                format!(" {} {name} ", i + 1)
            };
            spans.push(Span::styled(label, style));
        }
        for v in &self.stack {
            let crumb = match v {
                View::Scan(s) => format!(" › scan {}", super::screens::tail(&s.id)),
                View::Finding(f) => {
                    format!(
                        " › {}",
                        f.finding.get().map_or(f.id.as_str(), |x| x.finding.vulnerability_id.as_str())
                    )
                }
                View::Component(c) => format!(" › {}", super::package::label(&c.component.purl)),
                View::Diagnostics(_) => " › diagnostics".to_owned(),
                View::WhereUsed(w) => format!(" › where is {}", w.package),
                View::Advisory(a) => format!(" › advisory {}", a.id),
                View::History(h) => format!(" › history of {}", h.name),
                View::Compare(c) => format!(" › compare {} → {}", tail(&c.from), tail(&c.to)),
                View::Watches(w) => match &w.hits {
                    Some(h) => format!(" › watches › {}", h.watch.target),
                    None => " › watches".to_owned(),
                },
                View::Approvals(_) => " › approvals".to_owned(),
                View::Images(_) => " › images".to_owned(),
                View::ImageVersions(i) => format!(" › {}", i.name),
                View::VersionHistory(h) => format!(" › {}", h.tag),
                View::Requests(_) => " › feature requests".to_owned(),
            };
            spans.push(Span::styled(crumb, t.title()));
        }
        Line::from(spans)
    }

    fn footer(&self) -> Line<'static> {
        use Action as A;
        let t = self.theme;
        // Read-only: no hint for what would only be refused (triage, new scan, mark, export,
        // cancel).
        let ro = self.options.readonly;
        let running = |s: &ScanScreen| s.scan.get().is_some_and(|x| !x.status.is_terminal());
        let mut items: Vec<(Action, &str)> = match self.stack.last() {
            Some(View::Scan(s)) if s.tab == scan::VULNS => {
                if ro {
                    vec![(A::Open, "open"), (A::Filter, "filter"), (A::Refresh, "reload")]
                } else {
                    vec![
                        (A::Open, "open"),
                        (A::Select, "mark"),
                        (A::Triage, "triage"),
                        (A::Export, "export"),
                        (A::Filter, "filter"),
                    ]
                }
            }
            Some(View::Scan(s)) if s.tab == scan::COMPONENTS => {
                vec![
                    (A::Open, "open"),
                    (A::Tab(1), "tabs"),
                    (A::Export, "export"),
                    (A::Filter, "filter"),
                    (A::Refresh, "reload"),
                ]
            }
            Some(View::Scan(s)) if s.tab == scan::SUMMARY => {
                let mut items = vec![
                    (A::Open, "diagnostics"),
                    (A::Tab(1), "tabs"),
                    (A::Export, "export"),
                    (A::Refresh, "reload"),
                ];
                if !s.violations().is_empty() {
                    items.insert(1, (A::RequestApproval, "ask for an exception"));
                }
                items
            }
            Some(View::Scan(_)) => {
                vec![
                    (A::Tab(1), "tabs"),
                    (A::Export, "export"),
                    (A::Filter, "filter"),
                    (A::Refresh, "reload"),
                ]
            }
            Some(View::Finding(_)) => {
                vec![
                    (A::Open, "advisory"),
                    (A::Triage, "triage"),
                    (A::Down, "scroll"),
                    (A::Refresh, "reload"),
                ]
            }
            Some(View::WhereUsed(_) | View::Advisory(_)) => {
                vec![(A::Open, "open scan"), (A::Filter, "filter"), (A::Refresh, "reload")]
            }
            Some(View::History(_)) => {
                vec![(A::Select, "mark"), (A::Open, "open / compare two"), (A::Refresh, "reload")]
            }
            Some(View::Compare(_)) => vec![(A::Down, "scroll"), (A::Refresh, "reload")],
            Some(View::Component(_)) => vec![(A::Down, "scroll"), (A::Refresh, "reload")],
            Some(View::Diagnostics(_)) => vec![(A::Filter, "filter"), (A::Refresh, "reload")],
            Some(View::Watches(w)) => {
                let open = if w.hits.is_some() { "open the finding or scan" } else { "hits" };
                vec![(A::Open, open), (A::Filter, "filter"), (A::Refresh, "reload")]
            }
            Some(View::Approvals(_)) => {
                // Deciding is for admins: nobody else is offered it.
                if self.admin_only("").is_ok() {
                    vec![(A::Open, "approve or reject"), (A::Filter, "filter"), (A::Refresh, "reload")]
                } else {
                    vec![(A::Filter, "filter"), (A::Refresh, "reload")]
                }
            }
            Some(View::Images(_)) => {
                vec![(A::Open, "versions"), (A::Filter, "filter"), (A::Refresh, "reload")]
            }
            Some(View::ImageVersions(_)) => vec![
                (A::Open, "scan history"),
                (A::Export, "download the SBOM"),
                (A::Filter, "filter"),
                (A::Refresh, "reload"),
            ],
            Some(View::VersionHistory(_)) => vec![
                (A::Open, "open the scan"),
                (A::Export, "download the SBOM"),
                (A::Filter, "filter"),
                (A::Refresh, "reload"),
            ],
            Some(View::Requests(_)) => {
                let open = if !ro && self.admin_only("").is_ok() { "show / set status" } else { "show" };
                vec![
                    (A::Open, open),
                    (A::NewScan, "new request"),
                    (A::Filter, "filter"),
                    (A::Refresh, "reload"),
                ]
            }
            None if self.top == 2 => vec![
                (A::Open, "open"),
                (A::MarkRead, "read"),
                (A::MarkAllRead, "all read"),
                (A::UnreadOnly, if self.inbox.unread_only { "all" } else { "unread only" }),
                (A::Filter, "filter"),
                (A::Help, "help"),
                (A::Quit, "quit"),
            ],
            None => vec![
                (A::Open, "open"),
                (A::NewScan, "new scan"),
                (A::Filter, "filter"),
                (A::Palette, "commands"),
                (A::Help, "help"),
                (A::Quit, "quit"),
            ],
        };
        match self.stack.last() {
            Some(View::Scan(s)) => {
                if running(s) {
                    items.push((A::CancelScan, "cancel scan"));
                }
                items.push((A::Back, "back"));
            }
            Some(_) => items.push((A::Back, "back")),
            None if self.top == 1 && self.queue.open().is_some_and(|s| !s.status.is_terminal()) => {
                items.insert(2, (A::CancelScan, "cancel scan"));
            }
            None => {}
        }
        items.retain(|(a, _)| !(ro && a.writes()));
        let hint = self.keys.hint(&items);
        let mut spans = Vec::new();
        if self.options.readonly {
            spans.push(Span::styled("READ-ONLY ", t.warn()));
        }
        spans.push(Span::styled(hint, t.dim()));
        Line::from(spans)
    }

    fn draw_toasts(&self, frame: &mut Frame, body: Rect) {
        let t = self.theme;
        let shown: Vec<&Toast> = self.toasts.iter().rev().take(3).collect();
        let mut y = body.y.saturating_add(body.height);
        for toast in shown {
            let width = u16::try_from(toast.text.chars().count().saturating_add(4))
                .unwrap_or(u16::MAX)
                .min(body.width);
            y = y.saturating_sub(3);
            if y < body.y {
                break;
            }
            let r = Rect { x: body.x.saturating_add(body.width.saturating_sub(width)), y, width, height: 3 };
            let style = match toast.level {
                Level::Info => t.good(),
                Level::Warning => t.warn(),
                Level::Error => t.bad(),
            };
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(Span::styled(toast.text.clone(), style))
                    .block(Block::default().borders(Borders::ALL)),
                r,
            );
        }
    }
}
