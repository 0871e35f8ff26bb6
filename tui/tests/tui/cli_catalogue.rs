//! `cairn images` and `cairn requests` as a script runs them, against a real daemon (SQLite, and
//! Postgres when CAIRN_TEST_POSTGRES_URL is set) and the SDK suite's loopback registry: two tags
//! scanned into the catalogue, `images ls`, `images versions` (digests, `--history`),
//! `images sbom IMAGE:TAG -f spdx-2.3|cyclonedx-1.5 -o FILE`; `scan IMAGE --create-project` makes
//! an image project; `requests add|ls|status`; usage errors exit 2.

use std::collections::BTreeMap;

use cairn_sdk::types::{CreateScan, ScanStatus};
use cairn_sdk::{Client, Credential, ScanWatcher};
use futures_util::StreamExt;

use crate::cli_scripts::Home;
use crate::common::{Daemon, Opts};
use crate::image_build::{debian_layers, oci_layout};
use crate::oci_registry::{Knobs, Registry, sha};

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn scanned(client: &Client, reference: &str) {
    let queued = client.create_scan(&CreateScan::image(reference)).await.expect("queued");
    let mut watch = ScanWatcher::new(client, queued.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    let done = client.scan(queued.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed, "{:?}", done.error);
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
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    let repo = format!("{}/cairn/app", registry.host);
    scanned(&client, &format!("{repo}:1")).await;
    scanned(&client, &format!("{repo}:2")).await;
    let home = Home::new(&daemon.base, &daemon.admin_key);

    let listed = stdout(&home.run(&["images", "ls"]).await);
    assert!(listed.lines().any(|l| l.starts_with(&repo)), "{listed}");
    let versions: Vec<serde_json::Value> = serde_json::from_str(&stdout(
        &home.run(&["images", "versions", &format!("{repo}:1"), "--json"]).await,
    ))
    .expect("json");
    let by_tag: BTreeMap<String, String> = versions
        .iter()
        .map(|v| {
            (v["name"].as_str().expect("name").into(), v["image_digest"].as_str().expect("digest").into())
        })
        .collect();
    assert_eq!(by_tag, BTreeMap::from([("1".into(), digest(&a)), ("2".into(), digest(&b))]));
    let table = stdout(&home.run(&["images", "versions", &repo, "--history"]).await);
    assert!(table.contains(&digest(&a)) && table.contains(&digest(&b)), "{table}");
    assert!(table.contains("not matched"), "no vulnerability data is not zero findings: {table}");

    for (format, field, want) in
        [("spdx-2.3", "spdxVersion", "SPDX-2.3"), ("cyclonedx-1.5", "specVersion", "1.5")]
    {
        let file = dir.path().join(format!("app-2.{format}.json"));
        let out = home
            .run(&["images", "sbom", &format!("{repo}:2"), "-f", format, "-o", file.to_str().expect("utf8")])
            .await;
        stdout(&out);
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("json");
        assert_eq!(doc[field], want, "{format}");
    }
    let missing = home.run(&["images", "sbom", &format!("{repo}:3")]).await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no version 3"), "{missing:?}");

    // `scan IMAGE --project NAME --create-project` makes an image project (it was always `repo`).
    let out = home
        .run(&["scan", &format!("{repo}:1"), "--project", "app-image", "--create-project", "--wait"])
        .await;
    stdout(&out);
    let made = client.project_by_name("app-image").await.expect("lookup").expect("created");
    assert_eq!(made.kind, cairn_sdk::types::ProjectKind::Image);

    // Feature requests.
    let id = stdout(&home.run(&["requests", "add", "bug", "Wrong purl for epochs", "--body", "1:2.0"]).await);
    let id = id.trim();
    let listed = stdout(&home.run(&["requests", "ls", "--kind", "bug"]).await);
    assert!(listed.contains("Wrong purl for epochs") && listed.contains("open"), "{listed}");
    let moved = stdout(&home.run(&["requests", "status", id, "in_progress", "--note", "soon"]).await);
    assert_eq!(moved.trim(), format!("{id} is in_progress"));
    let json: Vec<serde_json::Value> = serde_json::from_str(&stdout(
        &home.run(&["requests", "ls", "--status", "in_progress", "--json"]).await,
    ))
    .expect("json");
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["status_note"], "soon");
    let bad = home.run(&["requests", "add", "wish", "x"]).await;
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_and_requests_on_sqlite() {
    catalogue(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_and_requests_on_postgres() {
    catalogue(true).await;
}
