//! The dashboard's screens: snapshots of every screen (empty, loading, error, loaded) drawn on a
//! 120x36 TestBackend, and behaviour (keys and messages → the `Cmd`s emitted).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

#[path = "dashboard/data.rs"]
mod data;

use cairn_sdk::types::{ApprovalState, BomFormat, GateStatus, ScanStatus, TriageState, VulnDataState};
use cairn_tui::dash::keys::{Action, KeyMap, KeyOverrides, Mode};
use cairn_tui::dash::msg::{ApprovalAsk, Cmd, Failure, Level, Link, Msg, NewScan, NewScanSource, Session};
use cairn_tui::dash::screens::Outcome;
use cairn_tui::dash::screens::dialog::Dialog;
use cairn_tui::dash::screens::new_scan::NewScanForm;
use cairn_tui::dash::screens::palette::Palette;
use cairn_tui::dash::screens::triage::TriagePanel;
use cairn_tui::dash::{App, Options};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use data::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn app() -> App {
    App::new(Options { readonly: false, color: true })
}

fn draw_sized(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    term
}

/// The frame as text, one line per row, trailing spaces trimmed.
fn screen(app: &mut App) -> String {
    screen_sized(app, 120, 36)
}

fn screen_sized(app: &mut App, w: u16, h: u16) -> String {
    let term = draw_sized(app, w, h);
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn press(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    app.handle(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(app: &mut App, c: char) -> Vec<Cmd> {
    press(app, KeyCode::Char(c))
}

fn ctrl(app: &mut App, c: char) -> Vec<Cmd> {
    app.handle(&Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

/// A dashboard with session, fresh vulnerability data and a live feed, at `NOW`.
fn ready() -> App {
    let mut a = app();
    a.init();
    a.update(Msg::Session(Ok(session())));
    a.update(Msg::VulnDb(Ok(vulndb(VulnDataState::Fresh))));
    a.update(Msg::Link(Link::Live));
    a.tick(NOW);
    a
}

/// `ready()` with scan 1 (completed) opened from the queue.
fn scan_open() -> App {
    let mut a = ready();
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Completed, 100)])));
    ch(&mut a, '2');
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(cmds, vec![Cmd::LoadGate(scan_id(1))], "a completed scan from the queue needs only its gate");
    a.update(Msg::Gate { scan: scan_id(1), result: Ok(Some(gate(GateStatus::Fail))) });
    a
}

/// `scan_open()` on the Vulnerabilities tab with `n` findings.
fn vulns_open(n: usize) -> App {
    let mut a = scan_open();
    assert_eq!(ch(&mut a, '3'), vec![Cmd::LoadFindings(scan_id(1))]);
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(findings(scan_id(1), n)) });
    a
}

fn failure() -> Failure {
    Failure {
        message: "the daemon is unavailable".into(),
        status: Some(503),
        code: Some("UNAVAILABLE".into()),
    }
}

macro_rules! snap {
    ($name:literal, $app:expr) => {
        insta::assert_snapshot!($name, screen(&mut $app));
    };
}

// ---- top screens ----------------------------------------------------------------------------

#[test]
fn init_asks_for_everything_the_top_screens_show() {
    let mut a = app();
    assert_eq!(
        a.init(),
        vec![
            Cmd::LoadSession,
            Cmd::LoadVulnDb,
            Cmd::LoadProjects,
            Cmd::LoadScans,
            Cmd::LoadUnread,
            Cmd::LoadInbox { unread_only: false }
        ]
    );
    snap!("projects_loading", a);
}

#[test]
fn projects_states() {
    let mut a = ready();
    a.update(Msg::Projects(Err(failure())));
    snap!("projects_error", a);
    a.update(Msg::Projects(Ok(Vec::new())));
    snap!("projects_empty", a);
    a.update(Msg::Projects(Ok(vec![
        project(1, "storefront", true),
        project(2, "billing-ünïcødé-and-a-very-long-project-name-that-must-be-cut-somewhere-sensible", false),
    ])));
    snap!("projects_loaded", a);
}

#[test]
fn the_spinner_moves_with_the_clock_only() {
    let mut a = app();
    a.init();
    let first = screen(&mut a);
    assert_eq!(first, screen(&mut a), "drawing alone changes nothing");
    a.tick(NOW);
    assert_ne!(first, screen(&mut a));
}

#[test]
fn scan_summary_names_the_project() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    press(&mut a, KeyCode::Enter);
    a.update(Msg::Scan(Ok(scan(1, ScanStatus::Completed, 100))));
    let s = screen(&mut a);
    assert!(s.contains("Project       storefront"), "{s}");
}

#[test]
fn header_says_when_vulnerability_data_is_missing_or_stale() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(Vec::new())));
    a.update(Msg::VulnDb(Ok(vulndb(VulnDataState::None))));
    let s = screen(&mut a);
    assert!(s.contains("NO VULNERABILITY DATA"), "{s}");
    a.update(Msg::VulnDb(Ok(vulndb(VulnDataState::Stale))));
    a.update(Msg::Link(Link::Retrying { in_secs: 4, reason: "connection reset".into() }));
    snap!("header_stale_and_retrying", a);
}

#[test]
fn enter_on_a_project_opens_its_latest_scan() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true), project(2, "billing", false)])));
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadScan(scan_id(1)), Cmd::WatchScan(scan_id(1))]);
    snap!("scan_loading", a);
    a.update(Msg::Scan(Err(failure())));
    snap!("scan_error", a);
    // Back on the projects list, a project never scanned says so instead of opening anything.
    assert_eq!(press(&mut a, KeyCode::Esc), vec![Cmd::Unwatch]);
    ch(&mut a, 'j');
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    assert!(screen(&mut a).contains("billing has no scan yet"));
    // Without a risk summary, the newest scan of the project the queue knows is opened.
    let mut other = scan(5, ScanStatus::Completed, 100);
    other.project_id = Some(project_id(2));
    a.update(Msg::Scans(Ok(vec![other])));
    assert!(!screen(&mut a).contains("not scanned"), "the project shows when it was scanned");
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadGate(scan_id(5))],
        "the queue holds it, finished: only its gate is asked for"
    );
    assert!(screen(&mut a).contains("app5.git"));
}

#[test]
fn queue_states() {
    let mut a = ready();
    ch(&mut a, '2');
    snap!("queue_loading", a);
    a.update(Msg::Scans(Err(failure())));
    snap!("queue_error", a);
    a.update(Msg::Scans(Ok(Vec::new())));
    snap!("queue_empty", a);
    a.update(Msg::Queue(vec![scan(2, ScanStatus::Scanning, 40), scan(3, ScanStatus::Queued, 0)]));
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Completed, 100), scan(4, ScanStatus::Failed, 30)])));
    a.update(Msg::ScanProgress(event(scan_id(2), 5, ScanStatus::Matching, 75)));
    snap!("queue_loaded", a);
    // enter on a running scan opens it and follows it live.
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::WatchScan(scan_id(2))]);
    assert!(screen(&mut a).contains("matching 75%"));
}

#[test]
fn notifications_history() {
    let mut a = ready();
    ch(&mut a, '3');
    snap!("notifications_empty", a);
    a.update(Msg::Notify { level: Level::Info, text: "Scan 01980000 completed".into() });
    a.update(Msg::Notify { level: Level::Error, text: "Scan 01980001 failed".into() });
    snap!("notifications_loaded_with_toasts", a);
    // Toasts expire with the clock; the history stays.
    a.tick(NOW + time::Duration::seconds(30));
    let s = screen(&mut a);
    assert!(s.contains("Notifications (2)"), "{s}");
    snap!("notifications_after_toasts_expired", a);
}

/// The inbox of the daemon's notifications: the badge follows the count and the feed, rows are
/// unread first, `enter` opens what a row is about and marks it read, `m`/`M`/`u` (issue 18).
#[test]
fn inbox_and_unread_badge() {
    use cairn_sdk::types::EventKind;
    let mut a = ready();
    a.update(Msg::Projects(Ok(Vec::new())));
    assert!(!screen(&mut a).contains("unread"), "no badge before the daemon answers");
    a.update(Msg::Unread(Ok(2)));
    assert!(screen(&mut a).lines().next().is_some_and(|l| l.ends_with("│ 2 unread")), "{}", screen(&mut a));
    ch(&mut a, '3');
    let finding_id = "0198aaaa-0000-7000-8000-000000000001";
    a.update(Msg::Inbox(Ok(vec![
        notification(
            1,
            EventKind::ScanCompleted,
            "Scan 01980001 completed",
            serde_json::json!({"scan": scan_id(1)}),
            1,
            true,
        ),
        notification(
            2,
            EventKind::FindingNew,
            "New finding: PYSEC-2021-19 (high) in pkg:pypi/lxml@4.6.2",
            serde_json::json!({"finding": finding_id, "scan": scan_id(1), "advisory": "PYSEC-2021-19"}),
            0,
            false,
        ),
        notification(
            3,
            EventKind::CveWatchHit,
            "Watch pkg:pypi/lxml <4.6.3 hit: pkg:pypi/lxml@4.6.2",
            serde_json::json!({"scan": scan_id(2), "purl": "pkg:pypi/lxml@4.6.2"}),
            2,
            false,
        ),
    ])));
    snap!("inbox_loaded", a);
    // Unread first (newest first among them): the watch hit, the finding, then the read scan.
    assert_eq!(ch(&mut a, 'm'), vec![Cmd::MarkRead(notification_id(3))]);
    let mut read = notification(
        3,
        EventKind::CveWatchHit,
        "Watch hit",
        serde_json::json!({"scan": scan_id(2)}),
        2,
        true,
    );
    read.title = "Watch pkg:pypi/lxml <4.6.3 hit: pkg:pypi/lxml@4.6.2".into();
    a.update(Msg::MarkedRead(Ok(read)));
    assert!(screen(&mut a).lines().next().is_some_and(|l| l.ends_with("│ 1 unread")));
    // Marking a read row read again asks nothing.
    ch(&mut a, 'G');
    assert!(ch(&mut a, 'm').is_empty());
    // A new one on the feed: counted, listed first.
    a.update(Msg::Pushed(notification(
        4,
        EventKind::CveWatchHit,
        "Watch CVE-2021-28957 hit: PYSEC-2021-19 in pkg:pypi/lxml@4.6.2",
        serde_json::json!({"finding": finding_id, "scan": scan_id(1)}),
        3,
        false,
    )));
    let s = screen(&mut a);
    assert!(s.lines().next().is_some_and(|l| l.ends_with("│ 2 unread")), "{s}");
    // Enter on the first row: the finding opens and the row is marked read.
    ch(&mut a, 'g');
    ch(&mut a, 'g');
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::MarkRead(notification_id(4)), Cmd::LoadFinding(finding_id.into())]
    );
    assert!(screen(&mut a).contains("›"), "the finding screen is open");
    press(&mut a, KeyCode::Esc);
    // A scan's notification opens the scan (read already: no mark).
    ch(&mut a, 'G');
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadScan(scan_id(1)), Cmd::WatchScan(scan_id(1))]);
    press(&mut a, KeyCode::Esc);
    assert_eq!(ch(&mut a, 'u'), vec![Cmd::LoadInbox { unread_only: true }]);
    assert!(screen(&mut a).contains("Inbox (unread only)"));
    assert_eq!(ch(&mut a, 'M'), vec![Cmd::MarkAllRead]);
    assert_eq!(a.update(Msg::MarkedAllRead(Ok(0))), vec![Cmd::LoadInbox { unread_only: true }]);
    a.update(Msg::Inbox(Ok(Vec::new())));
    let s = screen(&mut a);
    assert!(s.lines().next().is_some_and(|l| l.ends_with("│ 0 unread")), "{s}");
    assert!(s.contains("No unread notifications."), "{s}");
    // The keys are the inbox's only: elsewhere they do nothing.
    ch(&mut a, '1');
    assert!(ch(&mut a, 'M').is_empty());
    // A count the daemon could not give is not shown as a number.
    a.update(Msg::Unread(Err(failure())));
    assert!(screen(&mut a).lines().next().is_some_and(|l| l.ends_with("│ unread ?")));
}

