//! The `cairn` binary as a user runs it against a real daemon: logged in to a server with an API
//! key (`cairn login --server URL --api-key`), `cairn scan URL` waits, prints a summary whose
//! findings count is the engine's, writes a CycloneDX document that validates, and exits by
//! `--fail-on`; then local mode with nothing configured: `cairn scan $HOME/project --wait` starts
//! the local daemon, completes, says loudly that no vulnerability data was used, and
//! `cairn daemon stop` stops it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{Daemon, Opts, copy_dir, corpus, cyclonedx_errors, osv};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{ApiKeyEnvironment, CreateApiKey, RegisterRequest, Scope};
use cairn_sdk::{Client, Credential};

/// A user's machine: HOME and the XDG directories in a temp dir, secrets in the 0600 file.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.args(args)
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join(".local/share"))
            .env("XDG_CONFIG_HOME", self.path().join(".config"))
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env_remove("CAIRN_PROFILE")
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
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cairn_scan_through_a_server_and_in_local_mode() {
    // The server: path roots hold the repository; the fixture advisories imported before serving.
    let root = tempfile::tempdir().expect("root");
    let repo = root.path().join("repo");
    // werkzeug 2.3.3: one high finding, nothing critical or unrated.
    copy_dir(&corpus("pip/pallets__flask"), &repo);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "requirements"]);
    let opts =
        Opts { postgres: false, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: true };
    let daemon = Daemon::start(opts).await.expect("daemon");

    // The key a user mints for the CLI.
    let owner = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &owner,
            &RegisterRequest {
                email: "cli@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("cli".into()),
                invite_token: None,
            },
        )
        .await;
    let key = owner
        .create_api_key(&CreateApiKey {
            name: "cli".into(),
            scopes: vec![Scope::ScanRead, Scope::ScanWrite, Scope::BomRead, Scope::ProjectRead],
            expires_at: None,
            environment: ApiKeyEnvironment::Live,
        })
        .await
        .expect("api key")
        .secret;
    assert!(Client::new(&daemon.base, Credential::ApiKey(key.clone())).is_ok());

    let user = Home::new();
    let mut login = user
        .command(&["login", "--server", &daemon.base, "--api-key"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login");
    login.stdin.take().expect("stdin").write_all(format!("{key}\n").as_bytes()).expect("write key");
    let out =
        tokio::task::spawn_blocking(move || login.wait_with_output()).await.expect("join").expect("login");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // What the engine finds in-process in the same tree.
    let engine = scan_path(&repo, &ScanOptions::default(), &NoProgress).expect("engine");
    let matches = match_inventory(&engine.inventory, &load_paths(&[osv()]).expect("advisories"));
    let high = matches.findings.iter().filter(|f| f.severity.rating.to_string() == "high").count();
    assert!(high > 0 && high == matches.findings.len(), "the data holds only high findings: {matches:?}");

    let url = format!("file://{}", repo.display());
    let bom = user.path().join("bom.json");
    let out = user
        .run(&["scan", &url, "-f", "cyclonedx", "-o", bom.to_str().expect("utf8"), "--fail-on", "high"])
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a high finding fails --fail-on high: {}", text(&out));
    assert!(stderr.contains("100% completed"), "{stderr}");
    let want = format!(
        "{} findings (critical 0, high {high}, medium 0, low 0, none 0, unknown 0)",
        matches.findings.len()
    );
    assert!(stderr.contains(&want), "{want} in {stderr}");
    assert!(stderr.contains(&format!("{} components", engine.inventory.components.len())), "{stderr}");
    assert!(stderr.contains("matched against") && !stderr.contains("NO VULNERABILITY DATA"), "{stderr}");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bom).expect("written")).expect("json");
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "invalid CycloneDX: {errors:?}");
    assert_eq!(doc["vulnerabilities"].as_array().map(Vec::len), Some(matches.findings.len()));

    let out = user.run(&["scan", &url, "--fail-on", "critical"]).await;
    assert_eq!(out.status.code(), Some(0), "nothing critical: {}", text(&out));

    // Issue 14: a VEX document carries the triage into CI through a daemon too. Every finding
    // is stated not_affected: the gate passes and the summary lists them as suppressed.
    let statements: Vec<serde_json::Value> = matches
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "vulnerability": {"name": f.id},
                "products": [{"@id": f.purl}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path"
            })
        })
        .collect();
    let vex = user.path().join("vex.json");
    let doc = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/1",
        "author": "ci", "timestamp": "2026-01-01T00:00:00Z", "version": 1, "statements": statements
    });
    std::fs::write(&vex, doc.to_string()).expect("write vex");
    let out =
        user.run(&["scan", &url, "--fail-on", "high", "--ignore-file", vex.to_str().expect("utf8")]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "every finding suppressed: {}", text(&out));
    assert!(
        stderr.contains(&format!("{} findings suppressed by --ignore-file", matches.findings.len())),
        "{stderr}"
    );
    assert!(stderr.contains("cairn: coverage: PyPI "), "the coverage line, as offline: {stderr}");
    daemon.shutdown().await;

    // Local mode: nothing configured, the project under $HOME.
    let home = Home::new();
    let project = home.path().join("project");
    copy_dir(&corpus("pip/pallets__flask"), &project);
    let out = home.run(&["scan", project.to_str().expect("utf8"), "--wait"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr.contains("completed"), "{stderr}");
    assert!(stderr.contains(&format!("{} components", engine.inventory.components.len())), "{stderr}");
    assert!(stderr.contains("NO VULNERABILITY DATA"), "said loudly: {stderr}");
    // The local daemon runs with the allocator settings that give memory back (docs/daemon.md
    // "Memory"), unless the user's environment says otherwise.
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(home.path().join("run/cairn/cairnd.json"))
            .or_else(|_| std::fs::read(home.path().join("run/cairnd.json")))
            .expect("the daemon's state file"),
    )
    .expect("state json");
    let pid = state["pid"].as_u64().expect("pid");
    let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("the daemon's environment");
    let environ = String::from_utf8_lossy(&environ);
    for (name, value) in cairn_daemon::allocator::SETTINGS {
        let want = std::env::var(name).unwrap_or_else(|_| value.into());
        assert!(environ.split('\0').any(|kv| kv == format!("{name}={want}")), "{name}: {environ}");
    }
    let stop = home.run(&["daemon", "stop"]).await;
    assert!(stop.status.success(), "{}", text(&stop));
    let status = home.run(&["daemon", "status"]).await;
    assert!(String::from_utf8_lossy(&status.stdout).contains("not running"), "{}", text(&status));
}

