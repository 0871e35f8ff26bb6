//! Issue 19 offline: `cairn scan --policy FILE|default` on a tree with a high finding (werkzeug
//! 2.3.3, PYSEC-2023-221, real PyPA record) and an AGPL component (tests/fixtures/policy, see
//! SOURCE.md there): exit 1 with the violations; exit 0 once `--ignore-file` suppresses the
//! finding and the policy allows the license; SARIF carries the violations and validates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn scan(extra: &[&str]) -> Output {
    let f = fixtures();
    let (tree, osv) = (f.join("policy/tree"), f.join("osv-scan"));
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

fn fixture(name: &str) -> String {
    fixtures().join("policy").join(name).to_str().expect("utf8").to_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_policy_forbidding_high_findings_and_agpl_fails_with_its_violations() {
    let out = scan(&["--policy", &fixture("no-high-no-agpl.toml"), "-q"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cairn: policy release revision 3: FAILED — 2 fail, 0 warn, 0 info violations"),
        "{err}"
    );
    assert!(
        err.contains("cairn: policy: fail no-high: PYSEC-2023-221 in pkg:pypi/werkzeug@2.3.3 — No high or critical vulnerabilities in a release"),
        "{err}"
    );
    assert!(
        err.contains(
            "cairn: policy: fail no-agpl: pkg:pypi/pymupdf@1.23.8 (AGPL-3.0-only) — AGPL is not allowed"
        ),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["gate"]["status"], "fail");
    assert_eq!(report["gate"]["policy"], serde_json::json!({"id": "release", "revision": 3}));
    assert_eq!(report["gate"]["violations"][0]["subject"]["kind"], "finding");
    assert_eq!(report["gate"]["violations"][1]["subject"]["kind"], "license");
}

#[test]
fn the_vex_ignore_file_and_an_allowed_license_pass_the_gate() {
    let vex = fixture("werkzeug.openvex.json");
    // The finding suppressed, the license still forbidden: still a failure, for the license alone.
    let out = scan(&["--policy", &fixture("no-high-no-agpl.toml"), "--ignore-file", &vex, "-q"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("FAILED — 1 fail"), "{err}");
    assert!(!err.contains("no-high:"), "{err}");
    let out = scan(&["--policy", &fixture("no-high-agpl-allowed.toml"), "--ignore-file", &vex]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("cairn: policy release revision 4: passed — 0 fail, 0 warn, 0 info violations"),
        "{err}"
    );
    assert!(err.contains("cairn: 1 findings suppressed by --ignore-file"), "{err}");
}

#[test]
fn sarif_carries_the_violations_as_results_with_rule_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("gate.sarif");
    let out = scan(&[
        "--policy",
        &fixture("no-high-no-agpl.toml"),
        "-f",
        "sarif",
        "-o",
        sarif.to_str().expect("utf8"),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let validate =
        Command::new("/work/shared/tools/validate-bom").arg(&sarif).output().expect("validate-bom");
    assert!(validate.status.success(), "{}", String::from_utf8_lossy(&validate.stdout));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("read")).expect("SARIF is JSON");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let agpl = rules.iter().find(|r| r["id"] == "policy/release/no-agpl").expect("the policy rule");
    assert_eq!(agpl["shortDescription"]["text"], "AGPL is not allowed");
    assert_eq!(agpl["defaultConfiguration"]["level"], "error");
    let results = run["results"].as_array().expect("results");
    let license = results.iter().find(|r| r["ruleId"] == "policy/release/no-agpl").expect("license result");
    assert_eq!(
        license["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "site-packages/PyMuPDF-1.23.8.dist-info/METADATA"
    );
    assert!(results.iter().any(|r| r["ruleId"] == "policy/release/no-high"), "{results:?}");
    // The advisory's own result is still there beside the policy's.
    assert!(results.iter().any(|r| r["ruleId"] == "PYSEC-2023-221"), "{results:?}");
}

#[test]
fn the_default_policy_and_bad_policies() {
    let out = scan(&["--policy", "default", "-q"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("fail untriaged-high: PYSEC-2023-221 in pkg:pypi/werkzeug@2.3.3"), "{err}");
    assert!(err.contains("warn network-copyleft-runtime: pkg:pypi/pymupdf@1.23.8"), "{err}");
    // The PyPA records are from 2023: the data is stale, and the gate says so.
    assert!(err.contains("warn stale-vulnerability-data: vulnerability data as of 2023-11-08"), "{err}");

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "format = \"cairn-policy/1\"\nid = \"p\"\n[[rules]]\nid = \"r1\"\naction = \"fail\"\nmessage = \"m\"\nfinding = { min_severty = \"high\" }\n",
    )
    .expect("write");
    let out = scan(&["--policy", bad.to_str().expect("utf8")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("rule \"r1\": field finding.min_severty: unknown field `min_severty`"), "{err}");
    let out = scan(&["--policy", "/nonexistent/policy.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // Without vulnerability data the finding rules are not evaluated, and it is said.
    let tree = fixtures().join("policy/tree");
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args([
            "scan",
            tree.to_str().expect("utf8"),
            "--offline",
            "--no-package-caches",
            "--policy",
            "default",
            "-f",
            "json",
        ])
        .output()
        .expect("run cairn");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "policy: not evaluated untriaged-high: no vulnerability data: findings were not matched"
        ),
        "{err}"
    );
}
