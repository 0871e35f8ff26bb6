//! Git sources: clones over file:// (default branch, branch, tag, commit), caps, timeouts, hooks,
//! credentials and the address rules.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cairn_daemon::sources::{Obtained, SourceError, SourcePolicy, SourceSpec, obtain};

use super::{assert_work_empty, fixture, policy};

/// Runs git for the test's own setup, isolated from the machine's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Cairn Test",
            "-c",
            "user.email=test@cairn.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

struct Repo {
    path: PathBuf,
    /// First commit on main (tagged v1): requirements.txt only.
    first: String,
    /// Head of main: requirements.txt and Package.resolved.
    main: String,
    /// Head of `feature` (from `first`): requirements.txt and feature.txt.
    feature: String,
}

fn make_repo(base: &Path) -> Repo {
    let path = base.join("origin");
    std::fs::create_dir_all(&path).expect("mkdir");
    git(&path, &["init", "-q"]);
    std::fs::copy(fixture("requirements.txt"), path.join("requirements.txt")).expect("copy");
    git(&path, &["add", "."]);
    git(&path, &["commit", "-qm", "first"]);
    let first = git(&path, &["rev-parse", "HEAD"]);
    git(&path, &["tag", "v1"]);
    git(&path, &["tag", "-a", "v1-annotated", "-m", "annotated"]);
    git(&path, &["checkout", "-qb", "feature"]);
    std::fs::write(path.join("feature.txt"), "feature\n").expect("write");
    git(&path, &["add", "."]);
    git(&path, &["commit", "-qm", "feature"]);
    let feature = git(&path, &["rev-parse", "HEAD"]);
    git(&path, &["checkout", "-q", "main"]);
    std::fs::copy(fixture("Package.resolved"), path.join("Package.resolved")).expect("copy");
    git(&path, &["add", "."]);
    git(&path, &["commit", "-qm", "second"]);
    let main = git(&path, &["rev-parse", "HEAD"]);
    Repo { path, first, main, feature }
}

fn spec(url: &str, reference: Option<&str>) -> SourceSpec {
    SourceSpec::Git { url: url.to_owned(), reference: reference.map(String::from) }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Files at the top of the clone (without .git) and the revision.
fn top_files(obtained: &Obtained) -> (Vec<String>, Option<String>) {
    let Obtained::Tree { root, revision, .. } = obtained else { panic!("a tree was expected") };
    let mut names: Vec<String> = std::fs::read_dir(root)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".git")
        .collect();
    names.sort();
    (names, revision.clone())
}

#[tokio::test]
async fn clones_default_branch_branch_tag_and_commit() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    let p = policy(base.path());
    let url = file_url(&repo.path);

    let got = obtain(&spec(&url, None), &p).await.expect("default branch");
    assert_eq!(
        top_files(&got),
        (vec!["Package.resolved".into(), "requirements.txt".into()], Some(repo.main.clone()))
    );
    let Obtained::Tree { root, .. } = &got else { panic!("tree") };
    assert_eq!(
        std::fs::read(root.join("requirements.txt")).expect("read"),
        std::fs::read(fixture("requirements.txt")).expect("fixture")
    );
    assert!(root.starts_with(&p.work_dir), "clones live in the work directory");
    drop(got);
    assert_work_empty(&p);

    let branch = obtain(&spec(&url, Some("feature")), &p).await.expect("branch");
    assert_eq!(
        top_files(&branch),
        (vec!["feature.txt".into(), "requirements.txt".into()], Some(repo.feature.clone()))
    );
    let tag = obtain(&spec(&url, Some("v1")), &p).await.expect("tag");
    assert_eq!(top_files(&tag), (vec!["requirements.txt".into()], Some(repo.first.clone())));
    let annotated = obtain(&spec(&url, Some("refs/tags/v1-annotated")), &p).await.expect("annotated tag");
    assert_eq!(top_files(&annotated), (vec!["requirements.txt".into()], Some(repo.first.clone())));
    let commit = obtain(&spec(&url, Some(&repo.first)), &p).await.expect("commit");
    assert_eq!(top_files(&commit), (vec!["requirements.txt".into()], Some(repo.first.clone())));
    let upper =
        obtain(&spec(&url, Some(&repo.feature.to_uppercase())), &p).await.expect("commit in capitals");
    assert_eq!(top_files(&upper).1, Some(repo.feature.clone()));
    drop((branch, tag, annotated, commit, upper));
    assert_work_empty(&p);
}