/// The CVE watches screen (`w`): watches with their hit counts, a watch's hits, and a hit opening
/// its finding or scan (issue 18).
#[test]
fn watches_and_their_hits() {
    use cairn_sdk::types::WatchTarget;
    let mut a = ready();
    a.update(Msg::Projects(Ok(Vec::new())));
    assert_eq!(ch(&mut a, 'w'), vec![Cmd::LoadWatches]);
    a.update(Msg::Watches(Ok(vec![
        watch(1, WatchTarget::advisory("CVE-2021-28957"), 1),
        watch(2, WatchTarget::package("pkg:pypi/lxml", Some("<4.6.3".into())), 1),
    ])));
    snap!("watches_loaded", a);
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadWatchHits(watch_id(1))]);
    a.update(Msg::WatchHits {
        watch: watch_id(1),
        result: Ok(vec![watch_hit(1, 1, Some("PYSEC-2021-19"), false)]),
    });
    // Another watch's answer arriving late changes nothing.
    a.update(Msg::WatchHits { watch: watch_id(2), result: Ok(Vec::new()) });
    snap!("watch_hits_loaded", a);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadFinding("0198aaaa-0000-7000-8000-000000000001".into())]
    );
    press(&mut a, KeyCode::Esc);
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadWatchHits(watch_id(1))]);
    // esc: back to the watches; the package watch's hit opens its scan.
    press(&mut a, KeyCode::Esc);
    assert!(screen(&mut a).contains("CVE watches"));
    ch(&mut a, 'j');
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadWatchHits(watch_id(2))]);
    a.update(Msg::WatchHits { watch: watch_id(2), result: Ok(vec![watch_hit(2, 2, None, true)]) });
    assert!(screen(&mut a).contains("at creation"));
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadScan(scan_id(1)), Cmd::WatchScan(scan_id(1))]);
    // A failed load says so.
    let mut b = ready();
    ch(&mut b, 'w');
    b.update(Msg::Watches(Err(failure())));
    assert!(screen(&mut b).contains("Could not load CVE watches"));
}

// ---- scan detail ----------------------------------------------------------------------------

/// Issue 19: the Summary shows the gate in its colour with the policy's name and revision, every
/// violation (action, rule, subject, message), what was waived and what was not evaluated; a
/// running scan's gate is not asked for until it completes, and a scan without one says so.
#[test]
fn scan_summary_shows_the_gate() {
    let mut a = scan_open();
    let text = screen(&mut a);
    for line in [
        "Gate          FAIL · policy Release gate (release-gate revision 2)",
        "  violations  2 (a asks for an exception to one)",
        "              fail no-high: PYSEC-2023-221 in pkg:pypi/werkzeug@2.3.3 — No high or critical vulnerabilities",
        "              warn no-agpl: pkg:npm/ghostscript-js@1.0.0 (AGPL-3.0-only) — AGPL in a shipped dependency",
        "  waived      fail no-high: PYSEC-2023-73 in pkg:pypi/redis@4.5.4 — exception until 2026-12-20T10:00:00Z",
        "  left out    pqc: the scan did not look for cryptography",
    ] {
        assert!(text.contains(line), "missing `{line}`:\n{text}");
    }
    let colour_of = |a: &mut App, word: &str| {
        let term = draw_sized(a, 120, 36);
        let buf = term.backend().buffer().clone();
        let row = (0..buf.area.height)
            .find(|y| (0..buf.area.width).map(|x| buf[(x, *y)].symbol()).collect::<String>().contains(word))
            .expect("the gate line");
        let x = (0..buf.area.width)
            .find(|x| buf[(*x, row)].symbol() == &word[..1] && buf[(x + 1, row)].symbol() == &word[1..2])
            .expect("the verdict");
        buf[(x, row)].fg
    };
    assert_eq!(colour_of(&mut a, "FAIL ·"), Color::Red);
    a.update(Msg::Gate { scan: scan_id(1), result: Ok(Some(gate(GateStatus::Pass))) });
    assert_eq!(colour_of(&mut a, "PASS ·"), Color::Green);
    let mut warn = gate(GateStatus::Fail);
    warn.gate.status = GateStatus::Warn;
    a.update(Msg::Gate { scan: scan_id(1), result: Ok(Some(warn)) });
    assert_eq!(colour_of(&mut a, "WARN ·"), Color::Yellow);
    a.update(Msg::Gate { scan: scan_id(1), result: Ok(None) });
    assert!(screen(&mut a).contains("Gate          none: this scan was not evaluated"));
    a.update(Msg::Gate { scan: scan_id(1), result: Err(failure()) });
    assert!(screen(&mut a).contains("Gate          could not load: the daemon is unavailable"));
    // `r` asks for it again with the rest.
    assert!(ch(&mut a, 'r').contains(&Cmd::LoadGate(scan_id(1))));

    // A running scan: no gate yet, asked for when it completes.
    let mut b = ready();
    b.update(Msg::Scans(Ok(vec![scan(2, ScanStatus::Scanning, 40)])));
    ch(&mut b, '2');
    assert_eq!(press(&mut b, KeyCode::Enter), vec![Cmd::WatchScan(scan_id(2))]);
    assert!(screen(&mut b).contains("Gate          evaluated when the scan completes"));
    let cmds = b.update(Msg::ScanProgress(event(scan_id(2), 9, ScanStatus::Completed, 100)));
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::LoadGate(scan_id(2))).count(), 1, "{cmds:?}");
}

/// Issue 19: from a violation on the Summary, `a` opens the exception request; it is checked
/// before sending (a reason, 1–365 days), sends the violation picked with its project, shows the
/// daemon's refusal with the text kept, and closes with a notice once the daemon took it.
#[test]
fn a_violation_is_sent_for_approval() {
    let mut a = scan_open();
    assert!(screen(&mut a).contains("a ask for an exception"), "the hint bar offers it");
    assert!(ch(&mut a, 'a').is_empty());
    snap!("approval_dialog", a);
    // Nothing typed: not sent, and it says why.
    assert!(ctrl(&mut a, 's').is_empty());
    assert!(screen(&mut a).contains("Not sent: say why the exception is needed (Reason)"));
    // The second violation, a reason, and a number of days out of range.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "replaced next sprint");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Backspace);
    typed(&mut a, "400");
    assert!(ctrl(&mut a, 's').is_empty());
    assert!(screen(&mut a).contains("Not sent: Days must be a whole number from 1 to 365"));
    for _ in 0..3 {
        press(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "14");
    let want = Cmd::RequestApproval(ApprovalAsk {
        project: project_id(1),
        rule: "no-agpl".into(),
        subject: gate(GateStatus::Fail).gate.violations[1].subject.clone(),
        reason: "replaced next sprint".into(),
        days: 14,
    });
    assert_eq!(ctrl(&mut a, 's'), vec![want.clone()]);
    // Sent once: a second save while it is on its way sends nothing.
    assert!(ctrl(&mut a, 's').is_empty());
    let refused = Failure {
        message: "reason: must not be blank".into(),
        status: Some(400),
        code: Some("VALIDATION_FAILED".into()),
    };
    a.update(Msg::ApprovalRequested(Err(refused)));
    let text = screen(&mut a);
    assert!(text.contains("Not sent: reason: must not be blank (HTTP 400, VALIDATION_FAILED)"), "{text}");
    assert!(text.contains("replaced next sprint"), "the text is kept: {text}");
    assert_eq!(ctrl(&mut a, 's'), vec![want]);
    a.update(Msg::ApprovalRequested(Ok(approval(1, ApprovalState::Pending, 1))));
    let text = screen(&mut a);
    assert!(!text.contains("Ask for an exception"), "closed: {text}");
    assert!(text.contains("Exception asked for PYSEC-2023-221 in pkg:pypi/werkzeug@2.3.3"), "{text}");

    // No violation, nothing to ask; read-only refuses.
    a.update(Msg::Gate { scan: scan_id(1), result: Ok(Some(gate(GateStatus::Pass))) });
    assert!(ch(&mut a, 'a').is_empty());
    assert!(!screen(&mut a).contains("Ask for an exception"));
    let mut ro = App::new(Options { readonly: true, color: true });
    ro.init();
    ro.tick(NOW);
    ro.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Completed, 100)])));
    ch(&mut ro, '2');
    press(&mut ro, KeyCode::Enter);
    ro.update(Msg::Gate { scan: scan_id(1), result: Ok(Some(gate(GateStatus::Fail))) });
    assert!(ch(&mut ro, 'a').is_empty());
    assert!(screen(&mut ro).contains("Read-only: asking for an exception is not allowed"));
}

/// Issue 19: the approvals queue (`approvals` in the palette): pending first as the executor
/// orders them, each with its project's name; `enter` on a pending one asks approve or reject and
/// sends it with the version shown; a decided row is not sent again; a 412 reloads the row and
/// says so.
#[test]
fn approvals_queue_decides_with_the_version_shown() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    ch(&mut a, ':');
    typed(&mut a, "approvals");
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadApprovals]);
    assert!(screen(&mut a).contains("Loading approvals"));
    a.update(Msg::Approvals(Ok(vec![
        approval(1, ApprovalState::Pending, 1),
        approval(2, ApprovalState::Approved, 2),
        approval(3, ApprovalState::Rejected, 2),
    ])));
    snap!("approvals_loaded", a);
    assert!(press(&mut a, KeyCode::Enter).is_empty(), "asks first");
    snap!("approval_decision", a);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::Decide { id: approval_id(1), version: 1, approve: true }]
    );
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Right);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::Decide { id: approval_id(1), version: 1, approve: false }]
    );
    // esc leaves it pending.
    press(&mut a, KeyCode::Enter);
    assert!(press(&mut a, KeyCode::Esc).is_empty());
    assert!(!screen(&mut a).contains("Decide the exception"));
    // Someone else decided it first: the row as it is now, and a notice.
    a.update(Msg::DecisionConflict(approval(1, ApprovalState::Rejected, 2)));
    let text = screen(&mut a);
    assert!(text.contains("Changed by someone else, reloaded: it is rejected now"), "{text}");
    assert!(!text.contains("pending"), "the row shows its state now: {text}");
    assert!(press(&mut a, KeyCode::Enter).is_empty(), "a decided request is not sent");
    assert!(screen(&mut a).contains("Already rejected: only pending requests are decided"));
    // A decision that went through replaces the row.
    a.update(Msg::Approvals(Ok(vec![approval(4, ApprovalState::Pending, 1)])));
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::Decide { id: approval_id(4), version: 1, approve: true }]
    );
    a.update(Msg::Decided(approval(4, ApprovalState::Approved, 2)));
    assert!(screen(&mut a).contains("approved"));
    // A refusal (not an admin) is said.
    a.update(Msg::DecisionFailed {
        id: approval_id(4),
        failure: Failure { message: "forbidden".into(), status: Some(403), code: Some("FORBIDDEN".into()) },
    });
    assert!(screen(&mut a).contains("Decision not saved: forbidden (HTTP 403, FORBIDDEN)"));
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadApprovals]);
    a.update(Msg::Approvals(Err(failure())));
    assert!(screen(&mut a).contains("Could not load approvals"));
    a.update(Msg::Approvals(Ok(Vec::new())));
    assert!(screen(&mut a).contains("No approvals."));
    // Read-only: no decision.
    let mut ro = App::new(Options { readonly: true, color: true });
    ro.init();
    ch(&mut ro, ':');
    typed(&mut ro, "approvals");
    press(&mut ro, KeyCode::Enter);
    ro.update(Msg::Approvals(Ok(vec![approval(1, ApprovalState::Pending, 1)])));
    assert!(press(&mut ro, KeyCode::Enter).is_empty());
    assert!(screen(&mut ro).contains("Read-only: deciding an exception is not allowed"));
}

#[test]
fn scan_summary() {
    let mut a = scan_open();
    snap!("scan_summary", a);
}

#[test]
fn scan_summary_never_says_a_bare_zero_for_an_ecosystem_without_data() {
    use cairn_sdk::types::{CoverageGap, EcosystemCoverage, GapReason};
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    press(&mut a, KeyCode::Enter);
    let mut s = scan(1, ScanStatus::Completed, 100);
    s.counts = counts(0);
    s.counts.severities = Default::default();
    s.counts.warnings = 6;
    s.counts.coverage = vec![EcosystemCoverage {
        ecosystem: "npm".into(),
        components: 1767,
        advisories: 0,
        evaluated: 0,
        not_evaluated: vec![CoverageGap {
            reason: GapReason::NoAdvisories,
            components: 1767,
            message: "not evaluated: no data for npm".into(),
        }],
    }];
    a.update(Msg::Scan(Ok(s)));
    let text = screen(&mut a);
    assert!(
        text.contains("Findings      0 in evaluated components; 1767 components NOT evaluated"),
        "{text}"
    );
    assert!(text.contains("Coverage      npm 1767 not evaluated — no advisories loaded"), "{text}");
    assert!(
        text.contains(
            "Warnings      6 (unmaintained, unsound or notice advisories; not findings) · 8 lists them"
        ),
        "{text}"
    );
    snap!("scan_summary_without_npm_data", a);
}

