//! Container images through the daemon: `POST /scans` with an image source pulls from the
//! SDK suite's loopback registry (an image assembled from the engine's real fixture files, two
//! platforms) and completes with the components the engine finds in the layout it was served
//! from, its documents rooted at the image (CycloneDX `container`, SPDX `CONTAINER`) and
//! schema-valid; a bad reference or platform is the request's 400 naming the field; a registry on a
//! loopback address fails the scan in team mode with the address rule's reason.

use std::collections::BTreeSet;

use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::image_build::{debian_layers, expected_dpkg, oci_layout};
use crate::oci_registry::{Knobs, Registry};
use crate::scans::{all_items, get_json};
use crate::ws::{Frame, follow};

fn source_layout(dir: &std::path::Path) -> std::path::PathBuf {
    let layers = debian_layers();
    let layout = dir.join("source");
    oci_layout(&layout, &[("amd64", &layers), ("arm64", &layers[..1])], "cairn/debian:12");
    layout
}

async fn finished(d: &Daemon, user: &Session, body: Value) -> Value {
    let resp = d.send(user, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap_or_default());
    let scan: Value = resp.json().await.expect("json");
    let id = scan["id"].as_str().expect("id").to_owned();
    let (_, end) = follow(d, &id, user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "{}", d.stderr());
    get_json(d, user, &format!("/api/v1/scans/{id}")).await
}

both!(an_image_from_a_registry_scans_like_the_engine, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let registry = Registry::serve(&source, "cairn/debian", "12", Knobs::default()).await;
    let extra = "[sources]\nallow_private_hosts = true\n".to_owned();
    let d = Daemon::start_with(db, Opts { extra_config: extra, ..Opts::default() }).await;
    let user = d.register(&unique_email("image")).await;
    let reference = format!("{}/cairn/debian:12", registry.host);

    for platform in [None, Some("linux/arm64")] {
        let mut source_json = json!({"kind": "image", "reference": reference});
        if let Some(p) = platform {
            source_json["platform"] = json!(p);
        }
        let done = finished(&d, &user, json!({"source": source_json})).await;
        assert_eq!(done["status"], "completed", "{done}");
        assert_eq!(done["source"], source_json, "the source as submitted");
        let id = done["id"].as_str().expect("id");
        let components = all_items(&d, &user, &format!("/api/v1/scans/{id}/components"), 1000).await;
        let got: BTreeSet<String> =
            components.iter().filter_map(|c| c["purl"].as_str().map(str::to_owned)).collect();
        let opts = ImageOptions {
            platform: Some(platform.unwrap_or("linux/amd64").parse().expect("platform")),
            ..ImageOptions::default()
        };
        let engine = scan_image(&source, &opts, &NoProgress).expect("engine scan");
        let want: BTreeSet<String> =
            engine.scan.inventory.components.iter().map(|c| c.purl.clone()).collect();
        assert_eq!(got, want, "{platform:?}");
        let debs: BTreeSet<String> = got.iter().filter(|p| p.starts_with("pkg:deb/")).cloned().collect();
        assert_eq!(debs, expected_dpkg());
        assert_eq!(
            got.iter().any(|p| p.starts_with("pkg:gem/")),
            platform.is_none(),
            "the app layer is amd64's"
        );
        // The documents' root is the image, named by its reference, and every one validates.
        let resp =
            d.send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom?format=cyclonedx"), None).await;
        assert_eq!(resp.status(), 200);
        let cdx: Value = resp.json().await.expect("json");
        assert_eq!(cdx["metadata"]["component"]["type"], "container", "{}", cdx["metadata"]);
        assert_eq!(cdx["metadata"]["component"]["name"], reference.as_str());
        let resp = d.send(&user, Method::GET, &format!("/api/v1/scans/{id}/bom?format=spdx-2.3"), None).await;
        let spdx: Value = resp.json().await.expect("json");
        let root = spdx["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["primaryPackagePurpose"] == "CONTAINER")
            .map(|r| r["name"].clone());
        assert_eq!(root, Some(json!(reference)));
        for (format, doc) in [("cyclonedx", &cdx), ("spdx-2.3", &spdx)] {
            let errors = crate::schema::validate(format, doc);
            assert!(errors.is_empty(), "{format}: {errors:?}");
        }
    }

    for (source, field) in [
        (json!({"kind": "image", "reference": "https://ghcr.io/o/r:1"}), "body.source.reference"),
        (json!({"kind": "image", "reference": "ghcr.io/O/r:1"}), "body.source.reference"),
        (json!({"kind": "image", "reference": reference, "platform": "linux"}), "body.source.platform"),
    ] {
        let resp = d.send(&user, Method::POST, "/api/v1/scans", Some(json!({"source": source}))).await;
        let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
});

both!(a_registry_on_a_loopback_address_is_refused_in_team_mode, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let registry = Registry::serve(&source, "cairn/debian", "12", Knobs::default()).await;
    let d = Daemon::start_with(db, Opts::default()).await;
    let user = d.register(&unique_email("image-team")).await;
    let reference = format!("{}/cairn/debian:12", registry.host);
    let done = finished(&d, &user, json!({"source": {"kind": "image", "reference": reference}})).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().expect("an error");
    assert!(error.contains("loopback") && error.contains("allow_private_hosts"), "{error}");
    assert!(registry.requests().is_empty(), "nothing reached the registry: {:?}", registry.requests());
});

