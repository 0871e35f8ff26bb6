//! `cairn scan` as a user runs it: real process, real files, exit codes, stdout vs stderr.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output};

fn cairn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).output().expect("run cairn")
}

fn lock(name: &str, version: &str) -> String {
    format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"{name}\"]\n\n\
         [[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

#[test]
fn scan_writes_the_report_to_stdout_and_progress_to_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let out = cairn(&["scan", dir.path().to_str().expect("utf8"), "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out.stdout);
    assert_eq!(report["format"], "cairn-report/1");
    let purls: Vec<&str> =
        report["components"].as_array().expect("array").iter().filter_map(|c| c["purl"].as_str()).collect();
    assert_eq!(purls, ["pkg:cargo/app@0.1.0", "pkg:cargo/serde@1.0.200"]);
    assert_eq!(report["edges"][0]["to"], "pkg:cargo/serde@1.0.200");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 components (1 direct, 1 local)"), "{stderr}");
}

#[test]
fn scan_writes_cyclonedx_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let out_file = dir.path().join("bom.json");
    let out = cairn(&[
        "scan",
        dir.path().to_str().expect("utf8"),
        "--offline",
        "-f",
        "cyclonedx",
        "-o",
        out_file.to_str().expect("utf8"),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "quiet and -o leave both streams empty");
    let bom = json(&fs::read(&out_file).expect("bom written"));
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["components"][1]["purl"], "pkg:cargo/serde@1.0.200");
}

#[test]
fn malformed_lockfiles_are_diagnostics_not_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("bad")).expect("mkdir");
    fs::write(dir.path().join("bad/Cargo.lock"), "[[package]]\nname = \"x\"\nversion = ").expect("write");
    fs::write(dir.path().join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let out = cairn(&["scan", dir.path().to_str().expect("utf8"), "--offline"]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out.stdout);
    assert_eq!(report["components"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["diagnostics"][0]["path"], "bad/Cargo.lock");
    assert_eq!(report["diagnostics"][0]["severity"], "error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad/Cargo.lock"));
}