#[test]
fn each_tab_loads_once_when_first_shown() {
    let mut a = scan_open();
    assert_eq!(ch(&mut a, '2'), vec![Cmd::LoadComponents(scan_id(1))]);
    assert_eq!(ch(&mut a, '3'), vec![Cmd::LoadFindings(scan_id(1))]);
    assert_eq!(ch(&mut a, '2'), vec![]);
    assert_eq!(ch(&mut a, '4'), vec![Cmd::LoadLicenses(scan_id(1))]);
    assert_eq!(ch(&mut a, '5'), vec![Cmd::LoadCrypto(scan_id(1))]);
    // Components were asked for already, so the tree only needs its edges.
    assert_eq!(ch(&mut a, '6'), vec![Cmd::LoadDependencies(scan_id(1))]);
    assert_eq!(ch(&mut a, '7'), vec![Cmd::LoadEvents(scan_id(1))]);
    assert_eq!(ch(&mut a, '8'), vec![Cmd::LoadWarnings(scan_id(1))]);
    assert_eq!(press(&mut a, KeyCode::Tab), vec![]); // back to Summary
    assert_eq!(press(&mut a, KeyCode::BackTab), vec![]); // Warnings again
    assert!(screen(&mut a).contains("Loading warnings"));
}

macro_rules! tab_states {
    ($test:ident, $key:literal, $load:expr, $msg:ident, $rows:expr, $name:literal) => {
        #[test]
        fn $test() {
            let mut a = scan_open();
            let cmds = ch(&mut a, $key);
            assert!(cmds.contains(&$load), "{cmds:?}");
            insta::assert_snapshot!(concat!($name, "_loading"), screen(&mut a));
            a.update(Msg::$msg { scan: scan_id(1), result: Err(failure()) });
            insta::assert_snapshot!(concat!($name, "_error"), screen(&mut a));
            a.update(Msg::$msg { scan: scan_id(1), result: Ok(Vec::new()) });
            insta::assert_snapshot!(concat!($name, "_empty"), screen(&mut a));
            a.update(Msg::$msg { scan: scan_id(1), result: Ok($rows) });
            insta::assert_snapshot!(concat!($name, "_loaded"), screen(&mut a));
        }
    };
}

tab_states!(components_tab, '2', Cmd::LoadComponents(scan_id(1)), Components, components(), "components");
tab_states!(
    vulnerabilities_tab,
    '3',
    Cmd::LoadFindings(scan_id(1)),
    Findings,
    findings(scan_id(1), 40),
    "vulns"
);
tab_states!(licenses_tab, '4', Cmd::LoadLicenses(scan_id(1)), Licenses, licenses(), "licenses");
tab_states!(crypto_tab, '5', Cmd::LoadCrypto(scan_id(1)), Crypto, crypto(), "crypto");
tab_states!(dependencies_tab, '6', Cmd::LoadDependencies(scan_id(1)), Dependencies, edges(), "deps");
tab_states!(
    events_tab,
    '7',
    Cmd::LoadEvents(scan_id(1)),
    Events,
    vec![event(scan_id(1), 1, ScanStatus::Queued, 0), event(scan_id(1), 2, ScanStatus::Completed, 100)],
    "events"
);
tab_states!(warnings_tab, '8', Cmd::LoadWarnings(scan_id(1)), Warnings, warnings(), "warnings");

#[test]
fn dependencies_are_named_by_component() {
    let mut a = scan_open();
    ch(&mut a, '6');
    a.update(Msg::Components { scan: scan_id(1), result: Ok(components()) });
    a.update(Msg::Dependencies { scan: scan_id(1), result: Ok(edges()) });
    snap!("deps_named", a);
}

#[test]
fn the_watched_scan_completing_reloads_every_loaded_tab() {
    let mut a = ready();
    a.update(Msg::Queue(vec![scan(2, ScanStatus::Scanning, 40)]));
    a.update(Msg::Scans(Ok(Vec::new())));
    ch(&mut a, '2');
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::WatchScan(scan_id(2))]);
    ch(&mut a, '3');
    ch(&mut a, '7');
    a.update(Msg::Events {
        scan: scan_id(2),
        result: Ok(vec![event(scan_id(2), 1, ScanStatus::Scanning, 40)]),
    });
    // Progress moves the header and is listed.
    assert!(a.update(Msg::ScanProgress(event(scan_id(2), 2, ScanStatus::Matching, 80))).is_empty());
    let s = screen(&mut a);
    assert!(s.contains("matching 80%") && s.contains("matching at 80%"), "{s}");
    let cmds = a.update(Msg::ScanProgress(event(scan_id(2), 3, ScanStatus::Completed, 100)));
    assert_eq!(
        cmds,
        vec![
            // The queue's history and the projects' risk changed too.
            Cmd::LoadScans,
            Cmd::LoadProjects,
            Cmd::LoadScan(scan_id(2)),
            Cmd::LoadFindings(scan_id(2)),
            Cmd::LoadEvents(scan_id(2)),
            // A completed scan has a gate.
            Cmd::LoadGate(scan_id(2)),
        ]
    );
    // The sync that follows does not reload again.
    assert!(a.update(Msg::Scan(Ok(scan(2, ScanStatus::Completed, 100)))).is_empty());
    // Tabs never shown load when shown.
    assert_eq!(ch(&mut a, '2'), vec![Cmd::LoadComponents(scan_id(2))]);
}

// ---- vulnerabilities, findings, triage ------------------------------------------------------

#[test]
fn vulnerabilities_show_advisory_package_severity_and_state() {
    let mut a = vulns_open(3);
    let s = screen(&mut a);
    for text in ["GHSA-0000-abcd-0000", "package-0@1.0.0", "critical", "untriaged", "not_affected"] {
        assert!(s.contains(text), "{text} missing:\n{s}");
    }
    assert!(!s.contains("pkg:npm/"), "the Package column names packages, not purls:\n{s}");
}

#[test]
fn filter_narrows_the_list() {
    let mut a = vulns_open(40);
    ch(&mut a, '/');
    typed(&mut a, "package-1");
    snap!("vulns_filter_active", a);
    press(&mut a, KeyCode::Enter);
    let s = screen(&mut a);
    assert!(s.contains("11/40"), "{s}");
    // esc drops the filter before it goes back.
    assert!(press(&mut a, KeyCode::Esc).is_empty());
    assert!(screen(&mut a).contains("40/40"));
}

#[test]
fn jumps_and_half_pages() {
    let mut a = vulns_open(200);
    ch(&mut a, 'G');
    assert!(screen(&mut a).contains("package-199@"));
    ch(&mut a, 'g');
    ch(&mut a, 'g');
    let s = screen(&mut a);
    assert!(s.contains("package-0@") && !s.contains("package-199@"), "{s}");
    ctrl(&mut a, 'd');
    ctrl(&mut a, 'd');
    ctrl(&mut a, 'd');
    assert!(!screen(&mut a).contains("package-0@"));
    ctrl(&mut a, 'u');
    ctrl(&mut a, 'u');
    ctrl(&mut a, 'u');
    assert!(screen(&mut a).contains("package-0@"));
}

#[test]
fn mouse_wheel_scrolls_and_click_selects() {
    let mut a = vulns_open(200);
    screen(&mut a);
    let mouse = |kind, row| Event::Mouse(MouseEvent { kind, column: 10, row, modifiers: KeyModifiers::NONE });
    for _ in 0..20 {
        a.handle(&mouse(MouseEventKind::ScrollDown, 5));
    }
    assert!(!screen(&mut a).contains("package-0@"));
    for _ in 0..20 {
        a.handle(&mouse(MouseEventKind::ScrollUp, 5));
    }
    // A click lands on the frame the user sees: draw first.
    assert!(screen(&mut a).contains("package-0@"));
    // Rows start below the top bar, nav, scan header, tabs, border and table header: row 6.
    // The third row: worst first, the critical findings f-0, f-5, f-10, … come first.
    a.handle(&mouse(MouseEventKind::Down(MouseButton::Left), 8));
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadFinding("f-000010".into()), Cmd::LoadComponents(scan_id(1))]
    );
}

#[test]
fn a_reload_keeps_the_rows_and_enter_opens_the_one_shown() {
    let mut a = vulns_open(5);
    ch(&mut a, 'j');
    // A reload (`r`, or the watched scan's events) is in flight: its answer has not come.
    assert!(ch(&mut a, 'r').contains(&Cmd::LoadFindings(scan_id(1))));
    assert!(screen(&mut a).contains("package-"), "the rows stay on screen while reloading");
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadFinding("f-000001".into()), Cmd::LoadComponents(scan_id(1))],
        "enter opens the row under the cursor, not nothing"
    );
}

#[test]
fn finding_detail_states() {
    let mut a = vulns_open(5);
    ch(&mut a, 'j');
    // "Found in" needs the scan's components: loaded with the finding.
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadFinding("f-000001".into()), Cmd::LoadComponents(scan_id(1))]
    );
    snap!("finding_from_list", a);
    let mut full = finding(scan_id(1), 1, Some(triage(TriageState::NotAffected, 2)));
    full.details = Some("Crafted input to merge() pollutes Object.prototype.\nUpgrade to 1.1.1.".into());
    full.references = vec!["https://github.com/advisories/GHSA-0001-abcd-0001".into()];
    a.update(Msg::Finding(Ok(full)));
    snap!("finding_loaded", a);
    // r reloads; a failure keeps what is shown and says why.
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadFinding("f-000001".into())]);
    a.update(Msg::Finding(Err(failure())));
    let s = screen(&mut a);
    assert!(s.contains("Could not load the details") && !s.contains("Loading the advisory"), "{s}");
    snap!("finding_error", a);
}

#[test]
fn finding_loading_and_error() {
    // A finding whose row is not known yet (the list was replaced): the screen waits for it.
    let mut a = vulns_open(1);
    press(&mut a, KeyCode::Enter);
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(Vec::new()) });
    a.update(Msg::Finding(Err(failure())));
    // The list's copy stays shown; the failure is said under it.
    assert!(screen(&mut a).contains("Finding GHSA-0000-abcd-0000"));
    let mut b = ready();
    b.update(Msg::Finding(Err(failure())));
    assert!(screen(&mut b).contains("Projects"));
}

