//! The image catalogue and feature requests through the SDK (SQLite and, when
//! CAIRN_TEST_POSTGRES_URL is set, Postgres): two tags of an image served by the loopback
//! registry scanned with `create_scan`, then `projects_of_kind(Image)`, the versions with their
//! digests, `version_scan_history` and `version_sbom` (SPDX 2.3, valid); a feature request asked,
//! listed by kind and status, and its status set with `If-Match` (a stale version is a typed 412).

use cairn_sdk::types::{
    BomFormat, CreateFeatureRequest, CreateScan, FeatureRequestKind, FeatureRequestStatus,
    FeatureRequestStatusChange, ProjectKind, RegisterRequest, ScanStatus,
};
use cairn_sdk::{Client, ListQuery, ScanWatcher};
use futures_util::{StreamExt, TryStreamExt};

use crate::common::{Daemon, Opts};
use crate::image_build::{debian_layers, oci_layout};
use crate::oci_registry::{Knobs, Registry, sha};

async fn scanned(client: &Client, reference: &str) -> cairn_sdk::types::Scan {
    let queued = client.create_scan(&CreateScan::image(reference)).await.expect("queued");
    let mut watch = ScanWatcher::new(client, queued.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    let done = client.scan(queued.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed, "{:?}", done.error);
    done
}

async fn catalogue(postgres: bool) {
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    oci_layout(&a, &[("amd64", &layers)], "cairn/app:1");
    oci_layout(&b, &[("amd64", &layers[..1])], "cairn/app:2");
    let digest = |p: &std::path::Path| sha(&std::fs::read(p.join("index.json")).expect("index"));
    let registry = Registry::serve(&a, "cairn/app", "1", Knobs::default()).await;
    registry.tag(&b, "2");
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start_with(opts, |c| c.sources.allow_private_hosts = true).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: "catalogue@example.test".into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some("catalogue".into()),
                invite_token: None,
            },
        )
        .await;

    let repo = format!("{}/cairn/app", registry.host);
    let one = scanned(&client, &format!("{repo}:1")).await;
    let two = scanned(&client, &format!("{repo}:2")).await;
    let images: Vec<_> = client
        .projects_of_kind(ProjectKind::Image, ListQuery::default())
        .try_collect()
        .await
        .expect("images");
    assert_eq!(images.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec![repo.as_str()]);
    let project = images[0].id;
    assert_eq!((one.project_id, two.project_id), (Some(project), Some(project)));
    let versions: Vec<_> =
        client.versions(project, ListQuery::default()).try_collect().await.expect("versions");
    let named: Vec<(String, Option<String>)> =
        versions.iter().map(|v| (v.name.clone(), v.image_digest.clone())).collect();
    assert_eq!(named, vec![("1".into(), Some(digest(&a))), ("2".into(), Some(digest(&b)))]);

    let v1 = one.version_id.expect("a version");
    let history: Vec<_> =
        client.version_scan_history(project, v1, ListQuery::default()).try_collect().await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].scan_id, history[0].image_digest.clone()), (one.id, Some(digest(&a))));
    assert_eq!(history[0].components, one.counts.components);

    let sbom = dir.path().join("app-1.spdx.json");
    client
        .version_sbom(project, v1, BomFormat::Spdx23)
        .await
        .expect("sbom")
        .save_to(&sbom)
        .await
        .expect("saved");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sbom).expect("read")).expect("json");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    let none = client.version_sbom(project, two.version_id.expect("v2"), BomFormat::CycloneDx15).await;
    assert!(none.is_ok(), "version 2 has a completed scan");

    // Feature requests.
    let asked = client
        .create_feature_request(&CreateFeatureRequest {
            kind: FeatureRequestKind::Package,
            title: "Support rpm ndb databases".into(),
            body: "UBI 9 images".into(),
        })
        .await
        .expect("asked");
    assert_eq!(asked.status, FeatureRequestStatus::Open);
    let packages =
        client.feature_requests_page(&ListQuery::default().filter("kind", "package")).await.expect("listed");
    assert_eq!(packages.total, 1);
    let change = FeatureRequestStatusChange { status: FeatureRequestStatus::InProgress, note: None };
    let moved = client.set_feature_request_status(asked.id, asked.version, &change).await.expect("status");
    assert_eq!((moved.status, moved.version), (FeatureRequestStatus::InProgress, asked.version + 1));
    let stale = client.set_feature_request_status(asked.id, asked.version, &change).await.expect_err("stale");
    assert_eq!(stale.status(), Some(412), "{stale}");
    let in_progress = client
        .feature_requests_page(&ListQuery::default().filter("status", "in_progress"))
        .await
        .expect("listed");
    assert_eq!(in_progress.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![asked.id]);
    assert_eq!(
        client.feature_request(asked.id).await.expect("read").status,
        FeatureRequestStatus::InProgress
    );
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_and_feature_requests_on_sqlite() {
    catalogue(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_and_feature_requests_on_postgres() {
    catalogue(true).await;
}
