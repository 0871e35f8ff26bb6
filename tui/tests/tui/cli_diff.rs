//! `cairn diff`, `cairn where`, `cairn advisory` and `cairn licenses|obligations|notice`.
//! Offline: two dated versions of python-poetry's real poetry.lock (engine fixtures, from the shared corpus) compared as
//! lockfiles with a planted advisory, and as the CycloneDX documents `cairn scan --offline`
//! writes of them (the document path must count the same components); Markdown for a PR
//! comment. Through a daemon (SQLite, and Postgres when CAIRN_TEST_POSTGRES_URL is set): two scan
//! ids compared as the SDK says (the gate change printed), where a package is used with its file
//! and line, an advisory with its affected project, and the project's licenses, obligations and
//! NOTICE as the SDK reads them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::cli_scripts::{Home, ok, text};
use crate::common::{Daemon, Opts, copy_dir, corpus};
use cairn_sdk::types::{
    Comparison, ComponentUsage, CreateProject, CreateScan, ProjectKind, ScanComparison, ScanStatus,
    SubmitSource,
};
use cairn_sdk::{Client, Credential, ListQuery, ScanWatcher};
use futures_util::{StreamExt, TryStreamExt};

fn poetry(history: bool) -> PathBuf {
    let dir = corpus("poetry/python-poetry__poetry");
    if history { dir.join("history-5f51951f5f/poetry.lock") } else { dir.join("poetry.lock") }
}

fn cairn(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run cairn")
}

fn os<'a>(args: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    args.iter().map(std::ffi::OsStr::new).collect()
}

/// A planted advisory on requests, fixed by the newer lockfile's version.
fn planted(dir: &Path) -> PathBuf {
    let osv = dir.join("osv");
    std::fs::create_dir_all(&osv).expect("mkdir");
    let record = serde_json::json!({
        "schema_version": "1.7.0", "id": "PLANT-FIXED-1", "modified": "2026-01-01T00:00:00Z",
        "summary": "planted advisory for requests",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.30.0"}]}]}]
    });
    std::fs::write(osv.join("PLANT-FIXED-1.json"), record.to_string()).expect("write");
    osv
}

