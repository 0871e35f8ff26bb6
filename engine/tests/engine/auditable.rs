//! Rust binaries built with cargo-auditable (`fixtures/auditable/`, README.md: built for this
//! test, stripped): the crates compiled in are found with their versions, in an image and when the
//! binary is scanned as a plain file. Reference: the lockfile the binary was built from, read by
//! Cairn's Cargo.lock cataloger.

use super::image_build::{E, docker_save, fixture, fixtures, tar_of};
use cairn_engine::image::{ImageOptions, scan_image};
use cairn_engine::inventory::{Ecosystem, Scope};
use cairn_engine::{Inventory, NoProgress, ScanOptions, scan_path};
use std::collections::BTreeSet;

const BIN: &str = "auditable/cairn-auditable-demo";

/// (name, version) of every crate in the lockfile the binary was built from.
fn locked() -> BTreeSet<(String, String)> {
    let c = cairn_engine::catalog::catalog_bytes("Cargo.lock", &fixture("auditable/demo.Cargo.lock"));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    c.packages.iter().map(|p| (p.name.clone(), p.version.clone())).collect()
}

fn crates(inv: &Inventory, at: &str) -> BTreeSet<(String, String)> {
    inv.components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Cargo && c.locations.iter().any(|l| l.path == at))
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect()
}

#[test]
fn the_crates_of_an_auditable_binary_are_found_in_an_image() {
    let want = locked();
    assert!(want.len() >= 3, "{want:?}");
    let dir = tempfile::tempdir().expect("tmp");
    let at = "usr/local/bin/cairn-auditable-demo";
    let layer = tar_of(&[E::File(at, fixture(BIN), 0o755)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "rust:1")).expect("write");
    let inv = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory;
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(crates(&inv, at), want);
    // The binary's own crate is local; the registry crates are what advisories can match.
    let own = inv.component("pkg:cargo/cairn-auditable-demo@0.1.0").expect("the binary's crate");
    assert!(own.local);
    let itoa = inv.components.iter().find(|c| c.name == "itoa").expect("itoa");
    assert!(!itoa.local && itoa.scope == Scope::Required && itoa.direct == Some(true));
    assert!(inv.edges.iter().any(|e| e.from == own.purl && e.to == itoa.purl), "{:?}", inv.edges);
}

#[test]
fn the_crates_of_an_auditable_binary_are_found_when_it_is_scanned_as_a_file() {
    let scan = scan_path(&fixtures().join(BIN), &ScanOptions::default(), &NoProgress).expect("scans");
    let inv = &scan.inventory;
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(crates(inv, "cairn-auditable-demo"), locked());
}

#[test]
fn an_executable_without_audit_data_adds_nothing() {
    // The Go binary's bytes carry build information but no `.dep-v0` section.
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[E::File("usr/bin/cbt", fixture("image/cbt.go-buildinfo"), 0o755)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "go:1")).expect("write");
    let inv = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory;
    assert!(!inv.components.iter().any(|c| c.ecosystem == Ecosystem::Cargo));
    assert!(inv.components.iter().any(|c| c.ecosystem == Ecosystem::Go));
}
