//! cairn-sdk's comparison, project-wide view and history methods against a real daemon (SQLite
//! and, when CAIRN_TEST_POSTGRES_URL is set, Postgres): two scans of a growing tree of corpus
//! lockfiles (atuin's Cargo.lock, then flask's requirements beside it) with the fixture advisories:
//! `comparison` and `version_compare` name flask's components as added and its findings as new
//! (counted from the engine's own scans of the two trees), `components_search` finds a flask
//! component with its file and line, `project_components` filters, `project_history` has both
//! scans, `vulnerabilities` and `vulnerability` the advisories of flask's findings.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{Daemon, Opts, copy_dir, corpus};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{
    CreateProject, CreateScan, CreateVersion, ProjectKind, ScanId, ScanStatus, SubmitSource, VersionId,
};
use cairn_sdk::{Client, Credential, ListQuery, ScanWatcher};
use futures_util::{StreamExt, TryStreamExt};

async fn scan(
    client: &Client,
    tree: &Path,
    project: cairn_sdk::types::ProjectId,
    version: VersionId,
) -> ScanId {
    let scan = client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: tree.display().to_string() },
            project: Some(project),
            version: Some(version),
            crypto: false,
        })
        .await
        .expect("create scan");
    let mut watch = ScanWatcher::new(client, scan.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    assert_eq!(client.scan(scan.id).await.expect("scan").status, ScanStatus::Completed);
    scan.id
}

fn purls(tree: &Path) -> BTreeSet<String> {
    let scan = scan_path(tree, &ScanOptions::default(), &NoProgress).expect("engine scan");
    scan.inventory.components.into_iter().map(|c| c.purl).collect()
}

async fn project_views_through_the_sdk(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let (before, after) = (root.path().join("before"), root.path().join("after"));
    copy_dir(&corpus("cargo/atuinsh__atuin"), &before.join("atuin"));
    copy_dir(&corpus("cargo/atuinsh__atuin"), &after.join("atuin"));
    copy_dir(&corpus("pip/pallets__flask"), &after.join("flask"));
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    let project = client
        .create_project(&CreateProject {
            name: "growing".into(),
            kind: ProjectKind::Repo,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: Vec::new(),
        })
        .await
        .expect("project");
    let mut versions = Vec::new();
    for name in ["1.0", "2.0"] {
        let v = client.create_version(project.id, &CreateVersion::new(name)).await.expect("version");
        versions.push(v.id);
    }
    let first = scan(&client, &before, project.id, versions[0]).await;
    let second = scan(&client, &after, project.id, versions[1]).await;

    // Comparison: what flask brought, counted from the engine's own scans of the trees.
    let c = client.comparison(first, second).await.expect("comparison");
    assert_eq!((c.from_scan, c.to_scan), (first, second));
    let added: BTreeSet<String> = purls(&after).difference(&purls(&before)).cloned().collect();
    let got: BTreeSet<String> = c.comparison.components.added.iter().map(|a| a.purl.clone()).collect();
    assert_eq!(got, added);
    assert_eq!((c.comparison.summary.components_removed, c.comparison.summary.components_changed), (0, 0));
    let flask_findings: BTreeSet<String> = client
        .scan_findings(second, ListQuery::limit(100))
        .try_collect::<Vec<_>>()
        .await
        .expect("findings")
        .into_iter()
        .filter(|f| f.purl.starts_with("pkg:pypi/"))
        .map(|f| f.vulnerability_id)
        .collect();
    assert!(!flask_findings.is_empty(), "the fixture advisories hit flask's requirements");
    let findings = c.comparison.findings.as_ref().expect("both matched");
    assert_eq!(findings.new.iter().map(|f| f.id.clone()).collect::<BTreeSet<_>>(), flask_findings);
    assert!(findings.fixed.is_empty());
    assert_eq!(client.version_compare(versions[0], versions[1]).await.expect("by version"), c);

    // Where is one of flask's new components used: this project, the file and its line.
    let werkzeug = c
        .comparison
        .components
        .added
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case("werkzeug"))
        .expect("werkzeug");
    let found: Vec<_> = client
        .components_search(ListQuery::limit(10).filter("purl", werkzeug.purl.clone()))
        .try_collect()
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].project_id, found[0].scan_id, found[0].version_id),
        (project.id, second, Some(versions[1]))
    );
    assert!(found[0].locations.iter().all(|l| l.path.starts_with("flask/") && l.line.is_some()), "{found:?}");

    // The project's current components, filtered.
    let pypi: Vec<_> = client
        .project_components(project.id, ListQuery::limit(50).filter("ecosystem", "pypi"))
        .try_collect()
        .await
        .expect("components");
    assert_eq!(pypi.len(), added.iter().filter(|p| p.starts_with("pkg:pypi/")).count());

    // History: both scans, oldest first; one version's alone.
    let h = client.project_history(project.id, None).await.expect("history");
    assert_eq!(h.points.iter().map(|p| p.scan_id).collect::<Vec<_>>(), [first, second]);
    assert!(h.points[1].components > h.points[0].components);
    let one = client.project_history(project.id, Some(versions[0])).await.expect("one version");
    assert_eq!(one.points.len(), 1);

    // Advisories affecting the tenant, and one with its affected project.
    let advisories: Vec<_> =
        client.vulnerabilities(ListQuery::limit(2)).try_collect().await.expect("advisories");
    let listed: BTreeSet<String> = advisories.iter().map(|a| a.id.clone()).collect();
    assert!(flask_findings.is_subset(&listed), "{listed:?}");
    let id = flask_findings.iter().next().expect("one");
    let detail = client.vulnerability(id).await.expect("advisory");
    assert!(detail.in_vulnerability_data);
    assert!(detail.affected.iter().all(|a| a.project_id == Some(project.id) && a.scan_id == second));
    let missing = client.vulnerability("CVE-1999-NOPE/../x").await.expect_err("unknown");
    assert_eq!(missing.status(), Some(404));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    project_views_through_the_sdk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    project_views_through_the_sdk(true).await;
}
