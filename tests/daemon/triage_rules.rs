//! Triage rules on real daemons, both databases: a rule made from project A's finding triages
//! the same advisory in A now and in project B's next scan (recorded as "by rule R"); a rule
//! limited to A leaves B alone; a rule never overrides a person's triage; deleting a rule keeps
//! what it set; bad rules are field errors; viewers cannot make rules. In-process, with the time
//! injected: an expired rule triages no new finding and the triage it set stays.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{FindingsQuery, NewScan};
use cairn_daemon::vulndb::Snapshot;
use cairn_engine::vuln::load_paths;
use cairn_sdk::types::{
    CreateTriageRule, Justification, ScanSource, TenantId, TriageSource, TriageState, UserId,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Opts, Session, expect_problem, in_process_state, unique_email};
use crate::scans::{get_json, tree_root};

/// The latest findings of a project, with their triage.
async fn findings_of(d: &Daemon, who: &Session, project: &str) -> Vec<Value> {
    let page = get_json(d, who, &format!("/api/v1/findings?project={project}&limit=1000")).await;
    page["items"].as_array().cloned().expect("items")
}

fn on<'a>(items: &'a [Value], vuln: &str, purl: &str) -> &'a Value {
    items
        .iter()
        .find(|f| f["vulnerability_id"] == vuln && f["purl"] == purl)
        .unwrap_or_else(|| panic!("a finding {vuln} on {purl} in {items:?}"))
}

/// `pkg:type/ns/name` of a purl (no version).
fn unversioned(purl: &str) -> String {
    purl.split_once('@').map_or(purl, |(base, _)| base).to_owned()
}

