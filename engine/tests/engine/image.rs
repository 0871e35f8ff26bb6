//! Container images assembled by the test from real files (this build machine's Debian 12
//! os-release and dpkg database, a corpus Gemfile.lock, a real Go binary's build information;
//! `fixtures/image/SOURCE.md`), written as `docker save` archives and OCI layouts (directory and
//! tar), scanned, and compared with references computed here; plus hostile images, each refused
//! with its reason.

use super::image_build::*;
use cairn_engine::image::{ImageError, ImageLimits, ImageOptions, ImageScan, ImageScanError, scan_image};
use cairn_engine::inventory::Ecosystem;
use cairn_engine::{Inventory, NoProgress};
use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

fn scan(path: &Path) -> ImageScan {
    scan_image(path, &ImageOptions::default(), &NoProgress).expect("image scans")
}

fn refusal(path: &Path, opts: &ImageOptions) -> ImageError {
    match scan_image(path, opts, &NoProgress) {
        Err(ImageScanError::Image(e)) => e,
        Err(e) => panic!("expected an image refusal, got {e}"),
        Ok(_) => panic!("expected a refusal"),
    }
}

/// (purl, locations) of every component: what must agree between archive forms.
fn shape(inv: &Inventory) -> Vec<(String, Vec<String>)> {
    inv.components
        .iter()
        .map(|c| (c.purl.clone(), c.locations.iter().map(|l| l.path.clone()).collect()))
        .collect()
}

#[test]
fn debian_image_inventory_is_complete_and_the_same_in_every_archive_form() {
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    let docker = dir.path().join("image.tar");
    std::fs::write(&docker, docker_save(&layers, "cairn-test:1")).expect("write");
    let layout = dir.path().join("layout");
    oci_layout(&layout, &[("amd64", &layers)], "cairn-test:1");
    let oci_tar = dir.path().join("oci.tar");
    std::fs::write(&oci_tar, tar_dir(&layout)).expect("write");

    let d = scan(&docker);
    let inv = &d.scan.inventory;
    // Every installed dpkg package, with the purl Debian's rules give it.
    let debs: BTreeSet<String> =
        inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Debian).map(|c| c.purl.clone()).collect();
    let want = expected_dpkg();
    assert_eq!(want.len(), 59);
    assert_eq!(debs, want);
    let libc = inv.components.iter().find(|c| c.name == "libc-bin").expect("libc-bin");
    assert_eq!(libc.distro.as_ref().map(|d| (d.release.as_str(), d.source.as_str())), Some(("12", "glibc")));
    // os-release through its symlink.
    let os = d.image.os.as_ref().expect("os-release");
    assert_eq!((os.id.as_str(), os.version_id.as_deref()), ("debian", Some("12")));
    assert_eq!(d.image.tags, ["cairn-test:1"]);

    // The Go binary's modules: every `dep` line of its build information, plus main and stdlib.
    let bi = fixture("image/cbt.go-buildinfo");
    let deps = bi.windows(5).filter(|w| w == b"\ndep\t").count();
    let go: Vec<&str> = inv
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Go && c.locations.iter().any(|l| l.path == "usr/bin/cbt"))
        .map(|c| c.purl.as_str())
        .collect();
    assert!(deps > 40, "{deps}");
    assert_eq!(go.len(), deps + 2, "{go:?}");
    for p in [
        "pkg:golang/stdlib@go1.24.1",
        "pkg:golang/cel.dev/expr@v0.19.2",
        "pkg:golang/cloud.google.com/go@v0.120.1",
        "pkg:golang/cloud.google.com/go/cbt@v0.0.0-20250422202024-9eeb4a7a08b6%2Bdirty",
    ] {
        assert!(go.contains(&p), "{p} missing from {go:?}");
    }

    // The application's lockfile, as the cataloger reads it alone.
    let alone = cairn_engine::catalog::catalog_bytes("srv/app/Gemfile.lock", &fixture(GEMFILE_LOCK));
    let gems: BTreeSet<&str> = alone.packages.iter().map(|p| p.purl.as_str()).collect();
    let in_image: BTreeSet<&str> = inv
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::RubyGems)
        .map(|c| c.purl.as_str())
        .collect();
    assert!(gems.len() > 100);
    assert_eq!(in_image, gems);

    // Distribution-owned Python metadata is python3-pygments', not a second PyPI component; the
    // whited-out and opaque-hidden requirements are gone.
    assert!(!inv.components.iter().any(|c| c.ecosystem == Ecosystem::PyPI), "{:?}", shape(inv));

    // The same image as an OCI layout (directory and tar, gzip and zstd layers).
    let o = scan(&layout);
    let t = scan(&oci_tar);
    assert_eq!(shape(&o.scan.inventory), shape(inv));
    assert_eq!(shape(&t.scan.inventory), shape(inv));
    assert_eq!(o.image.image_id, d.image.image_id);
    assert!(o.image.manifest_digest.is_some());
}

