//! cairn-sdk's partner CBOM calls against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL
//! is set, Postgres): health, a scan submitted with a project name (version 1.0.0 by default),
//! the `{scans, count}` list, the detail, and the public demo over a `file://` directory
//! standing in for GitHub (a cached answer, then the per-client limit as an API error).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Daemon, Opts};
use cairn_sdk::types::{CbomScanRequest, CbomStatus, RegisterRequest};
use cairn_sdk::{Client, Error};

pub(crate) fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Cairn Test",
            "-c",
            "user.email=test@example.test",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A committed repository at `dir` holding paramiko's RSA key module (a real crypto source from
/// the engine's fixtures).
pub(crate) fn crypto_repo(dir: &Path) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/crypto/python/paramiko__paramiko__rsakey.py");
    std::fs::create_dir_all(dir.join("app")).expect("mkdir");
    std::fs::copy(from, dir.join("app/rsakey.py")).expect("copy fixture");
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "crypto fixture"]);
    dir.to_path_buf()
}

async fn cbom_through_the_sdk(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let github = root.path().join("github");
    let repo = crypto_repo(&github.join("acme/app"));
    crypto_repo(&github.join("acme/other"));
    let base = format!("file://{}", github.display());
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: false };
    let demo_base = base.clone();
    let Some(daemon) = Daemon::start_with(opts, move |c| {
        c.cbom_demo.enabled = true;
        c.cbom_demo.wait_secs = 120;
        c.cbom_demo.test_repo_base = Some(demo_base);
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
                email: "cbom@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("cbom-sdk".into()),
                invite_token: None,
            },
        )
        .await;

    let health = client.cbom_health().await.expect("health");
    assert_eq!((health.status.as_str(), health.cyclonedx.as_str()), ("ok", "1.6"));

    let body = CbomScanRequest {
        repo_url: format!("file://{}", repo.display()),
        project_name: Some("sdk-app".into()),
        project_version: None,
    };
    let created = client.cbom_create_scan(&body).await.expect("create");
    assert_eq!(created.status, CbomStatus::Queued);
    let list = client.cbom_scans(Some(10)).await.expect("list");
    assert_eq!((list.count, list.scans.first().map(|s| s.id)), (1, Some(created.id)));
    let detail = client.cbom_scan(created.id).await.expect("detail");
    let version = client.version(detail.scan.version_id.expect("a version")).await.expect("version");
    assert_eq!(version.name, "1.0.0");

    // The demo needs no credential.
    let anonymous = Client::anonymous(&daemon.base).expect("client");
    let demo = anonymous.cbom_demo(&format!("{base}/acme/app")).await.expect("demo");
    assert_eq!(demo.scan.status, CbomStatus::Completed, "{:?}", demo.scan.error);
    assert!(!demo.crypto_assets.is_empty());
    assert_ne!(demo.scan.tenant_id, created.tenant_id);
    let cached = anonymous.cbom_demo(&format!("{base}/acme/app.git")).await.expect("cached");
    assert_eq!(cached.scan.id, demo.scan.id);
    match anonymous.cbom_demo(&format!("{base}/acme/other")).await {
        Err(Error::Api(e)) => assert_eq!(e.status, 429, "{e:?}"),
        other => panic!("expected 429, got {other:?}"),
    }
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbom_through_the_sdk_sqlite() {
    cbom_through_the_sdk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbom_through_the_sdk_postgres() {
    cbom_through_the_sdk(true).await;
}