#[test]
fn bulk_triage_sends_one_triage_per_marked_finding_with_its_version() {
    let mut a = vulns_open(6);
    // Worst first: f-0 and f-5 (critical), f-1 (high), f-2, f-3, f-4.
    ch(&mut a, ' '); // f-0 (version 0), cursor moves down
    ch(&mut a, 'j');
    ch(&mut a, ' '); // f-1 (triaged, version 2)
    ch(&mut a, 'j');
    ch(&mut a, ' '); // f-3
    assert!(ch(&mut a, 't').is_empty());
    snap!("triage_bulk_panel", a);
    press(&mut a, KeyCode::Right); // in_triage -> affected
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right); // response: can_not_fix
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "tracked in JIRA-1");
    let cmds = ctrl(&mut a, 's');
    let sent: Vec<(String, i64)> = cmds
        .iter()
        .map(|c| match c {
            Cmd::Triage { id, version, update } => {
                assert_eq!(update.state, Some(TriageState::Affected));
                assert_eq!(update.response, Some(Some(cairn_sdk::types::TriageResponse::CanNotFix)));
                assert_eq!(update.justification, Some(None));
                assert_eq!(update.note, Some(Some("tracked in JIRA-1".into())));
                (id.clone(), *version)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(sent, vec![("f-000000".into(), 0), ("f-000001".into(), 2), ("f-000003".into(), 0)]);
    // A second ctrl-s while saving sends nothing.
    assert!(ctrl(&mut a, 's').is_empty());
    for (i, v) in [(0, 1), (1, 3), (3, 1)] {
        let mut f = finding(scan_id(1), i, Some(triage(TriageState::Affected, v)));
        f.triage.as_mut().unwrap().note = Some("tracked in JIRA-1".into());
        a.update(Msg::Triaged(f));
    }
    snap!("triage_saved", a);
}

#[test]
fn triage_conflict_shows_the_current_values_and_keeps_the_edits() {
    let mut a = vulns_open(3);
    ch(&mut a, 'j');
    press(&mut a, KeyCode::Enter);
    a.update(Msg::Finding(Ok(finding(scan_id(1), 1, Some(triage(TriageState::NotAffected, 2))))));
    assert!(ch(&mut a, 't').is_empty());
    snap!("triage_panel", a);
    press(&mut a, KeyCode::Left); // not_affected -> affected
    let cmds = ctrl(&mut a, 's');
    assert!(matches!(&cmds[..], [Cmd::Triage { version: 2, .. }]), "{cmds:?}");
    snap!("triage_saving", a);
    let mut theirs = finding(scan_id(1), 1, Some(triage(TriageState::Fixed, 3)));
    theirs.triage.as_mut().unwrap().note = Some("fixed upstream by bob".into());
    a.update(Msg::TriageConflict(theirs));
    snap!("triage_conflict", a);
    // The retry keeps the user's choice and goes over the version now seen.
    let cmds = ctrl(&mut a, 's');
    match &cmds[..] {
        [Cmd::Triage { id, version, update }] => {
            assert_eq!((id.as_str(), *version), ("f-000001", 3));
            assert_eq!(update.state, Some(TriageState::Affected));
        }
        other => panic!("{other:?}"),
    }
    a.update(Msg::Triaged(finding(scan_id(1), 1, Some(triage(TriageState::Affected, 4)))));
    let s = screen(&mut a);
    assert!(s.contains("Saved") && s.contains("affected") && !s.contains("Changed by someone else"), "{s}");
}

#[test]
fn triage_failure_is_shown() {
    let mut a = vulns_open(2);
    ch(&mut a, 't');
    ctrl(&mut a, 's');
    a.update(Msg::TriageFailed { id: "f-000000".into(), failure: failure() });
    let s = screen(&mut a);
    assert!(s.contains("Could not save f-000000") && s.contains("Triage failed"), "{s}");
}

#[test]
fn triage_apply_to_all_projects_makes_one_rule_per_advisory_and_package() {
    let mut a = vulns_open(3);
    // Worst first: f-0 (critical) under the cursor.
    assert!(ch(&mut a, 't').is_empty());
    press(&mut a, KeyCode::Right); // in_triage -> affected
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::Right); // Apply to: all projects
    assert!(screen(&mut a).contains("all projects (a triage rule)"));
    let cmds = ctrl(&mut a, 's');
    let (key, rule) = match &cmds[..] {
        [Cmd::TriageRule { key, rule }] => (key.clone(), rule.clone()),
        other => panic!("one rule, no per-finding triage: {other:?}"),
    };
    assert_eq!(rule.vulnerability, "GHSA-0000-abcd-0000");
    assert_eq!(rule.purl, "pkg:npm/package-0", "the package, every version");
    assert_eq!((rule.state, rule.projects.clone()), (TriageState::Affected, None));
    let made = cairn_sdk::types::TriageRule {
        id: cairn_sdk::types::TriageRuleId(uuid::Uuid::from_u128(9)),
        vulnerability: rule.vulnerability.clone(),
        purl: rule.purl.clone(),
        version_range: None,
        projects: None,
        state: rule.state,
        justification: None,
        response: None,
        note: None,
        expires_at: None,
        expired: false,
        applied: 2,
        created_by: None,
        created_at: T0,
    };
    let next = a.update(Msg::TriageRuleMade { key, rule: made, applied_now: 2 });
    assert!(next.iter().any(|c| matches!(c, Cmd::LoadFindings(_))), "the findings are read again: {next:?}");
    let s = screen(&mut a);
    assert!(s.contains("Rule made") && !s.contains("Apply to"), "the panel closed: {s}");
}

// ---- new scan, export -----------------------------------------------------------------------

#[test]
fn new_scan_form_for_each_source() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(Vec::new())));
    assert!(ch(&mut a, 'n').is_empty());
    press(&mut a, KeyCode::Right); // a team daemon opens on Upload: Image next
    snap!("new_scan_image", a);
    press(&mut a, KeyCode::Right); // wraps to Path
    snap!("new_scan_path", a);
    // Submitting without a path is refused in the form.
    assert!(ctrl(&mut a, 's').is_empty());
    assert!(screen(&mut a).contains("Path is required"));
    press(&mut a, KeyCode::Right);
    snap!("new_scan_git", a);
    press(&mut a, KeyCode::Right);
    snap!("new_scan_upload", a);
    press(&mut a, KeyCode::Right); // Image
    press(&mut a, KeyCode::Left); // back to Upload
    press(&mut a, KeyCode::Left); // Git
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "https://git.example.test/acme/app.git");
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "v1.2");
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "storefront");
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Git {
                url: "https://git.example.test/acme/app.git".into(),
                reference: Some("v1.2".into())
            },
            project: Some("storefront".into()),
            crypto: true,
        })]
    );
    a.update(Msg::Submitted(Err(Failure {
        message: "url: scheme `ext` is not allowed".into(),
        status: Some(400),
        code: Some("VALIDATION".into()),
    })));
    snap!("new_scan_refused", a);
    ctrl(&mut a, 's');
    let cmds = a.update(Msg::Submitted(Ok(scan(9, ScanStatus::Queued, 0))));
    assert_eq!(cmds, vec![Cmd::WatchScan(scan_id(9))]);
    let s = screen(&mut a);
    assert!(s.contains("queued 0%") && s.contains("Summary"), "{s}");
}

#[test]
fn new_scan_path_and_upload_submit() {
    let mut a = ready();
    ch(&mut a, 'n');
    press(&mut a, KeyCode::Right); // from Upload to Image
    press(&mut a, KeyCode::Right); // and to Path
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "/srv/app");
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Path("/srv/app".into()),
            project: None,
            crypto: true
        })]
    );
    let mut b = ready();
    ch(&mut b, 'n'); // Upload: the team daemon's default
    press(&mut b, KeyCode::Tab);
    b.handle(&Event::Paste("./app.tar.gz".into()));
    assert_eq!(
        ctrl(&mut b, 's'),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Upload("./app.tar.gz".into()),
            project: None,
            crypto: true
        })]
    );
}

#[test]
fn new_scan_image_submits_the_reference_and_platform() {
    let mut a = ready();
    ch(&mut a, 'n');
    press(&mut a, KeyCode::Right); // from Upload to Image
    assert!(ctrl(&mut a, 's').is_empty());
    assert!(screen(&mut a).contains("Image is required"));
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "ghcr.io/acme/app:1.4");
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "linux/arm64");
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "storefront");
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Image {
                reference: "ghcr.io/acme/app:1.4".into(),
                platform: Some("linux/arm64".into())
            },
            project: Some("storefront".into()),
            crypto: true
        })]
    );
}

#[test]
fn new_scan_starts_at_the_start_dir() {
    // Where `cairn` was started: `n` then `ctrl-s` scans it, nothing typed.
    let mut a = app().with_start_dir("/home/ada/src/app");
    a.init();
    a.update(Msg::Session(Ok(Session { local: true, ..session() })));
    ch(&mut a, 'n');
    assert!(screen(&mut a).contains("/home/ada/src/app"));
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Path("/home/ada/src/app".into()),
            project: None,
            crypto: true
        })]
    );
}

/// Issue 14 point 5: a team daemon reads only its configured roots, so its form opens on
/// Upload; the local daemon reads any path of this machine, so its form opens on Path.
#[test]
fn new_scan_opens_on_upload_for_a_team_daemon_and_on_path_in_local_mode() {
    let mut team = app().with_start_dir("/home/ada/src/app");
    team.init();
    team.update(Msg::Session(Ok(session())));
    ch(&mut team, 'n');
    assert_eq!(
        ctrl(&mut team, 's'),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Upload("/home/ada/src/app".into()),
            project: None,
            crypto: true
        })]
    );
    let mut local = app().with_start_dir("/home/ada/src/app");
    local.init();
    local.update(Msg::Session(Ok(Session { local: true, ..session() })));
    ch(&mut local, 'n');
    assert_eq!(
        ctrl(&mut local, 's'),
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Path("/home/ada/src/app".into()),
            project: None,
            crypto: true
        })]
    );
}

#[test]
fn export_before_during_after() {
    let mut a = scan_open();
    assert!(ch(&mut a, 'e').is_empty());
    snap!("export_before", a);
    ch(&mut a, 'j');
    ch(&mut a, 'k');
    let full = scan_id(1).to_string();
    let id8 = &full[full.len() - 8..];
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![Cmd::Export {
            scan: scan_id(1),
            format: BomFormat::CycloneDx,
            path: format!("./scan-{id8}.cyclonedx.json").into()
        }]
    );
    a.update(Msg::ExportProgress { scan: scan_id(1), written: 40_960, total: Some(102_400) });
    snap!("export_during", a);
    a.update(Msg::Exported {
        scan: scan_id(1),
        result: Ok((format!("./scan-{id8}.cyclonedx.json").into(), 102_400)),
    });
    snap!("export_after", a);
    assert!(screen(&mut a).contains(&format!("Exported 102400 bytes to ./scan-{id8}.cyclonedx.json")));
}

#[test]
fn export_file_follows_the_format_until_edited() {
    let mut a = scan_open();
    ch(&mut a, 'e');
    for _ in 0..6 {
        ch(&mut a, 'j'); // SARIF
    }
    let full = scan_id(1).to_string();
    let id8 = &full[full.len() - 8..];
    assert!(screen(&mut a).contains(&format!("./scan-{id8}.sarif")));
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::End);
    typed(&mut a, ".x");
    press(&mut a, KeyCode::Tab);
    ch(&mut a, 'j'); // CBOM, file kept
    match &press(&mut a, KeyCode::Enter)[..] {
        [Cmd::Export { format, path, .. }] => {
            assert_eq!(*format, BomFormat::Cbom);
            assert_eq!(path.to_str(), Some(format!("./scan-{id8}.sarif.x").as_str()));
        }
        other => panic!("{other:?}"),
    }
    a.update(Msg::Exported { scan: scan_id(1), result: Err(failure()) });
    assert!(screen(&mut a).contains("Export failed"));
}

// ---- help, palette, readonly, toasts, sizes, colour ------------------------------------------

#[test]
fn help_and_palette() {
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    ch(&mut a, '?');
    snap!("help", a);
    press(&mut a, KeyCode::Esc);
    ch(&mut a, ':');
    snap!("palette", a);
    typed(&mut a, "queue");
    snap!("palette_filtered", a);
    press(&mut a, KeyCode::Enter);
    let s = screen(&mut a);
    assert!(s.contains("Loading scans"), "{s}");
}

#[test]
fn readonly_refuses_triage_new_scan_and_export() {
    let mut a = App::new(Options { readonly: true, color: true });
    a.init();
    a.update(Msg::Session(Ok(session())));
    a.update(Msg::VulnDb(Ok(vulndb(VulnDataState::Fresh))));
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Completed, 100)])));
    assert!(ch(&mut a, 'n').is_empty());
    ch(&mut a, '2');
    press(&mut a, KeyCode::Enter);
    assert!(ch(&mut a, 'e').is_empty());
    ch(&mut a, '3');
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(findings(scan_id(1), 3)) });
    assert!(ch(&mut a, ' ').is_empty());
    assert!(ch(&mut a, 't').is_empty());
    assert!(ctrl(&mut a, 's').is_empty());
    snap!("readonly_refusal", a);
}

#[test]
fn quit_only_from_the_top() {
    let mut a = scan_open();
    assert_eq!(ch(&mut a, 'q'), vec![]);
    assert!(!a.should_quit());
    ch(&mut a, 'q');
    assert!(a.should_quit());
}

#[test]
fn ctrl_c_quits_even_from_a_text_field() {
    let mut a = scan_open();
    ch(&mut a, 'n');
    ctrl(&mut a, 'c');
    assert!(a.should_quit());
}

#[test]
fn tiny_terminal_says_so() {
    let mut a = vulns_open(10);
    insta::assert_snapshot!("tiny_terminal", screen_sized(&mut a, 30, 6));
    // Every size in between draws without panicking.
    for w in [0, 1, 20, 59, 60, 61, 80] {
        for h in [0, 1, 14, 15, 16, 24] {
            screen_sized(&mut a, w, h);
        }
    }
}

