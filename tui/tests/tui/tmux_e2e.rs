//! The real `cairn` dashboard in tmux, in local mode from an empty HOME (the README's run command:
//! the per-user daemon starts on demand), with the OSV fixture advisories imported into the local
//! daemon's database first: submit a scan of a fixture repository from the form, watch progress
//! reach 100%, open its finding, triage it not_affected, export CycloneDX and check the file, quit
//! and check the terminal is restored. Every step polls `tmux capture-pane -p` until its text shows
//! (there is no event to await from a terminal), and a failure prints the last screen. Skipped only
//! when the `tmux` binary is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{cyclonedx_errors, osv};
use cairn_daemon::vulndb::cli::VulndbCommand;

/// A fixture repository: one crate pinned at a version RUSTSEC-2021-0003 (smallvec) affects, and
/// no other advisory of the fixture set.
const MANIFEST: &str = "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                        [dependencies]\nsmallvec = \"=0.6.13\"\n";
const LOCKFILE: &str = "version = 3\n\n[[package]]\nname = \"fixture\"\nversion = \"0.1.0\"\n\
                        dependencies = [\n \"smallvec\",\n]\n\n[[package]]\nname = \"smallvec\"\n\
                        version = \"0.6.13\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
const ADVISORY: &str = "RUSTSEC-2021-0003";
const PURL: &str = "pkg:cargo/smallvec@0.6.13";

/// How long one step may take (the first includes starting the local daemon).
const STEP: Duration = Duration::from_secs(60);

/// A tmux server of our own (`-L`), one 160x45 session running `cairn` with an isolated HOME.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    fn env(&self) -> Vec<(String, PathBuf)> {
        let h = self.home.path();
        vec![
            ("HOME".into(), h.to_path_buf()),
            ("XDG_DATA_HOME".into(), h.join(".local/share")),
            ("XDG_CONFIG_HOME".into(), h.join(".config")),
            ("XDG_RUNTIME_DIR".into(), h.join("run")),
        ]
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Starts `cairn ARGS` in `dir`; when it exits, the shell prints its status and the tty's modes.
    fn start(&self, dir: &Path, cairn_args: &[&str]) {
        let mut args: Vec<String> =
            ["new-session", "-d", "-x", "160", "-y", "45", "-s", "e2e", "-c"].map(String::from).to_vec();
        args.push(dir.display().to_string());
        args.push("env".into());
        for (k, v) in self.env() {
            args.push(format!("{k}={}", v.display()));
        }
        args.extend(["CAIRN_NO_KEYRING=1", "TERM=xterm-256color"].map(String::from));
        args.extend(["sh", "-c"].map(String::from));
        args.push("\"$0\" \"$@\"; echo \"cairn exited $?\"; stty -a; exec sleep 600".into());
        args.push(env!("CARGO_BIN_EXE_cairn").into());
        args.extend(cairn_args.iter().map(|a| (*a).to_owned()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.tmux(&refs);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Polls the screen until `ok` holds; panics with the last screen after [`STEP`].
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Named keys (`Tab`, `C-s`, `Enter`, …) or single characters.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Literal text.
    fn type_text(&self, text: &str) {
        assert!(self.tmux(&["send-keys", "-t", "e2e", "-l", text]).status.success());
    }

    fn display(&self, format: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        // The local daemon the dashboard started.
        let mut stop = Command::new(env!("CARGO_BIN_EXE_cairn"));
        stop.args(["daemon", "stop"]).env("CAIRN_NO_KEYRING", "1");
        for (k, v) in self.env() {
            stop.env(k, v);
        }
        let _ = stop.output();
    }
}

fn tmux_missing() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: the dashboard's end-to-end test is skipped");
        return true;
    }
    false
}

fn new_tmux() -> Tmux {
    Tmux {
        socket: format!("cairn-e2e-{}", uuid::Uuid::new_v4().simple()),
        home: tempfile::tempdir().expect("home"),
    }
}

#[test]
fn without_a_terminal_the_dashboard_exits_2() {
    let t = new_tmux();
    let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.env("CAIRN_NO_KEYRING", "1").env_remove("CAIRN_PROFILE").stdin(std::process::Stdio::null());
    for (k, v) in t.env() {
        c.env(k, v);
    }
    let out = c.output().expect("run cairn");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cairn --help"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!t.home.path().join("run/cairn/cairnd.json").exists(), "no daemon was started");
}

