//! The walk's promises: stays in the root, reports what it skips, honours excludes.

use cairn_engine::walk::{SkipReason, WalkOptions};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

fn lock(name: &str) -> String {
    format!(
        "version = 4\n\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

fn names(scan: &cairn_engine::Scan) -> Vec<&str> {
    scan.inventory.components.iter().map(|c| c.name.as_str()).collect()
}

fn reason_of<'a>(scan: &'a cairn_engine::Scan, path: &str) -> Option<&'a SkipReason> {
    scan.inventory.skipped.iter().find(|s| s.path == path).map(|s| &s.reason)
}

#[test]
fn symlinks_never_lead_out_of_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "Cargo.lock", &lock("outside-crate"));
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "Cargo.lock", &lock("inside-crate"));
    symlink("/", root.join("to-root")).expect("symlink");
    symlink(outside.path(), root.join("to-outside-dir")).expect("symlink");
    fs::create_dir_all(root.join("ext")).expect("mkdir");
    symlink(outside.path().join("Cargo.lock"), root.join("ext/Cargo.lock")).expect("symlink");
    symlink(root.join("loop-b"), root.join("loop-a")).expect("symlink");
    symlink(root.join("loop-a"), root.join("loop-b")).expect("symlink");
    fs::create_dir_all(root.join("inner")).expect("mkdir");
    symlink("../Cargo.lock", root.join("inner/Cargo.lock")).expect("symlink");
    symlink(root.join("inner"), root.join("inner-link")).expect("symlink");

    let scan = scan_path(root, &ScanOptions::default(), &NoProgress).expect("scan");
    assert_eq!(names(&scan), ["inside-crate"]);
    let c = &scan.inventory.components[0];
    let paths: Vec<&str> = c.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["Cargo.lock", "inner/Cargo.lock"], "a symlinked file inside the root is read");

    assert_eq!(reason_of(&scan, "to-root"), Some(&SkipReason::SymlinkOutsideRoot));
    assert_eq!(reason_of(&scan, "to-outside-dir"), Some(&SkipReason::SymlinkOutsideRoot));
    assert_eq!(reason_of(&scan, "ext/Cargo.lock"), Some(&SkipReason::SymlinkOutsideRoot));
    assert_eq!(reason_of(&scan, "inner-link"), Some(&SkipReason::SymlinkedDirectory));
    assert!(matches!(reason_of(&scan, "loop-a"), Some(SkipReason::SymlinkUnresolvable { .. })));
    assert!(matches!(reason_of(&scan, "loop-b"), Some(SkipReason::SymlinkUnresolvable { .. })));
}

#[test]
fn oversized_manifests_are_skipped_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "small/Cargo.lock", &lock("small"));
    let mut big = lock("big");
    big.push_str(&"# padding\n".repeat(100));
    write(dir.path(), "big/Cargo.lock", &big);
    let opts = ScanOptions {
        walk: WalkOptions { max_file_size: 500, ..WalkOptions::default() },
        crypto: false,
        ..ScanOptions::default()
    };
    let scan = scan_path(dir.path(), &opts, &NoProgress).expect("scan");
    assert_eq!(names(&scan), ["small"]);
    assert_eq!(
        reason_of(&scan, "big/Cargo.lock"),
        Some(&SkipReason::TooLarge { size: big.len() as u64, limit: 500 })
    );
}

#[test]
fn excludes_and_git_dirs_are_not_walked_but_gitignored_dirs_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, ".git/Cargo.lock", &lock("in-git"));
    write(root, "vendor/Cargo.lock", &lock("vendored"));
    write(root, "deep/a/testdata/Cargo.lock", &lock("testdata"));
    write(root, "ignored/Cargo.lock", &lock("git-ignored"));
    write(root, ".gitignore", "ignored/\n");
    write(root, ".hidden/Cargo.lock", &lock("hidden"));
    let opts = ScanOptions {
        walk: WalkOptions {
            excludes: vec!["vendor".into(), "**/testdata/**".into()],
            ..WalkOptions::default()
        },
        crypto: false,
        ..ScanOptions::default()
    };
    let scan = scan_path(root, &opts, &NoProgress).expect("scan");
    assert_eq!(names(&scan), ["git-ignored", "hidden"]);
}