#[tokio::test]
async fn missing_references_and_repositories_are_clear_errors() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    let p = policy(base.path());
    let url = file_url(&repo.path);

    let err = obtain(&spec(&url, Some("no-such-branch")), &p).await.expect_err("missing branch");
    assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
    assert!(err.to_string().contains("has no branch or tag no-such-branch"), "{err}");

    let err = obtain(&spec(&url, Some(&"ab".repeat(20))), &p).await.expect_err("missing commit");
    assert!(err.to_string().contains(&format!("commit {}", "ab".repeat(20))), "{err}");

    let err = obtain(&spec(&file_url(&base.path().join("nothing")), None), &p).await.expect_err("no repo");
    assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
    assert_work_empty(&p);
}

#[tokio::test]
async fn file_urls_only_under_roots_unless_local_mode() {
    let base = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(elsewhere.path());
    let p = policy(base.path());
    let err = obtain(&spec(&file_url(&repo.path), None), &p).await.expect_err("outside the roots");
    assert!(matches!(err, SourceError::Refused(_)), "{err}");

    let local = SourcePolicy { local_mode: true, path_roots: Vec::new(), ..policy(base.path()) };
    let got = obtain(&spec(&file_url(&repo.path), None), &local).await.expect("local mode");
    assert_eq!(top_files(&got).1, Some(repo.main));
}

/// Deterministic incompressible bytes (xorshift), so git cannot shrink the blob.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[tokio::test]
async fn the_size_cap_stops_a_clone_and_removes_it() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    std::fs::write(repo.path.join("big.bin"), noise(2 * 1024 * 1024)).expect("write");
    git(&repo.path, &["add", "."]);
    git(&repo.path, &["commit", "-qm", "big"]);

    let capped = SourcePolicy { max_clone_bytes: 1024 * 1024, ..policy(base.path()) };
    let err = obtain(&spec(&file_url(&repo.path), None), &capped).await.expect_err("over the cap");
    assert!(matches!(err, SourceError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("1048576 byte cap"), "{err}");
    assert_work_empty(&capped);

    let roomy = SourcePolicy { max_clone_bytes: 16 * 1024 * 1024, ..policy(base.path()) };
    obtain(&spec(&file_url(&repo.path), None), &roomy).await.expect("under a larger cap");
}

/// A loopback server that accepts connections and never answers; each connection's end (the
/// client closed it, or died) is reported on the channel.
fn silent_server() -> (u16, std::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (closed, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let closed = closed.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
                let _ = closed.send(());
            });
        }
    });
    (port, rx)
}

/// A loopback HTTP server answering every request with 404.
fn not_found_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ =
                stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    port
}

#[tokio::test]
async fn a_clone_that_hangs_times_out_and_is_removed() {
    let base = tempfile::tempdir().expect("tempdir");
    let (port, closed) = silent_server();
    let p = SourcePolicy {
        allow_private_hosts: true,
        git_timeout: Duration::from_millis(800),
        ..policy(base.path())
    };
    let started = std::time::Instant::now();
    let err =
        obtain(&spec(&format!("https://127.0.0.1:{port}/slow.git"), None), &p).await.expect_err("timeout");
    assert!(matches!(err, SourceError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "the timeout was not enforced");
    assert_work_empty(&p);
    // The helper holding the connection (git-remote-https) was killed with git.
    closed.recv_timeout(Duration::from_secs(10)).expect("the connection was left open");
}

/// A loopback listener that counts the connections it accepts (and closes them).
fn counting_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, count)
}

