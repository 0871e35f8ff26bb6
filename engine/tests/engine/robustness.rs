//! Every format, on every corpus file: a UTF-8 byte-order mark and CRLF line endings change nothing,
//! and a file cut at many points never panics a cataloger (the fuzz targets go further) (the panic guard in `catalog_file` would hide a
//! panic as an "internal error" diagnostic, so that message is what these tests look for).

use cairn_engine::catalog::{self, Catalog};
use std::collections::BTreeSet;
use std::path::Path;

fn corpus_files() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if catalog::wanted(&rel) {
                    out.push((rel, std::fs::read(&p).expect("read fixture")));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    assert!(out.len() > 40, "corpus fixtures missing");
    out
}

fn packages(c: &Catalog) -> BTreeSet<String> {
    c.packages
        .iter()
        .map(|p| format!("{} {:?} {:?} {:?}", p.purl, p.location.line, p.scope, p.direct))
        .collect()
}

fn panicked(c: &Catalog) -> bool {
    c.diagnostics.iter().any(|d| d.message.starts_with("internal error in the"))
}

#[test]
fn bom_and_crlf_change_no_package() {
    let mut failures = Vec::new();
    for (rel, bytes) in corpus_files() {
        let plain = catalog::catalog_bytes(&rel, &bytes);
        let text = String::from_utf8(bytes).expect("corpus files are UTF-8");
        let windows = format!("\u{feff}{}", text.replace("\r\n", "\n").replace('\n', "\r\n"));
        let variant = catalog::catalog_bytes(&rel, windows.as_bytes());
        if packages(&plain) != packages(&variant) || plain.diagnostics.len() != variant.diagnostics.len() {
            let a = packages(&plain);
            let b = packages(&variant);
            failures.push(format!(
                "{rel}: {} vs {} packages, {} vs {} diagnostics; first difference: {:?}",
                a.len(),
                b.len(),
                plain.diagnostics.len(),
                variant.diagnostics.len(),
                a.symmetric_difference(&b).next()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn truncated_files_never_panic() {
    use rayon::prelude::*;
    let failures: Vec<String> = corpus_files()
        .par_iter()
        .flat_map_iter(|(rel, bytes)| {
            // Cuts spread over the file, plus cuts inside its first and last bytes.
            let n = bytes.len();
            let mut cuts: BTreeSet<usize> = (1..12).map(|k| n * k / 12).collect();
            cuts.extend((0..10).map(|k| (k * 7).min(n)));
            cuts.extend((0..10).map(|k| n.saturating_sub(k * 7)));
            cuts.into_iter()
                .filter(|&cut| panicked(&catalog::catalog_bytes(rel, &bytes[..cut])))
                .map(|cut| format!("{rel} cut at byte {cut} of {n}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(failures.is_empty(), "catalogers panicked:\n{}", failures.join("\n"));
}
