//! The issue's acceptance end to end: a git repository made in a temp dir from real corpus
//! lockfiles with known vulnerabilities, submitted by `file://` URL to a daemon whose vulnerability
//! data came from `cairnd vulndb import`, followed on the WebSocket to `completed`; every document
//! valid against its official schema; components and findings equal to the engine's in-process
//! result for the same checkout. Without the path root, or with a bad ref, the scan fails clearly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::scans::{FORMATS, all_items, check_events, copy_dir, get_json, unwrap_events};
use crate::schema::validate;
use crate::ws::{Frame, follow};

fn engine_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures")
}

/// The advisories `cairnd vulndb import` loads and the engine matches against.
fn osv() -> PathBuf {
    engine_fixtures().join("osv")
}

/// Runs git in `dir` with the user's and the system's configuration shut out.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=Cairn Test",
            "-c",
            "user.email=test@example.test",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

/// `root/repo`: a committed git repository holding a Cargo (cargo-audit findings), a PyPI and a Go
/// lockfile the fixture advisories hit. Returns the repository and its commit.
pub fn vulnerable_repo(root: &Path) -> (PathBuf, String) {
    let repo = root.join("repo");
    let corpus = engine_fixtures().join("corpus");
    copy_dir(&corpus.join("cargo/atuinsh__atuin"), &repo.join("atuin"));
    copy_dir(&corpus.join("pip/pallets__flask"), &repo.join("flask"));
    copy_dir(&corpus.join("go/prometheus__prometheus"), &repo.join("prometheus"));
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "lockfiles"]);
    let commit = git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    (repo, commit)
}

fn file_url(repo: &Path) -> String {
    format!("file://{}", repo.display())
}

async fn submit_git(d: &Daemon, who: &Session, body: Value) -> String {
    let resp = d.send(who, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "submit: {}", resp.text().await.unwrap_or_default());
    let scan: Value = resp.json().await.expect("json");
    scan["id"].as_str().expect("id").to_owned()
}

async fn project_sbom(d: &Daemon, user: &Session, pid: &str) -> Vec<u8> {
    let resp = d.send(user, Method::GET, &format!("/api/v1/projects/{pid}/sbom"), None).await;
    assert_eq!(resp.status(), 200);
    resp.bytes().await.expect("bytes").to_vec()
}

