//! Issue 14 points 5, 6, 7 and 9 through the real `cairn` binary and a real daemon (SQLite, and
//! Postgres when CAIRN_TEST_POSTGRES_URL is set): projects named by name (`projects create`,
//! `scan --project NAME [--create-project]`), one lockfile scanned alone through a server, a
//! failed scan under `--wait` saying only its error, the findings table of a daemon scan; and
//! local mode scanning a directory outside $HOME. Each failed on the code before the fix.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{Daemon, Opts, copy_dir, corpus};
use cairn_sdk::types::ScanId;
use cairn_sdk::{Client, Credential, ListQuery};
use futures_util::TryStreamExt;

/// A machine whose default profile points at `server` with an API key (in the 0600 file).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(server: Option<(&str, &str)>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some((server, key)) = server {
            let config = dir.path().join("config/cairn/config.toml");
            std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
            std::fs::write(
                &config,
                format!("default = \"t\"\n[profiles.t]\nserver = \"{server}\"\ncredential = \"api-key\"\n"),
            )
            .expect("config");
            let creds = dir.path().join("data/cairn/credentials.json");
            std::fs::create_dir_all(creds.parent().expect("parent")).expect("mkdir");
            let account = format!("profile:t@{}", config.display());
            std::fs::write(&creds, serde_json::json!({ account: key }).to_string()).expect("creds");
        }
        Self { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let p = self.dir.path();
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.args(args)
            .env("HOME", p)
            .env("XDG_DATA_HOME", p.join("data"))
            .env("XDG_CONFIG_HOME", p.join("config"))
            .env("XDG_RUNTIME_DIR", p.join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env_remove("CAIRN_PROFILE")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().expect("run cairn")).await.expect("join")
    }
}

impl Drop for Home {
    // A failed assertion must not leave a local daemon behind.
    fn drop(&mut self) {
        let _ = self.command(&["daemon", "stop"]).output();
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_lockfiles_failures_and_tables_on_sqlite() {
    projects_lockfiles_failures_and_tables(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_lockfiles_failures_and_tables_on_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        projects_lockfiles_failures_and_tables(true).await;
    }
}

async fn projects_lockfiles_failures_and_tables(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: true };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let home = Home::new(Some((&daemon.base, &daemon.admin_key)));
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");

    // `projects create NAME [--kind]`: the id on stdout; a taken name is an error.
    let out = home.run(&["projects", "create", "celery-app"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let created = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let out = home.run(&["projects", "create", "an-image", "--kind", "image", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let image: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((image["name"].as_str(), image["kind"].as_str()), (Some("an-image"), Some("image")));
    let out = home.run(&["projects", "create", "celery-app"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr(&out).contains("exists already"), "{}", text(&out));

    // One lockfile, uploaded alone, recorded on the project named by name; the table on stdout.
    let tree = root.path().join("celery");
    copy_dir(&corpus("pip/pallets__flask/examples/celery"), &tree);
    std::fs::write(tree.join("unrelated.txt"), "not scanned").expect("write");
    let lockfile = tree.join("requirements.txt");
    let out = home
        .run(&["scan", lockfile.to_str().expect("utf8"), "--project", "celery-app", "-f", "table", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let scans: Vec<_> = client
        .scans(ListQuery::limit(50).filter("project", created.clone()))
        .try_collect()
        .await
        .expect("scans");
    assert_eq!(scans.len(), 1, "the scan is on the project named celery-app");
    let scan = &scans[0];
    assert!(scan.counts.components > 0, "{scan:?}");
    assert!(table.contains("components, matched against"), "{table}");
    // werkzeug 2.3.3 has PYSEC-2023-221 (high) in the fixture advisories.
    assert!(scan.counts.findings > 0, "{scan:?}");
    assert!(table.starts_with("ADVISORY"), "{table}");
    assert!(
        table.lines().any(|l| l.starts_with("PYSEC-2023-221  high      werkzeug  2.3.3      2.3.8  requirements.txt:")),
        "{table}"
    );
    let rows = table.lines().skip(1).take_while(|l| !l.contains("matched against")).count() as u64;
    assert_eq!(rows, scan.counts.findings, "{table}");

    // An unknown name: refused (exit 2) unless --create-project, which creates it.
    let dir = tree.to_str().expect("utf8");
    let out = home.run(&["scan", dir, "--project", "new-one", "--wait"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr(&out).contains("--create-project"), "{}", text(&out));
    let out = home.run(&["scan", dir, "--project", "new-one", "--create-project", "--wait"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let project = client.project_by_name("new-one").await.expect("lookup").expect("created");
    assert_eq!(project.kind, cairn_sdk::types::ProjectKind::Repo, "a directory makes a repo project");
    let on_it: Vec<_> = client
        .scans(ListQuery::limit(50).filter("project", project.id.to_string()))
        .try_collect()
        .await
        .expect("scans");
    assert_eq!(on_it.len(), 1);
    // The id works too, and a second run reuses the project.
    let out = home.run(&["scan", dir, "--project", &project.id.to_string(), "--create-project"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let id: ScanId = String::from_utf8_lossy(&out.stdout).trim().parse().expect("a scan id");
    assert_eq!(client.scan(id).await.expect("scan").project_id, Some(project.id));

    // A failed scan under --wait: its error alone (once), no counts, no banner, exit 3.
    let outside = tempfile::tempdir().expect("outside the roots");
    let url = format!("file://{}", outside.path().display());
    let out = home.run(&["scan", &url, "--wait"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("failed:") && err.contains("[sources.tenant_roots]"), "{err}");
    assert_eq!(err.matches("not under a scan root").count(), 1, "{err}");
    assert!(!err.contains("0 findings") && !err.contains("NO VULNERABILITY DATA"), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out));
    daemon.shutdown().await;
}

/// Local mode: a directory outside $HOME is scanned (it was refused: "not under a configured
/// scan root").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_scans_a_directory_outside_home() {
    let home = Home::new(None);
    let elsewhere = tempfile::tempdir().expect("outside home");
    assert!(!elsewhere.path().starts_with(home.dir.path()));
    let tree = elsewhere.path().join("celery");
    copy_dir(&corpus("pip/pallets__flask/examples/celery"), &tree);
    let out = home.run(&["scan", tree.to_str().expect("utf8"), "--wait"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr(&out).contains("completed"), "{}", text(&out));
    // One lockfile there, alone: the local daemon takes the file's path.
    let out = home.run(&["scan", tree.join("requirements.txt").to_str().expect("utf8"), "--wait"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr(&out).contains("completed"), "{}", text(&out));
    let out =
        home.run(&["scan", Path::new("/nonexistent/cairn-dir").to_str().expect("utf8"), "--wait"]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}