both!(a_rule_from_project_a_triages_project_bs_next_scan, |db| async move {
    let (root, tree) = tree_root();
    // Versions the fixture advisories name, for findings across advisories and components.
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), "lxml==4.6.2\npy==1.11.0\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("rules")).await;
    let viewer = d.invite(&user, &unique_email("rules-viewer"), "viewer").await;
    let a = d.create_project(&user, "a").await["id"].as_str().expect("a").to_owned();
    let b = d.create_project(&user, "b").await["id"].as_str().expect("b").to_owned();
    scan_to_completion(&d, &user, &tree, Some(&a)).await;
    let in_a = findings_of(&d, &user, &a).await;
    assert!(in_a.len() >= 3, "the fixture tree has known vulnerabilities: {in_a:?}");
    // The rule names the advisory by an alias when it has one (rules match ids and aliases).
    let f0 = &in_a[0];
    let (vuln, purl) = (f0["vulnerability_id"].as_str().expect("v"), f0["purl"].as_str().expect("p"));
    let named =
        f0["aliases"].as_array().and_then(|a| a.first()).and_then(Value::as_str).unwrap_or(vuln).to_owned();
    let f1 = in_a.iter().find(|f| f["vulnerability_id"] != vuln).expect("a second advisory").clone();
    let (vuln1, purl1) = (f1["vulnerability_id"].as_str().expect("v"), f1["purl"].as_str().expect("p"));

    // Made from A's finding, for every project: A's finding is triaged now, by the rule.
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/triage-rules",
            Some(json!({"vulnerability": named, "purl": unversioned(purl), "state": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path", "note": "we never call it"})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let rule: Value = resp.json().await.expect("rule");
    let rid = rule["id"].as_str().expect("rid").to_owned();
    assert!(rule["applied_now"].as_u64().is_some_and(|n| n >= 1), "{rule}");
    assert_eq!(rule["applied"], rule["applied_now"]);
    let now_a = findings_of(&d, &user, &a).await;
    let t = &on(&now_a, vuln, purl)["triage"];
    assert_eq!(t["state"], "not_affected");
    assert_eq!(t["justification"], "vulnerable_code_not_in_execute_path");
    assert_eq!(t["source"], json!({"kind": "rule", "rule_id": rid}));
    let source: TriageSource = serde_json::from_value(t["source"].clone()).expect("wire type");
    assert_eq!(source.to_string(), format!("by rule {rid}"));

    // A rule limited to project A, on the second advisory.
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/triage-rules",
            Some(json!({"vulnerability": vuln1, "purl": purl1, "projects": [a], "state": "affected"})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let only_a: Value = resp.json().await.expect("rule");
    assert_eq!(on(&findings_of(&d, &user, &a).await, vuln1, purl1)["triage"]["state"], "affected");

    // B's first scan: the first rule triages the same advisory there; the A-only one does not.
    scan_to_completion(&d, &user, &tree, Some(&b)).await;
    let in_b = findings_of(&d, &user, &b).await;
    let tb = &on(&in_b, vuln, purl)["triage"];
    assert_eq!(tb["state"], "not_affected", "{in_b:?}");
    assert_eq!(tb["source"]["rule_id"], rid.as_str());
    assert_eq!(tb["version"], 1);
    assert!(on(&in_b, vuln1, purl1)["triage"].is_null(), "the rule limited to A leaves B alone");

    // A person's triage is never overridden by a rule, and drops the rule as its source.
    let fid = on(&in_b, vuln1, purl1)["id"].as_str().expect("fid").to_owned();
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{fid}")))
        .bearer_auth(&user.token)
        .header("if-match", "\"0\"")
        .json(&json!({"state": "fixed"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let resp = d
        .send(
            &user,
            Method::POST,
            "/api/v1/triage-rules",
            Some(json!({"vulnerability": vuln1, "purl": purl1, "state": "in_triage"})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let late: Value = resp.json().await.expect("rule");
    let after = findings_of(&d, &user, &b).await;
    assert_eq!(on(&after, vuln1, purl1)["triage"]["state"], "fixed");
    assert!(on(&after, vuln1, purl1)["triage"]["source"].is_null(), "a person's triage names no source");
    let fa = on(&findings_of(&d, &user, &a).await, vuln, purl)["id"].as_str().expect("id").to_owned();
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{fa}")))
        .bearer_auth(&user.token)
        .header("if-match", "\"1\"")
        .json(&json!({"note": "checked again by a person"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let patched: Value = resp.json().await.expect("finding");
    assert!(patched["triage"]["source"].is_null(), "{patched}");

    // The list and one rule; deleting keeps the triage it set.
    let list = get_json(&d, &viewer, "/api/v1/triage-rules").await;
    assert_eq!(list["total"], 3);
    let one = get_json(&d, &viewer, &format!("/api/v1/triage-rules/{rid}")).await;
    assert_eq!(
        (one["vulnerability"].as_str(), one["expired"].as_bool()),
        (Some(named.as_str()), Some(false))
    );
    assert_eq!(one["applied"], 1, "A's triage is a person's now; B's is still the rule's");
    assert_eq!(
        get_json(&d, &user, &format!("/api/v1/triage-rules/{}", late["id"].as_str().expect("id"))).await["applied"],
        0
    );
    let resp = d.send(&viewer, Method::DELETE, &format!("/api/v1/triage-rules/{rid}"), None).await;
    expect_problem(resp, 403, "FORBIDDEN").await;
    let resp = d.send(&user, Method::DELETE, &format!("/api/v1/triage-rules/{rid}"), None).await;
    assert_eq!(resp.status(), 204);
    let resp = d.send(&user, Method::GET, &format!("/api/v1/triage-rules/{rid}"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    assert_eq!(
        on(&findings_of(&d, &user, &b).await, vuln, purl)["triage"]["source"]["rule_id"],
        rid.as_str()
    );
    let _ = only_a;

    // Bad rules are field errors; a viewer makes none.
    for (body, field) in [
        (json!({"vulnerability": "X-1", "purl": "lxml", "state": "fixed"}), "body.purl"),
        (
            json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml@4.6.2", "version_range": "<5", "state": "fixed"}),
            "body.version_range",
        ),
        (
            json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml", "version_range": ">=", "state": "fixed"}),
            "body.version_range",
        ),
        (
            json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml", "state": "not_affected"}),
            "body.justification",
        ),
        (
            json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml", "state": "fixed", "expires_at": "2001-01-01T00:00:00Z"}),
            "body.expires_at",
        ),
        (
            json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml", "state": "fixed", "projects": [uuid::Uuid::now_v7()]}),
            "body.projects[0]",
        ),
        (json!({"vulnerability": "", "purl": "pkg:pypi/lxml", "state": "fixed"}), "body.vulnerability"),
    ] {
        let resp = d.send(&user, Method::POST, "/api/v1/triage-rules", Some(body.clone())).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }
    let resp = d
        .send(
            &viewer,
            Method::POST,
            "/api/v1/triage-rules",
            Some(json!({"vulnerability": "X-1", "purl": "pkg:pypi/lxml", "state": "fixed"})),
        )
        .await;
    expect_problem(resp, 403, "FORBIDDEN").await;
});

/// Runs an ad-hoc path scan in-process to completion.
async fn adhoc_scan(
    state: &cairn_daemon::state::AppState,
    tenant: TenantId,
    user: UserId,
    tree: &std::path::Path,
) -> cairn_sdk::types::ScanId {
    let new = NewScan {
        project: None,
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user),
        crypto: false,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.to_path_buf() }, crypto: false };
    let scan = enqueue(state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
    assert_eq!(pipeline::run(state, &job, Arc::new(AtomicBool::new(false))).await, Outcome::Completed);
    scan.id
}

both!(an_expired_rule_triages_no_new_finding_and_keeps_what_it_set, |db| async move {
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
    let user = state.store.user_create("r@example.test", "R", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("rules", user.id).await.expect("tenant");
    // Two ad-hoc scans of the same tree: two triage subjects, both untriaged.
    let first = adhoc_scan(&state, tenant, user.id, &tree).await;
    let second = adhoc_scan(&state, tenant, user.id, &tree).await;
    let of = |scan| FindingsQuery { scan: Some(scan), ..FindingsQuery::default() };
    let (found, _) = state.store.findings_list(tenant, &of(first), None, 1000).await.expect("findings");
    let f0 = found.first().expect("a finding").finding.clone();
    let expires = cairn_daemon::store::now() + time::Duration::hours(1);
    let rule = CreateTriageRule {
        justification: Some(Justification::ComponentNotPresent),
        expires_at: Some(expires),
        ..CreateTriageRule::new(f0.vulnerability_id.clone(), f0.purl.clone(), TriageState::NotAffected)
    };
    let rid = state.store.triage_rule_create(tenant, user.id, &rule).await.expect("rule");

    let before = expires - time::Duration::seconds(1);
    let after = expires + time::Duration::seconds(1);
    let set =
        cairn_daemon::triage::rules::apply_to_scan(&state.store, tenant, first, before).await.expect("apply");
    assert_eq!(set, 1, "the rule applies while it runs");
    let set =
        cairn_daemon::triage::rules::apply_to_scan(&state.store, tenant, second, after).await.expect("apply");
    assert_eq!(set, 0, "an expired rule triages no new finding");
    let (second_found, _) =
        state.store.findings_list(tenant, &of(second), None, 1000).await.expect("findings");
    assert!(second_found.iter().all(|f| f.triage.is_none()), "{second_found:?}");
    // What it set stays, still naming it; the rule says it expired.
    let (first_found, _) = state.store.findings_list(tenant, &of(first), None, 1000).await.expect("findings");
    let kept = first_found
        .iter()
        .find(|f| f.finding.vulnerability_id == f0.vulnerability_id && f.finding.purl == f0.purl)
        .and_then(|f| f.triage.clone())
        .expect("triage kept");
    assert_eq!(
        (kept.state, kept.source),
        (TriageState::NotAffected, Some(TriageSource::Rule { rule_id: rid }))
    );
    let read = state.store.triage_rule_get(tenant, rid, after).await.expect("rule");
    assert!(read.expired);
    assert_eq!(read.applied, 1);
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
