//! `cairn scan IMAGE --offline` through the real binary: a `docker save` archive built here from
//! the engine's real Debian fixtures (`engine/tests/fixtures/image/SOURCE.md`) gives documents
//! whose root is the image (CycloneDX `container`, SPDX `CONTAINER`), schema-valid, with every
//! dpkg package; vulnerability coverage names the release it had no data for; a platform the
//! image lacks and an image without --offline are refused.

use std::path::Path;
use std::process::{Command, Output};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/image").join(rel))
        .expect("fixture")
}

fn sha(bytes: &[u8]) -> String {
    cairn_engine::image::Digest::of(bytes).to_string()
}

fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, &data[..]).expect("append");
    }
    b.into_inner().expect("tar")
}

/// A one-layer Debian image as `docker save` writes it.
fn debian_image() -> Vec<u8> {
    let layer =
        tar_of(&[("etc/os-release", fixture("os-release")), ("var/lib/dpkg/status", fixture("dpkg-status"))]);
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [sha(&layer)]},
    }))
    .expect("json");
    let cfg_name = format!("{}.json", &sha(&cfg)[7..]);
    let manifest = serde_json::json!([{"Config": cfg_name, "RepoTags": ["cairn-test/debian:12"], "Layers": ["l/layer.tar"]}]);
    tar_of(&[
        (&cfg_name, cfg.clone()),
        ("l/layer.tar", layer),
        ("manifest.json", serde_json::to_vec(&manifest).expect("json")),
    ])
}

fn cairn(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("CAIRN_PROFILE")
        .output()
        .expect("run cairn")
}

#[test]
fn an_image_archive_is_scanned_offline_with_the_image_as_root() {
    let dir = tempfile::tempdir().expect("tmp");
    let image = dir.path().join("debian.tar");
    std::fs::write(&image, debian_image()).expect("write");
    let img = image.to_str().expect("utf-8");
    let cdx = dir.path().join("bom.json");
    let out = cairn(
        dir.path(),
        &[
            "scan",
            img,
            "--offline",
            "-f",
            "cyclonedx",
            "-o",
            cdx.to_str().expect("utf-8"),
            "--vulndb",
            super::common::osv().to_str().expect("utf-8"),
            "--timestamp",
            "2026-01-01T00:00:00Z",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("linux/amd64") && stderr.contains("Debian GNU/Linux 12"), "{stderr}");
    // The engine's OSV fixtures hold no Debian advisories: said per release, never "0 found".
    assert!(stderr.contains("Debian:12 59 not evaluated — no advisories loaded"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).expect("bom")).expect("json");
    assert_eq!(super::common::cyclonedx_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["metadata"]["component"]["type"], "container");
    assert_eq!(doc["metadata"]["component"]["name"], "cairn-test/debian:12");
    let debs = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:deb/debian/")))
        .count();
    assert_eq!(debs, 59);

    let spdx = dir.path().join("bom.spdx.json");
    let out = cairn(
        dir.path(),
        &[
            "scan",
            img,
            "--offline",
            "-q",
            "-f",
            "spdx-2.3",
            "-o",
            spdx.to_str().expect("utf-8"),
            "--timestamp",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).expect("spdx")).expect("json");
    let root = doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "CONTAINER");
    assert_eq!(root.map(|r| r["name"].clone()), Some("cairn-test/debian:12".into()));
}

#[test]
fn a_missing_platform_and_an_image_without_offline_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let image = dir.path().join("debian.tar");
    std::fs::write(&image, debian_image()).expect("write");
    let img = image.to_str().expect("utf-8");
    let out = cairn(dir.path(), &["scan", img, "--offline", "-f", "json", "--platform", "linux/arm64"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no image for platform linux/arm64 (the image has: linux/amd64)"), "{stderr}");
    let out = cairn(dir.path(), &["scan", img, "--offline", "--platform", "linux"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cairn(dir.path(), &["scan", img, "-f", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --offline"));
}

#[test]
fn an_image_is_pulled_from_a_registry_and_scanned_offline() {
    use super::oci_registry::{Auth, Knobs, Registry};
    let dir = tempfile::tempdir().expect("tmp");
    let layout = dir.path().join("source");
    let layers = super::image_build::debian_layers();
    super::image_build::oci_layout(
        &layout,
        &[("amd64", &layers), ("arm64", &layers[..1])],
        "cairn/debian:12",
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let knobs =
        Knobs { auth: Auth::Bearer { user: "robot".into(), password: "pw-9c1e".into() }, ..Knobs::default() };
    let registry = rt.block_on(Registry::serve(&layout, "cairn/debian", "12", knobs));
    let reference = format!("{}/cairn/debian:12", registry.host);
    let cdx = dir.path().join("bom.json");
    let scan = |creds: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cairn"));
        cmd.args(["scan", &reference, "--offline", "-f", "cyclonedx", "-o", cdx.to_str().expect("utf-8")])
            .args(["--timestamp", "2026-01-01T00:00:00Z"])
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env_remove("CAIRN_REGISTRY_USERNAME")
            .env_remove("CAIRN_REGISTRY_PASSWORD");
        if creds {
            cmd.env("CAIRN_REGISTRY_USERNAME", "robot").env("CAIRN_REGISTRY_PASSWORD", "pw-9c1e");
        }
        cmd.output().expect("run cairn")
    };
    let out = scan(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("pulling") && stderr.contains("without credentials"), "{stderr}");

    let out = scan(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("pw-9c1e"));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).expect("bom")).expect("json");
    assert_eq!(super::common::cyclonedx_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["metadata"]["component"]["name"], reference.as_str());
    let debs: std::collections::BTreeSet<String> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|p| p.starts_with("pkg:deb/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(debs, super::image_build::expected_dpkg());
}