#[test]
fn no_color_sets_no_colour_anywhere() {
    let mut a = App::new(Options { readonly: false, color: false });
    a.init();
    a.update(Msg::Session(Ok(session())));
    a.update(Msg::VulnDb(Ok(vulndb(VulnDataState::None))));
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Failed, 30)])));
    a.update(Msg::Notify { level: Level::Error, text: "boom".into() });
    ch(&mut a, '2');
    press(&mut a, KeyCode::Enter);
    ch(&mut a, '3');
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(findings(scan_id(1), 30)) });
    ch(&mut a, ' ');
    let mut frames = vec![draw_sized(&mut a, 120, 36)];
    ch(&mut a, '5');
    a.update(Msg::Crypto { scan: scan_id(1), result: Ok(crypto()) });
    frames.push(draw_sized(&mut a, 120, 36));
    ch(&mut a, 'e');
    frames.push(draw_sized(&mut a, 120, 36));
    let mut colored = App::new(Options { readonly: false, color: true });
    colored.init();
    colored.update(Msg::VulnDb(Ok(vulndb(VulnDataState::None))));
    let has_colour = |t: &Terminal<TestBackend>| {
        t.backend().buffer().content.iter().any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(has_colour(&draw_sized(&mut colored, 120, 36)), "the check must be able to fail");
    for f in &frames {
        assert!(!has_colour(f));
    }
}

#[test]
fn any_key_anywhere_never_panics() {
    let mut a = vulns_open(50);
    let keys: Vec<KeyCode> = "jkgG \t?/:nte123456789qx"
        .chars()
        .map(KeyCode::Char)
        .chain([
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Left,
        ])
        .collect();
    // A fixed walk over every key pair, drawing after each.
    for k1 in &keys {
        for k2 in &keys {
            press(&mut a, *k1);
            press(&mut a, *k2);
            let _ = draw_sized(&mut a, 80, 24);
        }
    }
}

// ---- issue 14, point 10: the dashboard details ----------------------------------------------

#[test]
fn the_package_column_names_packages_and_the_summary_has_room_at_80_columns() {
    let mut a = vulns_open(3);
    let s = screen_sized(&mut a, 80, 24);
    // Before: `pkg:cargo/r`-style cut purls and a Summary cut to nothing.
    assert!(s.contains("package-0@1.0.0") && !s.contains("pkg:npm"), "{s}");
    assert!(s.contains("package-0@1.0.0 Prototype pollut"), "{s}");
    insta::assert_snapshot!("vulns_80_columns", s);
}

#[test]
fn finding_detail_says_where_the_package_came_from_names_the_updater_and_lists_references_once() {
    let mut a = vulns_open(5);
    ch(&mut a, 'j');
    press(&mut a, KeyCode::Enter);
    let mut full = finding(scan_id(1), 1, Some(triage(TriageState::NotAffected, 2)));
    let url = "https://github.com/advisories/GHSA-0001-abcd-0001";
    full.references = vec![url.into(), "https://example.test/fix".into(), url.into()];
    a.update(Msg::Finding(Ok(full)));
    a.update(Msg::Components { scan: scan_id(1), result: Ok(components()) });
    let s = screen(&mut a);
    assert!(s.contains("Found in      package-lock.json:11"), "{s}");
    assert_eq!(s.matches(url).count(), 1, "{s}");
    assert!(s.contains("by ada@example.test") && !s.contains("0000-000000000007"), "{s}");
    snap!("finding_found_in", a);
    // Components that could not be loaded: the line says so instead of leaving it out.
    let mut b = vulns_open(2);
    press(&mut b, KeyCode::Enter);
    b.update(Msg::Components { scan: scan_id(1), result: Err(failure()) });
    assert!(screen(&mut b).contains("Found in      unknown: the daemon is unavailable"));
}

#[test]
fn enter_on_a_component_opens_its_detail_with_who_depends_on_it() {
    let mut a = scan_open();
    assert_eq!(ch(&mut a, '2'), vec![Cmd::LoadComponents(scan_id(1))]);
    a.update(Msg::Components { scan: scan_id(1), result: Ok(components()) });
    ch(&mut a, 'j'); // lodash
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadFindings(scan_id(1)), Cmd::LoadLicenses(scan_id(1)), Cmd::LoadDependencies(scan_id(1))]
    );
    let s = screen(&mut a);
    assert!(s.contains("Loading the findings") && s.contains("package-lock.json:11"), "{s}");
    let mut gpl = licenses();
    gpl[1].component_id = "c-1".into();
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(findings(scan_id(1), 5)) });
    a.update(Msg::Licenses { scan: scan_id(1), result: Ok(gpl) });
    a.update(Msg::Dependencies { scan: scan_id(1), result: Ok(edges()) });
    let s = screen(&mut a);
    let by = s.find("Depended on by").expect("reverse edges");
    let on = s.find("Depends on\n").or_else(|| s.find("Depends on ")).expect("edges");
    let between = &s[by..on];
    assert!(between.contains("express@4.0.0") && between.contains("qs@4.2.0"), "{s}");
    assert!(s[on..].contains("négociateur"), "{s}");
    assert!(s.contains("GHSA-0001-abcd-0001") && s.contains("GPL-3.0-only"), "{s}");
    snap!("component_detail", a);
    // Opened again, nothing loads twice.
    press(&mut a, KeyCode::Esc);
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    // A component without findings: "none" because the scan matched against fresh data.
    press(&mut a, KeyCode::Esc);
    ch(&mut a, 'j');
    ch(&mut a, 'j');
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    let s = screen(&mut a);
    assert!(s.contains("Findings") && s.contains("│  none"), "{s}");
    // Without vulnerability data it is not "none": the detail says it was not checked.
    let mut b = ready();
    let mut unmatched = scan(1, ScanStatus::Completed, 100);
    unmatched.vulndb.as_mut().expect("recorded").state = VulnDataState::None;
    b.update(Msg::Scans(Ok(vec![unmatched])));
    ch(&mut b, '2');
    press(&mut b, KeyCode::Enter);
    ch(&mut b, '2');
    b.update(Msg::Components { scan: scan_id(1), result: Ok(components()) });
    press(&mut b, KeyCode::Enter);
    b.update(Msg::Findings { scan: scan_id(1), result: Ok(Vec::new()) });
    assert!(screen(&mut b).contains("not checked: the scan had no vulnerability data"));
}

#[test]
fn the_diagnostics_count_opens_the_list() {
    let mut a = ready();
    let mut s1 = scan(1, ScanStatus::Completed, 100);
    s1.counts.diagnostics = 2;
    a.update(Msg::Scans(Ok(vec![s1])));
    ch(&mut a, '2');
    press(&mut a, KeyCode::Enter);
    assert!(screen(&mut a).contains("Diagnostics   2 (enter lists them)"));
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadDiagnostics(scan_id(1))]);
    assert!(screen(&mut a).contains("Loading diagnostics"));
    a.update(Msg::Diagnostics { scan: scan_id(1), result: Err(failure()) });
    assert!(screen(&mut a).contains("Could not load diagnostics"));
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadDiagnostics(scan_id(1))]);
    a.update(Msg::Diagnostics {
        scan: scan_id(1),
        result: Ok(vec![
            diagnostic("error", Some("Cargo.lock"), Some(12), "expected `=` after key"),
            diagnostic("warning", Some("vendor/big.bin"), None, "over the 64 MiB size cap: not read"),
        ]),
    });
    snap!("diagnostics_loaded", a);
    assert!(press(&mut a, KeyCode::Esc).is_empty());
    assert!(screen(&mut a).contains("Diagnostics   2"));
}

#[test]
fn filtering_the_dependency_tree_keeps_the_path_to_each_match() {
    let mut a = scan_open();
    ch(&mut a, '6');
    a.update(Msg::Components { scan: scan_id(1), result: Ok(components()) });
    a.update(Msg::Dependencies { scan: scan_id(1), result: Ok(edges()) });
    ch(&mut a, '/');
    typed(&mut a, "négociateur");
    let s = screen(&mut a);
    // express › lodash › négociateur: the match and the path to it; qs is not on it.
    assert!(s.contains("express@4.0.0") && s.contains("└ lodash@4.1.0") && s.contains("négociateur"), "{s}");
    assert!(!s.contains("qs@4.2.0"), "{s}");
    snap!("deps_filtered", a);
}

#[test]
fn triage_checks_the_vex_rule_before_saving_and_clears_a_stale_error() {
    let mut a = vulns_open(2);
    ch(&mut a, 't');
    press(&mut a, KeyCode::Right); // in_triage -> affected
    press(&mut a, KeyCode::Right); // -> not_affected, no justification, no note
    assert!(ctrl(&mut a, 's').is_empty(), "nothing is sent that the daemon would refuse");
    let s = screen(&mut a);
    assert_eq!(s.matches("need a justification or a note").count(), 1, "{s}");
    snap!("triage_invalid", a);
    // Any edit clears the complaint; a justification makes the save go.
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right); // component_not_present
    assert!(!screen(&mut a).contains("need a justification"));
    let cmds = ctrl(&mut a, 's');
    assert!(matches!(&cmds[..], [Cmd::Triage { .. }]), "{cmds:?}");
    // A failure shown, then an edit: the stale error goes.
    a.update(Msg::TriageFailed { id: "f-000000".into(), failure: failure() });
    assert!(screen(&mut a).contains("Could not save f-000000"));
    press(&mut a, KeyCode::Right);
    assert!(!screen(&mut a).contains("Could not save"));
}

#[test]
fn a_bulk_triage_failing_the_same_way_says_it_once() {
    let mut a = vulns_open(4);
    for _ in 0..3 {
        ch(&mut a, ' ');
    }
    ch(&mut a, 't');
    let cmds = ctrl(&mut a, 's');
    assert_eq!(cmds.len(), 3);
    let refused = Failure {
        message: "Invalid request (400, VALIDATION_FAILED): body.note: must be at most 4000 characters"
            .into(),
        status: Some(400),
        code: Some("VALIDATION_FAILED".into()),
    };
    for c in cmds {
        let Cmd::Triage { id, .. } = c else { panic!("{c:?}") };
        a.update(Msg::TriageFailed { id, failure: refused.clone() });
    }
    let s = screen(&mut a);
    assert_eq!(s.matches("must be at most 4000").count(), 1, "{s}");
    assert!(s.contains("Could not save 3 findings"), "{s}");
    // The status and code the message already carries are not added again.
    assert!(!s.contains("(HTTP 400, VALIDATION_FAILED)"), "{s}");
}

#[test]
fn readonly_hides_what_it_would_refuse_from_the_hint_bar() {
    let mut a = App::new(Options { readonly: true, color: true });
    a.init();
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Completed, 100)])));
    let s = screen(&mut a);
    let hint = s.lines().last().unwrap_or_default().to_owned();
    assert!(hint.contains("READ-ONLY") && !hint.contains("n new scan"), "{hint}");
    ch(&mut a, '2');
    press(&mut a, KeyCode::Enter);
    ch(&mut a, '3');
    a.update(Msg::Findings { scan: scan_id(1), result: Ok(findings(scan_id(1), 3)) });
    press(&mut a, KeyCode::Enter);
    for s in [screen(&mut a), {
        press(&mut a, KeyCode::Esc);
        screen(&mut a)
    }] {
        let hint = s.lines().last().unwrap_or_default().to_owned();
        assert!(
            !hint.contains("t triage") && !hint.contains("space mark") && !hint.contains("e export"),
            "{hint}"
        );
    }
}

#[test]
fn the_header_refreshes_the_vulnerability_data_without_r() {
    let mut a = ready();
    assert!(a.tick(NOW + time::Duration::seconds(5)).is_empty());
    assert_eq!(a.tick(NOW + time::Duration::seconds(15)), vec![Cmd::LoadVulnDb]);
    // Asked once; the shown state stays until the answer comes.
    assert!(a.tick(NOW + time::Duration::seconds(16)).is_empty());
    assert!(screen(&mut a).contains("48213 advisories"));
    let mut imported = vulndb(VulnDataState::Fresh);
    imported.advisories = 48_220;
    imported.age_seconds = Some(0);
    a.update(Msg::VulnDb(Ok(imported)));
    assert!(screen(&mut a).contains("vuln data 48220 advisories"));
    assert_eq!(a.tick(NOW + time::Duration::seconds(31)), vec![Cmd::LoadVulnDb]);
}

// ---- issue 15: one key table, dialogs through actions, cancelling a scan --------------------

fn keymap(toml_text: &str) -> KeyMap {
    #[derive(serde::Deserialize)]
    struct File {
        keys: KeyOverrides,
    }
    let file: File = toml::from_str(toml_text).expect("toml");
    KeyMap::with_overrides(&file.keys).expect("valid [keys]")
}

