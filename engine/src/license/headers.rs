//! `SPDX-License-Identifier:` lines in source files: which files are read for them, and the lines.
//!
//! REUSE-style projects state each file's license in a header line. Every hit is kept (id, file,
//! line). A file belongs to the component whose package directory holds it (`node_modules/<pkg>/`,
//! a vendored crate's directory); elsewhere it is the project's own, except inside dependency
//! directories no component is known for (`node_modules`, `vendor`), which are nobody's.

use crate::inventory::Detected;
use crate::tree::file_name;

/// Source-file extensions read for header lines.
const SOURCE: &[&str] = &[
    "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "rs", "go", "java", "kt", "kts", "scala", "groovy", "js",
    "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx", "vue", "svelte", "py", "pyi", "rb", "php", "cs", "fs",
    "vb", "swift", "m", "mm", "sh", "bash", "zsh", "pl", "pm", "lua", "dart", "ex", "exs", "erl", "hrl",
    "hs", "ml", "mli", "clj", "cljs", "zig", "nim", "sol", "proto", "s", "asm",
];

/// The tag, as the SPDX specification (annex E) spells it.
pub const TAG: &str = "SPDX-License-Identifier:";

/// True for the files read for header lines: source files by extension.
pub fn wanted(rel: &str) -> bool {
    let name = file_name(rel);
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && SOURCE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Directories that hold installed or vendored dependencies, never the project's own code.
const DEPENDENCY_DIRS: &[&str] = &["node_modules", "vendor", "site-packages", "dist-packages"];

/// True for paths inside a dependency directory (`node_modules/`, `vendor/`, `site-packages/`).
pub fn in_dependency_dir(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|d| DEPENDENCY_DIRS.contains(&d))
}

/// The header lines of `text`, the contents of `path`: one entry per line, with its line number.
pub fn find(path: &str, text: &str) -> Vec<Detected> {
    if !text.contains(TAG) {
        return Vec::new();
    }
    super::detect::spdx_headers(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_files_and_dependency_dirs() {
        assert!(wanted("src/main.rs") && wanted("a/b/index.JS") && wanted("x.py"));
        assert!(!wanted("README.md") && !wanted("LICENSE") && !wanted(".rs") && !wanted("Cargo.toml"));
        assert!(in_dependency_dir("node_modules/a/index.js"));
        assert!(in_dependency_dir("x/vendor/foo/src/lib.rs"));
        assert!(!in_dependency_dir("src/vendor.rs") && !in_dependency_dir("src/lib.rs"));
    }

    #[test]
    fn every_header_line_counts() {
        let text =
            "// SPDX-License-Identifier: MIT\nfn a() {}\n/* SPDX-License-Identifier: Apache-2.0 OR MIT */\n";
        let d = find("src/a.rs", text);
        let got: Vec<(&str, Option<(u32, u32)>)> = d.iter().map(|d| (d.id.as_str(), d.lines)).collect();
        assert_eq!(got, [("MIT", Some((1, 1))), ("Apache-2.0 OR MIT", Some((3, 3)))]);
        assert!(find("src/b.rs", "fn main() {}").is_empty());
    }
}
