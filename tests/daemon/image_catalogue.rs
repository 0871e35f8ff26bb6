//! The image catalogue (issue 21): image scans from the loopback registry land in the project named
//! by the repository (`kind: image`, listed by `GET /projects?kind=image`), one version per tag
//! with the digest the tag resolved to; a tag pushed again with a new image stays the same version
//! with a second point in its scan history; each version's SBOM downloads as SPDX 2.3 and
//! CycloneDX 1.5 and validates.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::image_build::{debian_layers, oci_layout};
use crate::oci_registry::{Knobs, Registry, sha};
use crate::scans::{all_items, get_json};
use crate::ws::{Frame, follow};

async fn scan_image(d: &Daemon, user: &Session, reference: &str) -> Value {
    let body = json!({"source": {"kind": "image", "reference": reference}});
    let resp = d.send(user, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap_or_default());
    let scan: Value = resp.json().await.expect("json");
    let id = scan["id"].as_str().expect("id").to_owned();
    let (_, end) = follow(d, &id, user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "{}", d.stderr());
    let done = get_json(d, user, &format!("/api/v1/scans/{id}")).await;
    assert_eq!(done["status"], "completed", "{done}");
    done
}

/// The digest a registry states for a layout's index (what its tag resolves to).
fn index_digest(layout: &std::path::Path) -> String {
    sha(&std::fs::read(layout.join("index.json")).expect("index.json"))
}

fn purls(components: &[Value]) -> BTreeSet<String> {
    components.iter().filter_map(|c| c["purl"].as_str().map(str::to_owned)).collect()
}