/// The help screen's text, and every row the table says it has, each found on it once.
fn help_shows(a: &mut App, keys: &KeyMap) -> String {
    ch(a, '?');
    let s = screen(a);
    let rows: Vec<_> = keys.help_rows(Mode::Screen).into_iter().chain(keys.help_rows(Mode::Field)).collect();
    for r in &rows {
        let line = format!("{}  {}", r.keys, r.help);
        assert_eq!(s.matches(&line).count(), 1, "help must show `{line}` once:\n{s}");
    }
    // Exactly those: the popup holds the two column titles, the longer column's rows and the
    // three lines of its foot, nothing else.
    let top = s.lines().position(|l| l.contains("┌ Help")).expect("help is open");
    let height = s.lines().skip(top + 1).position(|l| l.contains('└')).expect("its bottom");
    let longest = keys.help_rows(Mode::Screen).len().max(keys.help_rows(Mode::Field).len());
    assert_eq!(height, 1 + longest + 3, "{s}");
    s
}

#[test]
fn help_lists_exactly_the_key_table_and_each_key_does_what_help_says() {
    let keys = KeyMap::default();
    let mut a = ready();
    let s = help_shows(&mut a, &keys);
    // The keys dispatch had but help did not list (home, end, pageup, pagedown) are listed now.
    assert!(s.contains("gg / home  first row") && s.contains("ctrl-d / pagedown  half a page down"), "{s}");
    // Dispatch reads the same table: each listed key, pressed, is its action.
    let mut dispatch = KeyMap::default();
    for b in keys.bindings() {
        for key in &b.keys {
            let mut got = None;
            for chord in key.chords() {
                got = match b.action.mode() {
                    Mode::Field => dispatch.field_action(&chord.event(), true),
                    Mode::Screen | Mode::Anywhere => dispatch.screen_action(&chord.event()),
                };
            }
            assert_eq!(got, Some(b.action), "`{key}` is listed for {:?}", b.action);
        }
    }
    let field_rows = keys.help_rows(Mode::Field).len();
    let screen_rows = keys.help_rows(Mode::Screen).len();
    assert_eq!(
        keys.bindings().iter().filter(|b| !b.keys.is_empty()).count(),
        field_rows + screen_rows + 8,
        "tabs share a row"
    );
}

#[test]
fn a_keys_override_changes_both_dispatch_and_help() {
    let keys = keymap("[keys]\nhelp = \"h\"\ncancel-scan = \"ctrl-x\"\nsubmit = \"f2\"\nprojects = \"P\"\n");
    let mut a = ready().with_start_dir("/src").with_keys(keys);
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    ch(&mut a, '?');
    assert!(!screen(&mut a).contains("this help"), "`?` no longer opens help");
    ch(&mut a, 'h');
    let s = screen(&mut a);
    assert!(
        s.contains(" h  this help") && s.contains("ctrl-x  cancel the scan") && s.contains("f2  submit"),
        "{s}"
    );
    assert!(s.contains(" P  projects"), "an action only the palette had is listed once it has a key: {s}");
    assert!(!s.contains("?  this help") && !s.contains("ctrl-s  submit"), "{s}");
    press(&mut a, KeyCode::Esc);
    // The new-scan form saves with f2, not ctrl-s, and its hint says so.
    ch(&mut a, 'n');
    assert!(screen(&mut a).contains("f2 submit"));
    assert!(ctrl(&mut a, 's').is_empty());
    let cmds = press(&mut a, KeyCode::F(2));
    assert!(matches!(cmds.as_slice(), [Cmd::Submit(_)]), "{cmds:?}");
}

#[test]
fn a_bad_keys_entry_stops_the_dashboard_naming_the_entry() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config/cairn/config.toml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    let run = |text: &str| {
        std::fs::write(&config, text).expect("config");
        std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path().join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env_remove("CAIRN_PROFILE")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run cairn")
    };
    for (text, says) in [
        ("[keys]\nfly = \"f\"\n", "[keys] fly: no such action"),
        ("[keys]\ndown = \"ctrl-\"\n", "[keys] down = \"ctrl-\": `ctrl-` is not a key"),
        ("[keys]\ncancel-scan = \"e\"\n", "`e` would do both `export` and `cancel-scan`"),
    ] {
        let out = run(text);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{text}: {err}");
        assert!(err.contains("config.toml"), "the file is named: {err}");
    }
    // A good entry gets past the keys (to the terminal check: this test has none).
    let out = run("[keys]\ncancel-scan = \"ctrl-x\"\n");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}

#[test]
fn dialogs_take_actions_not_keys() {
    // The palette, the form and the triage panel, driven by the key table's actions alone.
    let keys = KeyMap::default();
    let mut p = Palette::new(&keys);
    for c in "queue".chars() {
        assert_eq!(p.key(Action::Type(c)), Outcome::Stay);
    }
    assert_eq!(p.key(Action::Confirm), Outcome::Run(Action::GoQueue));
    let mut f = NewScanForm::with_path(Some("/src"), &keys);
    assert!(!f.text_focus(), "the source selector reads keys, it is not typed into");
    f.key(Action::Right);
    f.key(Action::NextField);
    assert!(f.text_focus());
    for c in "https://example.test/r.git".chars() {
        f.key(Action::Type(c));
    }
    f.paste("x\n");
    f.key(Action::Backspace);
    f.key(Action::NextField);
    f.key(Action::Type('v'));
    let sent = f.key(Action::Submit);
    let Outcome::Cmds(cmds) = sent else { panic!("{sent:?}") };
    assert_eq!(
        cmds,
        vec![Cmd::Submit(NewScan {
            source: NewScanSource::Git {
                url: "https://example.test/r.git".into(),
                reference: Some("v".into())
            },
            project: None,
            crypto: true,
        })]
    );
    assert_eq!(f.key(Action::Cancel), Outcome::Close);
    // The form closes when its scan is queued and shows its failure otherwise.
    let mut f = NewScanForm::with_path(Some("/src"), &keys);
    assert_eq!(f.update(&Msg::Submitted(Err(failure()))), Some(Outcome::Stay));
    assert!(f.error.as_deref().is_some_and(|e| e.contains("unavailable")));
    assert_eq!(f.update(&Msg::Submitted(Ok(scan(1, ScanStatus::Queued, 0)))), Some(Outcome::Close));
    assert_eq!(f.update(&Msg::Link(Link::Live)), None, "not the form's message");
    // The triage panel: on a choice `j` (the screens' down) changes it, the arrow moves on; in
    // the note the same `j` is text.
    let fs = findings(scan_id(1), 1);
    let mut t = TriagePanel::new(&fs, &keys);
    let before = t.triage_update().state;
    t.key(Action::Down);
    assert_ne!(t.triage_update().state, before);
    for _ in 0..3 {
        assert!(!t.text_focus());
        t.key(Action::FieldDown);
    }
    assert!(t.text_focus(), "the note");
    t.key(Action::Type('j'));
    let note = t.triage_update().note.flatten().unwrap_or_default();
    assert!(note.ends_with('j'), "{note:?}");
}

#[test]
fn help_scrolls_on_a_short_terminal() {
    let mut a = ready();
    ch(&mut a, '?');
    let s = screen_sized(&mut a, 80, 24);
    assert!(s.contains("?  this help") && !s.contains("end of the field"), "one column, cut: {s}");
    for _ in 0..40 {
        ch(&mut a, 'j');
    }
    let s = screen_sized(&mut a, 80, 24);
    assert!(!s.contains("?  this help") && s.contains("end of the field"), "scrolled to the end: {s}");
    assert!(s.contains("j/k scroll · esc close"), "{s}");
}

/// `ready()` with scan 1 running, opened from the queue.
fn running_scan_open() -> App {
    let mut a = ready();
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Scanning, 40)])));
    ch(&mut a, '2');
    press(&mut a, KeyCode::Enter);
    a
}

#[test]
fn the_dashboard_cancels_a_running_scan_after_asking() {
    let mut a = running_scan_open();
    assert!(screen(&mut a).contains("x cancel scan"), "the hint offers it while the scan runs");
    assert!(ch(&mut a, 'x').is_empty());
    snap!("cancel_confirm", a);
    // esc keeps it running; enter asks the daemon.
    assert!(press(&mut a, KeyCode::Esc).is_empty());
    assert!(!screen(&mut a).contains("Cancel scan"));
    ch(&mut a, 'x');
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::CancelScan(scan_id(1))]);
    assert!(!screen(&mut a).contains("Cancel scan"), "the dialog closed");
    let mut cancelled = scan(1, ScanStatus::Cancelled, 40);
    cancelled.error = Some("cancelled".into());
    a.update(Msg::Cancelled { scan: scan_id(1), result: Ok(cancelled) });
    let s = screen(&mut a);
    assert!(s.contains("Scan 00000001 cancelled"), "{s}");
    assert!(s.contains("cancelled") && !s.contains("x cancel scan"), "the status moved, the hint went: {s}");
    // An ended scan is not asked about.
    assert!(ch(&mut a, 'x').is_empty());
    assert!(!screen(&mut a).contains("Cancel scan"));
}

#[test]
fn cancel_from_the_queue_and_its_refusals_as_a_status_line() {
    let mut a = ready();
    a.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Queued, 0)])));
    ch(&mut a, '2');
    ch(&mut a, 'x');
    assert!(screen(&mut a).contains("Cancel scan 00000001?"));
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::CancelScan(scan_id(1))]);
    // A viewer (or a member cancelling someone else's scan) is refused by the daemon: 403.
    let forbidden = Failure {
        message: "only the requester or a tenant admin may cancel this scan".into(),
        status: Some(403),
        code: Some("FORBIDDEN".into()),
    };
    a.update(Msg::Cancelled { scan: scan_id(1), result: Err(forbidden) });
    let s = screen(&mut a);
    assert!(s.contains("Could not cancel scan 00000001: only the requester or a tenant admin"), "{s}");
    // A scan that ended before the request came: the daemon returns it as it ended.
    a.update(Msg::Cancelled { scan: scan_id(1), result: Ok(scan(1, ScanStatus::Completed, 100)) });
    assert!(screen(&mut a).contains("Scan 00000001 had already ended (completed)"));
    // Read-only: refused before any dialog.
    let mut ro = App::new(Options { readonly: true, color: true });
    ro.init();
    ro.update(Msg::Scans(Ok(vec![scan(1, ScanStatus::Queued, 0)])));
    ch(&mut ro, '2');
    assert!(ch(&mut ro, 'x').is_empty());
    let s = screen(&mut ro);
    assert!(s.contains("Read-only: cancelling a scan is not allowed") && !s.contains("Cancel scan"), "{s}");
}

// ---- where is PACKAGE, advisories ------------------------------------------------------------

fn usage(
    n: u128,
    project: &str,
    version: &str,
    path: &str,
    line: Option<u32>,
) -> cairn_sdk::types::ComponentUsage {
    cairn_sdk::types::ComponentUsage {
        project_id: project_id(n),
        project_name: project.into(),
        version_id: None,
        version_name: None,
        scan_id: scan_id(n),
        scanned_at: Some(T0),
        purl: format!("pkg:pypi/requests@{version}"),
        ecosystem: "pypi".into(),
        name: "requests".into(),
        version: Some(version.into()),
        locations: vec![cairn_sdk::types::FileLine { path: path.into(), line }],
    }
}

fn advisory(affected: usize) -> cairn_sdk::types::AdvisoryDetail {
    cairn_sdk::types::AdvisoryDetail {
        id: "PYSEC-2023-74".into(),
        ids: vec!["PYSEC-2023-74".into()],
        aliases: vec!["CVE-2023-32681".into(), "GHSA-j8r2-6x86-q33q".into()],
        summary: Some("Unintended leak of Proxy-Authorization header in requests".into()),
        details: None,
        published: None,
        modified: None,
        references: Vec::new(),
        in_vulnerability_data: true,
        affected: (0..affected)
            .map(|i| cairn_sdk::types::AffectedProject {
                project_id: Some(project_id(i as u128 + 1)),
                project_name: Some(format!("proj-{i}")),
                scan_id: scan_id(i as u128 + 1),
                finding_id: format!("f-{i}"),
                vulnerability_id: "PYSEC-2023-74".into(),
                purl: "pkg:pypi/requests@2.25.1".into(),
                severity: cairn_sdk::types::Severity::Medium,
                fixed_version: Some("2.31.0".into()),
                triage: (i == 0).then_some(TriageState::Affected),
            })
            .collect(),
    }
}

