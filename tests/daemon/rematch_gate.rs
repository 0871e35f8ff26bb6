//! A re-match moves the gate (issue 19): a project scanned against OSV data that lacks werkzeug's
//! PYSEC-2023-221 (CVSS 7.5, high; from PyPA's advisory-database via engine/tests/fixtures/osv)
//! passes a stored policy that fails on high findings; that real advisory then arrives as a data
//! source of its own, the re-match adds the finding without re-scanning, and the project's gate is
//! left failed on it with one `gate.failed` event. Removing the source again passes the gate.

use std::io::Write;
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::finding_events::events_of;
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Db, Opts, unique_email};
use crate::rematch::{events_until, latest_seq, operator};
use crate::scans::{copy_dir, get_json, tree_root};

/// The high advisory the old data lacks; werkzeug 2.3.3 is pinned in the fixture tree.
const HIGH: &str = "PYSEC-2023-221";
const HIGH_PATH: &str = "pypa/vulns/werkzeug/PYSEC-2023-221.yaml";
const WERKZEUG: &str = "pkg:pypi/werkzeug@2.3.3";

/// Fails on any open high or critical finding.
const NO_HIGH: &str = r#"format = "cairn-policy/1"
id = "no-high"
name = "No high findings"

[[rules]]
id = "no-high"
action = "fail"
message = "No high or critical vulnerabilities"
finding = { min_severity = "high" }
"#;

/// The engine's OSV fixtures without [`HIGH`].
fn old_osv(root: &Path) -> PathBuf {
    let dir = root.join("osv-without-high");
    copy_dir(&osv(), &dir);
    std::fs::remove_file(dir.join(HIGH_PATH)).expect("rm");
    dir
}

/// [`HIGH`] alone, as an OSV zip.
fn high_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(format!("{HIGH}.yaml"), zip::write::SimpleFileOptions::default()).expect("entry");
    w.write_all(&std::fs::read(osv().join(HIGH_PATH)).expect("read")).expect("write");
    w.finish().expect("finish").into_inner()
}

/// The project's gate once `done` says so (a worker re-matches; bounded, failing with what it saw).
async fn gate_until(
    d: &Daemon,
    who: &crate::harness::Session,
    project: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let g = get_json(d, who, &format!("/api/v1/projects/{project}/gate-result")).await;
        if done(&g) {
            return g;
        }
        assert!(tokio::time::Instant::now() < deadline, "the gate never got there: {g}\n{}", d.stderr());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

both!(a_rematch_adding_a_high_finding_fails_the_gate, |db: Db| async move {
    let (root, tree) = tree_root();
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![old_osv(root.path())],
            ..Opts::default()
        },
    )
    .await;
    let ops = operator(&d).await;
    let admin = d.register(&unique_email("regate")).await;
    let p = d.create_project(&admin, "regated").await["id"].as_str().expect("project").to_owned();
    let r = d.send(&admin, Method::POST, "/api/v1/policies", Some(json!({"document": NO_HIGH}))).await;
    assert_eq!(r.status(), 201);
    let policy = r.json::<Value>().await.expect("policy")["id"].as_str().expect("id").to_owned();
    let r = d
        .send(
            &admin,
            Method::PUT,
            &format!("/api/v1/projects/{p}/policy"),
            Some(json!({"policy_id": policy})),
        )
        .await;
    assert_eq!(r.status(), 200);

    let scan = scan_to_completion(&d, &admin, &tree, Some(&p)).await;
    let before = get_json(&d, &admin, &format!("/api/v1/projects/{p}/gate-result")).await;
    assert_eq!(before["status"], "pass", "no high finding in the old data: {before}");
    assert_eq!(before["scan_id"], scan.as_str());

    // Newer data: the high advisory arrives; the re-match (no re-scan) leaves the gate failed.
    let seq = latest_seq(&d, &admin).await;
    let r = d
        .http
        .post(d.url("/api/v1/admin/vulndb/import?name=newer"))
        .bearer_auth(&ops.token)
        .header("content-type", "application/zip")
        .body(high_zip())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let failed = events_until(&d, &admin, "gate.failed", seq, |e| !e.is_empty()).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["project"], p.as_str());
    assert_eq!(failed[0]["data"]["scan_id"], scan.as_str(), "the latest scan's gate, re-evaluated in place");
    let g = get_json(&d, &admin, &format!("/api/v1/projects/{p}/gate-result")).await;
    assert_eq!(g["status"], "fail", "{g}");
    assert_eq!(g["scan_id"], scan.as_str());
    assert_eq!(g["policy"]["id"], "no-high");
    let violations = g["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 1, "{g}");
    assert_eq!(violations[0]["rule"], "no-high");
    assert_eq!(violations[0]["subject"], json!({"kind": "finding", "advisory": HIGH, "purl": WERKZEUG}));
    let findings = get_json(&d, &admin, &format!("/api/v1/findings?project={p}&limit=1000")).await;
    assert!(
        findings["items"].as_array().expect("items").iter().any(|f| f["vulnerability_id"] == HIGH),
        "the re-match added the finding: {findings}"
    );

    // The source removed: the re-match resolves the finding and the gate passes again, no new event.
    let seq = latest_seq(&d, &admin).await;
    let r = d.send(&ops, Method::DELETE, "/api/v1/admin/vulndb/sources/newer", None).await;
    assert_eq!(r.status(), 200);
    let g = gate_until(&d, &admin, &p, |g| g["status"] == "pass").await;
    assert_eq!(g["scan_id"], scan.as_str());
    assert!(g["violations"].as_array().expect("violations").is_empty(), "{g}");
    assert!(events_of(&d, &admin, "gate.failed", seq).await.is_empty());
});
