//! A project's scans and SBOM through the SDK (SQLite and, when CAIRN_TEST_POSTGRES_URL is set,
//! Postgres): a scan of the project's repository queued by `create_project_scan`, the project's
//! scan list as pages and as a stream (the repository served over HTTP on 127.0.0.1), its SBOM once a scan has completed (refused before), and
//! the partner surface's `bom.json` of the same scan.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};

use cairn_sdk::types::{BomFormat, CbomBomFormat, CreateProject, ProjectKind, RegisterRequest, ScanStatus};
use cairn_sdk::{Client, ListQuery, ScanWatcher};
use futures_util::{StreamExt, TryStreamExt};

use crate::cbom::{crypto_repo, git};
use crate::common::{Daemon, Opts, cyclonedx_errors};
use crate::git_http::git_http_backend;

/// A bare copy of `repo` served by `git http-backend` (git's smart HTTP protocol, as CGI) on
/// 127.0.0.1: a project's `repo_url` must be a network URL, and the daemon's shallow fetch needs
/// the smart protocol. Returns the repository's URL; the server stops with the test's runtime.
async fn served_over_http(repo: &Path, root: &Path) -> String {
    let bare = root.join("app.git");
    git(root, &["clone", "-q", "--bare", &repo.display().to_string(), &bare.display().to_string()]);
    let files = Arc::new(root.to_path_buf());
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::any(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            git_http_backend(files.clone(), method, uri, headers, body)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/app.git")
}

fn project(name: &str, repo_url: Option<String>) -> CreateProject {
    CreateProject {
        name: name.into(),
        kind: ProjectKind::Repo,
        repo_url,
        default_ref: None,
        team_id: None,
        tags: Vec::new(),
    }
}

async fn project_scans(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let repo = crypto_repo(&root.path().join("app"));
    let repo_url = served_over_http(&repo, root.path()).await;
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start_with(opts, |c| {
        c.sources.allow_private_hosts = true;
        c.sources.allow_http = true;
    })
    .await
    else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: "scans@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("project-scans".into()),
                invite_token: None,
            },
        )
        .await;

    let bare = client.create_project(&project("no-repo", None)).await.expect("project");
    let refused = client.create_project_scan(bare.id).await.expect_err("no repo_url");
    assert_eq!((refused.status(), refused.code()), (Some(409), Some("CONFLICT")), "{refused}");
    let none_yet = client.project_sbom(bare.id, BomFormat::CycloneDx).await.expect_err("no completed scan");
    assert!(none_yet.is_not_found(), "{none_yet}");

    let app = client.create_project(&project("app", Some(repo_url))).await.expect("project");
    let queued = client.create_project_scan(app.id).await.expect("queued");
    assert_eq!(queued.project_id, Some(app.id));
    let mut watch = ScanWatcher::new(&client, queued.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    let done = client.scan(queued.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed, "{:?}", done.error);

    // The SBOM of the latest completed scan: the stored document, valid CycloneDX 1.6.
    let sbom: serde_json::Value =
        serde_json::from_slice(&client.project_sbom(app.id, BomFormat::CycloneDx).await.expect("sbom"))
            .expect("JSON");
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    assert_eq!(cyclonedx_errors(&sbom), Vec::<String>::new());
    let same: serde_json::Value =
        serde_json::from_slice(&client.scan_bom(queued.id, BomFormat::CycloneDx).await.expect("scan bom"))
            .expect("JSON");
    assert_eq!(sbom, same, "the project's SBOM is its completed scan's");

    // The partner surface's document of the same scan: the CBOM, with the repository's crypto.
    let cbom: serde_json::Value = serde_json::from_slice(
        &client.cbom_scan_bom(queued.id, CbomBomFormat::Cyclonedx).await.expect("cbom"),
    )
    .expect("JSON");
    assert_eq!(cyclonedx_errors(&cbom), Vec::<String>::new());
    let crypto = cbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .count();
    assert!(crypto > 0, "the CBOM names the RSA key module's assets: {cbom}");
    let spdx: serde_json::Value =
        serde_json::from_slice(&client.cbom_scan_bom(queued.id, CbomBomFormat::Spdx).await.expect("spdx"))
            .expect("JSON");
    assert!(spdx["@context"].as_str().is_some_and(|c| c.contains("spdx.org")), "SPDX 3 JSON-LD: {spdx}");

    // A second scan, then the project's scans: only its own, a page at a time or streamed.
    let second = client.create_project_scan(app.id).await.expect("second scan");
    let page = client.project_scans_page(app.id, &ListQuery::limit(1)).await.expect("page");
    assert_eq!((page.items.len(), page.total), (1, 2));
    let all: Vec<_> = client.project_scans(app.id, ListQuery::limit(1)).try_collect().await.expect("stream");
    let ids: BTreeSet<String> = all.iter().map(|s| s.id.to_string()).collect();
    assert_eq!(ids, BTreeSet::from([queued.id.to_string(), second.id.to_string()]));
    let completed: Vec<_> = client
        .project_scans(app.id, ListQuery::default().filter("status", "completed"))
        .try_collect()
        .await
        .expect("filtered");
    assert!(
        completed.iter().all(|s| s.status == ScanStatus::Completed)
            && completed.iter().any(|s| s.id == queued.id)
    );
    assert!(client.project_scans_page(bare.id, &ListQuery::default()).await.expect("other").items.is_empty());

    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_scans_sqlite() {
    project_scans(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_scans_postgres() {
    project_scans(true).await;
}