both!(a_git_repository_scans_end_to_end, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let (repo, commit) = vulnerable_repo(root.path());
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("git")).await;
    let status = get_json(&d, &user, "/api/v1/vulndb/status").await;
    assert_eq!(status["state"], "fresh", "{status}");
    let snapshot = status["snapshot"].as_str().expect("a snapshot id").to_owned();

    let project = d.create_project(&user, "lockfiles").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let id = submit_git(
        &d,
        &user,
        json!({"source": {"kind": "git", "url": file_url(&repo)}, "project": pid, "crypto": false}),
    )
    .await;

    // The socket: the sync frame first (`follow` asserts it), then events in order to the end.
    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "{}", d.stderr());
    let events = unwrap_events(frames);
    check_events(&events);
    let last = events.last().expect("events");
    assert_eq!((last["status"].as_str(), last["percent"].as_i64()), (Some("completed"), Some(100)), "{last}");
    assert!(
        events.iter().any(|e| e["message"].as_str().is_some_and(|m| m.contains(&commit))),
        "the commit {commit} is named in an event: {events:?}"
    );

    let done = get_json(&d, &user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["project_id"], pid.as_str());
    assert_eq!(
        (done["vulndb"]["state"].as_str(), done["vulndb"]["snapshot"].as_str()),
        (Some("fresh"), Some(snapshot.as_str()))
    );

    // The engine on the same checkout, matched against the same advisories.
    let engine = scan_path(&repo, &ScanOptions::default(), &NoProgress).expect("engine scan");
    let database = load_paths(&[osv()]).expect("advisories");
    let expected = match_inventory(&engine.inventory, &database);

    let components = all_items(&d, &user, &format!("/api/v1/scans/{id}/components"), 100).await;
    assert!(components.len() > 100, "more than one page: {}", components.len());
    let scope = |s: &cairn_engine::Scope| serde_json::to_value(s).expect("scope").as_str().map(str::to_owned);
    let want: BTreeSet<(String, Option<String>, bool)> = engine
        .inventory
        .components
        .iter()
        .map(|c| (c.purl.clone(), scope(&c.scope), c.direct == Some(true)))
        .collect();
    let got: BTreeSet<(String, Option<String>, bool)> = components
        .iter()
        .map(|c| {
            let scope = c["scope"].as_str().map(str::to_owned);
            (c["purl"].as_str().expect("purl").to_owned(), scope, c["direct"] == true)
        })
        .collect();
    assert_eq!(got, want, "components (purl, scope, direct)");
    assert_eq!(components.len(), engine.inventory.components.len(), "no component twice");

    let findings = all_items(&d, &user, &format!("/api/v1/scans/{id}/findings"), 3).await;
    let want: BTreeSet<(String, String)> =
        expected.findings.iter().map(|f| (f.purl.clone(), f.id.clone())).collect();
    let got: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["purl"].as_str().expect("purl").to_owned(),
                f["vulnerability_id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    assert!(want.len() > 3, "known vulnerabilities, over a page: {want:?}");
    for eco in ["pkg:cargo/", "pkg:pypi/", "pkg:golang/"] {
        assert!(want.iter().any(|(p, _)| p.starts_with(eco)), "{eco} findings in {want:?}");
    }
    assert_eq!(got, want, "findings (purl, advisory)");
    assert_eq!(findings.len(), expected.findings.len(), "no finding twice");

    // Counts agree with the lists.
    let counts = &done["counts"];
    assert_eq!(counts["components"], components.len() as u64);
    assert_eq!(counts["findings"], findings.len() as u64);
    let severities = &counts["severities"];
    for word in ["critical", "high", "medium", "low", "unknown"] {
        let listed = findings.iter().filter(|f| f["severity"] == word).count() as u64;
        assert_eq!(severities[word], listed, "{word}: {counts}");
    }
    let vulnerable: BTreeSet<String> = components
        .iter()
        .filter(|c| c["findings"].as_u64().unwrap_or(0) > 0)
        .map(|c| c["purl"].as_str().expect("purl").to_owned())
        .collect();
    assert_eq!(vulnerable, want.iter().map(|(p, _)| p.clone()).collect::<BTreeSet<_>>());

    // Every document, valid against its official schema.
    let mut cyclonedx = None;
    for format in FORMATS {
        let resp = d.send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom?format={format}"), None).await;
        assert_eq!(resp.status(), 200, "{format}");
        let bytes = resp.bytes().await.expect("bytes");
        let doc: Value = serde_json::from_slice(&bytes).expect("json document");
        let errors = validate(format, &doc);
        assert!(errors.is_empty(), "{format} invalid: {errors:?}");
        if format == "cyclonedx" {
            let vulns = doc["vulnerabilities"].as_array().map_or(0, Vec::len);
            assert!(vulns > 0, "the CycloneDX document carries the findings");
            cyclonedx = Some(bytes);
        }
    }
    let sarif: Value = d
        .send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom?format=sarif"), None)
        .await
        .json()
        .await
        .expect("sarif");
    assert!(sarif["runs"][0]["results"].as_array().is_some_and(|r| !r.is_empty()), "SARIF results");

    // The project's SBOM is this scan's CycloneDX document.
    let first = cyclonedx.expect("cyclonedx downloaded").to_vec();
    assert_eq!(project_sbom(&d, &user, &pid).await, first);

    // A later commit scanned for the project: its SBOM follows the latest completed scan.
    std::fs::remove_dir_all(repo.join("prometheus")).expect("remove");
    git(&repo, &["commit", "-q", "-a", "-m", "drop the Go module"]);
    let later =
        submit_git(&d, &user, json!({"source": {"kind": "git", "url": file_url(&repo)}, "project": pid}))
            .await;
    let (_, end) = follow(&d, &later, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let resp = d.send(&user, Method::GET, &format!("/api/v1/scans/{later}/bom"), None).await;
    assert_eq!(resp.status(), 200);
    let second = resp.bytes().await.expect("bytes").to_vec();
    assert_ne!(second, first, "the later tree differs");
    assert_eq!(project_sbom(&d, &user, &pid).await, second);
    drop(root);
});

