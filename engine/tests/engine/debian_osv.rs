//! Issue 21's acceptance for OS findings: real Debian OSV records (`fixtures/debian-osv/`,
//! SOURCE.md) matched against images assembled from real dpkg databases of the same releases
//! (Debian 12: this build machine's; Debian 11: the `debian:bullseye-20220125-slim` image's).
//! The findings must equal a reference computed here from the records and the status files
//! alone: binary packages mapped to their `Source:`, only the image's release's entries, and
//! versions ordered by `dpkg --compare-versions` itself.

use super::image_build::{E, docker_save, fixture, fixtures, tar_of};
use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use cairn_engine::inventory::Ecosystem;
use cairn_engine::vuln::{load_paths, match_inventory};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::process::Command;

/// (binary package, its version, advisory id).
type Hit = (String, String, String);

/// dpkg's own ordering: the reference must not share Cairn's comparison code.
fn dpkg_cmp(a: &str, b: &str) -> Ordering {
    let holds = |op: &str| {
        let status = Command::new("dpkg").args(["--compare-versions", a, op, b]).status().expect("dpkg runs");
        status.success()
    };
    if holds("lt") {
        Ordering::Less
    } else if holds("eq") {
        Ordering::Equal
    } else {
        Ordering::Greater
    }
}

/// One installed binary package: name, version, source package and source version.
struct Installed {
    name: String,
    version: String,
    source: String,
    source_version: String,
}

fn installed(status: &str) -> Vec<Installed> {
    let mut out = Vec::new();
    for para in status.split("\n\n") {
        let field = |k: &str| para.lines().find_map(|l| l.strip_prefix(&format!("{k}: ")).map(str::to_owned));
        if field("Status").as_deref() != Some("install ok installed") {
            continue;
        }
        let (name, version) = (field("Package").expect("Package"), field("Version").expect("Version"));
        // `Source: glibc` or `Source: bash (5.1-2)`; none means the binary is its own source.
        let (source, source_version) = match field("Source") {
            None => (name.clone(), version.clone()),
            Some(s) => match s.split_once(" (") {
                Some((n, v)) => (n.to_owned(), v.trim_end_matches(')').to_owned()),
                None => (s, version.clone()),
            },
        };
        out.push(Installed { name, version, source, source_version });
    }
    out
}

/// Whether one OSV `ECOSYSTEM` range's events put `v` inside it (OSV's evaluation: introduced at
/// or below `v`, and the nearest limit above that introduction not yet reached).
fn in_range(events: &[Value], v: &str) -> bool {
    let get = |k: &str| -> Vec<&str> { events.iter().filter_map(|e| e.get(k)?.as_str()).collect() };
    let ge = |a: &str, b: &str| b == "0" || dpkg_cmp(a, b) != Ordering::Less;
    get("introduced").into_iter().filter(|i| ge(v, i)).any(|i| {
        let fixed = get("fixed").into_iter().filter(|f| ge(f, i)).all(|f| dpkg_cmp(v, f) == Ordering::Less);
        let last = get("last_affected")
            .into_iter()
            .filter(|l| ge(l, i))
            .all(|l| dpkg_cmp(v, l) != Ordering::Greater);
        fixed && last
    })
}

