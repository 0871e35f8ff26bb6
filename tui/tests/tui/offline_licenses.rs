//! `cairn scan --offline` reads licenses from the user's cargo registry sources (issue 14 point 8),
//! unless `--no-package-caches`; then the license is "not determined" with the reason, and stderr's
//! obligations line says so instead of "none".
//!
//! The crate files are real (engine/tests/fixtures/caches, see SOURCE.md there).

use std::path::Path;
use std::process::Command;

const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.19\"\n\
source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

fn run(tree: &Path, cargo_home: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["scan", "--offline", "-f", "json"])
        .args(extra)
        .arg(tree)
        .env("CARGO_HOME", cargo_home)
        .env("GOMODCACHE", cargo_home.join("no-go-cache"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run cairn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn itoa(report: &serde_json::Value) -> &serde_json::Value {
    report["inventory"]["components"]
        .as_array()
        .or_else(|| report["components"].as_array())
        .and_then(|a| a.iter().find(|c| c["name"] == "itoa"))
        .unwrap_or_else(|| panic!("itoa in {report}"))
}

#[test]
fn offline_scan_reads_the_cargo_registry_unless_told_not_to() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/caches/cargo/index.crates.io-1949cf8c6b5b557f/itoa-1.0.19");
    let home = tempfile::tempdir().expect("tempdir");
    let crate_dir = home.path().join("registry/src/index.crates.io-1949cf8c6b5b557f/itoa-1.0.19");
    std::fs::create_dir_all(&crate_dir).expect("mkdir");
    for f in ["Cargo.toml", "LICENSE-MIT"] {
        std::fs::copy(fixture.join(f), crate_dir.join(f)).expect("copy");
    }
    let tree = tempfile::tempdir().expect("tempdir");
    std::fs::write(tree.path().join("Cargo.lock"), CARGO_LOCK).expect("write");

    let (report, stderr) = run(tree.path(), home.path(), &[]);
    let c = itoa(&report);
    assert_eq!(c["licenses"]["concluded"]["expression"], "MIT OR Apache-2.0", "{c}");
    assert!(stderr.contains("1 permissive"), "{stderr}");

    let (report, stderr) = run(tree.path(), home.path(), &["--no-package-caches"]);
    let c = itoa(&report);
    assert!(c["licenses"]["concluded"].is_null(), "{c}");
    let why = c["licenses"]["not_determined"].as_str().expect("a reason");
    assert!(why.contains("the lockfile carries no license data"), "{why}");
    assert_eq!(report["licenses"]["without_license"], 1);
    assert!(!stderr.contains("obligations: none"), "{stderr}");
    assert!(stderr.contains("obligations: not determined"), "{stderr}");
    assert!(!stderr.contains("proprietary"), "{stderr}");
}