#[test]
fn the_palette_answers_where_is_package_with_file_and_line_and_opens_a_row() {
    let mut a = ready();
    ch(&mut a, ':');
    typed(&mut a, "where is requests");
    let s = screen(&mut a);
    assert!(s.contains("enter: where is requests"), "{s}");
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::WhereUsed("requests".into())]);
    assert!(screen(&mut a).contains("Loading projects using requests"));
    a.update(Msg::WhereUsed {
        package: "requests".into(),
        result: Ok(vec![
            usage(1, "cli-old", "2.25.1", "poetry.lock", Some(1203)),
            usage(2, "warehouse", "2.32.3", "requirements.txt", Some(2077)),
        ]),
    });
    let s = screen(&mut a);
    assert!(s.contains("poetry.lock:1203") && s.contains("requirements.txt:2077"), "{s}");
    assert!(
        s.contains("cli-old") && s.contains("requests@2.32.3") && s.contains("› where is requests"),
        "{s}"
    );
    // enter opens the row's scan.
    ch(&mut a, 'j');
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(cmds[0], Cmd::LoadScan(scan_id(2)), "{cmds:?}");
    // Back, then r asks again; a failure is said.
    press(&mut a, KeyCode::Esc);
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::WhereUsed("requests".into())]);
    a.update(Msg::WhereUsed { package: "requests".into(), result: Err(failure()) });
    assert!(screen(&mut a).contains("Could not load projects using requests"));
    // A purl is looked up as typed; an empty search is no search.
    let mut b = ready();
    ch(&mut b, ':');
    typed(&mut b, "where pkg:pypi/requests@2.25.1");
    assert_eq!(press(&mut b, KeyCode::Enter), vec![Cmd::WhereUsed("pkg:pypi/requests@2.25.1".into())]);
    let mut c = ready();
    ch(&mut c, ':');
    typed(&mut c, "where ");
    assert!(!press(&mut c, KeyCode::Enter).contains(&Cmd::WhereUsed(String::new())));
}

#[test]
fn an_advisory_from_the_palette_or_a_finding_lists_affected_projects_with_triage() {
    let mut a = ready();
    ch(&mut a, ':');
    typed(&mut a, "advisory CVE-2023-32681");
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadAdvisory("CVE-2023-32681".into())]);
    assert!(screen(&mut a).contains("Loading CVE-2023-32681"));
    a.update(Msg::Advisory { id: "CVE-2023-32681".into(), result: Ok(advisory(2)) });
    let s = screen(&mut a);
    assert!(s.contains("PYSEC-2023-74") && s.contains("GHSA-j8r2-6x86-q33q"), "{s}");
    assert!(s.contains("proj-0") && s.contains("proj-1") && s.contains("2.31.0"), "{s}");
    assert!(s.contains("affected") && s.contains("untriaged"), "each project's triage: {s}");
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(cmds[0], Cmd::LoadScan(scan_id(1)), "{cmds:?}");

    // None affected in the tenant: said, not an empty table.
    let mut b = ready();
    ch(&mut b, ':');
    typed(&mut b, "advisory PYSEC-2023-74");
    press(&mut b, KeyCode::Enter);
    b.update(Msg::Advisory { id: "PYSEC-2023-74".into(), result: Ok(advisory(0)) });
    assert!(screen(&mut b).contains("No project of this tenant is affected now."));

    // From a finding: enter opens its advisory.
    let mut c = vulns_open(2);
    press(&mut c, KeyCode::Enter);
    let id = finding(scan_id(1), 0, None).finding.vulnerability_id;
    assert_eq!(press(&mut c, KeyCode::Enter), vec![Cmd::LoadAdvisory(id.clone())]);
    c.update(Msg::Advisory { id: id.clone(), result: Err(failure()) });
    assert!(screen(&mut c).contains(&format!("Could not load {id}")));
}

// ---- history, sparkline, compare -------------------------------------------------------------

/// A point of `scan_id(n)`; `findings` none = not matched.
fn point(
    n: u128,
    findings: Option<u64>,
    gate: Option<cairn_sdk::types::GateStatus>,
) -> cairn_sdk::types::HistoryPoint {
    let severities = findings.map(|f| cairn_sdk::types::SeverityCounts { high: f, ..Default::default() });
    cairn_sdk::types::HistoryPoint {
        scan_id: scan_id(n),
        version_id: None,
        finished_at: Some(T0 + time::Duration::hours(n as i64)),
        components: 40,
        findings,
        severities,
        vulndb: if findings.is_some() { VulnDataState::Fresh } else { VulnDataState::None },
        readiness: None,
        crypto_scanned: false,
        gate,
        image_digest: None,
        image_manifest_digest: None,
    }
}

fn history(points: Vec<cairn_sdk::types::HistoryPoint>) -> cairn_sdk::types::ScanHistory {
    cairn_sdk::types::ScanHistory { project_id: project_id(1), version_id: None, points }
}

#[test]
fn each_project_row_draws_its_findings_over_time_with_unmatched_scans_as_gaps() {
    let mut a = ready();
    let cmds =
        a.update(Msg::Projects(Ok(vec![project(1, "storefront", true), project(2, "billing", false)])));
    // Only scanned projects have a history to ask for.
    assert_eq!(cmds, vec![Cmd::LoadHistory(project_id(1))]);
    assert!(screen(&mut a).contains("Findings"));
    a.update(Msg::History {
        project: project_id(1),
        result: Ok(history(vec![
            point(1, Some(3), None),
            point(2, None, None),
            point(3, Some(0), None),
            point(4, Some(6), None),
        ])),
    });
    let s = screen(&mut a);
    let row = s.lines().find(|l| l.contains("storefront")).expect("row");
    assert!(
        row.ends_with("▄ ▁█ │") || row.contains("▄ ▁█"),
        "a gap for the unmatched scan, a low block for zero: {row}"
    );
    a.update(Msg::History { project: project_id(1), result: Err(failure()) });
    let s = screen(&mut a);
    assert!(
        !s.lines().find(|l| l.contains("storefront")).expect("row").contains('▁'),
        "a failed history draws nothing"
    );
}

#[test]
fn history_charts_a_project_and_two_marked_scans_compare_with_the_gate_change() {
    use cairn_sdk::types::GateStatus;
    let mut a = ready();
    a.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    ch(&mut a, ':');
    typed(&mut a, "history storefront");
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadHistory(project_id(1))]);
    a.update(Msg::History {
        project: project_id(1),
        result: Ok(history(vec![
            point(1, Some(4), Some(GateStatus::Fail)),
            point(2, None, None),
            point(3, Some(1), Some(GateStatus::Warn)),
        ])),
    });
    let s = screen(&mut a);
    assert!(s.contains("History of storefront") && s.contains("› history of storefront"), "{s}");
    assert!(s.contains("1 gap(s): scans not matched"), "{s}");
    assert!(s.contains("not matched") && s.contains("fail") && s.contains("warn"), "{s}");
    // Without marks enter opens the scan under the cursor.
    let cmds = press(&mut a, KeyCode::Enter);
    assert_eq!(cmds[0], Cmd::LoadScan(scan_id(1)), "{cmds:?}");
    press(&mut a, KeyCode::Esc);
    // Mark the newest, then the oldest: compared older first.
    ch(&mut a, 'G');
    ch(&mut a, ' ');
    ch(&mut a, 'g');
    ch(&mut a, 'g');
    ch(&mut a, ' ');
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::Compare { from: scan_id(1), to: scan_id(3) }]);
    assert!(screen(&mut a).contains("Comparing"));
    let comparison: cairn_sdk::types::ScanComparison = serde_json::from_value(serde_json::json!({
        "from_scan": scan_id(1), "to_scan": scan_id(3),
        "comparison": {
            "summary": {"components_added": 1, "components_removed": 0, "components_changed": 1, "upgrades": 1,
                "downgrades": 0, "components_unchanged": 38, "findings_new": 0, "findings_fixed": 3,
                "findings_still_open": 1, "licenses_changed": 0, "crypto_added": null, "crypto_removed": null,
                "gate_violations_added": 0, "gate_violations_removed": 1},
            "components": {"added": [{"ecosystem": "PyPI", "name": "idna", "version": "3.7", "purl": "pkg:pypi/idna@3.7"}],
                "removed": [], "changed": [{"ecosystem": "PyPI", "name": "requests", "from_version": "2.25.1",
                "to_version": "2.33.1", "from_purl": "pkg:pypi/requests@2.25.1", "to_purl": "pkg:pypi/requests@2.33.1",
                "direction": "upgrade"}], "unchanged": 38},
            "findings": {"new": [], "fixed": [], "still_open": []},
            "licenses": {"changed": [], "added": [], "removed": []},
            "crypto": null, "readiness": null,
            "gate": {"from_status": "fail", "to_status": "warn", "from_policy": {"id": "default", "revision": 1},
                "to_policy": {"id": "default", "revision": 1},
                "violations_added": [],
                "violations_removed": [{"rule": "untriaged-high", "action": "fail",
                    "subject": {"kind": "finding", "advisory": "PYSEC-2023-74", "purl": "pkg:pypi/requests@2.25.1"},
                    "message": "Critical and high vulnerabilities must be fixed or triaged"}],
                "violations_unchanged": 0},
            "not_compared": [{"section": "crypto", "reason": "cryptography was not scanned for either side"}]
        }
    }))
    .expect("a comparison");
    a.update(Msg::Compared { from: scan_id(1), to: scan_id(3), result: Ok(comparison) });
    let s = screen(&mut a);
    assert!(s.contains("gate: fail -> warn (0 violations added, 1 removed, 0 unchanged)"), "{s}");
    assert!(s.contains("requests") && s.contains("upgrade") && s.contains("idna"), "{s}");
    assert!(s.contains("not compared: crypto"), "{s}");
    assert!(
        s.contains("Gate violations removed") && s.contains("PYSEC-2023-74 in pkg:pypi/requests@2.25.1"),
        "{s}"
    );
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::Compare { from: scan_id(1), to: scan_id(3) }]);
    // An unknown project name is said, not opened.
    let mut b = ready();
    b.update(Msg::Projects(Ok(vec![project(1, "storefront", true)])));
    ch(&mut b, ':');
    typed(&mut b, "history nope");
    assert!(press(&mut b, KeyCode::Enter).is_empty());
    assert!(screen(&mut b).contains("No project named nope"));
}

// ---- issue 21: the image catalogue, feature requests, admin-only actions --------------------

fn palette(a: &mut App, command: &str) -> Vec<Cmd> {
    ch(a, ':');
    typed(a, command);
    press(a, KeyCode::Enter)
}

/// A point of image version `version_id(1)`: the digest its tag resolved to, findings (none =
/// not matched) and gate.
fn image_point(
    n: u128,
    d: char,
    findings: Option<u64>,
    gate: Option<GateStatus>,
) -> cairn_sdk::types::HistoryPoint {
    cairn_sdk::types::HistoryPoint {
        version_id: Some(version_id(1)),
        image_digest: Some(digest(d)),
        ..point(n, findings, gate)
    }
}

