//! rpm's SQLite database (`fixtures/rpm/`, SOURCE.md: 18 packages of a real CBL-Mariner 2.0
//! `rpmdb.sqlite`, rows unmodified, still in WAL mode) read in an image. References: the database's
//! own `Name` and `Basenames` index tables, which rpm writes beside the header blobs, read here with
//! SQLite; and go-rpmdb's expectations for the same database's curl package.

use super::image_build::{E, docker_save, fixture, fixtures, tar_of};
use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use cairn_engine::inventory::Ecosystem;
use cairn_engine::os::rpm::header::RpmPackage;
use cairn_engine::tree::MemTree;
use std::collections::BTreeSet;

const DB: &str = "var/lib/rpm/rpmdb.sqlite";

/// `SELECT key FROM <index>` of the fixture database.
fn index(table: &str) -> BTreeSet<String> {
    // A WAL database opened in place would leave -shm and -wal files beside the fixture: a copy.
    let dir = tempfile::tempdir().expect("tmp");
    let copy = dir.path().join("rpmdb.sqlite");
    std::fs::copy(fixtures().join("rpm/rpmdb.sqlite"), &copy).expect("copy");
    let db = rusqlite::Connection::open_with_flags(&copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open");
    let mut stmt = db.prepare(&format!("SELECT key FROM '{table}'")).expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0)).expect("query").map(|k| k.expect("row")).collect()
}

#[test]
fn every_package_of_the_sqlite_database_is_found_with_its_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[E::File(DB, fixture("rpm/rpmdb.sqlite"), 0o644)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "mariner:2")).expect("write");
    let scan = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans");
    let inv = &scan.scan.inventory;
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let rpms: Vec<_> = inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Rpm).collect();
    let names: BTreeSet<String> = rpms.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names.len(), 18);
    assert_eq!(names, index("Name"));

    // go-rpmdb's TestPackageList expectation for this database's curl.
    let curl = rpms.iter().find(|c| c.name == "curl").expect("curl");
    assert_eq!(curl.version, "7.76.0-6.cm2");
    assert_eq!(curl.purl, "pkg:rpm/curl@7.76.0-6.cm2?arch=x86_64&upstream=curl-7.76.0-6.cm2.src.rpm");
    let declared: Vec<&str> = curl.licenses.declared.iter().map(|d| d.expression.as_str()).collect();
    assert_eq!(declared, ["MIT"]);

    // Files: every base name rpm indexed is a file Cairn says a package owns, and curl's are
    // go-rpmdb's list.
    let tree = MemTree::new().with(DB, fixture("rpm/rpmdb.sqlite"));
    let (_, owned, _) = cairn_engine::os::catalog(&tree, &[DB.to_owned()]);
    let bases: BTreeSet<String> =
        owned.iter().map(|p| p.rsplit('/').next().unwrap_or(p).to_owned()).collect();
    assert_eq!(bases, index("Basenames"));
    for f in [
        "usr/bin/curl",
        "usr/bin/curl-config",
        "usr/share/licenses/curl",
        "usr/share/licenses/curl/COPYING",
        "usr/share/man/man1/curl-config.1.gz",
        "usr/share/man/man1/curl.1.gz",
    ] {
        assert!(owned.contains(f), "{f}");
    }
}

#[test]
fn the_distribution_names_the_purl_namespace_and_qualifier() {
    let os = "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20220226\"\nID=mariner\nVERSION_ID=\"2.0\"\n";
    let tree = MemTree::new().with(DB, fixture("rpm/rpmdb.sqlite")).with("etc/os-release", os);
    let (c, _, release) = cairn_engine::os::catalog(&tree, &["etc/os-release".to_owned(), DB.to_owned()]);
    assert_eq!(release.map(|r| r.id), Some("mariner".to_owned()));
    let curl = c.packages.iter().find(|p| p.name == "curl").expect("curl");
    assert_eq!(
        curl.purl,
        "pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=mariner-2.0&upstream=curl-7.76.0-6.cm2.src.rpm"
    );
    // Matched as OSV files CBL-Mariner's advisories: `Azure Linux:2`, by source package.
    let d = curl.distro.as_ref().expect("advisory view");
    assert_eq!(
        (d.release.as_str(), d.source.as_str(), d.source_version.as_str()),
        ("Azure Linux:2", "curl", "7.76.0-6.cm2")
    );
}

