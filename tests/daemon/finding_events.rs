//! `finding.new`, `finding.resolved` and `finding.triaged` from scans of a project and triage, on
//! real daemons with the engine's real OSV fixtures: the first scan's findings are all new, a
//! re-scan after an upgrade and a removal resolves exactly what left with the reason, ad-hoc scans
//! emit none, triage is an event with its state.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::both;
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Db, Opts, Session, unique_email};
use crate::scans::{all_items, get_json, tree_root};

/// Every event of the tenant of `who` of kind `kind` (after seq `after`).
pub async fn events_of(d: &Daemon, who: &Session, kind: &str, after: i64) -> Vec<Value> {
    let feed = get_json(d, who, &format!("/api/v1/events?type={kind}&after={after}&limit=1000")).await;
    feed["items"].as_array().cloned().unwrap_or_default()
}

/// Triage of finding `id` (with the If-Match its current ETag gives).
pub async fn triage(d: &Daemon, who: &Session, id: &str, body: Value) -> reqwest::Response {
    let url = d.url(&format!("/api/v1/findings/{id}"));
    let current = d.http.get(url.clone()).bearer_auth(&who.token).send().await.expect("get");
    let etag = current.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    d.http.patch(url).bearer_auth(&who.token).header("if-match", etag).json(&body).send().await.expect("send")
}

fn keys(items: &[Value], advisory: &str, purl: &str) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|f| {
            (f[advisory].as_str().expect("advisory").to_owned(), f[purl].as_str().expect("purl").to_owned())
        })
        .collect()
}

fn data_keys(events: &[Value]) -> BTreeSet<(String, String)> {
    keys(&events.iter().map(|e| e["data"].clone()).collect::<Vec<_>>(), "advisory", "purl")
}

fn write_requirements(tree: &Path, text: &str) {
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), text).expect("write");
}

both!(scans_of_a_project_emit_their_finding_differences, |db: Db| async move {
    let (root, tree) = tree_root();
    // Versions the fixture advisories name (engine/tests/fixtures/osv/pypa).
    write_requirements(&tree, "lxml==4.6.2\npy==1.11.0\n");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("finding-events")).await;
    let project = d.create_project(&user, "watched").await;
    let pid = project["id"].as_str().expect("pid").to_owned();

    // First scan: every finding is `finding.new`, once, with its severity on the envelope.
    let first = scan_to_completion(&d, &user, &tree, Some(&pid)).await;
    let findings = all_items(&d, &user, &format!("/api/v1/scans/{first}/findings"), 100).await;
    assert!(findings.iter().any(|f| f["purl"] == "pkg:pypi/lxml@4.6.2"), "{findings:?}");
    assert!(findings.iter().any(|f| f["purl"] == "pkg:pypi/py@1.11.0"), "{findings:?}");
    let new = events_of(&d, &user, "finding.new", 0).await;
    assert_eq!(new.len(), findings.len(), "one event per finding: {new:?}");
    assert_eq!(data_keys(&new), keys(&findings, "vulnerability_id", "purl"));
    for e in &new {
        let f =
            findings.iter().find(|f| f["id"] == e["data"]["finding"]).expect("the event names its finding");
        assert_eq!(e["project"], pid.as_str());
        assert_eq!(e["severity"], f["severity"]);
        assert_eq!(e["data"]["severity"], f["severity"]);
        assert_eq!(e["data"]["scan"], first.as_str());
        assert_eq!(e["data"]["aliases"], f["aliases"]);
    }
    // The finding events precede the scan's `scan.completed`.
    let completed = events_of(&d, &user, "scan.completed", 0).await;
    let last_new = new.iter().map(|e| e["seq"].as_i64().expect("seq")).max().expect("some");
    assert!(completed[0]["seq"].as_i64().expect("seq") > last_new);
    // Matched against data, the completed scan's event carries its counts by severity.
    let stored = get_json(&d, &user, &format!("/api/v1/scans/{first}")).await;
    assert_eq!(completed[0]["data"]["severities"], stored["counts"]["severities"]);
    assert!(stored["counts"]["findings"].as_u64().is_some_and(|n| n > 0));

    // The same tree again: nothing new, nothing resolved.
    let seq = get_json(&d, &user, "/api/v1/events").await["latest_seq"].as_i64().expect("latest");
    scan_to_completion(&d, &user, &tree, Some(&pid)).await;
    assert!(events_of(&d, &user, "finding.new,finding.resolved", seq).await.is_empty());

    // lxml upgraded past every fixture fix, py removed: exactly their findings resolve, with why.
    let seq = get_json(&d, &user, "/api/v1/events").await["latest_seq"].as_i64().expect("latest");
    write_requirements(&tree, "lxml==6.0.0\n");
    let third = scan_to_completion(&d, &user, &tree, Some(&pid)).await;
    let now = all_items(&d, &user, &format!("/api/v1/scans/{third}/findings"), 100).await;
    let gone: BTreeSet<_> = keys(&findings, "vulnerability_id", "purl")
        .difference(&keys(&now, "vulnerability_id", "purl"))
        .cloned()
        .collect();
    assert!(gone.iter().any(|(_, p)| p == "pkg:pypi/py@1.11.0"), "{gone:?}");
    let resolved = events_of(&d, &user, "finding.resolved", seq).await;
    assert_eq!(data_keys(&resolved), gone);
    for e in &resolved {
        let reason = e["data"]["reason"].as_str().expect("reason");
        let want = match e["data"]["purl"].as_str() {
            Some("pkg:pypi/lxml@4.6.2") => format!("fixed in scan {third}"),
            _ => format!("no longer in the inventory of scan {third}"),
        };
        assert!(reason.starts_with(&want), "{reason}");
        assert_eq!(e["data"]["scan"], third.as_str());
    }
    let new_now: BTreeSet<_> = keys(&now, "vulnerability_id", "purl")
        .difference(&keys(&findings, "vulnerability_id", "purl"))
        .cloned()
        .collect();
    assert_eq!(data_keys(&events_of(&d, &user, "finding.new", seq).await), new_now);

    // Triage of a project's finding is `finding.triaged` with its state.
    let seq = get_json(&d, &user, "/api/v1/events").await["latest_seq"].as_i64().expect("latest");
    let f = &findings[0];
    let resp =
        triage(&d, &user, f["id"].as_str().expect("id"), json!({"state": "in_triage", "note": "looking"}))
            .await;
    assert_eq!(resp.status(), 200);
    let triaged = events_of(&d, &user, "finding.triaged", seq).await;
    assert_eq!(triaged.len(), 1, "{triaged:?}");
    assert_eq!(triaged[0]["data"]["state"], "in_triage");
    assert_eq!(triaged[0]["data"]["finding"], f["id"]);
    assert_eq!(triaged[0]["data"]["reason"], "looking");
    assert_eq!(triaged[0]["project"], pid.as_str());

    // An ad-hoc scan (no project) emits no finding events, and neither does its triage.
    let seq = get_json(&d, &user, "/api/v1/events").await["latest_seq"].as_i64().expect("latest");
    write_requirements(&tree, "lxml==4.6.2\n");
    let adhoc = scan_to_completion(&d, &user, &tree, None).await;
    let f = all_items(&d, &user, &format!("/api/v1/scans/{adhoc}/findings"), 100).await;
    assert!(!f.is_empty());
    let resp = triage(&d, &user, f[0]["id"].as_str().expect("id"), json!({"state": "in_triage"})).await;
    assert_eq!(resp.status(), 200);
    assert!(events_of(&d, &user, "finding.new,finding.resolved,finding.triaged", seq).await.is_empty());
});
