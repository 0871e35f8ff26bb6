//! The script commands of `cairn` as a script runs them, against a real daemon (SQLite, and
//! Postgres when CAIRN_TEST_POSTGRES_URL is set): `db import` of an OSV zip and of a directory,
//! `db status`, a scan, `projects|scans ls` as tables and as JSON that parses into the API's
//! types, `export` writing a valid CycloneDX file (and to standard output), the errors a
//! non-admin and a not-completed scan get, `findings ls` and its filters, `triage` (the daemon's
//! field errors shown; a change someone made in between reported, not overwritten), completion
//! scripts and usage errors (exit 2).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use cairn_sdk::types::{
    ApiKeyEnvironment, CreateApiKey, CreateProject, CreateScan, Finding, Project, ProjectKind,
    RegisterRequest, Scan, ScanSource, ScanStatus, Scope, TriageResponse, TriageState, TriageUpdate,
    VulnDataState, VulnDbStatus,
};
use cairn_sdk::{Client, Credential, ScanWatcher};
use common::{Daemon, Opts, copy_dir, corpus, cyclonedx_errors};
use futures_util::StreamExt;

/// A user's machine whose default profile points at a server with an API key (in the 0600
/// fallback file, not a keyring).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(server: &str, key: &str) -> Self {
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

    async fn run(&self, args: &[&str]) -> Output {
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

fn text(out: &Output) -> String {
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
fn ok(out: Output) -> Output {
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
            source: ScanSource::Path { path: repo.to_str().expect("utf8").into() },
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
            source: ScanSource::Git { url: format!("file://{}", not_repo.display()), reference: None },
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

    findings_and_triage(&admin, &client, &done).await;
    fail_on_counts_open_findings(&admin, &repo, &project, &done).await;

    // A user who is not a super admin: status yes, import no (the daemon hides admin routes).
    let owner = Client::anonymous(&daemon.base).expect("client");
    owner
        .register(&RegisterRequest {
            email: "user@example.test".into(),
            password: "correct horse battery staple".into(),
            display_name: None,
            tenant_name: Some("users".into()),
            invite_token: None,
        })
        .await
        .expect("register");
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
