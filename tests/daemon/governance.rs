//! Issue 19's governance acceptance, both databases. On a real daemon: a stored policy assigned
//! to a project fails its gate (naming the policy and revision, with `gate.failed`); a bad
//! document is a field error naming the rule and the field; an exception request, a stale
//! If-Match (412), approval, and the gate passes with the violation waived; a new revision of the
//! policy re-evaluates the gate (fail again, `gate.failed`), revisions stay readable, and an
//! assigned policy cannot be deleted. In-process, with the time injected: the approved exception
//! expires, the gate fails again and `approval.changed` (expired) then `gate.failed` are emitted.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{Decision, NewApproval, NewScan, PolicyText};
use cairn_daemon::vulndb::Snapshot;
use cairn_engine::vuln::load_paths;
use cairn_sdk::types::{
    ApprovalState, CreateProject, EventKind, GateStatus, GateSubject, ProjectKind, ScanSource,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::finding_events::events_of;
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Opts, Session, expect_problem, in_process_state, unique_email};
use crate::scans::{get_json, tree_root};

/// Fails on one package of the fixture tree (`amqp`, pinned in its requirements.txt).
const POLICY_V1: &str = r#"format = "cairn-policy/1"
id = "release-gate"
name = "Release gate"

[[rules]]
id = "no-amqp"
action = "fail"
message = "amqp is not allowed in a release"
inventory = { deny = ["pkg:pypi/amqp"] }
"#;

/// Revision 2 adds a rule on another package of the tree.
const POLICY_V2: &str = r#"format = "cairn-policy/1"
id = "release-gate"
name = "Release gate"

[[rules]]
id = "no-amqp"
action = "fail"
message = "amqp is not allowed in a release"
inventory = { deny = ["pkg:pypi/amqp"] }

[[rules]]
id = "no-async-timeout"
action = "fail"
message = "async-timeout is not allowed in a release"
inventory = { deny = ["pkg:pypi/async-timeout"] }
"#;

