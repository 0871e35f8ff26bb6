//! Every line of the osv-scalibr version-ordering vectors (tests/fixtures/version-vectors,
//! see SOURCE.md), checked in both directions for every ecosystem that uses the file.

use cairn_engine::vuln::{VersionError, compare};
use std::cmp::Ordering;
use std::path::Path;

/// Which ecosystems each vector file is checked against.
const FILES: &[(&str, &[&str])] = &[
    ("semver-versions.txt", &["npm", "crates.io", "Go", "Hex", "SwiftURL", "Bitnami", "GitHub Actions"]),
    ("pub-versions.txt", &["Pub"]),
    ("nuget-versions.txt", &["NuGet"]),
    ("pypi-versions.txt", &["PyPI"]),
    ("pypi-versions-generated.txt", &["PyPI"]),
    ("maven-versions.txt", &["Maven"]),
    ("maven-versions-generated.txt", &["Maven"]),
    ("rubygems-versions.txt", &["RubyGems"]),
    ("packagist-versions.txt", &["Packagist"]),
    ("debian-versions.txt", &["Debian", "Ubuntu:22.04:LTS"]),
    ("debian-versions-generated.txt", &["Debian:12"]),
    ("alpine-versions.txt", &["Alpine", "Wolfi"]),
    ("redhat-versions.txt", &["Red Hat", "Rocky Linux", "openSUSE"]),
    ("cran-versions.txt", &["CRAN"]),
    ("hackage-versions.txt", &["Hackage"]),
];

/// Lines Cairn deliberately does not reproduce: (file, line, why). Each must still FAIL, so
/// the list cannot go stale silently.
const ALLOWED: &[(&str, &str, &str)] = &[];

fn expected(op: &str) -> Option<Ordering> {
    match op {
        "<" => Some(Ordering::Less),
        "=" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        _ => None,
    }
}

fn check(ecosystem: &str, a: &str, b: &str, want: Ordering) -> Result<(), String> {
    let show = |r: Result<Ordering, VersionError>| match r {
        Ok(o) => format!("{o:?}"),
        Err(e) => format!("error: {e}"),
    };
    let forward = compare(ecosystem, a, b);
    let backward = compare(ecosystem, b, a);
    if forward == Ok(want) && backward == Ok(want.reverse()) {
        Ok(())
    } else {
        Err(format!("got {} / mirror {}", show(forward), show(backward)))
    }
}

#[test]
fn every_vector_line_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/version-vectors");
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let mut allowed_hit = vec![false; ALLOWED.len()];
    for (file, ecosystems) in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for ecosystem in *ecosystems {
            let (mut pass, mut total) = (0, 0);
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
                    continue;
                }
                let pieces: Vec<&str> = line.split(' ').collect();
                let [a, op, b] = pieces[..] else { panic!("{file}:{}: malformed line {line:?}", n + 1) };
                let want = expected(op).unwrap_or_else(|| panic!("{file}:{}: bad operator in {line:?}", n + 1));
                total += 1;
                let allowed = ALLOWED.iter().position(|(f, l, _)| f == file && *l == line);
                match (check(ecosystem, a, b, want), allowed) {
                    (Ok(()), None) => pass += 1,
                    (Err(why), None) => failures.push(format!("{file}:{} [{ecosystem}] {line}  ({why})", n + 1)),
                    (Err(_), Some(i)) => {
                        if let Some(hit) = allowed_hit.get_mut(i) {
                            *hit = true;
                        }
                    }
                    (Ok(()), Some(_)) => failures.push(format!(
                        "{file}:{} [{ecosystem}] {line}  (allow-listed but passes: remove it from ALLOWED)",
                        n + 1
                    )),
                }
            }
            summary.push(format!("{file} [{ecosystem}]: {pass}/{total}"));
        }
    }
    for (i, (file, line, _)) in ALLOWED.iter().enumerate() {
        if !allowed_hit.get(i).copied().unwrap_or(false) {
            failures.push(format!("{file}: allow-listed line {line:?} was not found or did not fail"));
        }
    }
    println!("{}", summary.join("\n"));
    assert!(failures.is_empty(), "{} failing vector lines:\n{}", failures.len(), failures.join("\n"));
}
