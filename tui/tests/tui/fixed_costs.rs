//! Issue 22: `cairn scan` pays the engine's fixed costs only for what the tree holds. Observed
//! through the engine's debug log (`CAIRN_LOG`), not timing: a tree of lockfiles never unpacks the
//! license text store nor compiles a crypto rule table; a license file unpacks the store; a Python
//! file compiles the Python table and no other.
//!
//! The license and Python files are real (engine/tests/fixtures/licenses and
//! engine/tests/fixtures/crypto, see SOURCE.md there).

use std::fs;
use std::path::Path;
use std::process::Command;

const CARGO_LOCK: &str = "version = 4\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.19\"\n\
source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

/// The engine's debug log of a CycloneDX scan of `tree` (the format that also detects crypto).
fn engine_log(tree: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["scan", "--offline", "--no-package-caches", "-q", "-f", "cyclonedx", "-o"])
        .arg(tree.join("../bom.json"))
        .arg(tree)
        .env("CAIRN_LOG", "cairn_engine=debug")
        .env("NO_COLOR", "1")
        .output()
        .expect("run cairn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fixture(rel: &str) -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures").join(rel))
        .expect("fixture")
}

#[test]
fn fixed_costs_are_paid_only_for_what_the_tree_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("app");
    fs::create_dir(&tree).expect("mkdir");
    fs::write(tree.join("Cargo.lock"), CARGO_LOCK).expect("write");

    let log = engine_log(&tree);
    assert!(!log.contains("license text store unpacked"), "{log}");
    assert!(!log.contains("crypto rule table compiled"), "{log}");

    fs::write(tree.join("LICENSE"), fixture("licenses/golang__vulndb__LICENSE")).expect("write");
    let log = engine_log(&tree);
    assert!(log.contains("license text store unpacked"), "{log}");
    assert!(!log.contains("crypto rule table compiled"), "{log}");

    fs::write(tree.join("rsakey.py"), fixture("crypto/python/paramiko__paramiko__rsakey.py")).expect("write");
    let log = engine_log(&tree);
    assert!(log.contains("crypto rule table compiled language=Python"), "{log}");
    assert_eq!(log.matches("crypto rule table compiled").count(), 1, "{log}");
}
