//! The script commands of `cairn` as a script runs them, against a real daemon (SQLite, and
//! Postgres when CAIRN_TEST_POSTGRES_URL is set): `db import` of an OSV zip and of a directory,
//! `db status`, a scan, `projects|scans ls` as tables and as JSON that parses into the API's
//! types, `export` writing a valid CycloneDX file (and to standard output), the errors a
//! non-admin and a not-completed scan get, `findings ls` and its filters, `triage` (the daemon's
//! field errors shown; a change someone made in between reported, not overwritten), completion
//! scripts and usage errors (exit 2); issue 15's commands (`keys`, `versions`, `scans cancel`,
//! `admin`, `status --json`) and every `admin_*` SDK method.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use crate::common::{Daemon, Opts, copy_dir, corpus, cyclonedx_errors};
use cairn_sdk::types::{
    ApiKeyEnvironment, CreateApiKey, CreateProject, CreateScan, Finding, Project, ProjectKind,
    RegisterRequest, Scan, ScanStatus, Scope, SubmitSource, TriageResponse, TriageState, TriageUpdate,
    VulnDataState, VulnDbStatus,
};
use cairn_sdk::{Client, Credential, ScanWatcher};
use futures_util::StreamExt;

/// A user's machine whose default profile points at a server with an API key (in the 0600
/// fallback file, not a keyring).
pub(crate) struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub(crate) fn new(server: &str, key: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
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
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) async fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.args(args)
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env_remove("CAIRN_PROFILE")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        tokio::task::spawn_blocking(move || c.output().expect("run cairn")).await.expect("join")
    }
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exit 0, else the test fails showing the output.
pub(crate) fn ok(out: Output) -> Output {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    out
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Follows a scan on the WebSocket until it ends.
async fn wait(client: &Client, scan: &Scan) -> Scan {
    let mut events = ScanWatcher::new(client, scan.id).stream();
    while let Some(item) = events.next().await {
        item.expect("watching the scan");
    }
    client.scan(scan.id).await.expect("scan")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_sources_accumulate_on_sqlite() {
    db_sources_accumulate(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_sources_accumulate_on_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").map_or(true, |s| s.is_empty()) {
        eprintln!("CAIRN_TEST_POSTGRES_URL is not set: the Postgres variant did not run");
        return;
    }
    db_sources_accumulate(true).await;
}

async fn status_json(home: &Home) -> VulnDbStatus {
    let out = ok(home.run(&["db", "status", "--json"]).await);
    serde_json::from_slice(&out.stdout).expect("VulnDbStatus JSON")
}

/// Issue 14 point 1: `cairn db import` of RustSec, then PyPA, then Go keeps all three (it used
/// to store each as the one source `upload`, replacing the last); re-importing one replaces only
/// it; `cairn db remove` takes one out and leaves the others; symlinked directories are followed.
async fn db_sources_accumulate(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: false };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let admin = Home::new(&daemon.base, &daemon.admin_key);
    let osv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/osv");
    // RustSec through a symlink given as the path; Go as a directory holding a symlinked one.
    let rustsec = root.path().join("rustsec");
    std::os::unix::fs::symlink(osv.join("rustsec"), &rustsec).expect("symlink");
    let golang = root.path().join("golang");
    std::fs::create_dir(&golang).expect("mkdir");
    std::os::unix::fs::symlink(osv.join("go"), golang.join("vulns")).expect("symlink");

    let out = ok(admin.run(&["db", "import", rustsec.to_str().expect("utf8")]).await);
    assert!(stdout(&out).contains("changed: rustsec"), "{}", text(&out));
    let out = ok(admin.run(&["db", "import", osv.join("pypa").to_str().expect("utf8")]).await);
    assert!(stdout(&out).contains("changed: pypa"), "{}", text(&out));
    let out = ok(admin.run(&["db", "import", golang.to_str().expect("utf8")]).await);
    assert!(stdout(&out).contains("changed: golang"), "{}", text(&out));

    let status = status_json(&admin).await;
    let summary = |s: &VulnDbStatus| -> Vec<(String, Option<Vec<String>>, u64)> {
        s.sources.iter().map(|x| (x.name.clone(), x.ecosystems.clone(), x.advisories)).collect()
    };
    let all = summary(&status);
    let names: Vec<_> = all.iter().map(|(n, e, _)| (n.as_str(), e.clone())).collect();
    assert_eq!(
        names,
        [
            ("golang", Some(vec!["Go".to_owned()])),
            ("pypa", Some(vec!["PyPI".to_owned()])),
            ("rustsec", Some(vec!["crates.io".to_owned()]))
        ],
        "{status:?}"
    );
    assert!(all.iter().all(|(_, _, n)| *n > 0), "{status:?}");
    assert_eq!(status.advisories, all.iter().map(|(_, _, n)| n).sum::<u64>(), "{status:?}");
    assert!(status.sources.iter().all(|s| s.updated_at.is_some()), "{status:?}");
    let out = ok(admin.run(&["db", "status"]).await);
    for word in ["ECOSYSTEMS", "AGE", "crates.io", "PyPI", "Go", "golang", "pypa", "rustsec"] {
        assert!(stdout(&out).contains(word), "{word}: {}", text(&out));
    }

    // Importing one again replaces it only.
    ok(admin.run(&["db", "import", osv.join("pypa").to_str().expect("utf8")]).await);
    assert_eq!(summary(&status_json(&admin).await), all);

    // Removing one leaves the others as they were.
    let out = ok(admin.run(&["db", "remove", "pypa"]).await);
    assert!(stdout(&out).contains("removed: pypa"), "{}", text(&out));
    let status = status_json(&admin).await;
    let rest: Vec<_> = all.iter().filter(|(n, _, _)| n != "pypa").cloned().collect();
    assert_eq!(summary(&status), rest);
    assert_eq!(status.advisories, rest.iter().map(|(_, _, n)| n).sum::<u64>(), "{status:?}");
    assert_eq!(status.state, VulnDataState::Fresh);

    // An unknown name: a clear error, exit 3, nothing changed.
    let out = admin.run(&["db", "remove", "pypa"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no vulnerability data source named pypa"),
        "{}",
        text(&out)
    );
    assert_eq!(summary(&status_json(&admin).await), rest);

    // The last source gone: no data, said so (not a fresh zero).
    ok(admin.run(&["db", "remove", "rustsec"]).await);
    ok(admin.run(&["db", "remove", "golang"]).await);
    let status = status_json(&admin).await;
    assert_eq!(
        (status.state, status.advisories, status.sources.len()),
        (VulnDataState::None, 0, 0),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_commands_on_sqlite() {
    script_commands(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_commands_on_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").map_or(true, |s| s.is_empty()) {
        eprintln!("CAIRN_TEST_POSTGRES_URL is not set: the Postgres variant did not run");
        return;
    }
    script_commands(true).await;
}

async fn script_commands(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: false };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let admin = Home::new(&daemon.base, &daemon.admin_key);

    // No data yet: said so, in both forms.
    let out = ok(admin.run(&["db", "status", "--json"]).await);
    let status: VulnDbStatus = serde_json::from_slice(&out.stdout).expect("VulnDbStatus JSON");
    assert_eq!((status.state, status.advisories), (VulnDataState::None, 0));
    let out = ok(admin.run(&["db", "status"]).await);
    assert!(stdout(&out).contains("state: NONE"), "{}", text(&out));

    // The zip as it is, named after its file; then the same advisories as a directory, zipped by
    // cairn, under that name with --name (the source of that name is replaced, so the count stays).
    let zip = fixture("osv-werkzeug.zip");
    let out = ok(admin.run(&["db", "import", zip.to_str().expect("utf8")]).await);
    assert!(stdout(&out).contains("changed: osv-werkzeug"), "{}", text(&out));
    assert!(stdout(&out).contains("advisories: 7"), "{}", text(&out));
    let werkzeug =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/osv/pypa/vulns/werkzeug");
    ok(admin.run(&["db", "import", werkzeug.to_str().expect("utf8"), "--name", "osv-werkzeug"]).await);
    let out = ok(admin.run(&["db", "status", "--json"]).await);
    let status: VulnDbStatus = serde_json::from_slice(&out.stdout).expect("VulnDbStatus JSON");
    assert_eq!(status.advisories, 7, "{status:?}");
    assert_eq!(status.state, VulnDataState::Fresh);
    assert_eq!(status.sources.len(), 1, "{status:?}");
    assert!(status.sources.iter().any(|s| s.name == "osv-werkzeug" && s.advisories == 7), "{status:?}");
    let out = ok(admin.run(&["db", "status"]).await);
    assert!(
        stdout(&out).contains("advisories: 7") && stdout(&out).contains("osv-werkzeug"),
        "{}",
        text(&out)
    );

    // Bad imports and updates: clear errors, exit 3.
    let out = admin.run(&["db", "import", werkzeug.join("PYSEC-2017-43.yaml").to_str().expect("utf8")]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a zip"), "{}", text(&out));
    let out = admin.run(&["db", "update", "--ecosystem", "NoSuchEcosystem"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("body.ecosystems[0]: not a configured ecosystem"),
        "the daemon's field error is shown: {}",
        text(&out)
    );

    // A project and a completed scan of werkzeug 2.3.3 (findings from the imported data), and a
    // failed scan.
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    let project = client
        .create_project(&CreateProject {
            name: "flask-app".into(),
            kind: ProjectKind::Repo,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: vec![],
        })
        .await
        .expect("project");
    let repo = root.path().join("flask");
    copy_dir(&corpus("pip/pallets__flask"), &repo);
    let scan = client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: repo.to_str().expect("utf8").into() },
            project: Some(project.id),
            version: None,
            crypto: true,
        })
        .await
        .expect("scan");
    let done = wait(&client, &scan).await;
    assert_eq!(done.status, ScanStatus::Completed, "{done:?}");
    assert!(done.counts.findings > 0, "werkzeug 2.3.3 has advisories in the data: {done:?}");
    // A git URL of a directory that is no repository: fetching fails, the scan ends failed.
    let not_repo = root.path().join("not-a-repo");
    std::fs::create_dir_all(&not_repo).expect("mkdir");
    let failed = client
        .create_scan(&CreateScan {
            source: SubmitSource::Git { url: format!("file://{}", not_repo.display()), reference: None },
            project: None,
            version: None,
            crypto: false,
        })
        .await
        .expect("a failing scan is accepted");
    let failed = wait(&client, &failed).await;
    assert_eq!(failed.status, ScanStatus::Failed, "{failed:?}");

    // projects ls.
    let out = ok(admin.run(&["projects", "ls"]).await);
    let table = stdout(&out);
    let header = table.lines().next().expect("a header");
    assert!(header.starts_with("NAME") && header.contains("KIND") && header.contains("OPEN"), "{table}");
    let row = table.lines().find(|l| l.starts_with("flask-app")).expect("the project's row");
    assert!(row.contains("repo") && row.contains(&project.id.to_string()), "{table}");
    // Issue 14: CRIT + HIGH + MED + LOW + NONE (issue 15: CVSS 0.0) + UNKNOWN add up to FINDINGS.
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(cols[2..9], ["FINDINGS", "CRIT", "HIGH", "MED", "LOW", "NONE", "UNKNOWN"], "{table}");
    let n: Vec<u64> = row.split_whitespace().skip(2).take(7).map(|c| c.parse().expect("a count")).collect();
    assert_eq!(n[0], n[1..].iter().sum::<u64>(), "{table}");
    assert!(!table.contains('\x1b'), "no colour when not a terminal: {table:?}");
    let out = ok(admin.run(&["projects", "ls", "--json"]).await);
    let projects: Vec<Project> = serde_json::from_slice(&out.stdout).expect("Project JSON array");
    assert_eq!(
        projects.iter().map(|p| (p.id, p.name.as_str())).collect::<Vec<_>>(),
        [(project.id, "flask-app")]
    );
    let risk = projects[0].risk.as_ref().expect("the latest completed scan's risk");
    assert_eq!(
        (risk.scan_id, &risk.counts, risk.open_findings),
        (scan.id, &done.counts, done.counts.findings)
    );
    let s = &done.counts.severities;
    let want = format!(
        "{}  {}  {}  {}  {}  {}  {}  {}  {}",
        done.counts.findings,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.none,
        s.unknown,
        done.counts.warnings,
        done.counts.findings
    );
    assert!(row.split_whitespace().collect::<Vec<_>>().join("  ").contains(&want), "risk columns: {row}");

    // scans ls: newest first, filters.
    let out = ok(admin.run(&["scans", "ls"]).await);
    let table = stdout(&out);
    let row = table.lines().find(|l| l.starts_with(&scan.id.to_string())).expect("the scan's row");
    assert!(row.contains("completed") && row.contains("flask-app"), "{table}");
    let out = ok(admin.run(&["scans", "ls", "--json"]).await);
    let scans: Vec<Scan> = serde_json::from_slice(&out.stdout).expect("Scan JSON array");
    assert_eq!(scans.iter().map(|s| s.id).collect::<Vec<_>>(), [failed.id, scan.id], "newest first");
    let out = ok(admin.run(&["scans", "ls", "--project", "flask-app", "--json"]).await);
    let scans: Vec<Scan> = serde_json::from_slice(&out.stdout).expect("Scan JSON array");
    assert_eq!(scans.iter().map(|s| s.id).collect::<Vec<_>>(), [scan.id]);
    assert_eq!(scans[0].counts, done.counts);
    let out = ok(admin.run(&["scans", "ls", "--status", "cancelled", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<Scan>>(&out.stdout).expect("JSON"), Vec::<Scan>::new());
    let out = ok(admin.run(&["scans", "ls", "--limit", "1", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<Scan>>(&out.stdout).expect("JSON").len(), 1);
    let out = admin.run(&["scans", "ls", "--project", "nope"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no project named \"nope\""), "{}", text(&out));

    // export: a file (written whole), standard output, `latest`.
    let bom = admin.path().join("out/bom.json");
    std::fs::create_dir_all(bom.parent().expect("parent")).expect("mkdir");
    std::fs::write(&bom, "an older export").expect("old file");
    let id = scan.id.to_string();
    ok(admin.run(&["export", &id, "-f", "cyclonedx", "-o", bom.to_str().expect("utf8")]).await);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bom).expect("written")).expect("json");
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "invalid CycloneDX: {errors:?}");
    assert_eq!(doc["vulnerabilities"].as_array().map(Vec::len), Some(done.counts.findings as usize));
    let names: Vec<_> = std::fs::read_dir(bom.parent().expect("dir"))
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(names, ["bom.json"], "no temporary file left");
    let out =
        ok(admin.run(&["export", "latest", "--project", "flask-app", "-f", "cyclonedx", "-o", "-"]).await);
    let latest: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the document on stdout");
    assert_eq!(latest["serialNumber"], doc["serialNumber"], "the same scan's document");
    let out = ok(admin.run(&["export", &id, "-f", "sarif", "-o", "-"]).await);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let out = admin.run(&["export", &failed.id.to_string(), "-f", "cyclonedx", "-o", "-"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("scan {} ended failed", failed.id)),
        "{}",
        text(&out)
    );
    let out = admin.run(&["export", "latest", "--project", "flask-app", "-f", "cyclonedx", "-o", "-"]).await;
    assert_eq!(out.status.code(), Some(0));

    // Issue 15: cancelling a completed scan changes nothing, exits 3 and says why.
    let out = admin.run(&["scans", "cancel", &id]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("scan {id} already ended completed")),
        "{}",
        text(&out)
    );
    assert_eq!(client.scan(scan.id).await.expect("scan").status, ScanStatus::Completed);

    findings_and_triage(&admin, &client, &done).await;
    fail_on_counts_open_findings(&admin, &repo, &project, &done).await;
    rules_and_vex(&admin, &client, &done, &repo).await;
    governance(&admin, &client, &project, &repo).await;

    // A user who is not a super admin: status yes, import no (the daemon hides admin routes).
    let owner = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &owner,
            &RegisterRequest {
                email: "user@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("users".into()),
                invite_token: None,
            },
        )
        .await;
    let key = owner
        .create_api_key(&CreateApiKey {
            name: "cli".into(),
            scopes: vec![Scope::ScanRead, Scope::ProjectRead, Scope::BomRead],
            expires_at: None,
            environment: ApiKeyEnvironment::Live,
        })
        .await
        .expect("api key")
        .secret;
    let user = Home::new(&daemon.base, &key);
    let out = ok(user.run(&["db", "status"]).await);
    assert!(stdout(&out).contains("advisories: 7"), "{}", text(&out));
    let out = user.run(&["db", "import", zip.to_str().expect("utf8")]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a super admin"), "{}", text(&out));
    let out = ok(user.run(&["projects", "ls", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<Project>>(&out.stdout).expect("JSON"), Vec::<Project>::new());

    daemon.shutdown().await;
}

/// `findings ls` with its filters, `triage`, and the conflict when someone triages in between.
async fn findings_and_triage(admin: &Home, client: &Client, done: &Scan) {
    let total = done.counts.findings as usize;
    let out = ok(admin.run(&["findings", "ls", "--json"]).await);
    let all: Vec<Finding> = serde_json::from_slice(&out.stdout).expect("Finding JSON array");
    assert_eq!(all.len(), total, "the project's latest scan's findings");
    assert!(all.iter().all(|f| f.triage.is_none() && f.finding.scan_id == done.id));
    let out = ok(admin.run(&["findings", "ls"]).await);
    let table = stdout(&out);
    assert!(table.lines().next().is_some_and(|h| h.starts_with("ID") && h.contains("VULNERABILITY")));
    for f in &all {
        let row = table.lines().find(|l| l.starts_with(&f.finding.id)).expect("a row per finding");
        assert!(row.contains(&f.finding.vulnerability_id) && row.contains("untriaged"), "{table}");
    }
    let scan = done.id.to_string();
    let out = ok(admin.run(&["findings", "ls", "--scan", &scan, "--severity", "high", "--json"]).await);
    let high: Vec<Finding> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(high.len() as u64, done.counts.severities.high);
    assert!(high.iter().all(|f| f.finding.severity == cairn_sdk::types::Severity::High));

    let out = admin.run(&["triage", "no-such-finding", "--state", "fixed"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no finding \"no-such-finding\""),
        "{}",
        text(&out)
    );

    let target = &all[0];
    let id = target.finding.id.as_str();
    // The daemon's rule, and its field error shown.
    let out = admin.run(&["triage", id, "--state", "not_affected"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("body.justification"), "{}", text(&out));
    let out = ok(admin
        .run(&[
            "triage",
            id,
            "--state",
            "not_affected",
            "--justification",
            "vulnerable_code_not_in_execute_path",
            "--note",
            "only the CLI imports it",
        ])
        .await);
    assert!(
        stdout(&out).contains("state not_affected, justification vulnerable_code_not_in_execute_path"),
        "{}",
        text(&out)
    );
    let out = ok(admin
        .run(&["findings", "ls", "--project", "flask-app", "--state", "not_affected", "--json"])
        .await);
    let settled: Vec<Finding> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(settled.iter().map(|f| f.finding.id.as_str()).collect::<Vec<_>>(), [id]);
    let out = ok(admin.run(&["findings", "ls", "--state", "untriaged", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<Finding>>(&out.stdout).expect("JSON").len(), total - 1);
    let out = ok(admin.run(&["findings", "ls"]).await);
    assert!(stdout(&out).lines().any(|l| l.starts_with(id) && l.contains("not_affected")), "{}", text(&out));

    // Affected after all: the justification that said otherwise goes, the note stays.
    ok(admin.run(&["triage", id, "--state", "affected", "--response", "update"]).await);
    let now = client.finding(id).await.expect("finding");
    let t = now.triage.as_ref().expect("triaged");
    assert_eq!(
        (t.state, t.justification, t.response),
        (TriageState::Affected, None, Some(TriageResponse::Update))
    );
    assert_eq!(t.note.as_deref(), Some("only the CLI imports it"));

    // Someone triages between cairn's read and its write: reported, not overwritten.
    let proxy = Proxy::start(&admin_base(admin), client.clone(), id.to_owned()).await;
    let racing = Home::new(&proxy, &admin_key(admin));
    let out = racing.run(&["triage", id, "--state", "fixed"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("changed by someone else"), "{stderr}");
    assert!(stderr.contains("state in_triage") && stderr.contains("the other person's note"), "{stderr}");
    let after = client.finding(id).await.expect("finding");
    assert_eq!(after.triage.as_ref().map(|t| t.state), Some(TriageState::InTriage), "not overwritten");
    let out = ok(racing.run(&["triage", id, "--state", "fixed"]).await);
    assert!(stdout(&out).contains("state fixed"), "run again, it saves: {}", text(&out));
}

/// `cairn triage --rule` makes a rule from flask-app's finding for another project, which its
/// first scan then carries ("by rule" in `findings ls`); `cairn vex import` reports the statements
/// a real document (engine/tests/fixtures/vex) sets nothing with, and refuses a missing file.
async fn rules_and_vex(admin: &Home, client: &Client, done: &Scan, repo: &Path) {
    let out = ok(admin.run(&["findings", "ls", "--scan", &done.id.to_string(), "--json"]).await);
    let all: Vec<Finding> = serde_json::from_slice(&out.stdout).expect("JSON");
    let f = &all[0];
    ok(admin.run(&["projects", "create", "flask-copy"]).await);
    let out = ok(admin
        .run(&["triage", &f.finding.id, "--state", "in_triage", "--rule", "--project", "flask-copy"])
        .await);
    let line = stdout(&out);
    let package = f.finding.purl.split_once('@').map_or(f.finding.purl.as_str(), |(p, _)| p);
    assert!(
        line.starts_with("rule ")
            && line.contains(&format!(
                "{} {package} in 1 project(s) -> in_triage; triaged 0 finding(s) now",
                f.finding.vulnerability_id
            )),
        "flask-copy has no scan yet: {}",
        text(&out)
    );
    ok(admin.run(&["scan", repo.to_str().expect("utf8"), "--project", "flask-copy", "--wait", "-q"]).await);
    let out = ok(admin.run(&["findings", "ls", "--project", "flask-copy"]).await);
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.contains(&f.finding.vulnerability_id) && l.contains(&f.finding.purl))
        .expect("the same finding in flask-copy");
    assert!(row.contains("in_triage") && row.contains("by rule "), "{table}");
    let rules: Vec<_> =
        client.triage_rules_page(&cairn_sdk::ListQuery::limit(10)).await.expect("rules").items;
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (rules[0].vulnerability.as_str(), rules[0].purl.as_str()),
        (f.finding.vulnerability_id.as_str(), package)
    );

    let doc =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/vex/vexctl-demo.openvex.json");
    let out = ok(admin.run(&["vex", "import", doc.to_str().expect("utf8"), "--project", "flask-app"]).await);
    let said = stdout(&out);
    assert!(said.contains("(openvex): 1 statement(s); 0 finding(s) triaged"), "{said}");
    assert!(
        said.contains("unmatched statements[0] CVE-2014-123456")
            && said.contains("no finding of the project's latest scan matches"),
        "{said}"
    );
    let out = admin.run(&["vex", "import", "/no/such/file.json", "--project", "flask-app"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// Issue 19's commands: `cairn policy push` (a new policy, then a new revision; a bad document
/// names the rule and the field, exit 2), `policy assign`, `policy ls`; `cairn scan --policy
/// assigned` failing on the daemon's gate (exit 1, the violation printed); `approvals request`,
/// `ls --state pending`, `approve`; the next scan passing with the violation waived; `assign
/// --clear`.
async fn governance(admin: &Home, client: &Client, project: &Project, repo: &Path) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("release.toml");
    let doc = |message: &str| {
        format!(
            "format = \"cairn-policy/1\"\nid = \"release-gate\"\n\n[[rules]]\nid = \"no-werkzeug\"\naction = \"fail\"\nmessage = \"{message}\"\ninventory = {{ deny = [\"pkg:pypi/werkzeug\"] }}\n"
        )
    };
    let path = file.to_str().expect("utf8");
    std::fs::write(&file, doc("werkzeug is out")).expect("write");
    let out = ok(admin.run(&["policy", "push", path]).await);
    assert!(stdout(&out).starts_with("release-gate: revision 1 stored"), "{}", text(&out));
    std::fs::write(&file, doc("werkzeug is out of releases")).expect("write");
    let out = ok(admin.run(&["policy", "push", path]).await);
    assert!(stdout(&out).starts_with("release-gate: revision 2 stored"), "{}", text(&out));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, doc("m").replace("pkg:pypi/werkzeug", "werkzeug")).expect("write");
    let out = admin.run(&["policy", "push", bad.to_str().expect("utf8")]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("rule \"no-werkzeug\"") && said.contains("inventory.deny"), "{said}");
    let out = ok(admin.run(&["policy", "assign", "flask-app", "release-gate"]).await);
    assert!(stdout(&out).contains("release-gate revision 2 (the project's own)"), "{}", text(&out));
    let out = ok(admin.run(&["policy", "ls"]).await);
    assert!(stdout(&out).contains("release-gate  revision 2"), "{}", text(&out));

    let dir_arg = repo.to_str().expect("utf8");
    let out = admin.run(&["scan", dir_arg, "--project", "flask-app", "--policy", "assigned", "-q"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("policy release-gate revision 2: FAILED"), "{said}");
    assert!(said.contains("fail no-werkzeug: pkg:pypi/werkzeug@"), "{said}");
    let gate = client.project_gate_result(project.id).await.expect("gate");
    let subject = serde_json::to_string(&gate.violations[0].subject).expect("json");
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let out = ok(admin
        .run(&[
            "approvals",
            "request",
            "--project",
            "flask-app",
            "--rule",
            "no-werkzeug",
            "--subject",
            &subject,
            "--reason",
            "werkzeug leaves in 2.0",
            "--expires",
            &expires,
        ])
        .await);
    let line = stdout(&out);
    let id = line.split_whitespace().next().expect("id").to_owned();
    assert!(line.contains(" pending ") && line.contains("werkzeug leaves in 2.0"), "{line}");
    let out = ok(admin.run(&["approvals", "ls", "--state", "pending"]).await);
    assert!(stdout(&out).contains(&id), "{}", text(&out));
    let out = ok(admin.run(&["approvals", "approve", &id, "--note", "until 2.0"]).await);
    assert!(stdout(&out).contains(" approved "), "{}", text(&out));
    // Decided already: the daemon's 409, exit 3.
    let out = admin.run(&["approvals", "approve", &id]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let out = ok(admin.run(&["scan", dir_arg, "--project", "flask-app", "--policy", "assigned"]).await);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("policy release-gate revision 2: passed") && said.contains("1 waived"), "{said}");
    assert!(said.contains("waived no-werkzeug: pkg:pypi/werkzeug@") && said.contains(&id), "{said}");
    let out = ok(admin.run(&["policy", "assign", "flask-app", "--clear"]).await);
    assert!(!stdout(&out).contains("the project's own"), "{}", text(&out));
}

/// `cairn scan --fail-on` counts open findings only: with every high and critical finding of the
/// project settled by triage (which carries over to a new scan of the project), a re-scan passes
/// `--fail-on high` although its counts hold high findings.
async fn fail_on_counts_open_findings(admin: &Home, repo: &Path, project: &Project, done: &Scan) {
    let s = &done.counts.severities;
    assert!(s.high + s.critical > 0, "the scan has high findings: {s:?}");
    let dir = repo.to_str().expect("utf8");
    let id = project.id.to_string();
    let out = admin.run(&["scan", dir, "--project", &id, "--fail-on", "high", "-q"]).await;
    let open_high = {
        let out = ok(admin.run(&["findings", "ls", "--project", "flask-app", "--json"]).await);
        let all: Vec<Finding> = serde_json::from_slice(&out.stdout).expect("JSON");
        all.into_iter()
            .filter(|f| matches!(f.finding.severity.as_str(), "high" | "critical"))
            .filter(|f| f.triage.as_ref().is_none_or(|t| t.state != TriageState::Fixed))
            .map(|f| f.finding.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(out.status.code(), Some(if open_high.is_empty() { 0 } else { 1 }), "{}", text(&out));
    for f in &open_high {
        ok(admin.run(&["triage", f, "--state", "false_positive", "--note", "not this werkzeug"]).await);
    }
    let out = admin.run(&["scan", dir, "--project", &id, "--fail-on", "high"]).await;
    assert_eq!(out.status.code(), Some(0), "every high finding is settled: {}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("high {}", s.high)), "the counts still show them: {stderr}");
}

/// The server and key a home's profile uses.
fn admin_base(home: &Home) -> String {
    let config = std::fs::read_to_string(home.path().join("config/cairn/config.toml")).expect("config");
    let line = config.lines().find(|l| l.starts_with("server = ")).expect("server line");
    line.trim_start_matches("server = ").trim_matches('"').to_owned()
}

fn admin_key(home: &Home) -> String {
    let creds: serde_json::Value = serde_json::from_slice(
        &std::fs::read(home.path().join("data/cairn/credentials.json")).expect("creds"),
    )
    .expect("json");
    creds.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).expect("a key").to_owned()
}

/// A reverse proxy in front of the daemon that, on the first PATCH, first triages the finding
/// itself (as another person would between `cairn`'s read and write), then forwards.
#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    interfere: Arc<Mutex<Option<(Client, String)>>>,
}

impl Proxy {
    async fn start(upstream: &str, client: Client, finding: String) -> String {
        let proxy = Proxy {
            upstream: upstream.to_owned(),
            http: reqwest::Client::new(),
            interfere: Arc::new(Mutex::new(Some((client, finding)))),
        };
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }
}

async fn forward(
    axum::extract::State(p): axum::extract::State<Proxy>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 24).await.expect("request body");
    if parts.method == axum::http::Method::PATCH {
        let job = p.interfere.lock().expect("lock").take();
        if let Some((client, id)) = job {
            // On a runtime of its own: the SDK's futures are not Send, an axum handler's must be.
            tokio::task::spawn_blocking(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    let current = client.finding(&id).await.expect("the other person reads");
                    let change = TriageUpdate {
                        state: Some(TriageState::InTriage),
                        note: Some(Some("the other person's note".into())),
                        ..TriageUpdate::default()
                    };
                    client
                        .triage_finding(&id, current.etag_version(), &change)
                        .await
                        .expect("the other person saves");
                })
            })
            .await
            .expect("the other person's thread");
        }
    }
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut r = p.http.request(parts.method.clone(), format!("{}{path}", p.upstream)).body(bytes);
    for (k, v) in &parts.headers {
        if k != axum::http::header::HOST {
            r = r.header(k, v);
        }
    }
    let resp = r.send().await.expect("upstream");
    let mut out = axum::response::Response::builder().status(resp.status());
    for (k, v) in resp.headers() {
        out = out.header(k, v);
    }
    let body = resp.bytes().await.expect("upstream body");
    out.body(axum::body::Body::from(body)).expect("response")
}

#[tokio::test]
async fn completions_and_usage_errors() {
    // No daemon is needed (nor started) for any of these.
    let home = Home::new("http://127.0.0.1:9", "crn_unused");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ok(home.run(&["completions", shell]).await);
        assert!(stdout(&out).contains("cairn") && stdout(&out).contains("export"), "{shell}: {}", text(&out));
    }
    let bash = stdout(&ok(home.run(&["completions", "bash"]).await));
    assert!(bash.contains("complete -F _cairn"), "{bash}");
    for args in [
        &["projects", "ls", "--bogus"][..],
        &["completions", "tcsh"],
        &["scans", "ls", "--status", "sleeping"],
        &["findings", "ls", "--state", "maybe"],
        &["export", "latest", "-f", "cyclonedx", "-o", "-"],
        &["export", "not-a-scan-id", "-f", "cyclonedx", "-o", "-"],
        &["export", "latest", "--project", "p", "-f", "docx", "-o", "-"],
        &["triage", "f1", "--state", "affected", "--justification", "component_not_present"],
        &["triage", "f1"],
        &["db"],
    ] {
        let out = home.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    let out =
        home.run(&["triage", "f1", "--state", "fixed", "--justification", "component_not_present"]).await;
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not go with --state fixed"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn covered_commands_and_admin_sdk_on_sqlite() {
    covered_commands_and_admin_sdk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn covered_commands_and_admin_sdk_on_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").map_or(true, |s| s.is_empty()) {
        eprintln!("CAIRN_TEST_POSTGRES_URL is not set: the Postgres variant did not run");
        return;
    }
    covered_commands_and_admin_sdk(true).await;
}

/// Issue 15, "the CLI covers what people script": `status --json`, `keys`, `versions`, `scans
/// cancel`, `admin users|teams|audit` (a super admin, a member and a super admin's key without
/// the `admin` scope), every list's `--json` matching its table; then every `admin_*` SDK method.
/// No worker runs, so a scan stays queued until it is cancelled.
async fn covered_commands_and_admin_sdk(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 0, vulndb: false };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let admin = Home::new(&daemon.base, &daemon.admin_key);
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    let me = client.me().await.expect("me").user;

    // status --json: one object, what was asked and what was answered.
    let out = ok(admin.run(&["status", "--json"]).await);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(status["mode"], "profile", "{status}");
    assert_eq!(status["server"], daemon.base.as_str(), "{status}");
    assert_eq!(status["daemon"]["status"], "ok", "{status}");
    assert_eq!(status["user"]["email"], me.email.as_str(), "{status}");
    assert_eq!(status["vulndb"]["state"], "none", "{status}");
    assert!(status["vulndb_error"].is_null(), "{status}");
    let out = ok(admin.run(&["status"]).await);
    assert!(stdout(&out).contains(&format!("user: {}", me.email)), "{}", text(&out));

    keys(&daemon, &admin).await;
    versions(&admin, &client).await;
    evidence(&admin).await;
    scans_cancel(&admin, &client, root.path()).await;
    admin_commands(&daemon, &admin, &client).await;
    admin_sdk(&daemon, &client, &me).await;

    daemon.shutdown().await;
}

/// The rows of a table (header skipped), split on runs of two spaces or more.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .skip(1)
        .map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .collect()
}

async fn keys(daemon: &Daemon, admin: &Home) {
    use cairn_sdk::types::ApiKey;
    // The secret alone on stdout, once, and said so.
    let out = ok(admin
        .run(&["keys", "create", "ci", "--scope", "project:read", "--scope", "scan:read", "--expires", "30d"])
        .await);
    let secret = stdout(&out).trim().to_owned();
    assert!(secret.starts_with("crn_live_") && !secret.contains('\n'), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("will not be shown again"), "{}", text(&out));
    // The key works.
    let ci = Home::new(&daemon.base, &secret);
    ok(ci.run(&["projects", "ls"]).await);

    // ls never shows it; the table and the JSON list the same keys.
    let table = stdout(&ok(admin.run(&["keys", "ls"]).await));
    let out = ok(admin.run(&["keys", "ls", "--json"]).await);
    assert!(!table.contains(&secret) && !stdout(&out).contains(&secret), "the secret is never listed");
    let listed: Vec<ApiKey> = serde_json::from_slice(&out.stdout).expect("ApiKey JSON array");
    let key = listed.iter().find(|k| k.name == "ci").expect("the new key");
    assert_eq!(key.scopes, [Scope::ProjectRead, Scope::ScanRead]);
    let expires = key.expires_at.expect("an expiry");
    let in_30d = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    assert!((in_30d - expires).abs() < time::Duration::minutes(5), "{expires}");
    let rows = rows(&table);
    assert_eq!(
        rows.iter().map(|r| (r[0].clone(), r.last().cloned().unwrap_or_default())).collect::<Vec<_>>(),
        listed.iter().map(|k| (k.name.clone(), k.id.to_string())).collect::<Vec<_>>(),
        "{table}"
    );
    assert!(table.contains("project:read,scan:read"), "{table}");

    // Bad scopes and times are usage errors.
    for args in [
        &["keys", "create", "x", "--scope", "root"][..],
        &["keys", "create", "x"],
        &["keys", "create", "x", "--scope", "scan:read", "--expires", "soon"],
    ] {
        let out = admin.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }

    // Revoke by name: the key stops working; a second time there is none by that name.
    let out = ok(admin.run(&["keys", "revoke", "ci"]).await);
    assert!(stdout(&out).contains(&key.id.to_string()), "{}", text(&out));
    let out = ci.run(&["projects", "ls"]).await;
    assert_eq!(out.status.code(), Some(3), "a revoked key: {}", text(&out));
    let out = admin.run(&["keys", "revoke", "ci"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API key named \"ci\""), "{}", text(&out));
    // By id.
    let out = ok(admin.run(&["keys", "create", "other", "--scope", "bom:read", "--json"]).await);
    let created: cairn_sdk::types::CreatedApiKey =
        serde_json::from_slice(&out.stdout).expect("CreatedApiKey");
    ok(admin.run(&["keys", "revoke", &created.key.id.to_string()]).await);
    let out = ok(admin.run(&["keys", "ls", "--json"]).await);
    let listed: Vec<ApiKey> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(listed.iter().all(|k| k.name != "ci" && k.name != "other"), "{listed:?}");
}

async fn versions(admin: &Home, client: &Client) {
    use cairn_sdk::types::{ReleaseState, Version};
    ok(admin.run(&["projects", "create", "app"]).await);
    let out = ok(admin.run(&["versions", "create", "1.0.0", "--project", "app"]).await);
    let id = stdout(&out).trim().to_owned();
    ok(admin
        .run(&["versions", "create", "1.1.0", "--project", "app", "--support-until", "2030-01-01"])
        .await);
    let out = admin.run(&["versions", "create", "1.0.0", "--project", "app"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already"), "{}", text(&out));

    let table = stdout(&ok(admin.run(&["versions", "ls", "--project", "app"]).await));
    let out = ok(admin.run(&["versions", "ls", "--project", "app", "--json"]).await);
    let listed: Vec<Version> = serde_json::from_slice(&out.stdout).expect("Version JSON array");
    assert_eq!(
        listed.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["1.1.0", "1.0.0"],
        "newest first"
    );
    assert!(listed.iter().all(|v| v.release_state == ReleaseState::Draft));
    assert_eq!(listed[1].id.to_string(), id);
    let rows = rows(&table);
    assert_eq!(
        rows.iter()
            .map(|r| (r[0].clone(), r[1].clone(), r.last().cloned().unwrap_or_default()))
            .collect::<Vec<_>>(),
        listed.iter().map(|v| (v.name.clone(), "draft".to_owned(), v.id.to_string())).collect::<Vec<_>>(),
        "{table}"
    );
    assert!(rows[0].contains(&"2030-01-01 00:00:00".to_owned()), "{table}");

    // Release by name, then end of life by id; backwards is the daemon's 409, said.
    let out = ok(admin.run(&["versions", "release", "1.0.0", "--project", "app"]).await);
    assert_eq!(stdout(&out).trim(), "1.0.0 is released", "{}", text(&out));
    let v = client.version(id.parse().expect("an id")).await.expect("version");
    assert_eq!(v.release_state, ReleaseState::Released);
    assert!(v.released_at.is_some(), "{v:?}");
    let out = ok(admin.run(&["versions", "release", &id, "--state", "end_of_life", "--json"]).await);
    let v: Version = serde_json::from_slice(&out.stdout).expect("Version JSON");
    assert_eq!(v.release_state, ReleaseState::EndOfLife);
    let out = admin.run(&["versions", "release", &id]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("moving 1.0.0 from end_of_life to released"),
        "{}",
        text(&out)
    );
    for args in [
        &["versions", "release", "1.0.0"][..],
        &["versions", "release", "1.1.0", "--project", "app", "--state", "draft"],
        &["versions", "ls"],
    ] {
        let out = admin.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
    let out = admin.run(&["versions", "release", "9.9", "--project", "app"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no version named \"9.9\""), "{}", text(&out));
}

/// `cra-status` and the evidence exports of a version `versions` made (no scan of it): the
/// checklist's items with exit 1 (one is not met), its JSON, and the exports' refusal said.
async fn evidence(admin: &Home) {
    use cairn_sdk::types::{CraItemStatus, CraRequirement, CraStatus};
    let out = admin.run(&["cra-status", "1.1.0", "--project", "app"]).await;
    assert_eq!(out.status.code(), Some(1), "an item not met: {}", text(&out));
    let table = stdout(&out);
    // Without a scan the SBOM is missing (not met) and the findings are not known (not evaluated).
    assert!(table.starts_with("app 1.1.0: 1 met, 2 not met, 2 not evaluated, 1 not applicable"), "{table}");
    assert!(table.contains("support_period") && table.contains("the version is supported until"), "{table}");
    let out = admin.run(&["cra-status", "1.1.0", "--project", "app", "--json"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let status: CraStatus = serde_json::from_slice(&out.stdout).expect("CraStatus JSON");
    let of = |r: CraRequirement| status.items.iter().find(|i| i.requirement == r).map(|i| i.status);
    assert_eq!(of(CraRequirement::SupportPeriod), Some(CraItemStatus::Met));
    assert_eq!(of(CraRequirement::Sbom), Some(CraItemStatus::NotMet));
    assert_eq!(of(CraRequirement::KnownExploitedTriaged), Some(CraItemStatus::NotEvaluated));
    assert_eq!(of(CraRequirement::ReleaseImmutable), Some(CraItemStatus::NotApplicable));
    let dir = tempfile::tempdir().expect("dir");
    for flag in ["--technical-file", "--compliance-report"] {
        let file = dir.path().join("out.zip");
        let out = admin
            .run(&["export", flag, "1.1.0", "--project", "app", "-o", file.to_str().expect("utf8")])
            .await;
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("has no completed scan yet"), "{}", text(&out));
        assert!(!file.exists(), "nothing written");
    }
    let out = admin.run(&["export", "--technical-file", "1.1.0", "-f", "cyclonedx", "-o", "x"]).await;
    assert_eq!(out.status.code(), Some(2), "a scan's format with a technical file: {}", text(&out));

    // Controls of one framework, as the API's objects and as a table; informational (exit 0).
    use cairn_sdk::types::{Control, ControlStatus, FrameworkId};
    let out = admin.run(&["controls", "--framework", "nist_ssdf", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let controls: Vec<Control> = serde_json::from_slice(&out.stdout).expect("Control JSON");
    assert!(!controls.is_empty() && controls.iter().all(|c| c.framework == FrameworkId::NistSsdf));
    let pw72 = controls.iter().find(|c| c.id == "PW.7.2").expect("PW.7.2");
    assert_eq!((pw72.status, pw72.evidence.len()), (ControlStatus::NotAssessed, 0));
    let out = admin.run(&["controls", "--framework", "nist_ssdf"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = stdout(&out);
    assert!(table.starts_with("NIST Secure Software Development Framework"), "{table}");
    assert!(table.contains("PW.7.2") && table.contains("not_assessed"), "{table}");
    let out = admin.run(&["controls", "--framework", "pci_dss"]).await;
    assert_eq!(out.status.code(), Some(2), "an unknown framework: {}", text(&out));
}

async fn scans_cancel(admin: &Home, client: &Client, root: &Path) {
    let dir = root.join("queued");
    copy_dir(&corpus("pip/pallets__flask"), &dir);
    let scan = client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: dir.to_str().expect("utf8").into() },
            project: None,
            version: None,
            crypto: false,
        })
        .await
        .expect("scan");
    assert_eq!(scan.status, ScanStatus::Queued);
    let id = scan.id.to_string();
    let out = ok(admin.run(&["scans", "cancel", &id]).await);
    assert_eq!(stdout(&out).trim(), format!("scan {id} cancelled"), "{}", text(&out));
    assert_eq!(client.scan(scan.id).await.expect("scan").status, ScanStatus::Cancelled);
    // Once ended: exit 3 and why; --json still prints the scan.
    let out = admin.run(&["scans", "cancel", &id, "--json"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let again: Scan = serde_json::from_slice(&out.stdout).expect("Scan JSON");
    assert_eq!(again.status, ScanStatus::Cancelled);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("scan {id} already ended cancelled")),
        "{}",
        text(&out)
    );
    let out = admin.run(&["scans", "cancel", "not-an-id"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

async fn admin_commands(daemon: &Daemon, admin: &Home, client: &Client) {
    use cairn_sdk::types::{AuditEntry, CreateTeam, Team, UserAdmin};
    // A member of another tenant.
    let member = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &member,
            &RegisterRequest {
                email: "member@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: Some("A Member".into()),
                tenant_name: Some("members".into()),
                invite_token: None,
            },
        )
        .await;

    let table = stdout(&ok(admin.run(&["admin", "users"]).await));
    let out = ok(admin.run(&["admin", "users", "--json"]).await);
    let users: Vec<UserAdmin> = serde_json::from_slice(&out.stdout).expect("UserAdmin JSON array");
    assert!(
        users.iter().any(|u| u.email == "member@example.test" && !u.super_admin && u.active),
        "{users:?}"
    );
    assert!(users.iter().any(|u| u.super_admin), "{users:?}");
    assert_eq!(
        rows(&table)
            .iter()
            .map(|r| (r[0].clone(), r.last().cloned().unwrap_or_default()))
            .collect::<Vec<_>>(),
        users.iter().map(|u| (u.email.clone(), u.id.to_string())).collect::<Vec<_>>(),
        "{table}"
    );

    client.admin_create_team(&CreateTeam { name: "platform".into() }).await.expect("team");
    let table = stdout(&ok(admin.run(&["admin", "teams"]).await));
    let out = ok(admin.run(&["admin", "teams", "--json"]).await);
    let teams: Vec<Team> = serde_json::from_slice(&out.stdout).expect("Team JSON array");
    assert_eq!(
        teams.iter().map(|t| (t.name.as_str(), t.member_count)).collect::<Vec<_>>(),
        [("platform", 0)]
    );
    assert_eq!(
        rows(&table),
        [vec![
            "platform".to_owned(),
            "0".to_owned(),
            scan_date(teams[0].created_at),
            teams[0].id.to_string()
        ]]
    );

    // The audit log, newest first; --action, --since and --limit.
    let out = ok(admin.run(&["admin", "audit", "--limit", "0", "--json"]).await);
    let all: Vec<AuditEntry> = serde_json::from_slice(&out.stdout).expect("AuditEntry JSON array");
    for action in ["api_key.create", "api_key.revoke", "version.release_state", "scan.cancel", "team.create"]
    {
        assert!(all.iter().any(|e| e.action == action), "{action} audited: {all:?}");
    }
    assert!(all.windows(2).all(|w| w[0].created_at >= w[1].created_at), "newest first");
    let table = stdout(&ok(admin.run(&["admin", "audit", "--limit", "0"]).await));
    assert_eq!(
        rows(&table).iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        all.iter().map(|e| e.seq.to_string()).collect::<Vec<_>>(),
        "{table}"
    );
    let out = ok(admin.run(&["admin", "audit", "--action", "api_key.revoke", "--json"]).await);
    let revokes: Vec<AuditEntry> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(revokes.len(), 2, "{revokes:?}");
    assert!(revokes.iter().all(|e| e.action == "api_key.revoke"));
    let out = ok(admin.run(&["admin", "audit", "--limit", "2", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<AuditEntry>>(&out.stdout).expect("JSON"), all[..2]);
    let out = ok(admin.run(&["admin", "audit", "--since", "2h", "--limit", "0", "--json"]).await);
    assert_eq!(serde_json::from_slice::<Vec<AuditEntry>>(&out.stdout).expect("JSON"), all);
    let out = ok(admin.run(&["admin", "audit", "--since", "2099-01-01", "--json"]).await);
    assert_eq!(
        serde_json::from_slice::<Vec<AuditEntry>>(&out.stdout).expect("JSON"),
        Vec::<AuditEntry>::new()
    );

    // A member (the daemon hides /admin: 404) and a super admin's key without the admin scope
    // (403): both told plainly, nothing on stdout.
    let key = member
        .create_api_key(&CreateApiKey {
            name: "cli".into(),
            scopes: vec![Scope::ProjectRead, Scope::ScanRead],
            expires_at: None,
            environment: ApiKeyEnvironment::Live,
        })
        .await
        .expect("api key")
        .secret;
    let member_home = Home::new(&daemon.base, &key);
    let out = ok(admin.run(&["keys", "create", "narrow", "--scope", "project:read"]).await);
    let narrow = Home::new(&daemon.base, stdout(&out).trim());
    for home in [&member_home, &narrow] {
        for args in [&["admin", "users"][..], &["admin", "teams", "--json"], &["admin", "audit"]] {
            let out = home.run(args).await;
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out));
            assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("needs a super-admin account"),
                "{args:?}: {}",
                text(&out)
            );
        }
    }
}

fn scan_date(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.to_offset(time::UtcOffset::UTC).format(&f).expect("format")
}

/// Every `admin_*` SDK method against the daemon.
async fn admin_sdk(daemon: &Daemon, client: &Client, me: &cairn_sdk::types::User) {
    use cairn_sdk::ListQuery;
    use cairn_sdk::types::{AddTeamMember, CreateTeam, UpdateTeam, UpdateUserRole, VulnDbUpdate};
    use futures_util::TryStreamExt;

    // Users.
    let users: Vec<_> = client.admin_users(ListQuery::limit(1)).try_collect().await.expect("users");
    let page = client.admin_users_page(&ListQuery::limit(1)).await.expect("a page");
    assert_eq!((page.items.len(), page.total), (1, users.len() as i64), "streamed a page at a time");
    let member = users.iter().find(|u| u.email == "member@example.test").expect("the member").clone();
    assert_eq!(client.admin_user(member.id).await.expect("user"), member);
    assert!(!client.admin_deactivate(member.id).await.expect("deactivate").active);
    let e = client.admin_user_password_reset(member.id).await.expect_err("deactivated");
    assert_eq!(e.status(), Some(409), "{e}");
    assert!(client.admin_activate(member.id).await.expect("activate").active);
    let e = client.admin_deactivate(me.id).await.expect_err("not yourself");
    assert_eq!(e.status(), Some(409), "{e}");
    assert!(
        client
            .admin_user_role(member.id, &UpdateUserRole { super_admin: true })
            .await
            .expect("role")
            .super_admin
    );
    assert!(
        !client
            .admin_user_role(member.id, &UpdateUserRole { super_admin: false })
            .await
            .expect("role")
            .super_admin
    );
    let issued = client.admin_user_password_reset(member.id).await.expect("reset");
    assert_eq!(issued.email, "member@example.test");
    let mails: Vec<_> = client.admin_outbox(ListQuery::default()).try_collect().await.expect("outbox");
    assert!(mails.iter().any(|m| m.recipient == "member@example.test"), "{mails:?}");
    let page = client.admin_outbox_page(&ListQuery::limit(1)).await.expect("outbox page");
    assert_eq!(page.total, mails.len() as i64);

    // Teams: create, read, rename (a stale version is a 412), members, delete.
    let team = client.admin_create_team(&CreateTeam { name: "sdk".into() }).await.expect("team");
    assert_eq!(client.admin_team(team.id).await.expect("team"), team);
    let renamed = client
        .admin_update_team(team.id, team.version, &UpdateTeam { name: "sdk-2".into() })
        .await
        .expect("rename");
    assert_eq!(renamed.name, "sdk-2");
    let e = client
        .admin_update_team(team.id, team.version, &UpdateTeam { name: "x".into() })
        .await
        .expect_err("stale");
    assert_eq!(e.status(), Some(412), "{e}");
    let added = client.admin_add_member(team.id, &AddTeamMember { user_id: me.id }).await.expect("add");
    assert_eq!(added.user_id, me.id);
    let e = client
        .admin_add_member(team.id, &AddTeamMember { user_id: member.id })
        .await
        .expect_err("other tenant");
    assert_eq!(e.status(), Some(409), "{e}");
    assert_eq!(client.admin_team(team.id).await.expect("team").member_count, 1);
    client.admin_remove_member(team.id, me.id).await.expect("remove");
    let page = client.admin_teams_page(&ListQuery::limit(10)).await.expect("teams page");
    let streamed: Vec<_> = client.admin_teams(ListQuery::limit(1)).try_collect().await.expect("teams");
    assert_eq!(page.items, streamed);
    let current = client.admin_team(team.id).await.expect("team");
    client.admin_delete_team(team.id, current.version).await.expect("delete");
    assert!(client.admin_team(team.id).await.expect_err("gone").is_not_found());

    // Audit: list, CSV export, verification.
    let entries: Vec<_> =
        client.admin_audit(ListQuery::limit(5).sort("-created_at")).try_collect().await.expect("audit");
    assert!(entries.iter().any(|e| e.action == "team.delete"), "{entries:?}");
    let page = client.admin_audit_page(&ListQuery::limit(5)).await.expect("audit page");
    assert_eq!(page.total, entries.len() as i64);
    let csv = String::from_utf8(client.admin_audit_export().await.expect("export")).expect("utf8");
    assert!(csv.starts_with("seq,id,created_at,"), "{csv}");
    assert_eq!(csv.lines().count(), entries.len() + 1, "a header and a row per entry");
    let verified = client.admin_audit_verify().await.expect("verify");
    assert!(verified.ok && verified.checked == entries.len() as i64, "{verified:?}");

    // Every tenant's scans; cancelling an ended one returns it unchanged.
    let scans: Vec<_> = client.admin_scans(ListQuery::limit(10)).try_collect().await.expect("scans");
    assert_eq!(scans.len(), 1, "{scans:?}");
    let page =
        client.admin_scans_page(&ListQuery::limit(10).filter("status", "cancelled")).await.expect("page");
    assert_eq!(page.items, scans);
    let same = client.admin_scans_cancel(scans[0].id).await.expect("cancel");
    assert_eq!((same.status, same.version), (ScanStatus::Cancelled, scans[0].version));
    let e =
        client.admin_scans_page(&ListQuery::limit(10).filter("source", "ftp")).await.expect_err("bad filter");
    assert_eq!(e.status(), Some(400), "{e}");

    // Vulnerability data: import as a name, update with a bad ecosystem (the field error), remove.
    let zip = std::fs::read(fixture("osv-werkzeug.zip")).expect("zip");
    let change = client.admin_vulndb_import(Some("werkzeug"), zip).await.expect("import");
    assert_eq!((change.changed.as_slice(), change.status.advisories), (&["werkzeug".to_owned()][..], 7));
    let e = client
        .admin_vulndb_update(Some(&VulnDbUpdate { ecosystems: Some(vec!["NoSuchEcosystem".into()]) }))
        .await
        .expect_err("not configured");
    assert_eq!(e.status(), Some(400), "{e}");
    let change = client.admin_vulndb_remove("werkzeug").await.expect("remove");
    assert_eq!((change.removed.as_slice(), change.status.advisories), (&["werkzeug".to_owned()][..], 0));

    // Someone who is not a super admin does not see /admin at all.
    let outsider = Client::anonymous(&daemon.base).expect("client");
    outsider.login("member@example.test", "correct horse battery staple").await.expect("login");
    let e = outsider.admin_users_page(&ListQuery::default()).await.expect_err("hidden");
    assert!(e.is_not_found() && e.code() == Some("ROUTE_NOT_FOUND"), "{e}");
}

/// A loopback webhook receiver answering 204; keeps each raw request.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then as many body bytes as Content-Length says.
                loop {
                    let Ok(n) = conn.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            kept.lock().expect("lock").push(text);
                            let _ = conn.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, got)
}

/// Issue 18: `cairn webhooks …` against a real daemon (private targets allowed, as in local
/// mode) and a receiver on loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_commands() {
    use cairn_sdk::types::{DeliveryState, Webhook, WebhookDelivery};
    let opts = Opts { postgres: false, path_roots: Vec::new(), workers: 0, vulndb: false };
    let daemon = Daemon::start_with(opts, |c| c.webhooks.allow_private_targets = true).await.expect("daemon");
    let admin = Home::new(&daemon.base, &daemon.admin_key);
    let (url, got) = webhook_receiver().await;

    // The secret alone on stdout, once, and said so.
    let out = ok(admin
        .run(&["webhooks", "add", &url, "--event", "scan.completed", "--event", "scan.failed"])
        .await);
    let secret = stdout(&out).trim().to_owned();
    assert!(secret.starts_with("whsec_") && !secret.contains('\n'), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("will not be shown again"), "{}", text(&out));
    let table = stdout(&ok(admin.run(&["webhooks", "ls"]).await));
    let out = ok(admin.run(&["webhooks", "ls", "--json"]).await);
    assert!(!table.contains(&secret) && !stdout(&out).contains(&secret), "the secret is never listed");
    let hooks: Vec<Webhook> = serde_json::from_slice(&out.stdout).expect("Webhook JSON array");
    assert_eq!(hooks.len(), 1);
    let id = hooks[0].id.to_string();
    assert!(table.contains("scan.completed,scan.failed") && table.contains(&id), "{table}");

    // A ping reaches the receiver, signed with that secret.
    let out = ok(admin.run(&["webhooks", "ping", &id]).await);
    let delivery = stdout(&out).trim().to_owned();
    let delivered = loop {
        let out = ok(admin.run(&["webhooks", "deliveries", &id, "--json"]).await);
        let list: Vec<WebhookDelivery> = serde_json::from_slice(&out.stdout).expect("deliveries");
        if list.first().is_some_and(|d| d.state == DeliveryState::Delivered) {
            break list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(delivered[0].id.to_string(), delivery);
    assert_eq!(delivered[0].attempts[0].status_code, Some(204));
    let request = got.lock().expect("lock")[0].clone();
    let (head, body) = request.split_once("\r\n\r\n").expect("request");
    let signature = head
        .lines()
        .find_map(|l| l.strip_prefix("cairn-signature: ").or_else(|| l.strip_prefix("Cairn-Signature: ")))
        .expect("signature header");
    assert_eq!(
        cairn_sdk::webhooks::verify(
            &secret,
            signature,
            body.as_bytes(),
            cairn_sdk::webhooks::DEFAULT_TOLERANCE
        ),
        Ok(())
    );
    let table = stdout(&ok(admin.run(&["webhooks", "deliveries", &id]).await));
    assert!(
        table.contains("webhook.ping") && table.contains("delivered") && table.contains("204"),
        "{table}"
    );
    ok(admin.run(&["webhooks", "redeliver", &id, &delivery]).await);

    // A new secret, shown once.
    let out = ok(admin.run(&["webhooks", "rotate-secret", &id]).await);
    let rotated = stdout(&out).trim().to_owned();
    assert!(rotated.starts_with("whsec_") && rotated != secret, "{}", text(&out));

    // Usage errors exit 2; a refused URL is the daemon's field error.
    let out = admin.run(&["webhooks", "add", &url, "--event", "scan.exploded"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = admin.run(&["webhooks", "add", "ftp://example.com/", "--event", "scan.completed"]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("body.url"), "{}", text(&out));

    ok(admin.run(&["webhooks", "rm", &id]).await);
    let out = ok(admin.run(&["webhooks", "ls", "--json"]).await);
    assert_eq!(stdout(&out).trim(), "[]");
    daemon.shutdown().await;
}