/// The project's gate once `done` says so; the gate is re-evaluated by a worker, so this reads it
/// until it is there (bounded, failing with what it saw).
async fn gate_until(d: &Daemon, who: &Session, project: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let g = get_json(d, who, &format!("/api/v1/projects/{project}/gate-result")).await;
        if done(&g) {
            return g;
        }
        assert!(tokio::time::Instant::now() < deadline, "the gate never got there: {g}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn with_if_match(
    d: &Daemon,
    who: &Session,
    method: Method,
    path: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut req = d.http.request(method, d.url(path)).bearer_auth(&who.token).json(&body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().await.expect("send")
}

fn rules_of(g: &Value, key: &str) -> Vec<String> {
    g[key].as_array().into_iter().flatten().filter_map(|v| v["rule"].as_str().map(str::to_owned)).collect()
}

both!(a_stored_policy_gates_and_an_approved_exception_waives, |db| async move {
    let (root, tree) = tree_root();
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let admin = d.register(&unique_email("gov")).await;
    let member = d.invite(&admin, &unique_email("gov-member"), "member").await;
    let p = d.create_project(&admin, "governed").await["id"].as_str().expect("project").to_owned();

    // Only admins store policies; a document that does not read names the rule and the field.
    let r = d.send(&member, Method::POST, "/api/v1/policies", Some(json!({"document": POLICY_V1}))).await;
    expect_problem(r, 403, "FORBIDDEN").await;
    let bad = POLICY_V1.replace("pkg:pypi/amqp", "amqp");
    let r = d.send(&admin, Method::POST, "/api/v1/policies", Some(json!({"document": bad}))).await;
    let problem = expect_problem(r, 400, "VALIDATION_FAILED").await;
    let field = problem["errors"][0]["field"].as_str().expect("field");
    assert!(field.contains("no-amqp") && field.contains("inventory.deny"), "{problem}");

    let r = d.send(&admin, Method::POST, "/api/v1/policies", Some(json!({"document": POLICY_V1}))).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
    let policy: Value = r.json().await.expect("policy");
    let pid = policy["id"].as_str().expect("policy id").to_owned();
    assert_eq!((policy["key"].as_str(), policy["revision"].as_u64()), (Some("release-gate"), Some(1)));
    let r = d
        .send(&admin, Method::PUT, &format!("/api/v1/projects/{p}/policy"), Some(json!({"policy_id": pid})))
        .await;
    assert_eq!(r.status(), 200);
    let assigned: Value = r.json().await.expect("assignment");
    assert_eq!(assigned["source"], "project");

    // The scan's gate fails under the stored policy and names it.
    let seq = get_json(&d, &admin, "/api/v1/events").await["latest_seq"].as_i64().expect("seq");
    scan_to_completion(&d, &admin, &tree, Some(&p)).await;
    let g = get_json(&d, &admin, &format!("/api/v1/projects/{p}/gate-result")).await;
    assert_eq!(g["status"], "fail", "{g}");
    assert_eq!(g["policy"], json!({"id": "release-gate", "revision": 1, "stored_id": pid}));
    assert_eq!(rules_of(&g, "violations"), vec!["no-amqp".to_owned()], "{g}");
    let violation = g["violations"][0].clone();
    assert!(violation["subject"]["purl"].as_str().is_some_and(|s| s.starts_with("pkg:pypi/amqp@")));
    let failed = events_of(&d, &admin, "gate.failed", seq).await;
    assert_eq!(failed.len(), 1, "{failed:?}");

    // A member asks for an exception to that violation.
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let ask = json!({"project_id": p, "rule": "no-amqp", "subject": violation["subject"],
        "reason": "amqp leaves with the next release", "expires_at": expires});
    let r = d.send(&member, Method::POST, "/api/v1/approvals", Some(ask)).await;
    assert_eq!(r.status(), 201);
    let asked: Value = r.json().await.expect("approval");
    let aid = asked["id"].as_str().expect("approval id").to_owned();
    assert_eq!((asked["state"].as_str(), asked["version"].as_i64()), (Some("pending"), Some(1)));
    let queue = get_json(&d, &admin, "/api/v1/approvals?state=pending").await;
    assert!(queue["items"].as_array().expect("items").iter().any(|a| a["id"] == aid.as_str()), "{queue}");
    let past = json!({"project_id": p, "rule": "no-amqp", "subject": violation["subject"],
        "reason": "r", "expires_at": "2001-01-01T00:00:00Z"});
    let r = d.send(&member, Method::POST, "/api/v1/approvals", Some(past)).await;
    let problem = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert_eq!(problem["errors"][0]["field"], "body.expires_at");

    // Deciding: only admins, If-Match required, a stale version is a 412.
    let approve = format!("/api/v1/approvals/{aid}/approve");
    let r = with_if_match(&d, &member, Method::POST, &approve, Some("\"1\""), json!({})).await;
    expect_problem(r, 403, "FORBIDDEN").await;
    let r = with_if_match(&d, &admin, Method::POST, &approve, None, json!({})).await;
    expect_problem(r, 428, "PRECONDITION_REQUIRED").await;
    let r = with_if_match(&d, &admin, Method::POST, &approve, Some("\"0\""), json!({})).await;
    let problem = expect_problem(r, 412, "PRECONDITION_FAILED").await;
    assert_eq!(problem["current_version"], 1, "{problem}");
    let r =
        with_if_match(&d, &admin, Method::POST, &approve, Some("\"1\""), json!({"note": "until 2.0"})).await;
    assert_eq!(r.status(), 200);
    let approved: Value = r.json().await.expect("approval");
    assert_eq!((approved["state"].as_str(), approved["version"].as_i64()), (Some("approved"), Some(2)));
    // Decided once: approving again is a conflict, not a second transition.
    let r = with_if_match(&d, &admin, Method::POST, &approve, Some("\"2\""), json!({})).await;
    expect_problem(r, 409, "CONFLICT").await;

    // The gate passes, the violation waived by the exception.
    let g = gate_until(&d, &admin, &p, |g| g["status"] == "pass").await;
    assert_eq!(rules_of(&g, "waived"), vec!["no-amqp".to_owned()], "{g}");
    assert_eq!(g["waived"][0]["exception"], aid.as_str());
    let changed = events_of(&d, &admin, "approval.changed", seq).await;
    let states: Vec<&str> = changed.iter().filter_map(|e| e["data"]["state"].as_str()).collect();
    assert_eq!(states, vec!["pending", "approved"], "{changed:?}");
    let ops = crate::rematch::operator(&d).await;
    let audit = get_json(&d, &ops, "/api/v1/admin/audit?limit=1000").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["object_id"] == aid.as_str())
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["approval.request", "approval.approve"], "{audit}");

    // An exception for a finding: its project and subject come from the finding; rejected, it
    // waives nothing.
    let found = get_json(&d, &admin, &format!("/api/v1/findings?project={p}&limit=1")).await;
    let finding = found["items"][0].clone();
    let ask = json!({"finding_id": finding["id"], "reason": "not reachable", "expires_at": expires});
    let r = d.send(&member, Method::POST, "/api/v1/approvals", Some(ask)).await;
    assert_eq!(r.status(), 201);
    let by_finding: Value = r.json().await.expect("approval");
    assert_eq!(by_finding["project_id"], p.as_str());
    assert_eq!(
        by_finding["subject"],
        json!({"kind": "finding", "advisory": finding["vulnerability_id"], "purl": finding["purl"]})
    );
    assert!(by_finding["rule"].is_null(), "every rule on the finding");
    let reject = format!("/api/v1/approvals/{}/reject", by_finding["id"].as_str().expect("id"));
    let r = with_if_match(&d, &admin, Method::POST, &reject, Some("\"1\""), json!({"note": "fix it"})).await;
    assert_eq!(r.status(), 200);
    let rejected: Value = r.json().await.expect("approval");
    assert_eq!(
        (rejected["state"].as_str(), rejected["decision_note"].as_str()),
        (Some("rejected"), Some("fix it"))
    );
    let r = d
        .send(&member, Method::POST, "/api/v1/approvals", Some(json!({"reason": "r", "expires_at": expires})))
        .await;
    let problem = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert_eq!(problem["errors"][0]["field"], "body.subject");

    // A new revision re-evaluates the gate: the new rule fails it, announced once more.
    let policy_path = format!("/api/v1/policies/{pid}");
    let r =
        with_if_match(&d, &admin, Method::PUT, &policy_path, Some("\"1\""), json!({"document": POLICY_V2}))
            .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("policy")["revision"], 2);
    let r =
        with_if_match(&d, &admin, Method::PUT, &policy_path, Some("\"1\""), json!({"document": POLICY_V2}))
            .await;
    let problem = expect_problem(r, 412, "PRECONDITION_FAILED").await;
    assert_eq!(problem["current_version"], 2);
    let g = gate_until(&d, &admin, &p, |g| g["policy"]["revision"] == 2).await;
    assert_eq!(g["status"], "fail", "{g}");
    assert_eq!(rules_of(&g, "violations"), vec!["no-async-timeout".to_owned()], "{g}");
    assert_eq!(rules_of(&g, "waived"), vec!["no-amqp".to_owned()], "the exception still holds: {g}");
    let failed = events_of(&d, &admin, "gate.failed", seq).await;
    assert_eq!(failed.len(), 2, "{failed:?}");

    // Every revision stays readable; an assigned policy is not deleted.
    let revs = get_json(&d, &admin, &format!("/api/v1/policies/{pid}/revisions")).await;
    assert_eq!(revs["total"], 2);
    let first = get_json(&d, &member, &format!("/api/v1/policies/{pid}/revisions/1")).await;
    assert_eq!(first["document"], POLICY_V1);
    let r = with_if_match(&d, &admin, Method::DELETE, &policy_path, Some("\"2\""), json!({})).await;
    expect_problem(r, 409, "CONFLICT").await;
    let r = d.send(&admin, Method::DELETE, &format!("/api/v1/projects/{p}/policy"), None).await;
    assert_eq!(r.status(), 204);
    let now = get_json(&d, &admin, &format!("/api/v1/projects/{p}/policy")).await;
    assert_eq!(now["source"], "builtin");
    let r = with_if_match(&d, &admin, Method::DELETE, &policy_path, Some("\"2\""), json!({})).await;
    assert_eq!(r.status(), 204);
});