#[test]
fn whiteouts_and_package_ownership_change_what_is_found() {
    // Without the application layer (its whiteouts) and without dpkg's file list, the hidden
    // requirements and Pygments' metadata are found: the assertions above are not vacuous.
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    let base_only = dir.path().join("base.tar");
    std::fs::write(&base_only, docker_save(&layers[..1], "base:1")).expect("write");
    let pypi: BTreeSet<String> = scan(&base_only)
        .scan
        .inventory
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::PyPI && c.name != "pygments")
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(pypi, BTreeSet::from(["flask".to_owned(), "requests".to_owned()]));
    let unowned = tar_of(&[E::File(
        "usr/lib/python3/dist-packages/Pygments-2.14.0.egg-info/PKG-INFO",
        fixture("image/Pygments-PKG-INFO"),
        0o644,
    )]);
    let path = dir.path().join("unowned.tar");
    std::fs::write(&path, docker_save(&[unowned], "x:1")).expect("write");
    let inv = scan(&path).scan.inventory;
    assert!(inv.components.iter().any(|c| c.purl == "pkg:pypi/pygments@2.14.0"), "{:?}", shape(&inv));
}

#[test]
fn the_platform_asked_for_is_scanned() {
    let dir = tempfile::tempdir().expect("tmp");
    let amd = vec![tar_of(&[E::File("a/requirements.txt", b"six==1.16.0\n".to_vec(), 0o644)])];
    let arm = vec![tar_of(&[E::File("a/requirements.txt", b"six==1.15.0\n".to_vec(), 0o644)])];
    let layout = dir.path().join("multi");
    oci_layout(&layout, &[("arm64", &arm), ("amd64", &amd)], "multi:1");
    let purls = |opts: &ImageOptions| -> Vec<String> {
        let s = scan_image(&layout, opts, &NoProgress).expect("scans");
        s.scan.inventory.components.iter().map(|c| c.purl.clone()).collect()
    };
    assert_eq!(purls(&ImageOptions::default()), ["pkg:pypi/six@1.16.0"]);
    let arm64 =
        ImageOptions { platform: Some("linux/arm64".parse().expect("platform")), ..ImageOptions::default() };
    assert_eq!(purls(&arm64), ["pkg:pypi/six@1.15.0"]);
    let s390x =
        ImageOptions { platform: Some("linux/s390x".parse().expect("platform")), ..ImageOptions::default() };
    let e = refusal(&layout, &s390x);
    assert!(matches!(e, ImageError::NoSuchPlatform { .. }), "{e}");
    assert!(e.to_string().contains("linux/arm64") && e.to_string().contains("linux/amd64"), "{e}");
}

/// Scans a hostile image and checks the refusal's words and that nothing was written beside it.
#[track_caller]
fn refused(archive: &[u8], opts: &ImageOptions, words: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("hostile.tar");
    std::fs::write(&path, archive).expect("write");
    let e = match scan_image(&path, opts, &NoProgress) {
        Err(ImageScanError::Image(e)) => e,
        Err(e) => panic!("{words}: expected an image refusal, got {e}"),
        Ok(s) => panic!("{words}: not refused: {:?}", shape(&s.scan.inventory)),
    };
    assert!(e.to_string().contains(words), "{e}");
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("hostile.tar")]);
}

