//! The dashboard's executor against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL is
//! set, Postgres): every `Cmd` answers with the `Msg` msg.rs documents — the live feed's link,
//! queue and completion notice, a watched scan to 100%, each load, triage and its 412 conflict,
//! submits by project name (path, upload, git), the streamed export, a scan cancelled — and
//! failures arrive as `Failure` with the daemon's status and code.

use std::time::Duration;

use crate::common::{Daemon, Opts, copy_dir, corpus};
use cairn_sdk::types::{
    BomFormat, Justification, RegisterRequest, ScanId, ScanSource, ScanStatus, TriageState, TriageUpdate,
    WarningKind,
};
use cairn_sdk::types::{CreateApiKey, Scope};
use cairn_sdk::{Client, Credential, ListQuery};
use cairn_tui::dash::exec::Executor;
use cairn_tui::dash::msg::{Cmd, Level, Link, Msg, NewScan, NewScanSource};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;

struct Harness {
    exec: Executor,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// Feed and watcher messages that arrived while waiting for an answer, in order.
    backlog: std::collections::VecDeque<Msg>,
}

/// Messages the live feed and the watcher push on their own.
fn pushed(m: &Msg) -> bool {
    matches!(m, Msg::ScanProgress(_) | Msg::Queue(_) | Msg::Link(_) | Msg::Notify { .. } | Msg::Pushed(_))
}

impl Harness {
    fn new(exec: Executor, rx: mpsc::UnboundedReceiver<Msg>) -> Self {
        Harness { exec, rx, backlog: Default::default() }
    }