both!(an_expired_exception_fails_the_gate_again_with_its_events, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let advisories =
        load_paths(&[std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/osv-scan")])
            .expect("OSV fixtures");
    let count = advisories.info().advisories as u64;
    state.vulndb.install(Snapshot {
        database: advisories.into(),
        id: "fixture-1".into(),
        updated_at: time::OffsetDateTime::now_utc(),
        advisories: count,
    });
    let user = state.store.user_create("g@example.test", "G", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("gov", user.id).await.expect("tenant");
    let project =
        state.store.project_create(tenant, &CreateProject::new("p", ProjectKind::Repo)).await.expect("p");
    let text = PolicyText { key: "release-gate", name: None, document: POLICY_V1 };
    let policy = state.store.policy_create(tenant, user.id, text).await.expect("policy");
    // The tenant default this time: the project has none of its own.
    state.store.policy_assign(tenant, None, policy.id, user.id).await.expect("assign");

    let new = NewScan {
        project: Some(project.id),
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user.id),
        crypto: false,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: false };
    enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
    assert_eq!(pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await, Outcome::Completed);
    let g = state.store.gate_of_project(tenant, project.id).await.expect("gate");
    assert_eq!(g.status, GateStatus::Fail);
    assert_eq!(g.policy.stored_id, Some(policy.id));
    let subject = g.violations[0].subject.clone();
    let GateSubject::Component { purl } = &subject else { panic!("a component: {subject:?}") };
    let key = format!("component:{purl}");

    // The assignment queued a re-evaluation before any gate existed: nothing to do, done.
    while let Some(j) = state.store.job_claim_regate("test/0").await.expect("claim") {
        cairn_daemon::jobs::regate::run(&state, &j, cairn_daemon::store::now()).await.expect("regate");
        state
            .store
            .job_finish(&j.id, "test/0", cairn_daemon::store::JobEnd::Done, None)
            .await
            .expect("finish");
    }

    let expires = cairn_daemon::store::now() + time::Duration::hours(1);
    let ask = NewApproval {
        project: project.id,
        rule: Some("no-amqp".into()),
        subject,
        subject_key: key,
        finding_id: None,
        reason: "leaving soon".into(),
        expires_at: expires,
    };
    let a = state.store.approval_create(tenant, user.id, &ask).await.expect("request");
    let approved = state
        .store
        .approval_decide(
            tenant,
            a.id,
            1,
            Decision { by: user.id, to: ApprovalState::Approved, note: None, at: cairn_daemon::store::now() },
        )
        .await
        .expect("approve");
    assert_eq!(approved.state, ApprovalState::Approved);
    let before = expires - time::Duration::seconds(1);
    let job =
        state.store.job_claim_regate("test/0").await.expect("claim").expect("the approval's re-evaluation");
    assert_eq!(cairn_daemon::jobs::regate::run(&state, &job, before).await.expect("regate"), 1);
    assert_eq!(state.store.gate_of_project(tenant, project.id).await.expect("gate").status, GateStatus::Pass);
    let seq =
        state.store.events_after(tenant, 0, 1000, &[]).await.expect("events").last().map_or(0, |e| e.seq);

    // Nothing is due a second before the expiry; a second after, it expires and its gate fails.
    assert_eq!(cairn_daemon::jobs::regate::expire_due(&state, before).await, 0);
    let after = expires + time::Duration::seconds(1);
    assert_eq!(cairn_daemon::jobs::regate::expire_due(&state, after).await, 1);
    assert_eq!(cairn_daemon::jobs::regate::expire_due(&state, after).await, 0, "expired once");
    assert_eq!(state.store.approval_get(tenant, a.id).await.expect("approval").state, ApprovalState::Expired);
    assert!(state.store.approvals_active(tenant, project.id, before).await.expect("active").is_empty());
    let job =
        state.store.job_claim_regate("test/0").await.expect("claim").expect("the expiry's re-evaluation");
    cairn_daemon::jobs::regate::run(&state, &job, after).await.expect("regate");
    let g = state.store.gate_of_project(tenant, project.id).await.expect("gate");
    assert_eq!(g.status, GateStatus::Fail);
    assert!(g.waived.is_empty(), "{g:?}");
    let events = state.store.events_after(tenant, seq, 1000, &[]).await.expect("events");
    let kinds: Vec<(EventKind, Option<&str>)> =
        events.iter().map(|e| (e.kind, e.data["state"].as_str())).collect();
    assert_eq!(
        kinds,
        vec![(EventKind::ApprovalChanged, Some("expired")), (EventKind::GateFailed, None)],
        "{events:?}"
    );
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
