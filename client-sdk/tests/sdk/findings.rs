//! cairn-sdk's findings, triage, dependency and vulnerability-data methods against a real daemon
//! (SQLite and, when CAIRN_TEST_POSTGRES_URL is set, Postgres): `findings` streamed over cursor
//! pages with filters, `finding` with the advisory's details, `triage_finding` with its version and
//! a 412 carrying `current_version()`, `scan_dependencies` equal to the engine's edges, and
//! `admin_vulndb_import` / `admin_vulndb_update` by a super admin.

/// The example, included for its `apply_csv`: the test runs the code users run.
#[path = "../../examples/triage-from-csv.rs"]
mod triage_from_csv;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::common::{Daemon, Opts, copy_dir, corpus};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{
    CreateProject, CreateScan, Justification, ProjectKind, ScanStatus, SubmitSource, TriageResponse,
    TriageState, TriageUpdate, VulnDbUpdate,
};
use cairn_sdk::{Client, ListQuery, ScanWatcher};
use futures_util::{StreamExt, TryStreamExt};

const PASSWORD: &str = "correct horse battery staple";

/// A zip of the daemon tests' OSV fixtures (`all.zip` layout: records at the top).
fn osv_zip() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/daemon/fixtures/osv/go");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for name in ["GO-2020-0001.json", "GO-2020-0003.json"] {
        w.start_file(name, opts).expect("entry");
        w.write_all(&std::fs::read(dir.join(name)).expect("fixture")).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