// Fails on the old code, which cloned with the credentials and kept the URL as given.
#[tokio::test]
async fn urls_with_credentials_are_refused_before_any_connection() {
    let base = tempfile::tempdir().expect("tempdir");
    let (port, connections) = counting_server();
    let p = SourcePolicy { allow_private_hosts: true, allow_http: true, ..policy(base.path()) };
    for url in [
        format!("https://bot:ghp_x@127.0.0.1:{port}/o/r"),
        format!("http://alice:hunter2-secret@127.0.0.1:{port}/r.git"),
        format!("http://ghp_tokentokentoken@127.0.0.1:{port}/r.git"),
        format!("ssh://git:pa55word@127.0.0.1:{port}/r.git"),
    ] {
        let err = obtain(&spec(&url, None), &p).await.expect_err("refused");
        let msg = err.to_string();
        assert!(matches!(err, SourceError::Refused(_)), "{msg}");
        assert!(msg.contains("credentials in the URL"), "{msg}");
        for secret in ["hunter2", "alice", "ghp_", "pa55word", "bot:"] {
            assert!(!msg.contains(secret), "{secret} leaked: {msg}");
        }
    }
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0, "a clone was attempted");
    assert_work_empty(&p);
}

// Fails on the old code, which followed redirects when the host was an address literal (or
// private hosts were allowed).
#[tokio::test]
async fn redirects_are_never_followed() {
    let base = tempfile::tempdir().expect("tempdir");
    let (target, reached) = counting_server();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:{target}/r.git/info/refs?service=git-upload-pack\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    let p = SourcePolicy { allow_private_hosts: true, allow_http: true, ..policy(base.path()) };
    let err = obtain(&spec(&format!("http://127.0.0.1:{port}/r.git"), None), &p).await.expect_err("301");
    assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
    assert!(err.to_string().contains("redirect, which is never followed"), "{err}");
    assert_eq!(reached.load(std::sync::atomic::Ordering::SeqCst), 0, "the redirect was followed");
    assert_work_empty(&p);
}

const UNREACHABLE: &str = "the git server could not be reached or did not answer as a git server";

// Fails on the old code, which passed on curl's and ssh's own words ("Connection refused",
// "Failed to connect … port …").
#[tokio::test]
async fn a_refused_connection_gives_the_fixed_reason() {
    let base = tempfile::tempdir().expect("tempdir");
    // A port that was just free: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let p = SourcePolicy { allow_private_hosts: true, ..policy(base.path()) };
    let url = format!("https://127.0.0.1:{port}/r.git");
    let err = obtain(&spec(&url, None), &p).await.expect_err("refused");
    assert_eq!(err.to_string(), format!("git clone of {url} failed: {UNREACHABLE}"));
}

const SSH_CHILD: &str = "CAIRN_SOURCES_SSH_CHILD";

/// A fake ssh that records its arguments and environment in `dir`, then fails as ssh does on a
/// refused connection.
fn fake_ssh(dir: &Path) -> PathBuf {
    let program = dir.join("fake-ssh");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{argv}'\nenv > '{env}'\n\
             echo 'ssh: connect to host 127.0.0.1 port 1: Connection refused' >&2\nexit 255\n",
            argv = dir.join("argv").display(),
            env = dir.join("env").display()
        ),
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    program
}