    async fn next(&mut self) -> Msg {
        if let Some(m) = self.backlog.pop_front() {
            return m;
        }
        match tokio::time::timeout(Duration::from_secs(120), self.rx.recv()).await {
            Ok(Some(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Runs `cmd` and returns its answer; pushed messages arriving meanwhile are kept for `next`.
    async fn ask(&mut self, cmd: Cmd) -> Msg {
        self.exec.run(cmd);
        loop {
            let m = match tokio::time::timeout(Duration::from_secs(120), self.rx.recv()).await {
                Ok(Some(m)) => m,
                other => panic!("expected an answer, got {other:?}"),
            };
            if pushed(&m) {
                self.backlog.push_back(m);
            } else {
                return m;
            }
        }
    }
}

async fn registered(daemon: &Daemon, email: &str) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("Exec Tenant".into()),
                invite_token: None,
            },
        )
        .await;
    client
}

fn path_scan(path: &std::path::Path, project: Option<&str>) -> Cmd {
    Cmd::Submit(NewScan {
        source: NewScanSource::Path(path.to_path_buf()),
        project: project.map(str::to_owned),
        crypto: true,
    })
}

async fn executor(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("atuin");
    copy_dir(&corpus("cargo/atuinsh__atuin"), &tree);
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = registered(&daemon, "exec@example.test").await;
    let (tx, rx) = mpsc::unbounded_channel();
    // `local: true`: the daemon runs on this machine and reads the tree in place.
    let mut h = Harness::new(Executor::new(client.clone(), true, tx), rx);

    match h.ask(Cmd::LoadSession).await {
        Msg::Session(Ok(s)) => {
            assert_eq!(s.server, daemon.base);
            assert!(s.local);
            assert_eq!((s.user.as_str(), s.tenant.as_str()), ("exec@example.test", "Exec Tenant"));
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadVulnDb).await {
        Msg::VulnDb(Ok(v)) => assert!(v.advisories > 100, "{v:?}"),
        other => panic!("{other:?}"),
    }

    // The live feed: connecting, then live with an empty queue.
    h.exec.start_feed();
    assert_eq!(h.next().await, Msg::Link(Link::Connecting));
    assert_eq!(h.next().await, Msg::Link(Link::Live));
    assert_eq!(h.next().await, Msg::Queue(Vec::new()));

    // Submit by project name (created), watch it to 100%; the feed tells of its completion.
    let scan = match h.ask(path_scan(&tree, Some("atuin"))).await {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    let project = scan.project_id.expect("on a project");
    assert_eq!(
        scan.source,
        ScanSource::Path { path: tree.canonicalize().expect("abs").display().to_string() }
    );
    h.exec.run(Cmd::WatchScan(scan.id));
    let (mut synced, mut watched_to_100, mut notified) = (false, false, false);
    let mut last_seq = 0;
    while !(synced && watched_to_100 && notified) {
        match h.next().await {
            Msg::Scan(Ok(s)) => {
                assert_eq!(s.id, scan.id);
                synced = true;
            }
            Msg::ScanProgress(e) => {
                assert_eq!(e.scan_id, scan.id);
                // Watcher and feed both report: each in order, so a repeat is never newer.
                last_seq = last_seq.max(e.seq);
                if e.status == ScanStatus::Completed {
                    assert_eq!(e.percent, 100);
                    watched_to_100 = true;
                }
            }
            Msg::Notify { level, text } => {
                assert_eq!(level, Level::Info);
                // The user's notifications made from the scan's events (its findings, its gate)
                // arrive on the same feed as notices; the scan's own end is the one looked for.
                if text == format!("Scan {} completed", cairn_tui::dash::screens::tail(&scan.id)) {
                    notified = true;
                }
            }
            Msg::Queue(q) => assert!(q.iter().all(|s| s.id == scan.id), "{q:?}"),
            // The inbox's rows for those same notifications (the top bar counts them).
            Msg::Pushed(n) => assert_eq!(n.project, Some(project), "{n:?}"),
            other => panic!("{other:?}"),
        }
    }
    h.exec.run(Cmd::Unwatch);

    // The same project name is found, not created again.
    let again = match h.ask(path_scan(&tree, Some("atuin"))).await {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(again.project_id, Some(project));
    // Drain the second scan's feed traffic until it completes, so later answers come alone.
    loop {
        if let Msg::Notify { text, .. } = h.next().await
            && text.contains(&cairn_tui::dash::screens::tail(&again.id))
        {
            break;
        }
    }
    drop(h.exec);
    let (tx, rx) = mpsc::unbounded_channel();
    h = Harness::new(Executor::new(client.clone(), true, tx), rx);

    match h.ask(Cmd::LoadProjects).await {
        Msg::Projects(Ok(p)) => assert_eq!(p.iter().filter(|p| p.name == "atuin").count(), 1),
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadScans).await {
        Msg::Scans(Ok(s)) => assert_eq!(s.iter().map(|s| s.id).collect::<Vec<_>>(), vec![again.id, scan.id]),
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadScan(scan.id)).await {
        Msg::Scan(Ok(s)) => assert_eq!((s.status, s.percent), (ScanStatus::Completed, 100)),
        other => panic!("{other:?}"),
    }
    let components =
        client.scan_components(scan.id, ListQuery::default()).try_collect::<Vec<_>>().await.expect("c");
    match h.ask(Cmd::LoadComponents(scan.id)).await {
        Msg::Components { scan: id, result: Ok(c) } => assert_eq!((id, c.len()), (scan.id, components.len())),
        other => panic!("{other:?}"),
    }
    assert!(components.len() > 40);
    match h.ask(Cmd::LoadDependencies(scan.id)).await {
        Msg::Dependencies { result: Ok(d), .. } => assert!(!d.is_empty()),
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadLicenses(scan.id)).await {
        // Cargo.lock records no licenses: the answer is an empty list, not a failure.
        Msg::Licenses { scan: id, result: Ok(_) } => assert_eq!(id, scan.id),
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadCrypto(scan.id)).await {
        Msg::Crypto { result: Ok(_), .. } => {}
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadEvents(scan.id)).await {
        Msg::Events { result: Ok(e), .. } => {
            assert_eq!(e.last().map(|e| e.seq), Some(last_seq));
            assert_eq!(e.last().map(|e| e.status), Some(ScanStatus::Completed));
        }
        other => panic!("{other:?}"),
    }

    // Findings, one finding, triage, and a stale triage's conflict.
    let findings = match h.ask(Cmd::LoadFindings(scan.id)).await {
        Msg::Findings { scan: id, result: Ok(f) } => {
            assert_eq!(id, scan.id);
            f
        }
        other => panic!("{other:?}"),
    };
    let expected =
        client.scan_findings(scan.id, ListQuery::default()).try_collect::<Vec<_>>().await.expect("f");
    assert!(!expected.is_empty(), "the fixture tree has findings");
    assert_eq!(findings.len(), expected.len());
    let first = findings[0].clone();
    match h.ask(Cmd::LoadFinding(first.finding.id.clone())).await {
        Msg::Finding(Ok(f)) => assert_eq!(f.finding.vulnerability_id, first.finding.vulnerability_id),
        other => panic!("{other:?}"),
    }
    // The project views: where a component is used, the advisory behind a finding, the history,
    // and the project's two scans (of the same tree) compared, their gates included.
    let name = components[0].name.clone();
    match h.ask(Cmd::WhereUsed(name.clone())).await {
        Msg::WhereUsed { package, result: Ok(u) } => {
            assert_eq!(package, name);
            assert!(u.iter().any(|u| u.scan_id == again.id && !u.locations.is_empty()), "{u:?}");
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadAdvisory(first.finding.vulnerability_id.clone())).await {
        Msg::Advisory { result: Ok(d), .. } => {
            assert!(
                d.affected.iter().any(|a| a.project_id == Some(project) && a.scan_id == again.id),
                "{d:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadHistory(project)).await {
        Msg::History { project: p, result: Ok(hist) } => {
            assert_eq!(p, project);
            let ids: Vec<_> = hist.points.iter().map(|x| x.scan_id).collect();
            assert_eq!(ids, vec![scan.id, again.id]);
            assert!(hist.points.iter().all(|x| x.findings.is_some()), "matched scans count findings");
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::Compare { from: scan.id, to: again.id }).await {
        Msg::Compared { result: Ok(c), .. } => {
            let s = &c.comparison.summary;
            assert_eq!((s.components_added, s.components_removed, s.components_changed), (0, 0, 0));
            let gate = c.comparison.gate.expect("both scans have a gate");
            assert_eq!(gate.from_status, gate.to_status);
        }
        other => panic!("{other:?}"),
    }
    let update = TriageUpdate {
        state: Some(TriageState::NotAffected),
        justification: Some(Some(Justification::VulnerableCodeNotInExecutePath)),
        response: None,
        note: Some(Some("not reachable".into())),
    };
    let triaged =
        match h.ask(Cmd::Triage { id: first.finding.id.clone(), version: 0, update: update.clone() }).await {
            Msg::Triaged(f) => f,
            other => panic!("{other:?}"),
        };
    assert_eq!(triaged.triage.as_ref().map(|t| t.state), Some(TriageState::NotAffected));
    let stale =
        TriageUpdate { state: Some(TriageState::Affected), justification: Some(None), ..Default::default() };
    match h.ask(Cmd::Triage { id: first.finding.id.clone(), version: 0, update: stale }).await {
        Msg::TriageConflict(now) => {
            assert_eq!(now.etag_version(), triaged.etag_version());
            assert_eq!(now.triage.map(|t| t.state), Some(TriageState::NotAffected));
        }
        other => panic!("{other:?}"),
    }
    // "Apply to all projects": a rule through the executor; it leaves the triaged finding alone.
    let package =
        first.finding.purl.split_once('@').map_or(first.finding.purl.as_str(), |(p, _)| p).to_owned();
    let rule = cairn_sdk::types::CreateTriageRule::new(
        first.finding.vulnerability_id.clone(),
        package.clone(),
        TriageState::InTriage,
    );
    match h.ask(Cmd::TriageRule { key: "rule-1".into(), rule }).await {
        Msg::TriageRuleMade { key, rule, applied_now } => {
            assert_eq!((key.as_str(), rule.purl.as_str(), applied_now), ("rule-1", package.as_str(), 0));
        }
        other => panic!("{other:?}"),
    }
    let bad = cairn_sdk::types::CreateTriageRule::new("X-1", "not a purl", TriageState::Fixed);
    match h.ask(Cmd::TriageRule { key: "rule-2".into(), rule: bad }).await {
        Msg::TriageFailed { id, failure } => assert_eq!((id.as_str(), failure.status), ("rule-2", Some(400))),
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::Triage { id: "no-such-finding".into(), version: 0, update }).await {
        Msg::TriageFailed { id, failure } => {
            assert_eq!(id, "no-such-finding");
            assert_eq!(failure.status, Some(404), "{failure:?}");
            assert!(failure.code.is_some(), "{failure:?}");
        }
        other => panic!("{other:?}"),
    }

    // Export: progress, then the file, equal to the daemon's document.
    let out = root.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let target = out.join("scan.cdx.json");
    std::fs::write(&target, b"old").expect("old file");
    h.exec.run(Cmd::Export { scan: scan.id, format: BomFormat::CycloneDx, path: target.clone() });
    let mut progress = Vec::new();
    let written = loop {
        match h.next().await {
            Msg::ExportProgress { scan: id, written, total } => {
                assert_eq!(id, scan.id);
                progress.push((written, total));
            }
            Msg::Exported { scan: id, result: Ok((path, n)) } => {
                assert_eq!((id, path.as_path()), (scan.id, target.as_path()));
                break n;
            }
            other => panic!("{other:?}"),
        }
    };
    let whole = client.scan_bom(scan.id, BomFormat::CycloneDx).await.expect("bom");
    assert_eq!(std::fs::read(&target).expect("read"), whole);
    assert_eq!(written, whole.len() as u64);
    assert_eq!(progress.first().map(|p| p.0), Some(0));
    assert_eq!(progress.last().map(|p| p.0), Some(written));
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
    // A failed export is a Failure with the daemon's status and code, and leaves the old file whole.
    h.exec.run(Cmd::Export { scan: ScanId::new(), format: BomFormat::CycloneDx, path: target.clone() });
    match h.next().await {
        Msg::Exported { result: Err(f), .. } => {
            assert_eq!(f.status, Some(404), "{f:?}");
            assert!(f.code.is_some(), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&target).expect("read"), whole);
    assert_eq!(std::fs::read_dir(&out).expect("ls").count(), 1, "no partial file left behind");

    // Upload: a directory packed as tar.gz; an archive file as it is.
    let upload = match h
        .ask(Cmd::Submit(NewScan {
            source: NewScanSource::Upload(tree.clone()),
            project: None,
            crypto: false,
        }))
        .await
    {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    match &upload.source {
        ScanSource::Upload { filename, bytes } => {
            assert_eq!(filename, "atuin.tar.gz");
            assert!(*bytes > 0);
        }
        other => panic!("{other:?}"),
    }
    let archive = root.path().join("atuin.tar.gz");
    std::fs::write(&archive, cairn_tui::pack::tarball(&tree, 1 << 26).expect("pack")).expect("write");
    match h
        .ask(Cmd::Submit(NewScan { source: NewScanSource::Upload(archive), project: None, crypto: false }))
        .await
    {
        Msg::Submitted(Ok(s)) => {
            assert!(matches!(s.source, ScanSource::Upload { ref filename, .. } if filename == "atuin.tar.gz"))
        }
        other => panic!("{other:?}"),
    }

    // Failures: a git URL the daemon refuses, a path that does not exist, an unknown scan.
    let bad_git = NewScanSource::Git { url: "ext::sh -c touch% /tmp/pwned".into(), reference: None };
    match h.ask(Cmd::Submit(NewScan { source: bad_git, project: None, crypto: false })).await {
        Msg::Submitted(Err(f)) => assert_eq!(f.status, Some(400), "{f:?}"),
        other => panic!("{other:?}"),
    }
    let missing = root.path().join("missing");
    match h.ask(path_scan(&missing, None)).await {
        Msg::Submitted(Err(f)) => {
            assert_eq!(f.status, None);
            assert!(f.message.contains("missing"), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadScan(ScanId::new())).await {
        Msg::Scan(Err(f)) => {
            assert_eq!(f.status, Some(404), "{f:?}");
            assert!(f.code.is_some(), "{f:?}");
        }
        other => panic!("{other:?}"),
    }

    drop(h);
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executor_sqlite() {
    executor(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executor_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_err() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    }
    executor(true).await;
}

/// Issue 14, point 10, what the dashboard details need from the daemon: a PYSEC finding (no
/// `summary` in its OSV record) listed with its details' first line, the diagnostics behind the
/// Summary's count, and a triage naming its updater by email.
async fn details(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("py");
    std::fs::create_dir(&tree).expect("mkdir");
    // werkzeug 2.2.2 is inside the fixture PYSEC advisories' ranges (engine/tests/fixtures/osv/pypa).
    std::fs::write(tree.join("requirements.txt"), "werkzeug==2.2.2\n").expect("write");
    // A lockfile that does not parse: a diagnostic, and the rest of the scan goes on.
    std::fs::write(tree.join("package-lock.json"), "{ \"lockfileVersion\": 3, \"packages\": ")
        .expect("write");
    // Crates with informational RustSec advisories in the fixtures (engine/tests/fixtures/osv/rustsec):
    // daemonize is unmaintained (RUSTSEC-2025-0069), lock_api 0.4.1 unsound (RUSTSEC-2020-0070);
    // dirs's (RUSTSEC-2020-0053) was withdrawn, so it is not listed.
    std::fs::write(
        tree.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"dirs\"\nversion = \"1.0.5\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"daemonize\"\nversion = \"0.5.0\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"lock_api\"\n\
         version = \"0.4.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .expect("write");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = registered(&daemon, "details@example.test").await;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut h = Harness::new(Executor::new(client.clone(), true, tx), rx);
    let scan = match h.ask(path_scan(&tree, Some("py"))).await {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    h.exec.run(Cmd::WatchScan(scan.id));
    loop {
        match h.next().await {
            Msg::ScanProgress(e) if e.status == ScanStatus::Completed => break,
            Msg::ScanProgress(e) => assert!(!e.status.is_terminal(), "{e:?}"),
            _ => {}
        }
    }
    h.exec.run(Cmd::Unwatch);

    let findings = match h.ask(Cmd::LoadFindings(scan.id)).await {
        Msg::Findings { result: Ok(f), .. } => f,
        other => panic!("{other:?}"),
    };
    let pysec: Vec<_> =
        findings.iter().filter(|f| f.finding.vulnerability_id.starts_with("PYSEC-")).collect();
    assert!(!pysec.is_empty(), "{findings:?}");
    for f in &pysec {
        let summary = f.finding.summary.as_deref().unwrap_or("");
        assert!(!summary.is_empty() && !summary.contains('\n'), "{f:?}");
    }
    let one = pysec.iter().find(|f| f.finding.vulnerability_id == "PYSEC-2023-58").expect("PYSEC-2023-58");
    assert!(
        one.finding.summary.as_deref().is_some_and(|s| s.starts_with("Werkzeug is a comprehensive WSGI")),
        "{one:?}"
    );
    // The scan's own list (the API and CLI path) says the same.
    let listed =
        client.scan_findings(scan.id, ListQuery::default()).try_collect::<Vec<_>>().await.expect("findings");
    let same = listed.iter().find(|f| f.id == one.finding.id).expect("listed");
    assert_eq!(same.summary, one.finding.summary);

    let diagnostics = match h.ask(Cmd::LoadDiagnostics(scan.id)).await {
        Msg::Diagnostics { scan: id, result: Ok(d) } => {
            assert_eq!(id, scan.id);
            d
        }
        other => panic!("{other:?}"),
    };
    let done = client.scan(scan.id).await.expect("scan");
    assert_eq!(diagnostics.len() as u64, done.counts.diagnostics, "{diagnostics:?}");
    assert!(diagnostics.iter().any(|d| d.path.as_deref() == Some("package-lock.json")), "{diagnostics:?}");
    match h.ask(Cmd::LoadDiagnostics(ScanId::new())).await {
        Msg::Diagnostics { result: Err(f), .. } => assert_eq!(f.status, Some(404), "{f:?}"),
        other => panic!("{other:?}"),
    }

    // The warnings behind the Summary's count, each with its kind.
    let warnings = match h.ask(Cmd::LoadWarnings(scan.id)).await {
        Msg::Warnings { scan: id, result: Ok(w) } => {
            assert_eq!(id, scan.id);
            w
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(warnings.len() as u64, done.counts.warnings, "{warnings:?}");
    let mut seen: Vec<(&str, WarningKind)> =
        warnings.iter().map(|w| (w.advisory_id.as_str(), w.kind)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [("RUSTSEC-2020-0070", WarningKind::Unsound), ("RUSTSEC-2025-0069", WarningKind::Unmaintained)]
    );
    assert!(
        warnings.iter().all(|w| w.url.as_deref().is_some_and(|u| u.contains(&w.advisory_id))),
        "{warnings:?}"
    );
    match h.ask(Cmd::LoadWarnings(ScanId::new())).await {
        Msg::Warnings { result: Err(f), .. } => assert_eq!(f.status, Some(404), "{f:?}"),
        other => panic!("{other:?}"),
    }

    let update = TriageUpdate {
        state: Some(TriageState::Affected),
        justification: None,
        response: None,
        note: Some(Some("upgrade planned".into())),
    };
    match h.ask(Cmd::Triage { id: one.finding.id.clone(), version: 0, update }).await {
        Msg::Triaged(f) => {
            let t = f.triage.expect("triaged");
            assert_eq!(t.updated_by_email.as_deref(), Some("details@example.test"));
        }
        other => panic!("{other:?}"),
    }
    match h.ask(Cmd::LoadFindings(scan.id)).await {
        Msg::Findings { result: Ok(f), .. } => {
            let t = f.iter().find(|x| x.finding.id == one.finding.id).and_then(|x| x.triage.clone());
            assert_eq!(t.and_then(|t| t.updated_by_email).as_deref(), Some("details@example.test"));
        }
        other => panic!("{other:?}"),
    }

    drop(h);
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_sqlite() {
    details(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_err() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    }
    details(true).await;
}

/// Issue 15: the dashboard cancels a scan. A daemon without workers keeps the submitted scan
/// queued; a read-only key's `Cmd::CancelScan` is refused (403) and changes nothing; the owner's
/// answers with the scan `cancelled`, the watcher pushes the same state, a reload agrees, and
/// someone from another tenant gets the daemon's refusal (404).
async fn cancel(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("atuin");
    copy_dir(&corpus("cargo/atuinsh__atuin"), &tree);
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 0, vulndb: false };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = registered(&daemon, "cancel@example.test").await;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut h = Harness::new(Executor::new(client.clone(), true, tx), rx);
    let queued = match h.ask(path_scan(&tree, None)).await {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(queued.status, ScanStatus::Queued);
    h.exec.run(Cmd::WatchScan(queued.id));
    // The watcher's first sync, before the cancel.
    loop {
        if let Msg::Scan(Ok(s)) = h.next().await {
            assert_eq!((s.id, s.status), (queued.id, ScanStatus::Queued));
            break;
        }
    }

    // A read-only key (scan:read, a viewer's reach) is refused: 403, and the scan stays queued.
    let read_only = client
        .create_api_key(&CreateApiKey {
            name: "viewer".into(),
            scopes: vec![Scope::ScanRead],
            expires_at: None,
            environment: Default::default(),
        })
        .await
        .expect("key");
    let viewer = Client::new(&daemon.base, Credential::ApiKey(read_only.secret)).expect("client");
    let (tx, rx) = mpsc::unbounded_channel();
    let mut refused = Harness::new(Executor::new(viewer, true, tx), rx);
    match refused.ask(Cmd::CancelScan(queued.id)).await {
        Msg::Cancelled { scan, result: Err(f) } => {
            assert_eq!((scan, f.status), (queued.id, Some(403)), "{f:?}");
            assert!(f.code.is_some(), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.scan(queued.id).await.expect("scan").status, ScanStatus::Queued);

    match h.ask(Cmd::CancelScan(queued.id)).await {
        Msg::Cancelled { scan, result: Ok(s) } => {
            assert_eq!((scan, s.id, s.status), (queued.id, queued.id, ScanStatus::Cancelled));
            assert!(s.finished_at.is_some());
        }
        other => panic!("{other:?}"),
    }
    // The live state follows: the watched scan's event says cancelled.
    loop {
        match h.next().await {
            Msg::ScanProgress(e) if e.status == ScanStatus::Cancelled => {
                assert_eq!(e.scan_id, queued.id);
                break;
            }
            Msg::ScanProgress(e) => assert_eq!(e.scan_id, queued.id),
            Msg::Scan(Ok(s)) if s.status == ScanStatus::Cancelled => break,
            other => panic!("{other:?}"),
        }
    }
    h.exec.run(Cmd::Unwatch);
    match h.ask(Cmd::LoadScan(queued.id)).await {
        Msg::Scan(Ok(s)) => assert_eq!(s.status, ScanStatus::Cancelled),
        other => panic!("{other:?}"),
    }
    // Asked again, the daemon returns the scan as it ended.
    match h.ask(Cmd::CancelScan(queued.id)).await {
        Msg::Cancelled { result: Ok(s), .. } => assert_eq!(s.status, ScanStatus::Cancelled),
        other => panic!("{other:?}"),
    }

    // Someone else's scan, from another tenant: the refusal arrives with its status and code.
    let stranger = registered(&daemon, "stranger@example.test").await;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut other = Harness::new(Executor::new(stranger, true, tx), rx);
    match other.ask(Cmd::CancelScan(queued.id)).await {
        Msg::Cancelled { scan, result: Err(f) } => {
            assert_eq!((scan, f.status), (queued.id, Some(404)));
            assert!(f.code.is_some(), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_sqlite() {
    cancel(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_err() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    }
    cancel(true).await;
}
