//! Issue 14's acceptance: the new user's first day, scripted. Everything runs the real `cairn`
//! binary from an empty HOME, in local mode (the per-user daemon starts on demand) and offline, on
//! real repositories' lockfiles and manifests with the real advisories that apply to them:
//! vaultwarden's Cargo.lock and package-lock.json with seven RustSec records
//! (../tests/fixtures/vaultwarden, see SOURCE.md there), pyjwt's pyproject.toml and PyPA records
//! (engine/tests/fixtures). Each step is one of the issue's points; the dashboard's side of the
//! trial is `tmux_e2e.rs` and the snapshots in `dashboard.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A new user's machine: HOME and the XDG directories in a temp dir, secrets in the 0600 file.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn command(&self, args: &[&str]) -> Command {
        let home = self.dir.path();
        let mut c = Command::new(env!("CARGO_BIN_EXE_cairn"));
        c.args(args)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .env("CAIRN_NO_KEYRING", "1")
            .env("NO_COLOR", "1")
            // A new user's machine: no cargo registry or Go module cache to read licenses from
            // (rustup's cargo hands its own CARGO_HOME to the tests).
            .env_remove("CARGO_HOME")
            .env_remove("GOMODCACHE")
            .env_remove("GOPATH")
            .env_remove("CAIRN_PROFILE")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run cairn")
    }
}

impl Drop for Home {
    // A failed assertion must not leave the local daemon behind.
    fn drop(&mut self) {
        let _ = self.command(&["daemon", "stop"]).output();
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn exits(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Copies a directory tree (files and directories only).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// An OpenVEX document saying the Marvin attack (RUSTSEC-2023-0071) does not affect `rsa`.
const VEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.test/vex/trial",
  "author": "trial",
  "timestamp": "2026-12-01T00:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "RUSTSEC-2023-0071"},
    "products": [{"@id": "pkg:cargo/rsa@0.9.10"}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path"
  }]
}"#;

#[test]
fn a_new_users_first_day() {
    let home = Home::new();
    let fixture = repo().join("tests/fixtures/vaultwarden");
    let osv = repo().join("engine/tests/fixtures/osv");
    // The code lives outside $HOME, as on a server (point 5).
    let srv = tempfile::tempdir().expect("srv");
    let app = srv.path().join("vaultwarden");
    copy_dir(&fixture.join("tree"), &app);

    // Point 1: vulnerability data accumulates, source by source.
    let rustsec = srv.path().join("rustsec");
    copy_dir(&fixture.join("osv"), &rustsec);
    exits(&home.run(&["db", "import", s(&rustsec)]), 0);
    exits(&home.run(&["db", "import", s(&osv.join("pypa"))]), 0);
    let out = home.run(&["db", "status"]);
    exits(&out, 0);
    let status = String::from_utf8_lossy(&out.stdout);
    for word in ["rustsec", "pypa", "crates.io", "PyPI"] {
        assert!(status.contains(word), "{word}: {status}");
    }

    // Points 2, 3, 5, 6: a directory outside $HOME, recorded on a project created by name; the
    // unmaintained notices and the unrated findings do not trip `--fail-on critical`; npm, with no
    // advisories loaded, is "not evaluated", never a bare zero.
    let err = exits(
        &home.run(&[
            "scan",
            s(&app),
            "--project",
            "vaultwarden",
            "--create-project",
            "--fail-on",
            "critical",
        ]),
        0,
    );
    assert!(err.contains("created project vaultwarden"), "{err}");
    assert!(err.contains("coverage: npm 200 not evaluated — no advisories loaded"), "{err}");
    assert!(err.contains("2 warnings"), "{err}");
    assert!(err.contains("--fail-on-warnings counts them"), "{err}");
    assert!(!err.contains("not under a scan root"), "{err}");

    // Point 3: asked for, warnings and unknown severities do count.
    exits(&home.run(&["scan", s(&app), "--project", "vaultwarden", "--fail-on-warnings"]), 1);
    exits(
        &home.run(&[
            "scan",
            s(&app),
            "--project",
            "vaultwarden",
            "--fail-on",
            "critical",
            "--fail-on-unknown",
        ]),
        1,
    );

    // Point 6: the project exists by name, and the list columns add up.
    let out = home.run(&["projects", "ls"]);
    exits(&out, 0);
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("vaultwarden") && list.contains("UNKNOWN"), "{list}");

    // Point 4: the same gate offline, with the repository's own triage as a VEX document.
    let vex = srv.path().join("vex.json");
    std::fs::write(&vex, VEX).expect("write vex");
    let offline = |extra: &[&str]| {
        let mut args = vec!["scan", s(&app), "--offline", "--vulndb", s(&rustsec), "-o"];
        let out = srv.path().join("report.json");
        args.push(s(&out));
        args.extend_from_slice(extra);
        home.run(&args.iter().map(|a| &**a).collect::<Vec<&str>>())
    };
    exits(&offline(&["--fail-on", "medium"]), 1);
    let err = exits(&offline(&["--fail-on", "medium", "--ignore-file", s(&vex)]), 0);
    assert!(err.contains("suppressed"), "{err}");

    // Point 7: one lockfile alone; a document Cairn cannot make from a BOM is refused.
    let out = home.run(&["scan", s(&app.join("Cargo.lock")), "--offline", "-f", "table"]);
    exits(&out, 0);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("NO VULNERABILITY DATA") || table.contains("NOT checked"), "{table}");
    let cdx = srv.path().join("app.cdx.json");
    exits(&home.run(&["scan", s(&app), "--offline", "-f", "cyclonedx", "-o", s(&cdx)]), 0);
    exits(&home.run(&["convert", s(&cdx), "-f", "notice"]), 2);

    // Point 9: the table asked for names the findings worst first, then the coverage.
    let out = home.run(&["scan", s(&app), "--offline", "--vulndb", s(&rustsec), "-f", "table"]);
    exits(&out, 0);
    let table = String::from_utf8_lossy(&out.stdout);
    let medium = table.find("RUSTSEC-2023-0071").expect("the medium finding");
    let unknown = table.find("RUSTSEC-2026-0098").expect("an unrated finding");
    assert!(medium < unknown, "worst first: {table}");
    assert!(table.contains("coverage: npm 200 not evaluated"), "{table}");

    // Point 8: pyproject.toml alone says what it declares, and that nothing pins it.
    let pyjwt = repo().join("engine/tests/fixtures/corpus/pyproject/jpadilla__pyjwt");
    let out = home.run(&["scan", s(&pyjwt), "--offline", "--vulndb", s(&osv.join("pypa"))]);
    let err = exits(&out, 0);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    let components = report["components"].as_array().expect("components");
    assert!(!components.is_empty(), "{err}");
    let diagnostics = report["diagnostics"].to_string();
    assert!(diagnostics.contains("lockfile"), "{diagnostics}");
    assert!(!report.to_string().contains("proprietary-unknown"), "{err}");

    // Point 11: a closed pipe is quiet.
    let mut child = home.command(&["status"]).stdout(Stdio::piped()).spawn().expect("spawn");
    drop(child.stdout.take());
    let status = child.wait().expect("wait");
    assert_ne!(status.code(), Some(101), "panicked on a closed pipe");
}