// Fails on the old code: ssh read the daemon user's ~/.ssh and got SSH_AUTH_SOCK.
#[test]
fn ssh_runs_without_the_daemons_identity() {
    let base = tempfile::tempdir().expect("tempdir");
    for agent in [false, true] {
        let child = Command::new(std::env::current_exe().expect("exe"))
            .args(["--exact", "git::ssh_child", "--ignored", "--nocapture"])
            .env(SSH_CHILD, base.path())
            .env("CAIRN_SOURCES_SSH_AGENT", if agent { "1" } else { "0" })
            .env("SSH_AUTH_SOCK", "/tmp/the-daemons-agent.sock")
            .output()
            .expect("child");
        let stdout = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&child.stderr)
        );
        let argv = std::fs::read_to_string(base.path().join("argv")).expect("ssh ran");
        let argv: Vec<&str> = argv.lines().collect();
        let env = std::fs::read_to_string(base.path().join("env")).expect("env");
        let known_hosts = base.path().join("known_hosts");
        assert_eq!(&argv[..2], ["-F", "/dev/null"], "{argv:?}");
        for option in [
            "IdentityFile=none",
            "StrictHostKeyChecking=yes",
            &format!("UserKnownHostsFile={}", known_hosts.display()),
            "GlobalKnownHostsFile=/dev/null",
            "BatchMode=yes",
        ] {
            assert!(argv.windows(2).any(|w| w == ["-o", option]), "{option} missing: {argv:?}");
        }
        let git_ssh = env.lines().find(|l| l.starts_with("GIT_SSH_COMMAND=")).unwrap_or_default();
        assert!(git_ssh.contains("-F /dev/null"), "{git_ssh}");
        if agent {
            assert!(env.contains("SSH_AUTH_SOCK=/tmp/the-daemons-agent.sock"), "{env}");
            assert!(!argv.contains(&"IdentityAgent=none"), "{argv:?}");
        } else {
            assert!(!env.contains("SSH_AUTH_SOCK"), "the agent reached ssh: {env}");
            assert!(argv.contains(&"IdentitiesOnly=yes") && argv.contains(&"IdentityAgent=none"), "{argv:?}");
        }
    }
}

/// Run by `ssh_runs_without_the_daemons_identity` in a child process whose environment holds
/// an ssh agent socket.
#[tokio::test]
#[ignore = "a helper of ssh_runs_without_the_daemons_identity, which runs it in a child process"]
async fn ssh_child() {
    let base = PathBuf::from(
        std::env::var_os(SSH_CHILD).expect("run through ssh_runs_without_the_daemons_identity"),
    );
    let known_hosts = base.join("known_hosts");
    std::fs::write(&known_hosts, "").expect("write");
    let p = SourcePolicy {
        allow_private_hosts: true,
        ssh_program: fake_ssh(&base),
        ssh_known_hosts: Some(known_hosts),
        ssh_agent: std::env::var("CAIRN_SOURCES_SSH_AGENT").as_deref() == Ok("1"),
        ..policy(&base)
    };
    let url = "ssh://git@127.0.0.1:2222/o/r.git";
    let err = obtain(&spec(url, None), &p).await.expect_err("the fake ssh fails");
    // ssh's own words stay out of the message.
    assert_eq!(err.to_string(), format!("git clone of {url} failed: {UNREACHABLE}"));
}

#[tokio::test]
async fn ssh_needs_a_known_hosts_file() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = SourcePolicy { allow_private_hosts: true, ..policy(base.path()) };
    let err = obtain(&spec("ssh://git@127.0.0.1:2222/o/r.git", None), &p).await.expect_err("refused");
    assert!(matches!(err, SourceError::Refused(_)) && err.to_string().contains("ssh_known_hosts"), "{err}");
}

#[tokio::test]
async fn hostile_and_private_urls_are_refused() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    let marker = base.path().join("pwned");
    let p = policy(base.path());
    let refused = [
        "http://127.0.0.1/x".to_owned(),
        "https://localhost/x".into(),
        "https://10.0.0.1/x".into(),
        "https://[::1]/x".into(),
        "https://169.254.169.254/".into(),
        "https://[fd00:ec2::254]/latest".into(),
        "https://100.64.0.1/x".into(),
        "ssh://192.168.1.1/x".into(),
        "git@127.0.0.1:x.git".into(),
        "https://0.0.0.0/x".into(),
        format!("ext::sh -c touch% {}", marker.display()),
        "fd::17".into(),
        "git://example.org/x".into(),
        format!("--upload-pack=touch {}", marker.display()),
        repo.path.display().to_string(),
    ];
    for url in &refused {
        let err = obtain(&spec(url, None), &p).await.expect_err(url);
        assert!(matches!(err, SourceError::Refused(_) | SourceError::Invalid(_)), "{url}: {err}");
    }
    let err = obtain(&spec("http://127.0.0.1/x", None), &p).await.expect_err("http");
    assert!(err.to_string().contains("http://"), "{err}");
    let err = obtain(&spec("https://10.0.0.1/x", None), &p).await.expect_err("private");
    assert!(err.to_string().contains("private"), "{err}");

    let injection = format!("--upload-pack=touch {}", marker.display());
    let err = obtain(&spec(&file_url(&repo.path), Some(&injection)), &p).await.expect_err("option as a ref");
    assert!(matches!(err, SourceError::Invalid(_)), "{err}");
    assert!(!marker.exists(), "a hostile URL or reference ran a command");
    assert_work_empty(&p);
}