#[test]
fn a_missing_root_or_bad_glob_is_an_error() {
    assert!(scan_path(Path::new("/nonexistent/cairn"), &ScanOptions::default(), &NoProgress).is_err());
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ScanOptions {
        walk: WalkOptions { excludes: vec!["a[".into()], ..WalkOptions::default() },
        crypto: false,
        ..ScanOptions::default()
    };
    assert!(scan_path(dir.path(), &opts, &NoProgress).is_err());
}

#[test]
fn the_entry_cap_stops_the_walk_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..50 {
        write(dir.path(), &format!("f{i}.txt"), "x");
    }
    let opts = ScanOptions {
        walk: WalkOptions { max_entries: Some(10), ..WalkOptions::default() },
        crypto: false,
        ..ScanOptions::default()
    };
    let scan = scan_path(dir.path(), &opts, &NoProgress).expect("scan");
    assert_eq!(reason_of(&scan, ""), Some(&SkipReason::EntryLimit { limit: 10 }));
}

#[test]
fn a_sink_can_cancel() {
    struct Stop;
    impl cairn_engine::ScanSink for Stop {
        fn progress(&self, _: &cairn_engine::Progress<'_>) -> bool {
            false
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Cargo.lock", &lock("x"));
    let r = scan_path(dir.path(), &ScanOptions::default(), &Stop);
    assert!(matches!(r, Err(cairn_engine::ScanError::Cancelled)));
}

#[test]
fn two_scans_give_the_same_inventory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/cargo");
    let a = scan_path(&root, &ScanOptions::default(), &NoProgress).expect("scan");
    let b = scan_path(&root, &ScanOptions::default(), &NoProgress).expect("scan");
    assert_eq!(a.inventory, b.inventory);
    assert!(a.inventory.components.len() > 1000);
}

/// Issue 14 point 7: a lockfile named as the root is scanned alone (it was refused: "is not a
/// directory"), in its directory, with nothing else of that directory read.
#[test]
fn a_single_lockfile_is_scanned_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app/Cargo.lock", &lock("the-crate"));
    write(root, "app/other/Cargo.lock", &lock("sibling-crate"));
    write(root, "app/README.txt", "hello");
    let scan = scan_path(&root.join("app/Cargo.lock"), &ScanOptions::default(), &NoProgress).expect("scan");
    assert_eq!(names(&scan), ["the-crate"]);
    assert_eq!(scan.inventory.components[0].locations[0].path, "Cargo.lock");
    assert!(scan.inventory.diagnostics.is_empty(), "{:?}", scan.inventory.diagnostics);

    let other = scan_path(&root.join("app/README.txt"), &ScanOptions::default(), &NoProgress).expect("scan");
    assert!(other.inventory.components.is_empty());
    assert!(
        other
            .inventory
            .diagnostics
            .iter()
            .any(|d| d.path == "README.txt" && d.message.contains("not a manifest")),
        "{:?}",
        other.inventory.diagnostics
    );

    let small = ScanOptions {
        walk: WalkOptions { max_file_size: 10, ..WalkOptions::default() },
        ..ScanOptions::default()
    };
    let big = scan_path(&root.join("app/Cargo.lock"), &small, &NoProgress).expect("scan");
    assert!(matches!(reason_of(&big, "Cargo.lock"), Some(SkipReason::TooLarge { .. })));
}

/// Issue 14 point 11: the I/O error of a missing root is said once.
#[test]
fn a_missing_root_says_its_error_once() {
    let err = scan_path(Path::new("/nonexistent/cairn-root"), &ScanOptions::default(), &NoProgress)
        .expect_err("missing");
    let text = anyhow_like(&err);
    assert_eq!(text.matches("No such file or directory").count(), 1, "{text}");
}

/// The error and its sources joined as `anyhow`'s `{:#}` joins them.
fn anyhow_like(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