both!(two_tags_and_a_moved_tag_make_the_catalogue, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    // Two different images: every layer on two platforms, and the base layer alone.
    let (twelve, thirteen) = (dir.path().join("twelve"), dir.path().join("thirteen"));
    oci_layout(&twelve, &[("amd64", &layers), ("arm64", &layers[..1])], "cairn/debian:12");
    oci_layout(&thirteen, &[("amd64", &layers[..1])], "cairn/debian:13");
    let (digest_a, digest_b) = (index_digest(&twelve), index_digest(&thirteen));
    assert_ne!(digest_a, digest_b);
    let registry = Registry::serve(&twelve, "cairn/debian", "12", Knobs::default()).await;
    registry.tag(&thirteen, "13");
    let d = Daemon::start_with(
        db,
        Opts { extra_config: "[sources]\nallow_private_hosts = true\n".to_owned(), ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("catalogue")).await;
    let repo = format!("{}/cairn/debian", registry.host);
    // A repository project of the same tenant, which the kind filter leaves out.
    d.create_project(&user, "a-source-tree").await;

    let first = scan_image(&d, &user, &format!("{repo}:12")).await;
    let second = scan_image(&d, &user, &format!("{repo}:13")).await;
    let project_id = first["project_id"].as_str().expect("an image scan lands in a project").to_owned();
    assert_eq!(second["project_id"], first["project_id"], "one project per repository");
    assert_ne!(second["version_id"], first["version_id"], "one version per tag");

    let images = get_json(&d, &user, "/api/v1/projects?kind=image").await;
    assert_eq!(images["total"], 1, "{images}");
    assert_eq!(images["items"][0]["name"], repo.as_str());
    assert_eq!(images["items"][0]["kind"], "image");
    let repos = get_json(&d, &user, "/api/v1/projects?kind=repo").await;
    assert_eq!(repos["total"], 1, "{repos}");
    assert_eq!(repos["items"][0]["name"], "a-source-tree");
    let resp = d.send(&user, Method::GET, "/api/v1/projects?kind=container", None).await;
    let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert!(problem.to_string().contains("kind"), "{problem}");

    let versions = get_json(&d, &user, &format!("/api/v1/projects/{project_id}/versions")).await;
    let by_name: Vec<(String, String)> = versions["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().expect("name").to_owned(),
                v["image_digest"].as_str().expect("digest").to_owned(),
            )
        })
        .collect();
    assert_eq!(by_name, vec![("12".to_owned(), digest_a.clone()), ("13".to_owned(), digest_b.clone())]);

    // Tag 12 pushed again with the other image: the same version, a new point, a new digest.
    registry.tag(&thirteen, "12");
    let third = scan_image(&d, &user, &format!("{repo}:12")).await;
    assert_eq!(third["version_id"], first["version_id"]);
    let v12 = first["version_id"].as_str().expect("version").to_owned();
    let version = get_json(&d, &user, &format!("/api/v1/versions/{v12}")).await;
    assert_eq!(version["image_digest"], digest_b.as_str(), "the latest scan's digest");

    let history_path = format!("/api/v1/projects/{project_id}/versions/{v12}/scan-history");
    let history = get_json(&d, &user, &history_path).await;
    assert_eq!(history["total"], 2, "{history}");
    let points = history["items"].as_array().expect("items");
    let digests: Vec<&str> = points.iter().map(|p| p["image_digest"].as_str().expect("digest")).collect();
    assert_eq!(digests, vec![digest_a.as_str(), digest_b.as_str()], "oldest first: the tag's digest history");
    for (point, scan) in points.iter().zip([&first, &third]) {
        assert_eq!(point["scan_id"], scan["id"]);
        assert_eq!(point["components"], scan["counts"]["components"]);
        assert_eq!(point["version_id"], v12.as_str());
        assert!(point["finished_at"].is_string(), "{point}");
        assert!(point["image_manifest_digest"].as_str().is_some_and(|m| m.starts_with("sha256:")), "{point}");
        assert!(point.get("gate").is_some(), "{point}");
    }
    assert_ne!(points[0]["components"], points[1]["components"], "two different images");
    // Paged like every list.
    let page = get_json(&d, &user, &format!("{history_path}?limit=1")).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let next = get_json(&d, &user, &format!("{history_path}?cursor={cursor}")).await;
    assert_eq!(next["items"][0]["scan_id"], third["id"]);
    // The project's history carries the digests too.
    let project_history = get_json(&d, &user, &format!("/api/v1/projects/{project_id}/history")).await;
    let all: Vec<&str> = project_history["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["image_digest"].as_str().expect("digest"))
        .collect();
    assert_eq!(all, vec![digest_a.as_str(), digest_b.as_str(), digest_b.as_str()]);

    // Each version's documents: its latest scan's inventory, valid against the official schemas.
    let v13 = second["version_id"].as_str().expect("version");
    for (vid, scan) in [(v12.as_str(), &third), (v13, &second)] {
        let scan_id = scan["id"].as_str().expect("id");
        let components = all_items(&d, &user, &format!("/api/v1/scans/{scan_id}/components"), 1000).await;
        let want = purls(&components);
        for format in ["spdx-2.3", "cyclonedx-1.5"] {
            let path = format!("/api/v1/projects/{project_id}/versions/{vid}/sbom?format={format}");
            let resp = d.send(&user, Method::GET, &path, None).await;
            assert_eq!(resp.status(), 200, "{path}");
            let doc: Value = resp.json().await.expect("json");
            let errors = crate::schema::validate(format, &doc);
            assert!(errors.is_empty(), "{format}: {errors:?}");
            let got: BTreeSet<String> = if format == "spdx-2.3" {
                doc["packages"]
                    .as_array()
                    .expect("packages")
                    .iter()
                    .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
                    .filter(|r| r["referenceType"] == "purl")
                    .filter_map(|r| r["referenceLocator"].as_str().map(str::to_owned))
                    .collect()
            } else {
                assert_eq!(doc["specVersion"], "1.5");
                purls(doc["components"].as_array().expect("components"))
            };
            assert_eq!(got, want, "{format} of version {vid}");
        }
    }

    // Another project's version, and a version with no completed scan, are not found.
    let other = d.create_project(&user, "other").await;
    let other_id = other["id"].as_str().expect("id");
    let resp =
        d.send(&user, Method::GET, &format!("/api/v1/projects/{other_id}/versions/{v12}/sbom"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let resp = d
        .send(&user, Method::GET, &format!("/api/v1/projects/{other_id}/versions/{v12}/scan-history"), None)
        .await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let empty: Value = d
        .send(
            &user,
            Method::POST,
            &format!("/api/v1/projects/{project_id}/versions"),
            Some(json!({"name": "14"})),
        )
        .await
        .json()
        .await
        .expect("version");
    let empty_id = empty["id"].as_str().expect("id");
    assert!(empty.get("image_digest").is_none(), "no scan, no digest: {empty}");
    let resp = d
        .send(&user, Method::GET, &format!("/api/v1/projects/{project_id}/versions/{empty_id}/sbom"), None)
        .await;
    let problem = expect_problem(resp, 404, "NOT_FOUND").await;
    assert!(problem["detail"].as_str().is_some_and(|t| t.contains("no completed scan")), "{problem}");
    let none =
        get_json(&d, &user, &format!("/api/v1/projects/{project_id}/versions/{empty_id}/scan-history")).await;
    assert_eq!(none["total"], 0);
});

both!(an_image_scan_keeps_the_project_and_version_it_names, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    let layout = dir.path().join("image");
    oci_layout(&layout, &[("amd64", &layers[..1])], "cairn/debian:12");
    let registry = Registry::serve(&layout, "cairn/debian", "12", Knobs::default()).await;
    let d = Daemon::start_with(
        db,
        Opts { extra_config: "[sources]\nallow_private_hosts = true\n".to_owned(), ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("named")).await;
    let reference = format!("{}/cairn/debian:12", registry.host);
    // A repository project named in the request: the scan goes there, with no version made up.
    let repo = d.create_project(&user, "my-service").await;
    let body = json!({"source": {"kind": "image", "reference": reference}, "project": repo["id"]});
    let resp = d.send(&user, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202);
    let scan: Value = resp.json().await.expect("json");
    assert_eq!(scan["project_id"], repo["id"]);
    assert!(scan["version_id"].is_null(), "{scan}");
    // A key that may scan but not create projects: the scan stays ad hoc.
    let key = d.api_key(&user, &["scan:write", "scan:read"]).await;
    let resp = d
        .send(
            &key,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "image", "reference": reference}})),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let scan: Value = resp.json().await.expect("json");
    assert!(scan["project_id"].is_null() && scan["version_id"].is_null(), "{scan}");
    let images = get_json(&d, &user, "/api/v1/projects?kind=image").await;
    assert_eq!(images["total"], 0, "{images}");
});