async fn findings_through_the_sdk(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    copy_dir(&corpus("cargo/atuinsh__atuin"), &tree.join("atuin"));
    copy_dir(&corpus("pip/pallets__flask"), &tree.join("flask"));
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    // A super admin (vulndb import and update need one), made the way `cairnd admin` does.
    let root = cairn_daemon::accounts::NewUser {
        email: "root@example.test",
        display_name: None,
        password: PASSWORD,
        super_admin: true,
        tenant: Some("acme"),
    };
    cairn_daemon::test_support::create_user_offline(&daemon.database_url, &root).await.expect("super admin");
    let client = Client::anonymous(&daemon.base).expect("client");
    client.login("root@example.test", PASSWORD).await.expect("login");

    let project = client
        .create_project(&CreateProject {
            name: "app".into(),
            kind: ProjectKind::Repo,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: Vec::new(),
        })
        .await
        .expect("project");
    let scan = client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: tree.display().to_string() },
            project: Some(project.id),
            version: None,
            crypto: false,
        })
        .await
        .expect("create scan");
    let mut watch = ScanWatcher::new(&client, scan.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    assert_eq!(client.scan(scan.id).await.expect("scan").status, ScanStatus::Completed);

    // `findings` pages through the latest scan's findings; filters reach the daemon.
    let of_scan: Vec<_> =
        client.scan_findings(scan.id, ListQuery::limit(100)).try_collect().await.expect("scan findings");
    // Pages of 2: the three findings (RustSec's unmaintained notices are warnings, not findings)
    // take two pages.
    let all: Vec<_> = client.findings(ListQuery::limit(2)).try_collect().await.expect("findings");
    assert!(all.len() > 2, "over a page: {}", all.len());
    let ids = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        ids(&all.iter().map(|f| f.finding.id.clone()).collect::<Vec<_>>()),
        ids(&of_scan.iter().map(|f| f.id.clone()).collect::<Vec<_>>())
    );
    assert!(all.iter().all(|f| f.triage.is_none() && f.etag_version() == 0));
    let purl = all[0].finding.purl.clone();
    let on_purl = client
        .findings_page(&ListQuery::limit(1000).filter("purl", purl.clone()).filter("state", "untriaged"))
        .await
        .expect("filtered");
    assert_eq!(on_purl.total as usize, all.iter().filter(|f| f.finding.purl == purl).count());

    // One finding, then triage with its version; a stale version is a 412 naming the current one.
    let id = all[0].finding.id.clone();
    let one = client.finding(&id).await.expect("finding");
    assert_eq!((one.finding.id.as_str(), one.etag_version()), (id.as_str(), 0));
    assert!(one.details.as_deref().is_some_and(|d| !d.is_empty()), "the advisory's details: {one:?}");
    let update = TriageUpdate {
        state: Some(TriageState::NotAffected),
        justification: Some(Some(Justification::VulnerableCodeNotInExecutePath)),
        response: Some(Some(TriageResponse::WillNotFix)),
        note: Some(Some("never called".into())),
    };
    let triaged = client.triage_finding(&id, one.etag_version(), &update).await.expect("triage");
    let t = triaged.triage.clone().expect("triage");
    assert_eq!((t.state, t.version, t.note.as_deref()), (TriageState::NotAffected, 1, Some("never called")));
    let stale = client
        .triage_finding(
            &id,
            0,
            &TriageUpdate { state: Some(TriageState::Affected), ..TriageUpdate::default() },
        )
        .await
        .expect_err("stale version");
    assert_eq!((stale.status(), stale.current_version()), (Some(412), Some(1)));
    let cleared = client
        .triage_finding(
            &id,
            1,
            &TriageUpdate {
                state: Some(TriageState::Affected),
                justification: Some(None),
                ..TriageUpdate::default()
            },
        )
        .await
        .expect("retry with the current version");
    let t = cleared.triage.expect("triage");
    assert_eq!(
        (t.state, t.justification, t.response, t.version),
        (TriageState::Affected, None, Some(TriageResponse::WillNotFix), 2)
    );
    let affected =
        client.findings_page(&ListQuery::limit(10).filter("state", "affected")).await.expect("page");
    assert_eq!(affected.items.iter().map(|f| f.finding.id.clone()).collect::<Vec<_>>(), vec![id]);
    let risk = client.project(project.id).await.expect("project").risk.expect("risk");
    assert_eq!((risk.scan_id, risk.open_findings), (scan.id, all.len() as u64));
    let listed = client.projects_page(&ListQuery::limit(10)).await.expect("projects");
    assert_eq!(listed.items[0].risk.as_ref(), Some(&risk));

    // The triage-from-csv example: by finding id and by (project, advisory, purl); bad rows counted.
    let (f1, f2) = (&all[1].finding, &all[2].finding);
    let csv = format!(
        "finding,project,vulnerability,purl,state,justification,response,note\n\
         {},,,,fixed,,,-\n\
         ,{},{},{},not_affected,component_not_present,,\n\
         nope,,,,fixed,,,\n\
         {},,,,bogus,,,\n",
        f1.id, project.id, f2.vulnerability_id, f2.purl, f1.id
    );
    let summary = triage_from_csv::apply_csv(&client, csv.as_bytes()).await;
    let same_key = all
        .iter()
        .filter(|f| f.finding.vulnerability_id == f2.vulnerability_id && f.finding.purl == f2.purl)
        .count();
    assert_eq!((summary.applied, summary.retried), (1 + same_key, 0), "{summary:?}");
    assert_eq!(summary.failed.len(), 2, "{summary:?}");
    assert!(
        summary.failed[0].starts_with("line 4:") && summary.failed[1].starts_with("line 5:"),
        "{summary:?}"
    );
    assert_eq!(client.finding(&f1.id).await.expect("f1").triage.map(|t| t.state), Some(TriageState::Fixed));
    let t2 = client.finding(&f2.id).await.expect("f2").triage.expect("triaged by key");
    assert_eq!(
        (t2.state, t2.justification),
        (TriageState::NotAffected, Some(Justification::ComponentNotPresent))
    );

    // Dependencies: the engine's edges, over several pages.
    let edges: Vec<_> =
        client.scan_dependencies(scan.id, ListQuery::limit(200)).try_collect().await.expect("edges");
    let engine = scan_path(&tree, &ScanOptions::default(), &NoProgress).expect("engine");
    let want: BTreeSet<(String, String)> =
        engine.inventory.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    assert!(want.len() > 200, "{}", want.len());
    assert_eq!(edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect::<BTreeSet<_>>(), want);
    assert_eq!(edges.len(), want.len());

    // Vulnerability data: an import, and an update that checks no ecosystem (no network).
    let before = client.vulndb_status().await.expect("status");
    let imported = client.admin_vulndb_import(None, osv_zip()).await.expect("import");
    assert_eq!(imported.rejected, 0);
    assert!(!imported.changed.is_empty(), "{imported:?}");
    assert_ne!(imported.status.snapshot, before.snapshot, "a new snapshot");
    let updated = client
        .admin_vulndb_update(Some(&VulnDbUpdate { ecosystems: Some(Vec::new()) }))
        .await
        .expect("update");
    assert!(updated.changed.is_empty() && updated.failed.is_empty(), "{updated:?}");
    assert_eq!(updated.status.snapshot, imported.status.snapshot);
    // Named sources accumulate, and one is removed, through the SDK.
    let named = client.admin_vulndb_import(Some("sdk-extra"), osv_zip()).await.expect("import as");
    assert_eq!(named.changed, ["sdk-extra"]);
    let sources = named.status.sources.len();
    assert!(sources >= 2 && named.status.sources.iter().any(|s| s.name == "sdk-extra"), "{named:?}");
    let removed = client.admin_vulndb_remove("sdk-extra").await.expect("remove");
    assert_eq!(removed.removed, ["sdk-extra"]);
    assert_eq!(removed.status.sources.len(), sources - 1, "{removed:?}");
    let gone = client.admin_vulndb_remove("sdk-extra").await.expect_err("no such source any more");
    assert!(gone.to_string().contains("no vulnerability data source named sdk-extra"), "{gone}");
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_through_the_sdk_sqlite() {
    findings_through_the_sdk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_through_the_sdk_postgres() {
    findings_through_the_sdk(true).await;
}
