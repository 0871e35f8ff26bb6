//! Issue 19's dashboard commands against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL is
//! set, Postgres): a project under a stored policy that denies werkzeug is scanned; `LoadGate`
//! answers its failing gate with the policy's name and revision; `RequestApproval` from a
//! violation makes a pending approval expiring the asked number of days ahead; `LoadApprovals`
//! lists it pending first; a decision sent with a version someone else's decision made stale is a
//! `DecisionConflict` carrying the approval as it is now; a fresh one is `Decided`; a scan with no
//! gate yet answers `None`, not an error.

use std::time::Duration;

use crate::common::{Daemon, Opts};
use cairn_sdk::types::{
    ApprovalState, CreateProject, GateStatus, GateSubject, PolicyAction, ProjectKind, RegisterRequest,
    ScanId, ScanStatus,
};
use cairn_sdk::{Client, ListQuery};
use cairn_tui::dash::exec::Executor;
use cairn_tui::dash::msg::{ApprovalAsk, Cmd, Msg, NewScan, NewScanSource};
use tokio::sync::mpsc;

const POLICY: &str = r#"format = "cairn-policy/1"
id = "release-gate"
name = "Release gate"

[[rules]]
id = "no-werkzeug"
action = "fail"
message = "werkzeug is not allowed in a release"
inventory = { deny = ["pkg:pypi/werkzeug"] }
"#;

/// The answer to `cmd`, skipping what the executor pushes on its own.
async fn ask(exec: &mut Executor, rx: &mut mpsc::UnboundedReceiver<Msg>, cmd: Cmd) -> Msg {
    exec.run(cmd);
    loop {
        let m = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("an answer in time")
            .expect("the executor is running");
        if !matches!(
            m,
            Msg::ScanProgress(_) | Msg::Queue(_) | Msg::Link(_) | Msg::Notify { .. } | Msg::Pushed(_)
        ) {
            return m;
        }
    }
}