#[tokio::test]
async fn private_hosts_pass_the_address_rule_when_allowed() {
    let base = tempfile::tempdir().expect("tempdir");
    let port = not_found_server();
    let url = format!("http://127.0.0.1:{port}/r.git");
    let strict = SourcePolicy { allow_http: true, ..policy(base.path()) };
    let err = obtain(&spec(&url, None), &strict).await.expect_err("refused");
    assert!(matches!(err, SourceError::Refused(_)), "{err}");
    // Allowed, the clone reaches the server (which has no repository): not a refusal any more.
    let open = SourcePolicy { allow_private_hosts: true, ..strict };
    let err = obtain(&spec(&url, None), &open).await.expect_err("404");
    assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
}

const HOOK_CHILD: &str = "CAIRN_SOURCES_HOOK_CHILD";

/// Writes a configuration that, if git honoured it, would run a hook creating `marker` on
/// checkout; returns it with the environment that points git at it.
fn hostile_config(base: &Path, marker: &Path) -> PathBuf {
    let hooks = base.join("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let hook = hooks.join("post-checkout");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let config = base.join("hostile.gitconfig");
    std::fs::write(&config, format!("[core]\n\thooksPath = {}\n", hooks.display())).expect("write");
    config
}

#[test]
fn hooks_never_run() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    let marker = base.path().join("hook-ran");
    let config = hostile_config(base.path(), &marker);

    // The trap works: a plain clone with this configuration runs the hook.
    let out = Command::new("git")
        .args(["clone", "-q", &file_url(&repo.path), &base.path().join("plain").display().to_string()])
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(marker.exists(), "the hostile configuration should run the hook");
    std::fs::remove_file(&marker).expect("rm");

    // Cairn, in a process whose environment carries the same configuration, runs none.
    let child = Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", "git::hook_child", "--ignored", "--nocapture"])
        .env(HOOK_CHILD, base.path())
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("GIT_CONFIG_PARAMETERS", format!("'core.hookspath'='{}'", base.path().join("hooks").display()))
        .output()
        .expect("child");
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(!marker.exists(), "a hook ran during Cairn's clone");
}

/// Run by `hooks_never_run` in a child process with a hostile git environment.
#[tokio::test]
#[ignore = "a helper of hooks_never_run, which runs it in a child process"]
async fn hook_child() {
    let base = PathBuf::from(std::env::var_os(HOOK_CHILD).expect("run through hooks_never_run"));
    let p = policy(&base);
    let got = obtain(&spec(&file_url(&base.join("origin")), None), &p).await.expect("clone");
    let Obtained::Tree { root, .. } = &got else { panic!("tree") };
    assert!(root.join("requirements.txt").exists());
}

#[tokio::test]
async fn dropping_the_future_kills_git_and_removes_the_work_directory() {
    let base = tempfile::tempdir().expect("tempdir");
    let (port, closed) = silent_server();
    let p = SourcePolicy {
        allow_private_hosts: true,
        git_timeout: Duration::from_secs(600),
        ..policy(base.path())
    };
    let url = format!("https://127.0.0.1:{port}/slow.git");
    let cancelled = tokio::time::timeout(Duration::from_millis(300), obtain(&spec(&url, None), &p)).await;
    assert!(cancelled.is_err(), "the clone of a silent server cannot finish");
    // Dropping the future dropped the work directory with it, synchronously.
    assert!(p.work_dir.exists(), "a work directory was made");
    assert_work_empty(&p);
    closed.recv_timeout(Duration::from_secs(10)).expect("the connection was left open");
}