both!(git_scans_outside_the_roots_or_at_a_bad_ref_fail_clearly, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let (repo, _) = vulnerable_repo(root.path());
    let elsewhere = tempfile::tempdir().expect("other root");
    // The roots hold another directory, not the repository.
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![elsewhere.path().to_path_buf()], ..Opts::default() })
            .await;
    let user = d.register(&unique_email("refuse")).await;

    let failed = |id: String| {
        let d = &d;
        let user = &user;
        async move {
            let (frames, end) = follow(d, &id, user).await;
            assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
            let events = unwrap_events(frames);
            check_events(&events);
            let done = get_json(d, user, &format!("/api/v1/scans/{id}")).await;
            assert_eq!(done["status"], "failed", "{done}");
            assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("failed")));
            done["error"].as_str().expect("an error").to_owned()
        }
    };

    let id = submit_git(&d, &user, json!({"source": {"kind": "git", "url": file_url(&repo)}})).await;
    let error = failed(id).await;
    assert!(error.contains("path_roots") || error.contains("root"), "names the roots: {error}");
    assert!(error.contains(&repo.display().to_string()), "names the path: {error}");

    // With the root configured, a ref the repository does not have.
    drop(d);
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("badref")).await;
    let id = submit_git(
        &d,
        &user,
        json!({"source": {"kind": "git", "url": file_url(&repo), "ref": "no-such-branch"}}),
    )
    .await;
    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    check_events(&unwrap_events(frames));
    let done = get_json(&d, &user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().expect("an error");
    assert!(error.contains("no-such-branch"), "names the ref: {error}");
    drop(root);
});

// Fails on the old code, which stored `https://bot:ghp_x@…` as given and returned it in
// `GET /scans`, `/cbom/scans`, the WebSocket sync frame and the project's `repo_url`.
both!(git_credentials_are_never_stored_or_echoed, |db: Db| async move {
    const SECRET: &str = "ghp_x";
    let d = Daemon::start_with(db, Opts::default()).await;
    let user = d.register(&unique_email("creds")).await;
    let url = "https://bot:ghp_x@127.0.0.1:9/o/r";

    let refused = d
        .send(&user, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "git", "url": url}})))
        .await;
    let body = expect_problem(refused, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "body.source.url", "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("credentials")), "{body}");
    assert!(!body.to_string().contains(SECRET), "{body}");

    let refused = d.send(&user, Method::POST, "/api/v1/cbom/scans", Some(json!({"repo_url": url}))).await;
    let body = expect_problem(refused, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "body.repo_url", "{body}");

    let refused = d
        .send(
            &user,
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "private", "kind": "repo", "repo_url": url})),
        )
        .await;
    let body = expect_problem(refused, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "body.repo_url", "{body}");
    let project = d.create_project(&user, "public").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let patch = d
        .http
        .patch(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&user.token)
        .header("if-match", format!("\"{}\"", project["version"]))
        .json(&json!({"repo_url": url}))
        .send()
        .await
        .expect("send");
    let body = expect_problem(patch, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "body.repo_url", "{body}");

    // Nothing the tenant can read, and no log line, holds the secret.
    for path in
        ["/api/v1/scans", "/api/v1/cbom/scans", "/api/v1/projects", &format!("/api/v1/projects/{pid}")]
    {
        let got = get_json(&d, &user, path).await;
        assert!(!got.to_string().contains(SECRET), "{path}: {got}");
    }
    let (_socket, sync) = crate::ws::open(&d, "/api/v1/ws/events", &user).await;
    assert!(!sync.to_string().contains(SECRET), "{sync}");
    assert!(!d.stderr().contains(SECRET), "a log line holds the secret:\n{}", d.stderr());
});

// Fails on the old code, which served what the row held. Rows written before URLs with
// credentials were refused are served without them (the database is reached behind the daemon
// to plant such rows).
both!(rows_stored_with_credentials_are_served_without_them, |db: Db| async move {
    use sqlx::Executor;
    let d = Daemon::start_with(db, Opts::default()).await;
    let user = d.register(&unique_email("oldrows")).await;
    let project = d
        .send(
            &user,
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "old", "kind": "repo", "repo_url": "https://github.com/o/r"})),
        )
        .await;
    assert_eq!(project.status(), 201);
    let pid = project.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let scan = d
        .send(
            &user,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "git", "url": "https://github.com/o/r"}, "project": pid})),
        )
        .await;
    assert_eq!(scan.status(), 202, "{}", scan.text().await.unwrap_or_default());

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    for sql in [
        "UPDATE projects SET repo_url = replace(repo_url, 'https://', 'https://bot:ghp_x@')",
        "UPDATE scans SET source = replace(source, 'https://', 'https://bot:ghp_x@')",
    ] {
        pool.execute(sql).await.expect(sql);
    }
    for path in
        ["/api/v1/scans", "/api/v1/cbom/scans", "/api/v1/projects", &format!("/api/v1/projects/{pid}")]
    {
        let got = get_json(&d, &user, path).await;
        let text = got.to_string();
        assert!(!text.contains("ghp_x") && text.contains("https://github.com/o/r"), "{path}: {got}");
    }
    let (_socket, sync) = crate::ws::open(&d, "/api/v1/ws/events", &user).await;
    assert!(!sync.to_string().contains("ghp_x"), "{sync}");
});
