//! Container images assembled from real files (`fixtures/image/SOURCE.md`): layers, `docker save`
//! archives and OCI layouts, and the dpkg reference computed from the status file. Shared by path
//! with the SDK suite (the loopback registry) and the daemon suite (image scans).

#![allow(dead_code)]

use cairn_engine::inventory::{Ecosystem, purl};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    // From the engine, the SDK and the daemon suites alike.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures")
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).expect("fixture")
}

pub fn sha(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    format!("sha256:{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// One tar entry of a layer.
pub enum E {
    File(&'static str, Vec<u8>, u32),
    Dir(&'static str),
    Link(&'static str, &'static str),
    /// A regular file whose name is written byte for byte (the tar crate refuses `..` names).
    Raw(&'static [u8], Vec<u8>),
}

pub fn tar_of(entries: &[E]) -> Vec<u8> {
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

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

pub fn zstd_of(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).expect("zstd")
}

pub fn config(arch: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": arch, "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("json")
}

/// A `docker save` archive of one image (layers stored as uncompressed tars).
pub fn docker_save(layers: &[Vec<u8>], tag: &str) -> Vec<u8> {
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

pub fn archive_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
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
pub fn oci_layout(dir: &Path, images: &[(&str, &[Vec<u8>])], tag: &str) {
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
pub fn tar_dir(dir: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", dir).expect("tar dir");
    b.into_inner().expect("tar")
}

pub const GEMFILE_LOCK: &str = "corpus/gem/openstreetmap__openstreetmap-website/Gemfile.lock";

/// The test image: a Debian base layer and an application layer over it.
pub fn debian_layers() -> Vec<Vec<u8>> {
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

/// The dpkg packages of the fixture, with the purls Debian's rules give them, computed here from
/// the status paragraphs.
pub fn expected_dpkg() -> BTreeSet<String> {
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
