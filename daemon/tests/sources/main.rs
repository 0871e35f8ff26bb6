//! Scan sources end to end at the library level: real git repositories cloned over file:// and
//! loopback servers, hostile archives, and peer-tool SBOMs (daemon/src/sources).

mod archive;
mod git;
mod sbom;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cairn_daemon::sources::SourcePolicy;

/// A fixture file.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources").join(name)
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

/// A policy whose path root and work directory live under `base`.
fn policy(base: &Path) -> SourcePolicy {
    SourcePolicy {
        path_roots: vec![base.to_path_buf()],
        work_dir: base.join("work"),
        git_timeout: Duration::from_secs(60),
        ..SourcePolicy::default()
    }
}

/// Every file and directory under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        // A directory may vanish while listed (a work directory being removed).
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let Ok(entry) = entry else { continue };
            let path = entry.path();
            out.push(path.strip_prefix(dir).expect("prefix").display().to_string());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The work directory holds nothing (every work directory was removed).
fn assert_work_empty(policy: &SourcePolicy) {
    if policy.work_dir.exists() {
        assert_eq!(listing(&policy.work_dir), Vec::<String>::new(), "work directory left behind");
    }
}