/// The catalogue: images with their latest scan (none yet is said, not a zero), an image's
/// versions with digest, latest completed scan and counts, a version's scan history as a chart
/// and a table whose `enter` opens the scan, and `e` downloading the version's SBOM to a file
/// with the format picked, its failure shown.
#[test]
fn image_catalogue_lists_images_versions_history_and_downloads_an_sbom() {
    use cairn_tui::dash::msg::ImageVersion;
    let mut a = ready();
    assert_eq!(palette(&mut a, "images"), vec![Cmd::LoadImages]);
    assert!(screen(&mut a).contains("Loading images"));
    a.update(Msg::Images(Err(failure())));
    assert!(screen(&mut a).contains("Could not load images"));
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadImages]);
    a.update(Msg::Images(Ok(Vec::new())));
    assert!(screen(&mut a).contains("No images."));
    a.update(Msg::Images(Ok(vec![
        image(1, "registry.example.test/acme/app", true),
        image(2, "registry.example.test/acme/db", false),
    ])));
    snap!("images_loaded", a);
    assert_eq!(press(&mut a, KeyCode::Enter), vec![Cmd::LoadImageVersions(project_id(1))]);
    assert!(screen(&mut a).contains("Loading versions"));
    let mut matched = image_point(3, 'a', Some(3), Some(GateStatus::Fail));
    matched.severities =
        Some(cairn_sdk::types::SeverityCounts { critical: 1, high: 2, ..Default::default() });
    a.update(Msg::ImageVersions {
        project: project_id(1),
        result: Ok(vec![
            ImageVersion { version: image_version(1, "1.2", Some(digest('a'))), latest: Some(matched) },
            ImageVersion {
                version: image_version(2, "1.1", Some(digest('b'))),
                latest: Some(image_point(4, 'b', None, None)),
            },
            ImageVersion { version: image_version(3, "edge", None), latest: None },
        ]),
    });
    let text = screen(&mut a);
    assert!(text.contains("not matched"), "not matched is not zero: {text}");
    assert!(text.contains("no completed scan"), "{text}");
    snap!("image_versions_loaded", a);
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::LoadVersionHistory { project: project_id(1), version: version_id(1) }]
    );
    a.update(Msg::VersionHistory {
        version: version_id(1),
        result: Ok(vec![
            image_point(1, 'c', Some(5), Some(GateStatus::Fail)),
            image_point(2, 'c', None, None),
            image_point(3, 'a', Some(3), Some(GateStatus::Pass)),
        ]),
    });
    let text = screen(&mut a);
    assert!(text.contains("1 gap(s)"), "{text}");
    snap!("image_version_history", a);
    // enter opens the scan under the cursor (the oldest first, like the chart).
    assert_eq!(press(&mut a, KeyCode::Enter).first(), Some(&Cmd::LoadScan(scan_id(1))));
    press(&mut a, KeyCode::Esc);
    // The SBOM: formats as the export's, the file named after the image and tag.
    assert!(ch(&mut a, 'e').is_empty());
    snap!("image_sbom_dialog", a);
    let first = BomFormat::ALL[0];
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::DownloadSbom {
            project: project_id(1),
            version: version_id(1),
            format: first,
            path: format!("./app-1.2.{}.json", first.as_str()).into(),
        }]
    );
    a.update(Msg::SbomProgress { version: version_id(1), written: 512, total: Some(1024) });
    assert!(screen(&mut a).contains("512 of 1024 bytes"));
    a.update(Msg::SbomDownloaded {
        version: version_id(1),
        result: Err(Failure {
            message: "no document: the version has no completed scan yet".into(),
            status: Some(404),
            code: Some("NOT_FOUND".into()),
        }),
    });
    let text = screen(&mut a);
    assert!(text.contains("Export failed: no document: the version has no completed scan yet"), "{text}");
    // Another format, from the versions list: SPDX 2.3 for tag 1.1.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Esc);
    ch(&mut a, 'j');
    assert!(ch(&mut a, 'e').is_empty());
    let spdx = BomFormat::ALL.iter().position(|f| *f == BomFormat::Spdx23).expect("SPDX 2.3 offered");
    for _ in 0..spdx {
        ch(&mut a, 'j');
    }
    assert_eq!(
        press(&mut a, KeyCode::Enter),
        vec![Cmd::DownloadSbom {
            project: project_id(1),
            version: version_id(2),
            format: BomFormat::Spdx23,
            path: format!("./app-1.1.{}.json", BomFormat::Spdx23.as_str()).into(),
        }]
    );
    a.update(Msg::SbomDownloaded {
        version: version_id(2),
        result: Ok(("./app-1.1.spdx.json".into(), 2048)),
    });
    assert!(screen(&mut a).contains("Exported 2048 bytes to ./app-1.1.spdx.json"));
    // r reloads the versions; read-only refuses the download.
    press(&mut a, KeyCode::Esc);
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadImageVersions(project_id(1))]);
    let mut ro = App::new(Options { readonly: true, color: true });
    ro.init();
    ro.update(Msg::Session(Ok(session())));
    palette(&mut ro, "images");
    ro.update(Msg::Images(Ok(vec![image(1, "registry.example.test/acme/app", true)])));
    press(&mut ro, KeyCode::Enter);
    ro.update(Msg::ImageVersions {
        project: project_id(1),
        result: Ok(vec![ImageVersion { version: image_version(1, "1.2", Some(digest('a'))), latest: None }]),
    });
    assert!(ch(&mut ro, 'e').is_empty());
    assert!(screen(&mut ro).contains("Read-only: export is not allowed"));
}

/// Feature requests: the list (kind, title, status, who asked, when), `n` asks for one (checked
/// before sending, a refusal shown with the text kept), `enter` shows one; an admin changes the
/// status with the version shown as If-Match, and a 412 reloads the row and says so.
#[test]
fn feature_requests_are_listed_asked_for_and_their_status_changed_by_admins() {
    use cairn_sdk::types::{CreateFeatureRequest, FeatureRequestKind as K, FeatureRequestStatus as S};
    let mut a = ready();
    assert_eq!(palette(&mut a, "requests"), vec![Cmd::LoadRequests]);
    assert!(screen(&mut a).contains("Loading feature requests"));
    a.update(Msg::Requests(Ok(vec![
        request(1, K::Package, S::Open, 1, 1),
        request(2, K::Bug, S::InProgress, 2, 4),
        cairn_sdk::types::FeatureRequest { requested_by: None, ..request(3, K::Feature, S::Declined, 2, 2) },
    ])));
    let text = screen(&mut a);
    assert!(text.contains("you") && text.contains("account gone"), "{text}");
    snap!("requests_loaded", a);

    // A new one: nothing is sent without a title; the daemon's refusal keeps the text.
    assert!(ch(&mut a, 'n').is_empty());
    assert!(ctrl(&mut a, 's').is_empty());
    assert!(screen(&mut a).contains("Not sent: give it a title"));
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "Read the rpm ndb format");
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "Fedora 40 images");
    snap!("request_new_form", a);
    let want = Cmd::CreateRequest(CreateFeatureRequest {
        kind: K::Package,
        title: "Read the rpm ndb format".into(),
        body: "Fedora 40 images".into(),
    });
    assert_eq!(ctrl(&mut a, 's'), vec![want.clone()]);
    a.update(Msg::RequestCreated(Err(Failure {
        message: "title: too long".into(),
        status: Some(400),
        code: Some("VALIDATION".into()),
    })));
    let text = screen(&mut a);
    assert!(text.contains("Not sent: title: too long (HTTP 400, VALIDATION)"), "{text}");
    assert_eq!(press(&mut a, KeyCode::Enter), vec![want], "enter on the body sends it again, text kept");
    assert_eq!(
        a.update(Msg::RequestCreated(Ok(request(4, K::Package, S::Open, 1, 1)))),
        vec![Cmd::LoadRequests]
    );
    assert!(!screen(&mut a).contains("New feature request"), "closed once sent");
    a.update(Msg::Requests(Ok(vec![
        request(1, K::Package, S::Open, 1, 1),
        request(2, K::Bug, S::InProgress, 2, 4),
    ])));

    // Shown; an admin picks a status and sends it with the version shown.
    assert!(press(&mut a, KeyCode::Enter).is_empty());
    snap!("request_detail_admin", a);
    assert!(ctrl(&mut a, 's').is_empty(), "the same status and no note: nothing to send");
    assert!(screen(&mut a).contains("it is open already"));
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Tab);
    typed(&mut a, "next release");
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Cmd::SetRequestStatus {
            id: request_id(1),
            version: 1,
            change: cairn_sdk::types::FeatureRequestStatusChange {
                status: S::Planned,
                note: Some("next release".into())
            },
        }]
    );
    a.update(Msg::RequestChanged(request(1, K::Package, S::Planned, 1, 2)));
    assert!(screen(&mut a).contains("planned now"));
    // Someone else changed it first: the row as it is now, and a notice.
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Right);
    assert_eq!(
        ctrl(&mut a, 's'),
        vec![Cmd::SetRequestStatus {
            id: request_id(1),
            version: 2,
            change: cairn_sdk::types::FeatureRequestStatusChange { status: S::InProgress, note: None },
        }]
    );
    a.update(Msg::RequestConflict(request(1, K::Package, S::Declined, 1, 3)));
    let text = screen(&mut a);
    assert!(text.contains("Changed by someone else, reloaded: it is declined now (version 3)"), "{text}");
    press(&mut a, KeyCode::Enter);
    assert!(screen(&mut a).contains("3 (sent as If-Match"), "the reloaded version is the one sent next");
    press(&mut a, KeyCode::Esc);
    a.update(Msg::RequestChangeFailed {
        id: request_id(1),
        failure: Failure { message: "forbidden".into(), status: Some(403), code: Some("FORBIDDEN".into()) },
    });
    assert!(screen(&mut a).contains("Status not changed: forbidden (HTTP 403, FORBIDDEN)"));
    assert_eq!(ch(&mut a, 'r'), vec![Cmd::LoadRequests]);
    a.update(Msg::Requests(Ok(Vec::new())));
    assert!(screen(&mut a).contains("No feature requests."));
}

/// The role comes from the daemon's session: request status changes and the approvals queue's
/// decisions are offered to tenant admins (and in local mode) only; anyone else is told why,
/// and nothing is sent.
#[test]
fn admin_only_actions_are_offered_to_admins_only() {
    use cairn_sdk::types::{FeatureRequestKind as K, FeatureRequestStatus as S, Role};
    let member = |role: Option<Role>, local: bool| {
        let mut a = app();
        a.init();
        a.update(Msg::Session(Ok(Session { role, local, ..session() })));
        a.tick(NOW);
        a
    };
    // A member sees the request, is told why the status is not theirs to change, sends nothing.
    let mut m = member(Some(Role::Member), false);
    palette(&mut m, "requests");
    m.update(Msg::Requests(Ok(vec![request(1, K::Bug, S::Open, 1, 1)])));
    assert!(!screen(&mut m).contains("set status"), "no offer in the hint bar");
    assert!(press(&mut m, KeyCode::Enter).is_empty());
    let text = screen(&mut m);
    assert!(text.contains("Only tenant admins change a request's status; you are member"), "{text}");
    assert!(!text.contains("New status"), "{text}");
    press(&mut m, KeyCode::Right);
    assert!(ctrl(&mut m, 's').is_empty() && press(&mut m, KeyCode::Enter).is_empty());
    // The approvals queue: readable, no decision offered or sent.
    press(&mut m, KeyCode::Esc);
    palette(&mut m, "approvals");
    m.update(Msg::Approvals(Ok(vec![approval(1, ApprovalState::Pending, 1)])));
    assert!(!screen(&mut m).contains("approve or reject"));
    assert!(press(&mut m, KeyCode::Enter).is_empty());
    let text = screen(&mut m);
    assert!(text.contains("Only tenant admins decide exceptions; you are member"), "{text}");
    assert!(!text.contains("Decide the exception"), "{text}");
    // A viewer likewise; an owner and the local daemon decide.
    let mut v = member(Some(Role::Viewer), false);
    palette(&mut v, "approvals");
    v.update(Msg::Approvals(Ok(vec![approval(1, ApprovalState::Pending, 1)])));
    press(&mut v, KeyCode::Enter);
    assert!(screen(&mut v).contains("you are viewer"));
    for (role, local) in [(Some(Role::Owner), false), (None, true)] {
        let mut o = member(role, local);
        palette(&mut o, "approvals");
        o.update(Msg::Approvals(Ok(vec![approval(1, ApprovalState::Pending, 1)])));
        assert!(screen(&mut o).contains("approve or reject"));
        press(&mut o, KeyCode::Enter);
        assert!(screen(&mut o).contains("Decide the exception"), "{role:?} local={local}");
    }
    // Read-only: an admin reads requests, asks for none and changes no status.
    let mut ro = App::new(Options { readonly: true, color: true });
    ro.init();
    ro.update(Msg::Session(Ok(session())));
    palette(&mut ro, "requests");
    ro.update(Msg::Requests(Ok(vec![request(1, K::Bug, S::Open, 1, 1)])));
    assert!(!screen(&mut ro).contains("set status"));
    assert!(ch(&mut ro, 'n').is_empty());
    assert!(screen(&mut ro).contains("Read-only: a new request is not allowed"));
    press(&mut ro, KeyCode::Enter);
    press(&mut ro, KeyCode::Right);
    assert!(ctrl(&mut ro, 's').is_empty());
    assert!(screen(&mut ro).contains("Read-only: changing the status is not allowed"));
    // Before the session arrives, the role is not known: said, nothing offered.
    let mut early = app();
    early.init();
    palette(&mut early, "approvals");
    early.update(Msg::Approvals(Ok(vec![approval(1, ApprovalState::Pending, 1)])));
    press(&mut early, KeyCode::Enter);
    assert!(screen(&mut early).contains("your role is not known yet"));
}