/// The purls the engine finds under `root`.
fn scanned_purls(root: &Path) -> Vec<String> {
    let opts = cairn_engine::scan::ScanOptions::default();
    let scan = cairn_engine::scan::scan_path(root, &opts, &cairn_engine::scan::NoProgress).expect("scan");
    scan.inventory.components.iter().map(|c| c.purl.clone()).collect()
}

#[tokio::test]
async fn a_clone_scans_like_its_origin() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = make_repo(base.path());
    let got = obtain(&spec(&file_url(&repo.path), None), &policy(base.path())).await.expect("clone");
    let Obtained::Tree { root, .. } = &got else { panic!("tree") };
    let purls = scanned_purls(root);
    assert!(purls.contains(&"pkg:pypi/flask@2.3.2".to_owned()), "{purls:?}");
    assert!(purls.iter().any(|p| p.starts_with("pkg:swift/")), "{purls:?}");
    assert_eq!(purls, scanned_purls(&repo.path));
}

/// A fake ssh that keeps its arguments, and the content and mode of the key file it is given.
fn key_reading_ssh(dir: &Path) -> PathBuf {
    let program = dir.join("key-ssh");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{argv}'\n\
             for a in \"$@\"; do case \"$a\" in IdentityFile=*) k=\"${{a#IdentityFile=}}\"; cp \"$k\" '{copy}'; \
             stat -c %a \"$k\" > '{mode}';; esac; done\n\
             echo 'Permission denied (publickey).' >&2\nexit 255\n",
            argv = dir.join("argv").display(),
            copy = dir.join("key-copy").display(),
            mode = dir.join("key-mode").display(),
        ),
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    program
}

// Issue 16 point 1: a tenant's ssh key is the one identity ssh is offered, as a 0600 file in the
// job's work directory that is gone afterwards; the failure is the fixed reason.
#[tokio::test]
async fn a_tenant_ssh_key_is_offered_alone_and_removed() {
    use cairn_daemon::sources::credentials::GitSecret;
    let base = tempfile::tempdir().expect("tempdir");
    let known_hosts = base.path().join("known_hosts");
    std::fs::write(&known_hosts, "").expect("write");
    let p = SourcePolicy {
        allow_private_hosts: true,
        ssh_program: key_reading_ssh(base.path()),
        ssh_known_hosts: Some(known_hosts),
        ..policy(base.path())
    };
    let pem =
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    let key = GitSecret::SshKey { private_key: pem.into() };
    let url = "ssh://git@127.0.0.1:2222/o/r.git";
    let err = cairn_daemon::sources::obtain_with(&spec(url, None), &p, Some(&key)).await.expect_err("denied");
    assert_eq!(
        err.to_string(),
        format!("git clone of {url} failed: the repository does not exist or is not public")
    );
    assert!(!err.to_string().contains("b3BlbnNz"), "{err}");
    let argv = std::fs::read_to_string(base.path().join("argv")).expect("argv");
    let identity = argv.lines().find_map(|l| l.strip_prefix("IdentityFile=")).expect("an identity file");
    assert!(Path::new(identity).starts_with(&p.work_dir), "{identity} outside the work directory");
    assert!(argv.lines().any(|l| l == "IdentitiesOnly=yes") && !argv.contains("IdentityFile=none"), "{argv}");
    assert_eq!(std::fs::read_to_string(base.path().join("key-copy")).expect("copy"), format!("{pem}\n"));
    assert_eq!(std::fs::read_to_string(base.path().join("key-mode")).expect("mode").trim(), "600");
    assert!(!Path::new(identity).exists(), "the key file outlived the clone");
    assert_work_empty(&p);
}