/// What the records say about the packages of `status` on Debian `release`.
fn reference(records: &[Value], status: &str, release: &str) -> BTreeSet<Hit> {
    let ecosystem = format!("Debian:{release}");
    let mut out = BTreeSet::new();
    for pkg in installed(status) {
        for r in records {
            let id = r["id"].as_str().expect("id");
            let affected = r["affected"].as_array().into_iter().flatten().any(|a| {
                a["package"]["ecosystem"] == ecosystem.as_str()
                    && a["package"]["name"] == pkg.source.as_str()
                    && (a["versions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x == pkg.source_version.as_str())
                        || a["ranges"].as_array().into_iter().flatten().any(|rg| {
                            rg["type"] == "ECOSYSTEM"
                                && in_range(rg["events"].as_array().expect("events"), &pkg.source_version)
                        }))
            });
            if affected {
                out.insert((pkg.name.clone(), pkg.version.clone(), id.to_owned()));
            }
        }
    }
    out
}

fn records() -> Vec<Value> {
    let dir = fixtures().join("debian-osv/records");
    let mut out: Vec<Value> = std::fs::read_dir(&dir)
        .expect("records")
        .map(|e| {
            serde_json::from_slice(&std::fs::read(e.expect("entry").path()).expect("read")).expect("json")
        })
        .collect();
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

/// Scans an image of `os_release` and `status` with the sample and returns its Debian findings.
fn cairn(os_release: &str, status: &str) -> BTreeSet<Hit> {
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[
        E::Link("etc/os-release", "../usr/lib/os-release"),
        E::File("usr/lib/os-release", fixture(os_release), 0o644),
        E::File("var/lib/dpkg/status", fixture(status), 0o644),
    ]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "debian-osv:1")).expect("write");
    let scan = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans");
    let db = load_paths(&[fixtures().join("debian-osv/records")]).expect("records load");
    let m = match_inventory(&scan.scan.inventory, &db);
    assert!(m.not_evaluated.is_empty(), "{:?}", m.not_evaluated);
    let debian = m.coverage.iter().find(|c| c.ecosystem == Ecosystem::Debian).expect("Debian coverage");
    assert_eq!(debian.not_evaluated_count(), 0, "{:?}", debian.lines());
    m.findings
        .iter()
        .filter(|f| f.ecosystem == Ecosystem::Debian)
        .flat_map(|f| f.ids.iter().map(|id| (f.name.clone(), f.version.clone(), id.clone())))
        .collect()
}

fn assert_dpkg_present() {
    // Not a skip: the reference is dpkg's own ordering, and this Debian machine and CI have it.
    let ok = Command::new("dpkg").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(ok, "dpkg must be installed: the reference compares versions with `dpkg --compare-versions`");
}

fn status_text(rel: &str) -> String {
    String::from_utf8(fixture(rel)).expect("utf-8")
}

#[test]
fn debian_12_findings_equal_the_reference() {
    assert_dpkg_present();
    let want = reference(&records(), &status_text("debian-osv/bookworm/dpkg-status"), "12");
    // glibc's and ncurses' unfixed entries, through every binary built from them.
    let ids: BTreeSet<&str> = want.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["DEBIAN-CVE-2010-4756", "DEBIAN-CVE-2025-6141"]));
    assert!(want.contains(&("libc6".into(), "2.36-9+deb12u14".into(), "DEBIAN-CVE-2010-4756".into())));
    assert!(want.contains(&("libtinfo6".into(), "6.4-4".into(), "DEBIAN-CVE-2025-6141".into())));
    assert_eq!(cairn("image/os-release", "debian-osv/bookworm/dpkg-status"), want);
}

#[test]
fn debian_11_findings_equal_the_reference() {
    assert_dpkg_present();
    let want = reference(&records(), &status_text("debian-osv/bullseye/dpkg-status"), "11");
    // Fixed entries decided by dpkg ordering: `+deb11u1` before `+deb11u2`, and an epoch.
    assert!(want.contains(&("libssl1.1".into(), "1.1.1k-1+deb11u1".into(), "DEBIAN-CVE-2022-0778".into())));
    assert!(want.contains(&("zlib1g".into(), "1:1.2.11.dfsg-2".into(), "DEBIAN-CVE-2022-37434".into())));
    // The Debian 9 advisories (DLA-*) name dpkg and tzdata, which this image has: not its release.
    assert!(!want.iter().any(|(_, _, id)| id.starts_with("DLA-")), "{want:?}");
    assert_eq!(want.len(), 7, "{want:?}");
    assert_eq!(cairn("debian-osv/bullseye/os-release", "debian-osv/bullseye/dpkg-status"), want);
}