#[test]
fn hostile_images_are_refused_with_their_reason() {
    let d = ImageOptions::default();
    let climb = tar_of(&[E::Raw(b"../../etc/cron.d/x", b"* * * * * root sh\n".to_vec())]);
    refused(&docker_save(&[climb], "x:1"), &d, "climbs out of the image root");
    let absolute = tar_of(&[E::Raw(b"/etc/passwd", b"root::0:0::/:/bin/sh\n".to_vec())]);
    refused(&docker_save(&[absolute], "x:1"), &d, "absolute path");
    let root_opaque = tar_of(&[E::File(".wh..wh..opq", Vec::new(), 0o644)]);
    refused(&docker_save(&[root_opaque], "x:1"), &d, "opaque whiteout of the image root");
    let root_whiteout = tar_of(&[E::Raw(b"./.wh..", Vec::new())]);
    refused(&docker_save(&[root_whiteout], "x:1"), &d, "whiteout of the image root");

    // A decompression bomb: 64 MiB of zeros gzip to a few KiB.
    let zeros = {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(64 << 20);
        h.set_mode(0o644);
        b.append_data(&mut h, "zeros", std::io::repeat(0).take(64 << 20)).expect("append");
        b.into_inner().expect("tar")
    };
    let bomb = {
        // Gzip stored in a docker archive (which may hold compressed layers): the diff id is that
        // of the uncompressed tar, which the refusal comes before.
        let cfg = config("amd64", std::slice::from_ref(&zeros));
        let name = format!("{}.json", &sha(&cfg)[7..]);
        let manifest =
            serde_json::json!([{"Config": name, "RepoTags": ["bomb:1"], "Layers": ["l/layer.tar"]}]);
        archive_of(&[
            (name, cfg),
            ("l/layer.tar".into(), gzip(&zeros)),
            ("manifest.json".into(), serde_json::to_vec(&manifest).expect("json")),
        ])
    };
    refused(&bomb, &d, "decompression bomb");
    let small = ImageOptions {
        limits: ImageLimits { max_image_bytes: 1 << 20, ..ImageLimits::default() },
        ..ImageOptions::default()
    };
    refused(
        &docker_save(&[tar_of(&[E::File("big", vec![7; 2 << 20], 0o644)])], "x:1"),
        &small,
        "over the 1048576-byte limit",
    );

    // A layer that is not what the configuration's diff id says.
    let good = tar_of(&[E::File("a.txt", b"a".to_vec(), 0o644)]);
    let evil = tar_of(&[E::File("a.txt", b"b".to_vec(), 0o644)]);
    let cfg = config("amd64", std::slice::from_ref(&good));
    let name = format!("{}.json", &sha(&cfg)[7..]);
    let manifest = serde_json::json!([{"Config": name, "RepoTags": ["x:1"], "Layers": ["l/layer.tar"]}]);
    let archive = archive_of(&[
        (name, cfg),
        ("l/layer.tar".into(), evil),
        ("manifest.json".into(), serde_json::to_vec(&manifest).expect("json")),
    ]);
    refused(&archive, &d, "digest mismatch for layer");

    // An OCI manifest blob whose bytes do not hash to its name.
    let dir = tempfile::tempdir().expect("tmp");
    let layout = dir.path().join("l");
    oci_layout(&layout, &[("amd64", &[good])], "x:1");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index")).expect("json");
    let digest = index["manifests"][0]["digest"].as_str().expect("digest").to_owned();
    let blob = layout.join("blobs/sha256").join(&digest[7..]);
    let mut bytes = std::fs::read(&blob).expect("blob");
    bytes.push(b' ');
    std::fs::write(&blob, bytes).expect("write");
    refused(&tar_dir(&layout), &d, "digest mismatch for image manifest");
}

#[test]
fn a_symlink_loop_is_an_error_on_the_file_not_a_hang() {
    let dir = tempfile::tempdir().expect("tmp");
    let looped = tar_of(&[
        E::Link("etc/os-release", "../usr/lib/os-release"),
        E::Link("usr/lib/os-release", "/etc/os-release"),
        E::File("var/lib/dpkg/status", fixture("image/dpkg-status"), 0o644),
    ]);
    let path = dir.path().join("loop.tar");
    std::fs::write(&path, docker_save(&[looped], "loop:1")).expect("write");
    let s = scan(&path);
    let d = s.scan.inventory.diagnostics.iter().find(|d| d.path == "etc/os-release").expect("diagnostic");
    assert!(d.message.contains("symlink loop"), "{}", d.message);
    // Without a release the Debian packages are still inventoried, never matched as another release.
    let libc = s.scan.inventory.components.iter().find(|c| c.name == "libc-bin").expect("libc-bin");
    assert!(libc.distro.is_none());
    assert!(libc.purl.starts_with("pkg:deb/debian/libc-bin@"), "{}", libc.purl);
}

/// A WAR built here around a real JAR (`fixtures/image/SOURCE.md`), and an EAR around that WAR:
/// the JAR's Maven coordinates found at every depth, with where they were read.
#[test]
fn java_archives_nested_in_the_image_are_read() {
    use std::io::Write;
    let jar = fixture("image/jetty-jmx-9.4.57.v20241219.jar");
    let zip_of = |members: &[(&str, &[u8])]| -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).expect("zip entry");
            w.write_all(data).expect("zip write");
        }
        w.finish().expect("zip").into_inner()
    };
    let war = zip_of(&[("WEB-INF/lib/jetty-jmx-9.4.57.v20241219.jar", &jar), ("index.html", b"<p>hi</p>")]);
    let ear = zip_of(&[("app.war", &war)]);
    let layer = tar_of(&[
        E::File("opt/app/app.ear", ear, 0o644),
        E::File("usr/share/java/jetty-jmx.jar", jar.clone(), 0o644),
    ]);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("java.tar");
    std::fs::write(&path, docker_save(&[layer], "java:1")).expect("write");
    let s = scan(&path);
    let c = s
        .scan
        .inventory
        .component("pkg:maven/org.eclipse.jetty/jetty-jmx@9.4.57.v20241219")
        .expect("jetty-jmx");
    let at: Vec<&str> = c.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        at,
        [
            "opt/app/app.ear!/app.war!/WEB-INF/lib/jetty-jmx-9.4.57.v20241219.jar!/META-INF/maven/org.eclipse.jetty/jetty-jmx/pom.properties",
            "usr/share/java/jetty-jmx.jar!/META-INF/maven/org.eclipse.jetty/jetty-jmx/pom.properties",
        ]
    );
    // The EAR and WAR themselves carry no coordinates: said, not guessed.
    let unidentified: Vec<&str> = s
        .scan
        .inventory
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not identified"))
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(unidentified, ["opt/app/app.ear", "opt/app/app.ear!/app.war"]);
}
