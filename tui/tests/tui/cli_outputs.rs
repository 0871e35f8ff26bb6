//! Issue 14 (points 6, 7, 9, 11) through the real `cairn` binary, without a daemon: what each
//! output is, which flag combinations are refused (exit 2) before any work, and that a closed
//! pipe or a lockfile path are handled. Every test here failed on the code before the fix.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `cairn` with an empty HOME, so no profile or local daemon of the machine is used.
fn cairn_in(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("CAIRN_PROFILE")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run cairn")
}

fn lock(name: &str, version: &str) -> String {
    format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"{name}\"]\n\n\
         [[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

const CRITICAL: &str = r#"{"id":"RUSTSEC-0000-0001","modified":"2024-01-01T00:00:00Z","summary":"test","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"affected":[{"package":{"ecosystem":"crates.io","name":"serde"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"},{"fixed":"1.0.201"}]}]}]}"#;
const UNRATED: &str = r#"{"id":"RUSTSEC-0000-0002","modified":"2024-01-01T00:00:00Z","summary":"test","affected":[{"package":{"ecosystem":"crates.io","name":"serde"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}]}]}"#;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("home")).expect("mkdir");
        fs::create_dir_all(dir.path().join("src/sub")).expect("mkdir");
        fs::write(dir.path().join("src/Cargo.lock"), lock("serde", "1.0.200")).expect("write");
        fs::write(dir.path().join("src/sub/Cargo.lock"), lock("tokio", "1.0.0")).expect("write");
        fs::create_dir_all(dir.path().join("db")).expect("mkdir");
        fs::write(dir.path().join("db/a.json"), UNRATED).expect("write");
        fs::write(dir.path().join("db/b.json"), CRITICAL).expect("write");
        Self { dir }
    }
    fn path(&self, rel: &str) -> String {
        self.dir.path().join(rel).to_str().expect("utf8").to_owned()
    }
    fn run(&self, args: &[&str]) -> Output {
        cairn_in(&self.dir.path().join("home"), args)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_single_lockfile_is_scanned_alone() {
    let f = Fixture::new();
    let out = f.run(&["scan", &f.path("src/Cargo.lock"), "--offline", "-f", "json", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let purls: Vec<&str> =
        report["components"].as_array().expect("array").iter().filter_map(|c| c["purl"].as_str()).collect();
    assert_eq!(
        purls,
        ["pkg:cargo/app@0.1.0", "pkg:cargo/serde@1.0.200"],
        "not the sibling directory's tokio"
    );
}

#[test]
fn the_table_lists_findings_worst_first_then_the_coverage() {
    let f = Fixture::new();
    let out =
        f.run(&["scan", &f.path("src/Cargo.lock"), "--offline", "-f", "table", "--vulndb", &f.path("db")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "ADVISORY           SEVERITY  PACKAGE  INSTALLED  FIXED    LOCATION", "{table}");
    assert!(
        lines[1].starts_with("RUSTSEC-0000-0001  critical  serde    1.0.200    1.0.201  Cargo.lock:"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("RUSTSEC-0000-0002  unknown   serde    1.0.200    -        Cargo.lock:"),
        "{table}"
    );
    assert_eq!(
        lines[3],
        "2 vulnerabilities (1 critical, 1 unknown) in 1 components checked against 2 advisories; 0 not evaluated"
    );
    assert!(!table.contains('\x1b'), "no colour when stdout is not a terminal");
}

#[test]
fn the_table_without_data_says_nothing_was_checked() {
    let f = Fixture::new();
    let out = f.run(&["scan", &f.path("src"), "--offline", "-f", "table", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "WARNING: no vulnerability data given (--vulndb PATH): vulnerabilities were NOT checked\n"
    );
}

/// On a terminal (a pseudo-terminal from util-linux `script`) without -f or -o the table is the
/// default, in colour unless NO_COLOR; piped, the JSON report stays the default.
#[test]
fn a_terminal_gets_the_table_and_a_pipe_gets_json() {
    let f = Fixture::new();
    let scan = format!(
        "{} scan {} --offline -q --vulndb {}",
        env!("CARGO_BIN_EXE_cairn"),
        f.path("src/Cargo.lock"),
        f.path("db")
    );
    let on_tty = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &scan, "/dev/null"]).env("HOME", f.path("home")).stdin(Stdio::null());
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd.output().expect("util-linux script runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let colored = on_tty(false);
    assert!(colored.contains("ADVISORY"), "{colored}");
    assert!(colored.contains("\x1b[1;31mcritical"), "{colored:?}");
    let plain = on_tty(true);
    assert!(plain.contains("RUSTSEC-0000-0001  critical") && !plain.contains('\x1b'), "{plain:?}");

    let piped = f.run(&["scan", &f.path("src/Cargo.lock"), "--offline", "-q"]);
    let report: serde_json::Value = serde_json::from_slice(&piped.stdout).expect("JSON when piped");
    assert_eq!(report["format"], "cairn-report/1");
}

#[test]
fn a_bad_timestamp_is_refused_before_the_scan() {
    let f = Fixture::new();
    let out = f.run(&["scan", &f.path("src"), "--offline", "-f", "json", "--timestamp", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("--timestamp \"yesterday\"") && !err.contains("walking"), "{err}");
}

/// SOURCE_DATE_EPOCH only matters to dated documents: a bad one refuses those before the scan
/// (exit 2) and leaves the JSON report alone.
#[test]
fn a_bad_source_date_epoch_refuses_only_dated_documents() {
    let f = Fixture::new();
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(["scan", &f.path("src"), "--offline", "-q", "-f", format])
            .env("HOME", f.path("home"))
            .env("SOURCE_DATE_EPOCH", "soon")
            .output()
            .expect("run cairn")
    };
    let json = run("json");
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let cdx = run("cyclonedx");
    assert_eq!(cdx.status.code(), Some(2), "{}", text(&cdx.stderr));
    assert!(
        cdx.stdout.is_empty() && text(&cdx.stderr).contains("SOURCE_DATE_EPOCH"),
        "{}",
        text(&cdx.stderr)
    );
}

#[test]
fn offline_only_flags_are_refused_through_a_daemon() {
    let f = Fixture::new();
    let src = f.path("src");
    let db = f.path("db");
    for (flags, named) in [
        (vec!["--vulndb", db.as_str()], "--vulndb"),
        (vec!["--exclude", "vendor"], "--exclude"),
        (vec!["--max-file-size", "10"], "--max-file-size"),
        (vec!["--timestamp", "0"], "--timestamp"),
        (vec!["--name", "x"], "--name"),
        (vec!["-f", "json"], "-f json"),
        (vec!["-f", "notice"], "-f notice"),
    ] {
        let mut args = vec!["scan", src.as_str()];
        args.extend(flags);
        let out = f.run(&args);
        assert_eq!(out.status.code(), Some(2), "{named}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains(named) && !err.contains("Json") && !err.contains("Notice"), "{err}");
        assert!(!f.dir.path().join("home/run/cairn/cairnd.json").exists(), "{named}: no daemon was started");
    }
}

/// A CycloneDX document made by `cairn scan` itself, for `convert` to read.
fn sbom(f: &Fixture) -> String {
    let path = f.path("bom.json");
    let out = f.run(&["scan", &f.path("src"), "--offline", "-f", "cyclonedx", "-o", &path, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    path
}

#[test]
fn convert_refuses_documents_it_cannot_make() {
    let f = Fixture::new();
    let bom = sbom(&f);
    for format in ["notice", "cbom", "table"] {
        let out = f.run(&["convert", &bom, "-f", format]);
        assert_eq!(out.status.code(), Some(2), "-f {format}");
        assert!(out.stdout.is_empty(), "-f {format} wrote {}", text(&out.stdout));
        assert!(text(&out.stderr).contains(&format!("-f {format}")), "{}", text(&out.stderr));
    }
}

#[test]
fn convert_reads_standard_input_and_names_formats_in_user_words() {
    let f = Fixture::new();
    let bom = fs::read(sbom(&f)).expect("read");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["convert", "-", "-f", "spdx-2.3", "--timestamp", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(&bom).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    let err = text(&out.stderr);
    assert!(err.contains("read CycloneDX 1.6 JSON with"), "{err}");
    assert!(!err.contains("CycloneDxJson"), "{err}");
}

#[test]
fn a_missing_path_says_no_such_file_once() {
    let f = Fixture::new();
    let out = f.run(&["scan", &f.path("nope"), "--offline"]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// `cairn status | head -1`: the reader is gone before cairn writes; a quiet exit, no panic (101).
#[test]
fn a_closed_pipe_is_quiet() {
    let f = Fixture::new();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .arg("status")
        .env("HOME", f.path("home"))
        .env("XDG_CONFIG_HOME", f.path("home/config"))
        .env("XDG_DATA_HOME", f.path("home/data"))
        .env("XDG_RUNTIME_DIR", f.path("home/run"))
        .env_remove("CAIRN_PROFILE")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

/// Issue 15: `cairn status --json` in local mode with no daemon running: one object that says
/// the daemon was not asked (`null`s), never made-up health or counts.
#[test]
fn status_json_without_a_local_daemon_says_nothing_was_asked() {
    let f = Fixture::new();
    let out = f.run(&["status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["mode"], "local", "{v}");
    assert_eq!(v["local_daemon"]["running"], false, "{v}");
    for field in ["server", "daemon", "user", "vulndb", "vulndb_error"] {
        assert!(v[field].is_null(), "{field}: {v}");
    }
}