#[test]
fn diff_offline_of_lockfiles_and_of_their_sboms() {
    let dir = tempfile::tempdir().expect("dir");
    let osv = planted(dir.path());
    let (old, new) = (poetry(true), poetry(false));
    let (old_s, new_s, osv_s) =
        (old.display().to_string(), new.display().to_string(), osv.display().to_string());
    let out = ok(cairn(&os(&["diff", &old_s, &new_s, "-f", "json", "--vulndb", &osv_s])));
    let locks: Comparison = serde_json::from_slice(&out.stdout).expect("a Comparison");
    let f = locks.findings.as_ref().expect("matched");
    assert_eq!(f.fixed.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), ["PLANT-FIXED-1"]);
    assert!(f.new.is_empty());
    assert!(locks.summary.components_changed > 0);

    // The CycloneDX documents of the same lockfiles compare the same components; without
    // --vulndb their findings are not compared, and said so.
    let mut docs = Vec::new();
    for (lock, name) in [(&old, "old.cdx.json"), (&new, "new.cdx.json")] {
        let path = dir.path().join(name);
        let (l, p) = (lock.display().to_string(), path.display().to_string());
        ok(cairn(&os(&["scan", "--offline", &l, "-f", "cyclonedx", "-o", &p])));
        docs.push(p);
    }
    let out = ok(cairn(&os(&["diff", &docs[0], &docs[1], "-f", "json"])));
    let sboms: Comparison = serde_json::from_slice(&out.stdout).expect("a Comparison");
    assert_eq!(sboms.components, locks.components, "the SBOM path agrees with the lockfile path");
    assert!(sboms.findings.is_none());
    assert!(sboms.not_compared.iter().any(|n| n.reason.contains("vulnerabilities were not matched")));

    // Markdown for a PR comment, and the table for a terminal.
    let out = ok(cairn(&os(&["diff", &old_s, &new_s, "-f", "markdown", "--vulndb", &osv_s])));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("### Changes from "), "{md}");
    assert!(md.contains(&format!("#### Changed components ({})", locks.summary.components_changed)), "{md}");
    assert!(md.contains("| PLANT-FIXED-1 | unknown | requests | 2.25.1 | - | affected |"), "{md}");
    let out = ok(cairn(&os(&["diff", &old_s, &new_s])));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.lines().any(|l| l.starts_with("requests") && l.contains("2.25.1") && l.contains("upgrade")),
        "{table}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("findings were NOT compared"));

    // Bad input: a missing file, a file that is neither, one id and one path.
    let missing = cairn(&os(&["diff", &old_s, "/nonexistent/poetry.lock"]));
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing));
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello").expect("write");
    let out = cairn(&os(&["diff", &old_s, &junk.display().to_string()]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a lockfile"), "{}", text(&out));
    let out = cairn(&os(&["diff", "01a24f5a-3728-75fa-85c4-ce1635575286", &old_s]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

async fn scan(
    client: &Client,
    tree: &Path,
    project: cairn_sdk::types::ProjectId,
) -> cairn_sdk::types::ScanId {
    let s = client
        .create_scan(&CreateScan {
            source: SubmitSource::Path { path: tree.display().to_string() },
            project: Some(project),
            version: None,
            crypto: false,
        })
        .await
        .expect("scan");
    let mut watch = ScanWatcher::new(client, s.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    assert_eq!(client.scan(s.id).await.expect("scan").status, ScanStatus::Completed);
    s.id
}

async fn through_a_daemon(postgres: bool) {
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
    let home = Home::new(&daemon.base, &daemon.admin_key);
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
    let first = scan(&client, &before, project.id).await;
    let second = scan(&client, &after, project.id).await;

    let (a, b) = (first.to_string(), second.to_string());
    let out = ok(home.run(&["diff", &a, &b, "-f", "json"]).await);
    let got: ScanComparison = serde_json::from_slice(&out.stdout).expect("a ScanComparison");
    assert_eq!(got, client.comparison(first, second).await.expect("sdk"));
    let out = ok(home.run(&["diff", &a, &b]).await);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added components"), "{}", text(&out));
    // Both scans have a stored gate: compared, not "not compared".
    let gate = got.comparison.gate.as_ref().expect("the gates are compared");
    let word =
        |g: cairn_sdk::types::GateStatus| serde_json::to_value(g).expect("word").as_str().map(str::to_owned);
    let line =
        format!("gate: {} -> {}", word(gate.from_status).expect("w"), word(gate.to_status).expect("w"));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&line), "{line}: {}", text(&out));

    // The project's licenses, obligations and NOTICE, as the SDK reads them.
    let out = ok(home.run(&["licenses", "growing", "--json"]).await);
    let groups: Vec<cairn_sdk::types::ProjectLicense> = serde_json::from_slice(&out.stdout).expect("groups");
    let want = client
        .project_licenses(project.id, ListQuery::limit(200).filter("components_limit", "1000"))
        .try_collect::<Vec<_>>()
        .await
        .expect("sdk licenses");
    assert_eq!(groups, want);
    let undetermined: u64 =
        groups.iter().filter(|g| g.expression.is_none()).map(|g| g.components_total).sum();
    let out = ok(home.run(&["licenses", "growing"]).await);
    for g in &groups {
        let shown = match &g.expression {
            Some(e) => e.clone(),
            None => format!("not determined: {}", g.not_determined.as_deref().expect("a reason")),
        };
        let head: String = shown.chars().take(20).collect();
        assert!(String::from_utf8_lossy(&out.stdout).contains(&head), "{head}: {}", text(&out));
    }
    let out = ok(home.run(&["obligations", "growing"]).await);
    if undetermined > 0 {
        let said = format!("{undetermined} component(s) have no determined license");
        assert!(String::from_utf8_lossy(&out.stdout).contains(&said), "{said}: {}", text(&out));
    }
    let notice_file = root.path().join("NOTICE");
    ok(home.run(&["notice", "growing", "-o", &notice_file.display().to_string()]).await);
    let written = std::fs::read_to_string(&notice_file).expect("NOTICE written");
    assert_eq!(written, client.project_notice(project.id).await.expect("sdk notice"));
    assert!(written.starts_with("NOTICE for growing"), "{}", &written[..60.min(written.len())]);
    let out = home.run(&["notice", "no-such-project"]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    let out = ok(home.run(&["where", "Werkzeug", "--json"]).await);
    let used: Vec<ComponentUsage> = serde_json::from_slice(&out.stdout).expect("usages");
    assert_eq!(used.len(), 1);
    assert_eq!((used[0].project_name.as_str(), used[0].scan_id), ("growing", second));
    let loc = &used[0].locations[0];
    let out = ok(home.run(&["where", "werkzeug"]).await);
    let shown = format!("{}:{}", loc.path, loc.line.expect("line"));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&shown), "{shown}: {}", text(&out));
    let out = ok(home.run(&["where", "no-such-package"]).await);
    assert!(String::from_utf8_lossy(&out.stdout).contains("in no project"), "{}", text(&out));

    let finding = client
        .findings(ListQuery::limit(100))
        .try_collect::<Vec<_>>()
        .await
        .expect("findings")
        .into_iter()
        .find(|f| f.finding.purl.starts_with("pkg:pypi/"))
        .expect("a flask finding");
    let id = finding.finding.vulnerability_id.clone();
    let out = ok(home.run(&["advisory", &id]).await);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.starts_with(&format!("{id}: ")), "{shown}");
    assert!(
        shown.lines().any(|l| l.starts_with("growing")
            && l.contains(&finding.finding.purl)
            && l.contains("untriaged")),
        "{shown}"
    );
    let out = home.run(&["advisory", "CVE-1999-NOPE"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_where_and_advisory_through_a_daemon_on_sqlite() {
    through_a_daemon(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_where_and_advisory_through_a_daemon_on_postgres() {
    through_a_daemon(true).await;
}