#[test]
fn a_broken_database_is_a_diagnostic_and_the_rest_of_the_image_is_read() {
    let mut bytes = fixture("rpm/rpmdb.sqlite");
    bytes.truncate(bytes.len() / 3);
    for broken in [bytes, b"not a database".to_vec(), Vec::new()] {
        let tree = MemTree::new().with(DB, broken).with("etc/os-release", "ID=fedora\nVERSION_ID=40\n");
        let (c, owned, release) =
            cairn_engine::os::catalog(&tree, &["etc/os-release".to_owned(), DB.to_owned()]);
        assert!(release.is_some());
        assert!(c.packages.is_empty() && owned.is_empty());
        let [d] = &c.diagnostics[..] else { panic!("{:?}", c.diagnostics) };
        assert!(d.path == DB && d.message.starts_with("rpm database not read"), "{d:?}");
    }
}

#[test]
fn ndb_and_berkeley_databases_are_named_not_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[E::File("var/lib/rpm/Packages", b"\0\0\0\0".to_vec(), 0o644)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "centos:7")).expect("write");
    let inv = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory;
    let [d] = &inv.diagnostics[..] else { panic!("{:?}", inv.diagnostics) };
    assert!(d.message.contains("BerkeleyDB (Packages)"), "{}", d.message);
}

/// go-rpmdb's `blob.bin`: a real Fedora 35 header whose file list points at a directory that is
/// not there (go-rpmdb's `TestNevra` refuses its files too). The package is kept; its files are
/// not guessed.
#[test]
fn a_real_header_with_an_inconsistent_file_list_keeps_the_package_not_the_files() {
    let p = RpmPackage::from_blob(&fixture("rpm/blob.bin")).expect("the package");
    assert_eq!(
        (p.name.as_str(), p.version.as_str(), p.release.as_str(), p.arch.as_deref()),
        ("publicsuffix-list-dafsa", "20210518", "2.fc35", Some("noarch"))
    );
    assert_eq!(p.source_rpm.as_deref(), Some("publicsuffix-list-20210518-2.fc35.src.rpm"));
    let e = p.files.expect_err("no file list");
    assert!(e.to_string().contains("tag 1116: directory index out of range"), "{e}");
}

/// An image of rpm, dpkg and cargo-auditable packages, matched with the Debian sample: every
/// document format validates against its official schema, rpm components and their "no OSV
/// ecosystem" coverage included.
#[test]
fn documents_of_an_image_with_rpm_and_auditable_packages_validate() {
    use cairn_engine::bom::{self, BomError, BomInput, Format, RootKind};
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[
        E::File(DB, fixture("rpm/rpmdb.sqlite"), 0o644),
        E::File("var/lib/dpkg/status", fixture("debian-osv/bookworm/dpkg-status"), 0o644),
        E::File("usr/lib/os-release", fixture("image/os-release"), 0o644),
        E::File("usr/local/bin/demo", fixture("auditable/cairn-auditable-demo"), 0o755),
    ]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "mixed:1")).expect("write");
    let inv = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory;
    for e in [Ecosystem::Rpm, Ecosystem::Debian, Ecosystem::Cargo] {
        assert!(inv.components.iter().any(|c| c.ecosystem == e), "{e}");
    }
    let db = cairn_engine::vuln::load_paths(&[fixtures().join("debian-osv/records")]).expect("records");
    let m = cairn_engine::vuln::match_inventory(&inv, &db);
    let rpm = m.coverage.iter().find(|c| c.ecosystem == Ecosystem::Rpm).expect("rpm coverage");
    // rpm packages under a Debian os-release: no OSV ecosystem could match them.
    assert_eq!(rpm.lines(), ["debian:12 18 not evaluated — no OSV ecosystem Cairn matches"]);
    let mut input = BomInput::new("mixed", Some("1".into()), "2026-12-07T00:00:00Z", inv);
    input.root_kind = RootKind::Container;
    input.coverage = m.coverage.clone();
    for (name, format) in Format::ALL {
        match bom::render(format, &input) {
            Ok(doc) => super::bom::schema::validate(format, &doc).unwrap_or_else(|e| panic!("{name}: {e}")),
            Err(BomError::NothingToState) if format == Format::OpenVex => {}
            Err(e) => panic!("{name}: {e}"),
        }
    }
}
