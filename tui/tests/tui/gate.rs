//! Issue 14, points 2–4 offline: per-ecosystem coverage, warnings apart from findings, the gate
//! (`--fail-on`, `--fail-on-unknown`, `--fail-on-warnings`) and `--ignore-file`, on vaultwarden's
//! real lockfiles with the real RustSec records that apply to them (../tests/fixtures/vaultwarden,
//! see SOURCE.md there): five vulnerabilities (one medium, four without severity), two
//! `unmaintained` notices, 200 npm packages and no npm data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/vaultwarden")
}

fn scan(extra: &[&str]) -> Output {
    let f = fixture();
    let (tree, osv) = (f.join("tree"), f.join("osv"));
    // Not this machine's cargo registry: the licenses it would add are not what these tests check.
    let mut args = vec![
        "scan",
        tree.to_str().expect("utf8"),
        "--offline",
        "--no-package-caches",
        "--vulndb",
        osv.to_str().expect("utf8"),
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_cairn")).args(&args).output().expect("run cairn")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

#[test]
fn fail_on_works_offline_and_notices_never_trip_it() {
    // Old code: `--fail-on` with `--offline` was a usage error (2), and the two unmaintained
    // notices and four unrated findings counted at every threshold.
    let out = scan(&["--fail-on", "critical"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("cairn: coverage: crates.io 621 evaluated against 7 advisories"), "{err}");
    assert!(err.contains("cairn: coverage: npm 200 not evaluated — no advisories loaded"), "{err}");
    assert!(err.contains("cairn: 2 warnings (2 unmaintained)"), "{err}");
    assert!(err.contains("cairn: gate: 0 findings at or above critical count — passed"), "{err}");
    assert!(
        err.contains("gate: left out: 4 findings of unknown severity (--fail-on-unknown counts them); 2 warnings (--fail-on-warnings counts them)"),
        "{err}"
    );

    let report = json(&out.stdout);
    let v = &report["vulnerabilities"];
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["summary"]["unknown"], 4);
    assert_eq!(v["warnings_summary"]["unmaintained"], 2);
    let warned: Vec<&str> =
        v["warnings"].as_array().expect("warnings").iter().filter_map(|w| w["advisory"].as_str()).collect();
    assert_eq!(warned, ["RUSTSEC-2025-0052", "RUSTSEC-2025-0134"]);
    let npm =
        v["coverage"].as_array().expect("coverage").iter().find(|c| c["ecosystem"] == "npm").expect("npm");
    assert_eq!((npm["components"].as_u64(), npm["evaluated"].as_u64()), (Some(200), Some(0)));
    assert_eq!(npm["not_evaluated"][0]["message"], "not evaluated: no data for npm");
}

#[test]
fn unknown_warnings_and_thresholds_fail_the_gate_with_exit_1() {
    for (flags, failing) in [
        (&["--fail-on", "medium"][..], "1 findings at or above medium count — failed"),
        (
            &["--fail-on", "critical", "--fail-on-unknown"][..],
            "4 findings at or above critical or of unknown severity count — failed",
        ),
        (&["--fail-on-warnings"][..], "cairn: gate: 2 warnings count — failed"),
    ] {
        let mut args = flags.to_vec();
        args.push("-q");
        let out = scan(&args);
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(failing), "{flags:?}: {}", stderr(&out));
    }
}

#[test]
fn an_ignore_file_suppresses_and_lists_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vex = dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/vaultwarden","author":"ci","timestamp":"2026-01-01T00:00:00Z","version":1,
           "statements":[{"vulnerability":{"name":"CVE-2023-49092"},"products":[{"@id":"pkg:cargo/rsa"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .expect("write");
    let out = scan(&["--fail-on", "medium", "--ignore-file", vex.to_str().expect("utf8")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("cairn: 1 findings suppressed by --ignore-file:"), "{err}");
    assert!(err.contains("RUSTSEC-2023-0071 pkg:cargo/rsa@0.9.10 — not_affected (statements[0])"), "{err}");
    assert!(err.contains("1 findings suppressed by --ignore-file"), "{err}");
    let v = &json(&out.stdout)["vulnerabilities"];
    assert_eq!(v["suppressed"][0]["finding"]["id"], "RUSTSEC-2023-0071");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(4));

    std::fs::write(&vex, "{}").expect("write");
    let out = scan(&["--ignore-file", vex.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "a document that is not VEX is a usage error: {}", stderr(&out));
    assert!(stderr(&out).contains("neither an OpenVEX document"), "{}", stderr(&out));
}

#[test]
fn the_gate_without_data_is_a_usage_error_and_errors_exit_3() {
    let tree = fixture().join("tree");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["scan", tree.to_str().expect("utf8"), "--offline", "--fail-on", "high"])
        .output()
        .expect("run cairn");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--vulndb PATH"), "{}", stderr(&out));
    let out = scan(&["--vulndb", "/nonexistent/osv"]);
    assert_eq!(out.status.code(), Some(3), "an error is not a failed gate: {}", stderr(&out));
}

#[test]
fn cyclonedx_and_sarif_carry_the_coverage() {
    let out = scan(&["-f", "cyclonedx", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bom = json(&out.stdout);
    let props: Vec<&str> = bom["metadata"]["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .filter(|p| p["name"] == "cairn:vulnerability-coverage")
        .filter_map(|p| p["value"].as_str())
        .collect();
    assert_eq!(
        props,
        ["crates.io 621 evaluated against 7 advisories", "npm 200 not evaluated — no advisories loaded"]
    );
    let out = scan(&["-f", "sarif", "-q"]);
    let sarif = json(&out.stdout);
    let notes =
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().expect("notifications");
    assert!(
        notes.iter().any(|n| n["level"] == "warning"
            && n["message"]["text"]
                == "vulnerability coverage: npm 200 not evaluated — no advisories loaded"),
        "{notes:?}"
    );
    // .ci/run collects these for ../shared/tools/validate-bom.
    if let Some(dir) = std::env::var_os("CAIRN_BOM_OUT") {
        std::fs::write(
            Path::new(&dir).join("coverage.cyclonedx.json"),
            serde_json::to_vec(&bom).expect("json"),
        )
        .expect("write");
        std::fs::write(Path::new(&dir).join("coverage.sarif.json"), &out.stdout).expect("write");
    }
}
