//! Local mode as a user runs it: `cairn daemon start` (twice at once starts one daemon), `status`,
//! `cairn status`, `cairn login --api-key` into a profile and `logout`, then `stop` (SIGTERM). The
//! daemon hands its key over in a 0600 file; a wiped data directory gets a fresh one. Each test
//! has its own XDG directories, and secrets go to the 0600 file (CAIRN_NO_KEYRING) so tests never
//! share the user's keyring. And the client never opens the daemon's database: no file of `tui/`
//! names its store or the old admin back door.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.args(args)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env_remove("CAIRN_PROFILE")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run cairn")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data/cairn")
    }

    fn runtime(&self) -> PathBuf {
        self.dir.path().join("run/cairn")
    }

    /// The key the client keeps (the fallback secrets file holds only the local one here).
    fn kept_key(&self) -> String {
        let creds: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.data().join("credentials.json")).expect("creds"))
                .expect("json");
        creds.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).expect("a key").to_owned()
    }
}

impl Drop for Home {
    // A failed assertion must not leave a daemon behind.
    fn drop(&mut self) {
        let _ = self.run(&["daemon", "stop"]);
    }
}

fn text(out: &Output) -> String {
    format!(
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `http://127.0.0.1:PORT (pid N)` from a start line.
fn url_and_pid(out: &Output) -> (String, u32) {
    let s = String::from_utf8_lossy(&out.stdout);
    let rest = s.split(": ").nth(1).unwrap_or_else(|| panic!("unexpected output {s:?}"));
    let (url, pid) = rest.split_once(" (pid ").expect("pid");
    (url.to_owned(), pid.trim().trim_end_matches(')').parse().expect("pid number"))
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

#[test]
fn two_starts_at_once_share_one_daemon_status_reports_it_and_stop_stops_it() {
    let home = Home::new();
    // Both race for the lock; the second must find the first's daemon.
    let a =
        home.command(&["daemon", "start"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("a");
    let b =
        home.command(&["daemon", "start"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("b");
    let (a, b) = (a.wait_with_output().expect("a"), b.wait_with_output().expect("b"));
    assert!(a.status.success() && b.status.success(), "{}\n{}", text(&a), text(&b));
    let (url_a, pid_a) = url_and_pid(&a);
    let (url_b, pid_b) = url_and_pid(&b);
    assert_eq!((&url_a, pid_a), (&url_b, pid_b), "one daemon");
    let started = [&a, &b].iter().filter(|o| String::from_utf8_lossy(&o.stdout).contains("started")).count();
    assert_eq!(started, 1, "exactly one start:\n{}\n{}", text(&a), text(&b));
    assert!(url_a.starts_with("http://127.0.0.1:"), "{url_a}");

    let again = home.run(&["daemon", "start"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already running"), "{}", text(&again));

    let status = home.run(&["daemon", "status"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let s = String::from_utf8_lossy(&status.stdout);
    assert!(s.contains(&url_a) && s.contains("sqlite: ok"), "{s}");

    // The key minted on first start works: `cairn status` sees the local administrator.
    let who = home.run(&["status"]);
    assert_eq!(who.status.code(), Some(0), "{}", text(&who));
    assert!(String::from_utf8_lossy(&who.stdout).contains("user: admin@cairn.localhost"), "{}", text(&who));
    let creds = home.data().join("credentials.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&creds).expect("fallback file").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    let stop = home.run(&["daemon", "stop"]);
    assert!(
        String::from_utf8_lossy(&stop.stdout).contains(&format!("stopped (pid {pid_a})")),
        "{}",
        text(&stop)
    );
    assert!(!alive(pid_a), "the daemon process is gone");
    assert!(!home.runtime().join("cairnd.json").exists(), "the state file is cleaned");
    assert!(!home.runtime().join("cairnd.addr").exists(), "the address file is cleaned");
    let status = home.run(&["daemon", "status"]);
    assert_eq!(status.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&status.stdout).contains("not running"));
    let stop = home.run(&["daemon", "stop"]);
    assert!(String::from_utf8_lossy(&stop.stdout).contains("not running"), "{}", text(&stop));
}

#[test]
fn login_with_an_api_key_makes_a_profile_without_the_secret_and_logout_removes_it() {
    let local = Home::new();
    let start = local.run(&["daemon", "start"]);
    assert!(start.status.success(), "{}", text(&start));
    let (url, _) = url_and_pid(&start);
    // The key the daemon handed over (taken into the keyring by the first command that needs it).
    let key =
        std::fs::read_to_string(local.runtime().join("cairnd.key")).expect("key file").trim().to_owned();

    // Another "machine" (its own XDG dirs) logs in to that daemon as a server.
    let user = Home::new();
    let mut login = user
        .command(&["login", "--server", &url, "--api-key"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login");
    login.stdin.take().expect("stdin").write_all(format!("{key}\n").as_bytes()).expect("write key");
    let out = login.wait_with_output().expect("login output");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let config =
        std::fs::read_to_string(user.dir.path().join("config/cairn/config.toml")).expect("config.toml");
    assert!(config.contains(&url) && config.contains("api-key"), "{config}");
    assert!(!config.contains(&key), "the secret never goes to config.toml");

    let status = user.run(&["status"]);
    let s = String::from_utf8_lossy(&status.stdout);
    assert!(s.contains("profile: default") && s.contains("user: admin@cairn.localhost"), "{}", text(&status));

    let bad = user
        .command(&["login", "--server", &url, "--api-key"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut bad = bad.expect("bad login");
    bad.stdin
        .take()
        .expect("stdin")
        .write_all(b"crn_live_AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n")
        .expect("write");
    let bad = bad.wait_with_output().expect("bad login output");
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("UNAUTHORIZED"), "{}", text(&bad));

    let out = user.run(&["logout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let config =
        std::fs::read_to_string(user.dir.path().join("config/cairn/config.toml")).expect("config.toml");
    assert!(!config.contains(&url), "{config}");
    let creds = std::fs::read_to_string(user.data().join("credentials.json")).expect("creds");
    assert!(!creds.contains(&key), "{creds}");
}

fn mode(path: &Path) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).expect("metadata").permissions()) & 0o777
}

#[test]
fn the_daemon_hands_its_key_over_in_a_0600_file_and_a_wiped_data_dir_gets_a_fresh_one() {
    let home = Home::new();
    let start = home.run(&["daemon", "start"]);
    assert!(start.status.success(), "{}", text(&start));
    let key_file = home.runtime().join("cairnd.key");
    assert_eq!(mode(&key_file), 0o600, "never readable by others");
    let handed = std::fs::read_to_string(&key_file).expect("key file").trim().to_owned();
    assert!(handed.starts_with("crn_live_"), "{handed}");
    let who = home.run(&["status"]);
    assert_eq!(who.status.code(), Some(0), "{}", text(&who));
    assert_eq!(home.kept_key(), handed, "the client keeps the handed-over key");
    assert!(key_file.exists(), "kept for other clients while the daemon runs");

    // A restart keeps a key the database still accepts.
    home.run(&["daemon", "stop"]);
    let start = home.run(&["daemon", "start"]);
    assert!(start.status.success(), "{}", text(&start));
    assert_eq!(std::fs::read_to_string(&key_file).expect("key file").trim(), handed);
    home.run(&["daemon", "stop"]);

    // The database goes (reset by hand), the keyring (here the fallback file) keeps the old key.
    for f in ["cairnd.db", "cairnd.db-wal", "cairnd.db-shm"] {
        let _ = std::fs::remove_file(home.data().join(f));
    }
    let start = home.run(&["daemon", "start"]);
    assert!(start.status.success(), "{}", text(&start));
    let fresh = std::fs::read_to_string(&key_file).expect("key file").trim().to_owned();
    assert_ne!(fresh, handed, "the new database minted its own key");
    assert_eq!(mode(&key_file), 0o600);
    let who = home.run(&["status"]);
    assert_eq!(who.status.code(), Some(0), "{}", text(&who));
    assert!(String::from_utf8_lossy(&who.stdout).contains("user: admin@cairn.localhost"), "{}", text(&who));
    assert_eq!(home.kept_key(), fresh, "the rejected key was replaced through the handover");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_file_of_the_client_reaches_into_the_daemons_database() {
    // Spelled in pieces so that this file does not name them itself.
    let forbidden = [["cairn_daemon::", "store"].concat(), ["admin", "_cli"].concat()];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        if root.join(dir).is_dir() {
            rust_files(&root.join(dir), &mut files);
        }
    }
    assert!(files.len() > 20, "found the sources: {files:?}");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("read source");
            forbidden
                .iter()
                .filter(|needle| text.contains(needle.as_str()))
                .map(|needle| format!("{} uses {needle}", f.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}
