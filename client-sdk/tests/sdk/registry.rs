//! The registry client (`cairn_sdk::registry::pull`) against the loopback registry of
//! `oci_registry.rs`, serving an image assembled from real files (the engine's image fixtures:
//! Debian 12's os-release and dpkg database, a real Go binary's build information, a corpus
//! Gemfile.lock) for two platforms. What is pulled is scanned by the engine and compared with the
//! scan of the layout it was served from.

use crate::image_build::{debian_layers, expected_dpkg, oci_layout};
use crate::oci_registry::{Auth, Knobs, Registry};
use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use cairn_sdk::registry::{
    AnyHost, Credential, GuardFuture, HostGuard, ImageReference, PullOptions, Pulled, RegistryError, pull,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The source layout: the Debian image for amd64, and for arm64 the same base without the
/// application layer (so the two platforms' inventories differ).
fn source_layout(dir: &Path) -> PathBuf {
    let layers = debian_layers();
    let layout = dir.join("source");
    oci_layout(&layout, &[("amd64", &layers), ("arm64", &layers[..1])], "cairn/debian:12");
    layout
}

fn reference(r: &Registry) -> ImageReference {
    ImageReference::parse(&format!("{}/cairn/debian:12", r.host)).expect("reference")
}

async fn pull_to(r: &Registry, dest: &Path, opts: &PullOptions) -> Result<Pulled, RegistryError> {
    pull(&reference(r), dest, opts, &AnyHost).await
}

fn purls(path: &Path, platform: Option<&str>) -> BTreeSet<String> {
    let opts =
        ImageOptions { platform: platform.map(|p| p.parse().expect("platform")), ..Default::default() };
    let scan = scan_image(path, &opts, &NoProgress).expect("scans");
    scan.scan.inventory.components.iter().map(|c| c.purl.clone()).collect()
}

#[tokio::test]
async fn an_anonymous_pull_of_a_multi_platform_image_scans_like_its_source() {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let r = Registry::serve(&source, "cairn/debian", "12", Knobs::default()).await;

    let dest = dir.path().join("pulled");
    let pulled = pull_to(&r, &dest, &PullOptions::default()).await.expect("pulls");
    assert_eq!(pulled.platform.as_ref().map(ToString::to_string).as_deref(), Some("linux/amd64"));
    assert!(pulled.index_digest.is_some());
    assert_eq!(pulled.blobs, 3, "configuration and two layers");

    let got = purls(&dest, None);
    assert_eq!(got, purls(&source, Some("linux/amd64")));
    let debs: BTreeSet<String> = got.iter().filter(|p| p.starts_with("pkg:deb/")).cloned().collect();
    assert_eq!(debs, expected_dpkg(), "every dpkg package with Debian's purl");
    assert!(got.iter().any(|p| p.starts_with("pkg:golang/cloud.google.com/go/cbt@")), "the Go binary");
    assert!(got.iter().any(|p| p.starts_with("pkg:gem/")), "the application layer's Gemfile.lock");

    // Only what was asked for came over: the arm64 manifest's layer is the shared base.
    let arm = dir.path().join("arm");
    let pulled = pull_to(
        &r,
        &arm,
        &PullOptions { platform: Some("linux/arm64".parse().expect("p")), ..Default::default() },
    )
    .await
    .expect("pulls arm64");
    assert_eq!(pulled.blobs, 2);
    let arm_purls = purls(&arm, None);
    assert_eq!(arm_purls, purls(&source, Some("linux/arm64")));
    assert!(!arm_purls.iter().any(|p| p.starts_with("pkg:gem/")));

    let none = dir.path().join("none");
    let err = pull_to(
        &r,
        &none,
        &PullOptions { platform: Some("linux/s390x".parse().expect("p")), ..Default::default() },
    )
    .await
    .expect_err("no such platform");
    assert!(matches!(err, RegistryError::NoSuchPlatform { .. }), "{err}");
    assert!(err.to_string().contains("linux/amd64, linux/arm64"), "{err}");
    assert!(!none.exists(), "a failed pull leaves nothing behind");

    // By digest: the manifest the index named.
    let digest = purls_digest(&dest);
    let by_digest = ImageReference::parse(&format!("{}/cairn/debian@{digest}", r.host)).expect("ref");
    let again = dir.path().join("again");
    let p = pull(&by_digest, &again, &PullOptions::default(), &AnyHost).await.expect("by digest");
    assert_eq!((p.manifest_digest.as_str(), p.index_digest.is_none()), (digest.as_str(), true));
    assert_eq!(purls(&again, None), got);

    let missing = ImageReference::parse(&format!("{}/cairn/debian:13", r.host)).expect("ref");
    let err =
        pull(&missing, &dir.path().join("m"), &PullOptions::default(), &AnyHost).await.expect_err("404");
    assert!(matches!(err, RegistryError::NotFound(_)), "{err}");
}

/// The manifest digest the pulled layout's index names.
fn purls_digest(layout: &Path) -> String {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index")).expect("json");
    index["manifests"][0]["digest"].as_str().expect("digest").to_owned()
}

#[tokio::test]
async fn bearer_and_basic_challenges_are_answered_with_the_credential() {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let cred = Credential { username: "robot".into(), password: "s3cret-pw".into() };
    for auth in [
        Auth::Bearer { user: "robot".into(), password: "s3cret-pw".into() },
        Auth::Basic { user: "robot".into(), password: "s3cret-pw".into() },
    ] {
        let r = Registry::serve(
            &source,
            "cairn/debian",
            "12",
            Knobs { auth: auth.clone(), ..Default::default() },
        )
        .await;
        let anon = dir.path().join("anon");
        let err = pull_to(&r, &anon, &PullOptions::default()).await.expect_err("needs credentials");
        assert!(matches!(err, RegistryError::Unauthorized(_)), "{auth:?}: {err}");
        assert!(!anon.exists());

        let wrong = Credential { username: "robot".into(), password: "nope".into() };
        let err = pull_to(&r, &anon, &PullOptions { credential: Some(wrong), ..Default::default() })
            .await
            .expect_err("wrong credentials");
        assert!(matches!(err, RegistryError::Unauthorized(_)), "{auth:?}: {err}");
        assert!(!err.to_string().contains("nope"), "{err}");

        let dest = dir.path().join("ok");
        pull_to(&r, &dest, &PullOptions { credential: Some(cred.clone()), ..Default::default() })
            .await
            .unwrap_or_else(|e| panic!("{auth:?}: {e}"));
        assert_eq!(purls(&dest, None), purls(&source, Some("linux/amd64")));
        std::fs::remove_dir_all(&dest).expect("rm");
    }
}

#[tokio::test]
async fn redirected_blobs_carry_no_credential_and_pass_the_guard() {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let knobs = Knobs {
        auth: Auth::Bearer { user: "robot".into(), password: "s3cret-pw".into() },
        redirect_blobs: true,
        ..Default::default()
    };
    let r = Registry::serve(&source, "cairn/debian", "12", knobs).await;
    let opts = PullOptions {
        credential: Some(Credential { username: "robot".into(), password: "s3cret-pw".into() }),
        ..Default::default()
    };
    let dest = dir.path().join("pulled");
    pull_to(&r, &dest, &opts).await.expect("pulls through the redirect");
    let seen = r.cdn_auth();
    assert_eq!(seen.len(), 3, "configuration and two layers from the CDN");
    assert!(seen.iter().all(Option::is_none), "the registry's token went to another host: {seen:?}");

    /// Refuses the CDN's port, as the daemon's guard refuses a private address.
    struct NotThePort(u16);
    impl HostGuard for NotThePort {
        fn check<'a>(&'a self, host: &'a str, port: u16) -> GuardFuture<'a> {
            let refused = port == self.0;
            Box::pin(async move {
                if refused { Err(format!("{host}:{port} is not allowed")) } else { Ok(Vec::new()) }
            })
        }
    }
    let refused = dir.path().join("refused");
    let err = pull(&reference(&r), &refused, &opts, &NotThePort(r.cdn.port())).await.expect_err("guarded");
    assert!(matches!(err, RegistryError::Refused(_)), "{err}");
    assert!(!refused.exists());
}

#[tokio::test]
async fn a_tampered_blob_or_manifest_or_an_oversized_layer_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let manifest = {
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(source.join("index.json")).expect("index")).expect("json");
        let d = index["manifests"][0]["digest"].as_str().expect("digest").to_owned();
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(source.join("blobs/sha256").join(&d[7..])).expect("m"))
                .expect("json");
        m
    };
    let layer = manifest["layers"][1]["digest"].as_str().expect("layer").to_owned();
    let r = Registry::serve(
        &source,
        "cairn/debian",
        "12",
        Knobs { tamper: Some(layer.clone()), ..Default::default() },
    )
    .await;
    let dest = dir.path().join("tampered");
    let err = pull_to(&r, &dest, &PullOptions::default()).await.expect_err("digest mismatch");
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&layer), "{err}");
    assert!(!dest.exists(), "the layout with its verified blobs was removed");

    // A manifest whose bytes are not what the registry says they are.
    let knobs = Knobs { wrong_manifest_digest: true, ..Default::default() };
    let r = Registry::serve(&source, "cairn/debian", "12", knobs).await;
    let err = pull_to(&r, &dest, &PullOptions::default()).await.expect_err("manifest digest mismatch");
    assert!(matches!(err, RegistryError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains("manifest"), "{err}");
    assert!(!dest.exists());

    let r = Registry::serve(&source, "cairn/debian", "12", Knobs::default()).await;
    let mut opts = PullOptions::default();
    opts.limits.max_layer_bytes = 1024;
    let err = pull_to(&r, &dest, &opts).await.expect_err("over the cap");
    assert!(matches!(err, RegistryError::OverLimit(_)), "{err}");
    assert!(!dest.exists());
    // Refused from the manifest's sizes, before any layer was downloaded.
    assert!(!r.requests().iter().any(|p| p.contains(&format!("blobs/{layer}"))), "{:?}", r.requests());
}
