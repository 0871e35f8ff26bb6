//! docs/architecture.md stays the map of the code: every migration is described there, every
//! top-level module of each crate is named, and every source file or migration the page names
//! exists. (A page that stopped at migration 0007 and promised a dashboard already built is what
//! this keeps from happening again.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn page() -> String {
    std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md")
}

/// Every `code span` of the page.
fn spans(page: &str) -> Vec<&str> {
    page.split('`').skip(1).step_by(2).collect()
}

/// Every file under `dir`, as paths relative to the workspace root with `/` separators.
fn files_under(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "fixtures" || name == "snapshots" {
            continue;
        }
        if path.is_dir() {
            files_under(&path, out);
        } else if let Ok(relative) = path.strip_prefix(root()) {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_migration_is_described() {
    let page = page();
    let mut missing = Vec::new();
    for backend in ["sqlite", "postgres"] {
        let dir = root().join("migrations").join(backend);
        for entry in std::fs::read_dir(&dir).expect("migrations dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".sql") && !page.contains(&format!("`{name}`")) {
                missing.push(format!("migrations/{backend}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "docs/architecture.md does not describe: {missing:?}");
}

#[test]
fn every_top_level_module_is_named() {
    let page = page();
    let mut missing = Vec::new();
    for krate in ["vocab", "engine", "daemon", "client-sdk", "tui"] {
        let src = root().join(krate).join("src");
        for entry in std::fs::read_dir(&src).expect("src dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let module = if entry.path().is_dir() {
                name.clone()
            } else if let Some(stem) = name.strip_suffix(".rs") {
                if matches!(stem, "lib" | "main") {
                    continue;
                }
                stem.to_owned()
            } else {
                continue;
            };
            // Named as `module/`, `module.rs` or a path inside it.
            let named = [format!("`{module}/"), format!("`{module}.rs`"), format!("`src/{module}")]
                .iter()
                .any(|needle| page.contains(needle.as_str()));
            if !named {
                missing.push(format!("{krate}/src/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "docs/architecture.md does not name: {missing:?}");
}

#[test]
fn every_file_the_page_names_exists() {
    let mut files = Vec::new();
    for dir in [
        "vocab",
        "engine",
        "daemon",
        "client-sdk",
        "tui",
        "tests",
        "migrations",
        "scripts",
        "config",
        "docs",
        ".ci",
    ] {
        files_under(&root().join(dir), &mut files);
    }
    let page = page();
    let named: BTreeSet<&str> = spans(&page)
        .into_iter()
        .filter(|span| !span.contains(char::is_whitespace) && !span.contains('*') && !span.contains('{'))
        .filter(|span| span.ends_with(".rs") || span.ends_with(".sql"))
        .collect();
    assert!(named.len() > 50, "the page names only {} source files: is it the map of the code?", named.len());
    // A span is a path relative to the section's crate or directory (`store/vulndb.rs`), so it
    // exists when some file's path ends with it.
    let missing: Vec<&str> = named
        .into_iter()
        .filter(|span| {
            let span = span.trim_start_matches("./");
            !files.iter().any(|file| file == span || file.ends_with(&format!("/{span}")))
        })
        .collect();
    assert!(missing.is_empty(), "docs/architecture.md names files that do not exist: {missing:?}");
}
