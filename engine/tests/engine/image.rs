//! Container images assembled by the test from real files (this build machine's Debian 12
//! os-release and dpkg database, a corpus Gemfile.lock, a real Go binary's build information;
//! `fixtures/image/SOURCE.md`), written as `docker save` archives and OCI layouts (directory and
//! tar), scanned, and compared with references computed here; plus hostile images, each refused
//! with its reason.

use cairn_engine::image::{ImageError, ImageLimits, ImageOptions, ImageScan, ImageScanError, scan_image};
use cairn_engine::inventory::{Ecosystem, purl};
use cairn_engine::{Inventory, NoProgress};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).expect("fixture")
}

fn sha(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    format!("sha256:{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// One tar entry of a layer.
enum E {
    File(&'static str, Vec<u8>, u32),
    Dir(&'static str),
    Link(&'static str, &'static str),
    /// A regular file whose name is written byte for byte (the tar crate refuses `..` names).
    Raw(&'static [u8], Vec<u8>),
}

fn tar_of(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        match e {
            E::File(p, data, mode) => {
                h.set_size(data.len() as u64);
                h.set_mode(*mode);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, p, &data[..]).expect("append");
            }
            E::Dir(p) => {
                h.set_size(0);
                h.set_mode(0o755);
                h.set_entry_type(tar::EntryType::Directory);
                b.append_data(&mut h, p, &[][..]).expect("append");
            }
            E::Link(p, target) => {
                h.set_size(0);
                h.set_mode(0o777);
                h.set_entry_type(tar::EntryType::Symlink);
                b.append_link(&mut h, p, target).expect("append");
            }
            E::Raw(name, data) => {
                let mut h = tar::Header::new_old();
                h.as_old_mut().name[..name.len()].copy_from_slice(name);
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                h.set_entry_type(tar::EntryType::Regular);
                h.set_cksum();
                b.append(&h, &data[..]).expect("append");
            }
        }
    }
    b.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn zstd_of(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).expect("zstd")
}

fn config(arch: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": arch, "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("json")
}

/// A `docker save` archive of one image (layers stored as uncompressed tars).
fn docker_save(layers: &[Vec<u8>], tag: &str) -> Vec<u8> {
    let cfg = config("amd64", layers);
    let cfg_name = format!("{}.json", &sha(&cfg)[7..]);
    let mut members: Vec<(String, Vec<u8>)> = vec![(cfg_name.clone(), cfg)];
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let n = format!("layer{i}/layer.tar");
        members.push((n.clone(), l.clone()));
        names.push(n);
    }
    let manifest = serde_json::json!([{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]);
    members.push(("manifest.json".into(), serde_json::to_vec(&manifest).expect("json")));
    archive_of(&members)
}

fn archive_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, &data[..]).expect("append");
    }
    b.into_inner().expect("tar")
}

/// An OCI layout directory holding one manifest per (architecture, layers); layers alternately
/// gzip- and zstd-compressed.
fn oci_layout(dir: &Path, images: &[(&str, &[Vec<u8>])], tag: &str) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let put = |bytes: &[u8]| -> (String, usize) {
        let d = sha(bytes);
        std::fs::write(blobs.join(&d[7..]), bytes).expect("write");
        (d, bytes.len())
    };
    let mut manifests = Vec::new();
    for (arch, layers) in images {
        let (cfg_digest, cfg_size) = put(&config(arch, layers));
        let descs: Vec<serde_json::Value> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (blob, media) = if i % 2 == 0 {
                    (gzip(l), "application/vnd.oci.image.layer.v1.tar+gzip")
                } else {
                    (zstd_of(l), "application/vnd.oci.image.layer.v1.tar+zstd")
                };
                let (d, n) = put(&blob);
                serde_json::json!({"mediaType": media, "digest": d, "size": n})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg_size},
            "layers": descs,
        }))
        .expect("json");
        let (d, n) = put(&manifest);
        manifests.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": n,
            "platform": {"os": "linux", "architecture": arch},
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
    }
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).expect("json")).expect("write");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).expect("write");
}

/// Packs a directory as a tar (an OCI layout archive).
fn tar_dir(dir: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", dir).expect("tar dir");
    b.into_inner().expect("tar")
}

const GEMFILE_LOCK: &str = "corpus/gem/openstreetmap__openstreetmap-website/Gemfile.lock";

/// The test image: a Debian base layer and an application layer over it.
fn debian_layers() -> Vec<Vec<u8>> {
    let base = tar_of(&[
        E::Dir("etc"),
        E::Link("etc/os-release", "../usr/lib/os-release"),
        E::File("usr/lib/os-release", fixture("image/os-release"), 0o644),
        E::File("var/lib/dpkg/status", fixture("image/dpkg-status"), 0o644),
        E::File("var/lib/dpkg/info/python3-pygments.list", fixture("image/python3-pygments.list"), 0o644),
        E::File(
            "usr/lib/python3/dist-packages/Pygments-2.14.0.egg-info/PKG-INFO",
            fixture("image/Pygments-PKG-INFO"),
            0o644,
        ),
        E::File("usr/bin/cbt", fixture("image/cbt.go-buildinfo"), 0o755),
        // Hidden by the next layer's whiteout and opaque directory.
        E::File("tmp/requirements.txt", b"requests==2.0.0\n".to_vec(), 0o644),
        E::File("opt/old/requirements.txt", b"flask==0.10\n".to_vec(), 0o644),
    ]);
    let app = tar_of(&[
        E::File("srv/app/Gemfile.lock", fixture(GEMFILE_LOCK), 0o644),
        E::File("tmp/.wh.requirements.txt", Vec::new(), 0o644),
        E::File("opt/old/.wh..wh..opq", Vec::new(), 0o644),
        E::File("opt/old/README", b"replaced\n".to_vec(), 0o644),
    ]);
    vec![base, app]
}

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

/// The dpkg packages of the fixture, with the purls Debian's rules give them, computed here from
/// the status paragraphs.
fn expected_dpkg() -> BTreeSet<String> {
    let text = String::from_utf8(fixture("image/dpkg-status")).expect("utf-8");
    let mut out = BTreeSet::new();
    for para in text.split("\n\n") {
        let field = |k: &str| para.lines().find_map(|l| l.strip_prefix(&format!("{k}: ")).map(str::to_owned));
        if field("Status").as_deref() != Some("install ok installed") {
            continue;
        }
        let (name, version, arch) = (
            field("Package").expect("name"),
            field("Version").expect("version"),
            field("Architecture").expect("arch"),
        );
        let upstream = match field("Source") {
            None => String::new(),
            Some(s) => match s.split_once(" (") {
                Some((src, v)) => format!("{src}@{}", v.trim_end_matches(')')),
                None if s != name => s,
                None => String::new(),
            },
        };
        let p = purl(
            Ecosystem::Debian,
            &name,
            &version,
            &[("arch", &arch), ("distro", "debian-12"), ("upstream", &upstream)],
        )
        .expect("purl");
        out.insert(p);
    }
    out
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