async fn governance(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("py");
    std::fs::create_dir(&tree).expect("mkdir");
    std::fs::write(tree.join("requirements.txt"), "werkzeug==2.2.2\n").expect("write");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: "gov@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("Gov Tenant".into()),
                invite_token: None,
            },
        )
        .await;
    let project = client
        .create_project(&CreateProject {
            name: "governed".into(),
            kind: ProjectKind::Repo,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: Vec::new(),
        })
        .await
        .expect("project");
    let policy = client.create_policy(POLICY).await.expect("policy");
    client.assign_project_policy(project.id, policy.id).await.expect("assigned");

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(client.clone(), true, tx);
    // A scan that does not exist has no gate: `None`, which the summary says, not a failure.
    match ask(&mut exec, &mut rx, Cmd::LoadGate(ScanId::new())).await {
        Msg::Gate { result: Ok(None), .. } => {}
        other => panic!("{other:?}"),
    }
    let submit = Cmd::Submit(NewScan {
        source: NewScanSource::Path(tree.clone()),
        project: Some("governed".into()),
        crypto: false,
    });
    let scan = match ask(&mut exec, &mut rx, submit).await {
        Msg::Submitted(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(scan.project_id, Some(project.id));
    exec.run(Cmd::WatchScan(scan.id));
    loop {
        match rx.recv().await.expect("watching") {
            Msg::ScanProgress(e) if e.status == ScanStatus::Completed => break,
            Msg::ScanProgress(e) => assert!(!e.status.is_terminal(), "{e:?}"),
            _ => {}
        }
    }
    exec.run(Cmd::Unwatch);

    let view = match ask(&mut exec, &mut rx, Cmd::LoadGate(scan.id)).await {
        Msg::Gate { scan: id, result: Ok(Some(v)) } => {
            assert_eq!(id, scan.id);
            v
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        view.gate,
        client.scan_gate_result(scan.id).await.expect("gate"),
        "the daemon's gate as it is"
    );
    assert_eq!(view.gate.status, GateStatus::Fail);
    assert_eq!(view.policy_name.as_deref(), Some("Release gate"));
    assert_eq!((view.gate.policy.id.as_str(), view.gate.policy.revision), ("release-gate", 1));
    let [violation] = view.gate.violations.as_slice() else { panic!("{:?}", view.gate) };
    assert_eq!((violation.rule.as_str(), violation.action), ("no-werkzeug", PolicyAction::Fail));
    assert_eq!(violation.subject, GateSubject::Component { purl: "pkg:pypi/werkzeug@2.2.2".into() });

    // From the violation: an exception for 14 days.
    let before = time::OffsetDateTime::now_utc();
    let ask_for = ApprovalAsk {
        project: project.id,
        rule: violation.rule.clone(),
        subject: violation.subject.clone(),
        reason: "replaced in the next release".into(),
        days: 14,
    };
    let requested = match ask(&mut exec, &mut rx, Cmd::RequestApproval(ask_for)).await {
        Msg::ApprovalRequested(Ok(a)) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(requested.state, ApprovalState::Pending);
    assert_eq!((requested.project_id, requested.rule.as_deref()), (project.id, Some("no-werkzeug")));
    assert_eq!(requested.subject, violation.subject);
    let days = (requested.expires_at - before).whole_days();
    assert!((13..=14).contains(&days), "expires 14 days ahead: {}", requested.expires_at);
    // The daemon's refusal arrives as a failure naming the field (no reason).
    let bad = ApprovalAsk {
        project: project.id,
        rule: "no-werkzeug".into(),
        subject: violation.subject.clone(),
        reason: String::new(),
        days: 14,
    };
    match ask(&mut exec, &mut rx, Cmd::RequestApproval(bad)).await {
        Msg::ApprovalRequested(Err(f)) => assert_eq!(f.status, Some(400), "{f:?}"),
        other => panic!("{other:?}"),
    }

    // A decided one and the pending one: pending first.
    let other = client
        .request_approval(&cairn_sdk::types::RequestApproval {
            project_id: Some(project.id),
            rule: None,
            subject: Some(violation.subject.clone()),
            finding_id: None,
            reason: "any rule".into(),
            expires_at: before + time::Duration::days(3),
        })
        .await
        .expect("second request");
    client.reject(other.id, other.version, Some("no")).await.expect("rejected");
    let listed = match ask(&mut exec, &mut rx, Cmd::LoadApprovals).await {
        Msg::Approvals(Ok(rows)) => rows,
        other => panic!("{other:?}"),
    };
    let all = client.approvals_page(None, &ListQuery::limit(1000)).await.expect("list").items;
    assert_eq!(listed.len(), all.len());
    assert_eq!(
        listed.iter().map(|a| (a.id, a.state)).collect::<Vec<_>>(),
        vec![(requested.id, ApprovalState::Pending), (other.id, ApprovalState::Rejected)]
    );

    // Someone else approves first: the dashboard's decision, made on the version it showed, is a
    // conflict carrying the approval as it is now.
    let theirs = client.approve(requested.id, requested.version, Some("ok")).await.expect("approved");
    let stale = Cmd::Decide { id: requested.id, version: requested.version, approve: false };
    match ask(&mut exec, &mut rx, stale).await {
        Msg::DecisionConflict(now) => {
            assert_eq!(now, client.approval(requested.id).await.expect("now"));
            assert_eq!((now.state, now.version), (ApprovalState::Approved, theirs.version));
        }
        other => panic!("{other:?}"),
    }
    // A fresh decision goes through.
    let third = client
        .request_approval(&cairn_sdk::types::RequestApproval {
            project_id: Some(project.id),
            rule: Some("no-werkzeug".into()),
            subject: Some(violation.subject.clone()),
            finding_id: None,
            reason: "third".into(),
            expires_at: before + time::Duration::days(2),
        })
        .await
        .expect("third request");
    match ask(&mut exec, &mut rx, Cmd::Decide { id: third.id, version: third.version, approve: false }).await
    {
        Msg::Decided(a) => assert_eq!((a.id, a.state), (third.id, ApprovalState::Rejected)),
        other => panic!("{other:?}"),
    }
    drop(exec);
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_sqlite() {
    governance(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_err() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    }
    governance(true).await;
}
