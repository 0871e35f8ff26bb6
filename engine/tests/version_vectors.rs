//! Every line of the osv-scalibr version-ordering vectors (tests/fixtures/version-vectors,
//! see SOURCE.md), checked in both directions for every ecosystem that uses the file.

use cairn_engine::vuln::{OsvEcosystem, Version, VersionError, compare};
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
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "semver-versions.txt",
        "999999999999999999999999999991 < 999999999999999999999999999999",
        "SemVer 2.0 §2 requires MAJOR.MINOR.PATCH; Cairn reports a one-part version as Unparsable \
         instead of padding it (osv-scalibr pads). The three-part line after it passes.",
    ),
    (
        "semver-versions.txt",
        "1.1.3.4.5 = 1.1.3.4.5",
        "SemVer 2.0 §2: exactly three parts; osv-scalibr folds extra parts into build metadata, \
         Cairn reports Unparsable rather than compare a made-up version.",
    ),
    (
        "pub-versions.txt",
        "999999999999999999999999999991 < 999999999999999999999999999999",
        "pub_semver requires major.minor.patch too (its parser rejects `1`); Unparsable in Cairn.",
    ),
    (
        "pub-versions.txt",
        "1.1.3.4.5 = 1.1.3.4.5",
        "pub_semver rejects four or more parts; Unparsable in Cairn.",
    ),
    (
        "packagist-versions.txt",
        "1.2.3.# = 1.2.3.1",
        "With `1.2.3.# = 1.2.3` (same file) and `1.0.0 > 1.0` this is not transitive, which Ord \
         requires. `#` is PHP's internal placeholder, never a real Composer version; Cairn ranks \
         it just below numbers, so 1.2.3.# < 1.2.3.1.",
    ),
    (
        "maven-versions.txt",
        "1-1 = 1-ga-1",
        "Maven's own ComparableVersion (3.8.7, checked with its CLI) says 1-1 > 1-ga-1: \
         `1-ga-1` parses to [1, [[1]]]. The line follows a prose reading of the POM spec; Cairn \
         follows Maven, which also generated maven-versions-generated.txt (all lines pass).",
    ),
    (
        "alpine-versions.txt",
        "1-ruff2 = 1--ruff1",
        "The file itself notes apk 2.x and 3.x disagree here. Making a malformed version equal \
         to a well-formed one with leftovers, while malformed versions still order by text \
         (6.6.2p1 < 6.6.2p2, same file), is not transitive, which Ord requires. Cairn orders \
         the well-formed 1-ruff2 after the malformed 1--ruff1.",
    ),
];

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
                let want =
                    expected(op).unwrap_or_else(|| panic!("{file}:{}: bad operator in {line:?}", n + 1));
                total += 1;
                let allowed = ALLOWED.iter().position(|(f, l, _)| f == file && *l == line);
                match (check(ecosystem, a, b, want), allowed) {
                    (Ok(()), None) => pass += 1,
                    (Err(why), None) => {
                        failures.push(format!("{file}:{} [{ecosystem}] {line}  ({why})", n + 1))
                    }
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

/// Sorting every version of a file must not trip the standard library's total-order checks.
/// Not Maven: Maven's own ComparableVersion has cycles (1.3.0 < 1.3.0-incubating <
/// 1.3.0.Beta12 < 1.3.0; Maven 3.8.7's CLI shows others), which Cairn reproduces; see maven.rs.
#[test]
fn every_vector_file_sorts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/version-vectors");
    for (file, ecosystems) in FILES.iter().filter(|(f, _)| !f.starts_with("maven")) {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for ecosystem in *ecosystems {
            let scheme = OsvEcosystem::parse(ecosystem).scheme().unwrap_or_else(|e| panic!("{e}"));
            let mut versions: Vec<Version> = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("//"))
                .flat_map(|l| {
                    let mut p = l.split(' ');
                    [p.next(), p.nth(1)]
                })
                .flatten()
                .filter_map(|v| Version::parse(scheme, v).ok())
                .collect();
            versions.sort();
            assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{file} [{ecosystem}]");
        }
    }
}