fn key_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("credentials.key");
    std::fs::write(&path, "5e1f0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f\n").expect("key");
    path
}

both!(a_tenants_registry_credential_is_used_for_its_pulls_only, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tmp");
    let source = source_layout(dir.path());
    let password = "reg-pw-7d41c0";
    let auth = crate::oci_registry::Auth::Bearer { user: "robot".into(), password: password.into() };
    let registry = Registry::serve(&source, "cairn/debian", "12", Knobs { auth, ..Knobs::default() }).await;
    let opts = Opts {
        extra_config: "[sources]\nallow_private_hosts = true\n".to_owned(),
        git_credentials_key_file: Some(key_file(dir.path())),
        ..Opts::default()
    };
    let d = Daemon::start_with(db, opts).await;
    let a = d.register(&unique_email("reg-a")).await;
    let b = d.register(&unique_email("reg-b")).await;
    let reference = format!("{}/cairn/debian:12", registry.host);

    // Field errors name the field and never echo the password.
    for (body, field) in [
        (json!({"registry": "https://ghcr.io", "username": "robot", "password": password}), "body.registry"),
        (json!({"registry": registry.host, "username": "", "password": password}), "body.username"),
        (json!({"registry": registry.host, "username": "robot", "password": ""}), "body.password"),
    ] {
        let resp = d.send(&a, Method::POST, "/api/v1/registry-credentials", Some(body)).await;
        let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(!problem.to_string().contains(password));
    }
    let body = json!({"registry": registry.host, "username": "robot", "password": password});
    let resp = d.send(&a, Method::POST, "/api/v1/registry-credentials", Some(body.clone())).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    assert_eq!(
        (created["registry"].as_str(), created["username"].as_str()),
        (Some(registry.host.as_str()), Some("robot"))
    );
    assert!(!created.to_string().contains(password));
    let again = d.send(&a, Method::POST, "/api/v1/registry-credentials", Some(body)).await;
    assert_eq!(again.status(), 409);

    let done = finished(&d, &a, json!({"source": {"kind": "image", "reference": reference}})).await;
    assert_eq!(done["status"], "completed", "{done}");
    // Tenant B has no credential: the registry's answer, not A's login.
    let done = finished(&d, &b, json!({"source": {"kind": "image", "reference": reference}})).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().expect("error");
    assert!(error.contains("without credentials"), "{error}");

    let list = get_json(&d, &a, "/api/v1/registry-credentials").await;
    assert_eq!(list["total"], 1);
    let scans = get_json(&d, &a, "/api/v1/scans").await;
    for text in [list.to_string(), scans.to_string(), d.stderr()] {
        assert!(!text.contains(password), "the password leaked: {text}");
    }
    let id = created["id"].as_str().expect("id");
    let gone = d.send(&b, Method::DELETE, &format!("/api/v1/registry-credentials/{id}"), None).await;
    assert_eq!(gone.status(), 404, "another tenant's credential is not there");
    let gone = d.send(&a, Method::DELETE, &format!("/api/v1/registry-credentials/{id}"), None).await;
    assert_eq!(gone.status(), 204);
    let done = finished(&d, &a, json!({"source": {"kind": "image", "reference": reference}})).await;
    assert_eq!(done["status"], "failed", "deleted: anonymous again: {done}");
});