#[test]
fn exit_codes_for_usage_errors_and_failures() {
    assert_eq!(cairn(&["scan"]).status.code(), Some(2), "missing PATH");
    assert_eq!(cairn(&["scan", ".", "--offline", "-f", "nope"]).status.code(), Some(2), "bad format");
    assert_eq!(cairn(&["frobnicate"]).status.code(), Some(2), "unknown command");
    // Checked before any daemon is looked for: Cairn's JSON report is made only in-process.
    assert_eq!(cairn(&["scan", ".", "-f", "json"]).status.code(), Some(2), "-f json needs --offline");
    let out = cairn(&["scan", "/nonexistent/cairn-test", "--offline"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/cairn-test"));
    let dir = tempfile::tempdir().expect("tempdir");
    let unwritable = dir.path().join("no/such/dir/out.json");
    let out = cairn(&[
        "scan",
        dir.path().to_str().expect("utf8"),
        "--offline",
        "-o",
        unwritable.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(cairn(&["--help"]).status.code(), Some(0));
}

/// A tree of 100,000 files with lockfiles scattered in it, a symlink to `/` and a symlink loop:
/// the scan completes, finds every lockfile, lists what it skipped and reads nothing outside.
#[test]
fn scans_a_100k_file_tree_without_leaving_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("tree");
    for d in 0..100 {
        let sub = root.join(format!("pkg{d:03}/src"));
        fs::create_dir_all(&sub).expect("mkdir");
        for f in 0..999 {
            fs::write(sub.join(format!("f{f}.rs")), b"fn main() {}\n").expect("write");
        }
        fs::write(root.join(format!("pkg{d:03}/Cargo.lock")), lock(&format!("dep{d}"), "1.0.0"))
            .expect("write");
    }
    symlink("/", root.join("root-link")).expect("symlink");
    symlink(root.join("loop2"), root.join("loop1")).expect("symlink");
    symlink(root.join("loop1"), root.join("loop2")).expect("symlink");
    let report_path = dir.path().join("report.json");
    let out = cairn(&[
        "scan",
        root.to_str().expect("utf8"),
        "--offline",
        "-o",
        report_path.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&fs::read(&report_path).expect("report"));
    assert!(report["stats"]["entries_walked"].as_u64().expect("count") >= 100_000);
    assert_eq!(report["stats"]["files_cataloged"], 100);
    // 100 distinct dependencies plus the shared local `app`.
    assert_eq!(report["components"].as_array().map(Vec::len), Some(101));
    let skipped: Vec<(&str, &str)> = report["skipped"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| (s["path"].as_str().unwrap_or(""), s["reason"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        skipped,
        [
            ("loop1", "symlink-unresolvable"),
            ("loop2", "symlink-unresolvable"),
            ("root-link", "symlink-outside-root")
        ]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped root-link"), "{stderr}");
    assert!(Path::new(&report_path).exists());
}

const ADVISORY: &str = r#"{"id":"RUSTSEC-0000-0001","modified":"2024-01-01T00:00:00Z","aliases":["CVE-0000-1"],"summary":"test","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"affected":[{"package":{"ecosystem":"crates.io","name":"serde"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"},{"fixed":"1.0.201"}]}]}]}"#;

#[test]
fn scan_with_vulndb_reports_findings_and_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir(&src).expect("mkdir");
    fs::write(src.join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let db = dir.path().join("db");
    fs::create_dir(&db).expect("mkdir");
    fs::write(db.join("RUSTSEC-0000-0001.json"), ADVISORY).expect("write");
    let out =
        cairn(&["scan", src.to_str().expect("utf8"), "--offline", "--vulndb", db.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out.stdout);
    let v = &report["vulnerabilities"];
    assert_eq!(v["status"], "matched");
    assert_eq!(v["database"]["advisories"], 1);
    assert_eq!(v["summary"]["critical"], 1);
    assert_eq!(v["findings"][0]["id"], "RUSTSEC-0000-0001");
    assert_eq!(v["findings"][0]["purl"], "pkg:cargo/serde@1.0.200");
    assert_eq!(v["findings"][0]["nearest_fixed"], "1.0.201");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 vulnerabilities (1 critical, 0 high"), "{stderr}");
    assert!(stderr.contains("OSV data: 1 advisories (crates.io 1)"), "{stderr}");
}

#[test]
fn scan_without_vulndb_says_so_loudly() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let out = cairn(&["scan", dir.path().to_str().expect("utf8"), "--offline"]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out.stdout);
    assert_eq!(report["vulnerabilities"]["status"], "no_data");
    assert_eq!(report["vulnerabilities"]["note"], "no vulnerability data given");
    assert!(report["vulnerabilities"].get("findings").is_none(), "no empty list that reads as 'none found'");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no vulnerability data given"));
}

#[test]
fn scan_with_a_missing_vulndb_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    let out = cairn(&[
        "scan",
        dir.path().to_str().expect("utf8"),
        "--offline",
        "--vulndb",
        missing.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--vulndb"));
}

/// `--exclude` and `--max-file-size` reach the walk: excluded trees are not read, oversized
/// lockfiles are listed as skipped, and the summary names them.
#[test]
fn exclude_and_max_file_size_flags_reach_the_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for (sub, dep) in [("app", "serde"), ("vendor/x", "vendored"), ("big", "huge")] {
        fs::create_dir_all(root.join(sub)).expect("mkdir");
        let mut text = lock(dep, "1.0.0");
        if sub == "big" {
            text.push_str(&"# padding\n".repeat(200));
        }
        fs::write(root.join(sub).join("Cargo.lock"), text).expect("write");
    }
    let out = cairn(&[
        "scan",
        root.to_str().expect("utf8"),
        "--offline",
        "--exclude",
        "vendor",
        "--max-file-size",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out.stdout);
    let names: Vec<&str> =
        report["components"].as_array().expect("array").iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["app", "serde"]);
    assert_eq!(report["skipped"][0]["path"], "big/Cargo.lock");
    assert_eq!(report["skipped"][0]["reason"], "too-large");
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped big/Cargo.lock"));
    // A bad glob is a failure with a message, not a panic.
    let out = cairn(&["scan", root.to_str().expect("utf8"), "--offline", "--exclude", "a["]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid exclude glob"));
}

#[test]
fn scan_json_and_cbom_carry_the_crypto_inventory_and_its_libraries() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("Cargo.lock"), lock("ring", "0.17.8")).expect("write");
    fs::create_dir(dir.path().join("src")).expect("mkdir");
    fs::write(
        dir.path().join("src/main.rs"),
        "use ring::aead::AES_256_GCM;\nuse ring::signature::RSA_PKCS1_SHA256;\nfn main() {}\n",
    )
    .expect("write");
    let root = dir.path().to_str().expect("utf8");
    let out = cairn(&["scan", root, "--offline", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out.stdout);
    assert_eq!(report["crypto"]["readiness"]["methodology"], "cairn-cbom-v1");
    assert_eq!(report["crypto"]["readiness"]["score"], 50, "{}", report["crypto"]);
    let rsa = report["crypto"]["algorithms"]
        .as_array()
        .expect("algorithms")
        .iter()
        .find(|a| a["family"] == "RSASSA-PKCS1")
        .expect("RSA signature");
    assert_eq!(
        (rsa["nist_quantum_level"].as_u64(), rsa["replacement"].as_str()),
        (Some(0), Some("ML-DSA-65"))
    );
    assert_eq!(rsa["locations"][0]["file"], "src/main.rs");
    assert_eq!(report["crypto"]["libraries"][0]["purl"], "pkg:cargo/ring@0.17.8");

    let out = cairn(&["scan", root, "--offline", "-q", "-f", "cbom"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let cbom = json(&out.stdout);
    let ring = cbom["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .find(|d| d["ref"] == "pkg:cargo/ring@0.17.8")
        .expect("ring in the CBOM");
    assert_eq!(ring["provides"].as_array().map(Vec::len), Some(2), "{ring}");
}

/// Issue 22: the second scan with the same --vulndb reads the cache (same report), a damaged cache
/// is rebuilt and said so, and changed data is never answered from the old cache.
#[test]
fn vulndb_is_cached_per_revision_and_a_damaged_cache_is_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir(&src).expect("mkdir");
    fs::write(src.join("Cargo.lock"), lock("serde", "1.0.200")).expect("write");
    let db = dir.path().join("db");
    fs::create_dir(&db).expect("mkdir");
    fs::write(db.join("RUSTSEC-0000-0001.json"), ADVISORY).expect("write");
    let cache_home = dir.path().join("cache");
    let scan = |extra: &[&str]| {
        let mut args =
            vec!["scan", src.to_str().expect("utf8"), "--offline", "--vulndb", db.to_str().expect("utf8")];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_cairn"))
            .args(&args)
            .env("XDG_CACHE_HOME", &cache_home)
            .output()
            .expect("run cairn")
    };
    let first = scan(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let cached: Vec<_> = fs::read_dir(cache_home.join("cairn/vulndb")).expect("cache dir").collect();
    assert_eq!(cached.len(), 1, "one cache file for one set of paths");
    let file = cached.into_iter().next().expect("one").expect("entry").path();
    let second = scan(&[]);
    assert_eq!(second.stdout, first.stdout, "the cached data gives the same report");
    assert!(!String::from_utf8_lossy(&second.stderr).contains("cache"), "a hit is silent");

    fs::write(&file, b"not a cache").expect("damage");
    let third = scan(&[]);
    assert_eq!(third.stdout, first.stdout);
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert!(stderr.contains("vulnerability data cache rebuilt (corrupt"), "{stderr}");

    // The advisory now says 1.0.200 is fixed: the cache of the old data must not answer.
    fs::write(db.join("RUSTSEC-0000-0001.json"), ADVISORY.replace("1.0.201", "1.0.200")).expect("write");
    let fourth = scan(&[]);
    assert_eq!(json(&fourth.stdout)["vulnerabilities"]["summary"]["critical"], 0);
    assert!(String::from_utf8_lossy(&fourth.stderr).contains("cache rebuilt (stale"));

    // --no-vulndb-cache parses afresh and leaves the cache file as it was.
    let before = fs::read(&file).expect("read");
    fs::write(db.join("RUSTSEC-0000-0001.json"), ADVISORY).expect("write");
    let fifth = scan(&["--no-vulndb-cache"]);
    assert_eq!(json(&fifth.stdout)["vulnerabilities"]["summary"]["critical"], 1);
    assert_eq!(fs::read(&file).expect("read"), before);
}