#[test]
fn readonly_refuses_a_new_scan() {
    if tmux_missing() {
        return;
    }
    let t = new_tmux();
    t.start(t.home.path(), &["--readonly"]);
    t.wait("the dashboard on the local daemon", |s| s.contains("local daemon") && s.contains("feed live"));
    t.keys(&["n"]);
    let screen = t.wait_text("Read-only: ");
    assert!(!screen.contains("New scan"), "{screen}");
    t.keys(&["q"]);
    t.wait_text("cairn exited 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_scan_triage_export_in_tmux() {
    if tmux_missing() {
        return;
    }
    let t = Tmux {
        socket: format!("cairn-e2e-{}", uuid::Uuid::new_v4().simple()),
        home: tempfile::tempdir().expect("home"),
    };
    let home = t.home.path().to_path_buf();

    // The local daemon's database with the fixture advisories, as `cairnd vulndb import` loads them.
    let data = home.join(".local/share/cairn");
    std::fs::create_dir_all(&data).expect("data dir");
    let files = cairn_daemon::local::LocalFiles {
        address_file: home.join("run/cairn/cairnd.addr"),
        key_file: home.join("run/cairn/cairnd.key"),
    };
    let config = cairn_daemon::local::local_mode_config(&data, &files);
    cairn_daemon::vulndb::cli::run(config, VulndbCommand::Import { paths: vec![osv()], name: None })
        .await
        .expect("vulndb import");

    let repo = home.join("fixture");
    std::fs::create_dir_all(&repo).expect("repo");
    std::fs::write(repo.join("Cargo.toml"), MANIFEST).expect("manifest");
    std::fs::write(repo.join("Cargo.lock"), LOCKFILE).expect("lockfile");

    let t = tokio::task::spawn_blocking(move || {
        drive(&t, &repo);
        t
    })
    .await
    .expect("the tmux steps");
    drop(t);
}

fn drive(t: &Tmux, repo: &Path) {
    t.start(repo, &[]);
    // Up: the local daemon started on demand, the feed connected.
    t.wait("the dashboard on the local daemon", |s| s.contains("local daemon") && s.contains("feed live"));
    assert_eq!(t.display("#{alternate_on}"), "1", "the dashboard uses the alternate screen");

    // New scan: the form, the path, a project, submit.
    // `cairn` runs in the repository, so the form's path already names it.
    t.keys(&["n"]);
    t.wait("the form, its path the working directory", |s| {
        s.contains("New scan") && s.contains(&repo.display().to_string())
    });
    t.keys(&["Tab", "Tab"]);
    t.type_text("fixture");
    t.keys(&["C-s"]);
    t.wait("the scan at 100%", |s| s.contains("completed") && s.contains("100%"));

    // Vulnerabilities: the advisory, untriaged; open it.
    // The table's own title with its count: the Summary's gate names the untriaged advisory
    // too, and an `enter` sent while the tab still loads would open nothing.
    t.keys(&["3"]);
    t.wait("the finding's row", |s| {
        s.contains("Vulnerabilities 1/1") && s.contains(ADVISORY) && s.contains("untriaged")
    });
    t.keys(&["Enter"]);
    t.wait_text(&format!("Finding {ADVISORY}"));

    // Triage: not_affected, vulnerable code not in execute path, a note; save.
    t.keys(&["t"]);
    t.wait_text("Justification");
    t.keys(&["Right", "Right", "Tab", "Right", "Right", "Right", "Tab", "Tab"]);
    t.type_text("only built for tests");
    t.keys(&["C-s"]);
    t.wait("the saved triage", |s| s.contains("Saved") && s.contains("not_affected"));

    // Back to the scan; export CycloneDX 1.6 to the prefilled file in the working directory (the
    // repository: only the export is a `.json` there).
    t.keys(&["Escape"]);
    t.wait("the scan detail", |s| {
        s.contains("Vulnerabilities") && !s.contains(&format!("Finding {ADVISORY}"))
    });
    t.keys(&["e"]);
    t.wait_text("Export");
    t.keys(&["Enter"]);
    let screen = t.wait_text("Exported ");
    let files: Vec<PathBuf> = std::fs::read_dir(repo)
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "one document and no partial file: {files:?}\n{screen}");
    let bytes = std::fs::read(&files[0]).expect("read export");
    assert!(screen.contains(&format!("Exported {} bytes", bytes.len())), "{screen}");
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(doc["specVersion"], "1.6");
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "{errors:?}");
    let components = doc["components"].as_array().expect("components");
    assert!(components.iter().any(|c| c["purl"] == PURL), "{components:?}");
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    let vuln = vulns.iter().find(|v| v["id"] == ADVISORY).expect("the advisory in the document");
    // The document states the triage just saved.
    assert_eq!(vuln["analysis"]["state"], "not_affected", "{vuln}");
    assert_eq!(vuln["analysis"]["justification"], "code_not_reachable", "{vuln}");

    // Quit from the top screen; the terminal is restored (main screen, cooked mode, echo).
    // `esc` closes the export dialog, then leaves the scan; each waits for the screen to change
    // (an escape byte followed at once by `q` would read as alt-q).
    for _ in 0..4 {
        let before = t.screen();
        if before.contains("┌ Projects") {
            break;
        }
        t.keys(&["Escape"]);
        t.wait("esc to take effect", |s| s != before);
    }
    t.wait("the top screen", |s| s.contains("┌ Projects"));
    t.keys(&["q"]);
    let screen = t.wait_text("cairn exited 0");
    assert_eq!(t.display("#{alternate_on}"), "0", "left the alternate screen");
    assert_eq!(t.display("#{mouse_any_flag}"), "0", "mouse capture off");
    let modes = screen.split_whitespace().collect::<Vec<_>>();
    assert!(modes.contains(&"icanon") && modes.contains(&"echo"), "raw mode left:\n{screen}");
}