/// Issue 21: `cairn scan REF` through a server submits an image source; the daemon pulls it from
/// the loopback registry and the document holds what the engine finds in the served layout for
/// the platform asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cairn_scan_of_a_registry_reference_through_a_server() {
    use crate::oci_registry::{Knobs, Registry};
    let dir = tempfile::tempdir().expect("tmp");
    let source = dir.path().join("source");
    let layers = crate::image_build::debian_layers();
    crate::image_build::oci_layout(
        &source,
        &[("amd64", &layers), ("arm64", &layers[..1])],
        "cairn/debian:12",
    );
    let registry = Registry::serve(&source, "cairn/debian", "12", Knobs::default()).await;
    let opts = Opts { postgres: false, path_roots: Vec::new(), workers: 2, vulndb: false };
    let daemon = Daemon::start_with(opts, |c| c.sources.allow_private_hosts = true).await.expect("daemon");
    let owner = Client::anonymous(&daemon.base).expect("client");
    // Open registration is mail-verified: the harness completes it from the mailed token.
    daemon
        .register(
            &owner,
            &RegisterRequest {
                email: "image@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("image".into()),
                invite_token: None,
            },
        )
        .await;
    let key = owner
        .create_api_key(&CreateApiKey {
            name: "cli".into(),
            scopes: vec![Scope::ScanRead, Scope::ScanWrite, Scope::BomRead, Scope::ProjectRead],
            expires_at: None,
            environment: ApiKeyEnvironment::Live,
        })
        .await
        .expect("api key")
        .secret;
    let user = Home::new();
    let mut login = user
        .command(&["login", "--server", &daemon.base, "--api-key"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login");
    login.stdin.take().expect("stdin").write_all(format!("{key}\n").as_bytes()).expect("write key");
    let out =
        tokio::task::spawn_blocking(move || login.wait_with_output()).await.expect("join").expect("login");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let reference = format!("{}/cairn/debian:12", registry.host);
    let bom = user.path().join("bom.json");
    let out = user
        .run(&[
            "scan",
            &reference,
            "--platform",
            "linux/arm64",
            "-f",
            "cyclonedx",
            "-o",
            bom.to_str().expect("utf8"),
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bom).expect("written")).expect("json");
    assert_eq!(cyclonedx_errors(&doc), Vec::<String>::new());
    let got: std::collections::BTreeSet<String> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect();
    let opts = cairn_engine::image::ImageOptions {
        platform: Some("linux/arm64".parse().expect("platform")),
        ..Default::default()
    };
    let engine = cairn_engine::image::scan_image(&source, &opts, &NoProgress).expect("engine");
    let want: std::collections::BTreeSet<String> =
        engine.scan.inventory.components.iter().map(|c| c.purl.clone()).collect();
    assert_eq!(got, want);
    assert!(got.iter().any(|p| p.starts_with("pkg:deb/")));
}
