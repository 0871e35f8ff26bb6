//! cairn-sdk's conveniences for CI jobs against a real daemon (SQLite and, when
//! CAIRN_TEST_POSTGRES_URL is set, Postgres): `find_or_create_project` twice is one project,
//! exact-name lookups ignore substring matches, `ingest_sbom_to` creates the project and version
//! it names, and a download tells its ETag, media type and file name and saves to a file.

use crate::common::{Daemon, Opts};
use cairn_sdk::futures::StreamExt;
use cairn_sdk::types::{BomFormat, RegisterRequest, ScanStatus};
use cairn_sdk::{Client, ScanWatcher, Upload, WatchEvent};

/// trivy 0.76.0's CycloneDX 1.7 SBOM of pypa/pipenv's Pipfile.lock, from the shared corpus
/// (corpus/sboms, see its README), already copied into the engine's fixtures.
const SBOM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/fixtures/sboms/trivy-0.76.0__pipenv-pipenv.cdx-1.7.json"
);

async fn ci_conveniences(postgres: bool) {
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest::new("ci@example.test", "correct horse battery staple").tenant_name("ci"),
        )
        .await;

    // A longer name holding the wanted one must not be taken for it.
    let longer = client.find_or_create_project("payments-api-legacy").await.expect("longer");
    assert_eq!(client.project_by_name("payments-api").await.expect("lookup"), None);
    let first = client.find_or_create_project("payments-api").await.expect("create");
    let again = client.find_or_create_project("payments-api").await.expect("find");
    assert_eq!(first.id, again.id, "the second call finds the first's project");
    assert_ne!(first.id, longer.id);

    let v2 = client.find_or_create_version(first.id, "2.4.0").await.expect("version");
    client.find_or_create_version(first.id, "2.4.0-rc1").await.expect("rc");
    assert_eq!(client.version_by_name(first.id, "2.4").await.expect("lookup"), None);
    assert_eq!(client.find_or_create_version(first.id, "2.4.0").await.expect("again").id, v2.id);

    // Ingest into names that do not exist yet: both are created.
    let bytes = std::fs::read(SBOM).expect("fixture");
    let scan = client
        .ingest_sbom_to(Upload { file_name: "bom.json".into(), bytes }, "billing", "1.0.0")
        .await
        .expect("ingest");
    let billing = client.project_by_name("billing").await.expect("lookup").expect("created");
    let version = client.version_by_name(billing.id, "1.0.0").await.expect("lookup").expect("created");
    assert_eq!(scan.project_id, Some(billing.id));
    assert_eq!(scan.version_id, Some(version.id));

    let mut watch = ScanWatcher::new(&client, scan.id).stream();
    let mut status = scan.status;
    while let Some(item) = watch.next().await {
        match item.expect("watch") {
            WatchEvent::Sync { scan, .. } => status = scan.status,
            WatchEvent::Event(e) => status = e.status,
            _ => {}
        }
    }
    assert_eq!(status, ScanStatus::Completed);

    let download = client.scan_bom_download(scan.id, BomFormat::CycloneDx).await.expect("download");
    assert_eq!(download.media_type(), Some("application/vnd.cyclonedx+json"));
    let etag = download.etag().expect("an ETag").to_owned();
    assert_eq!(etag.len(), 64, "the stored document's SHA-256: {etag}");
    let name = download.file_name().expect("a file name");
    assert_eq!(name, format!("scan-{}.cyclonedx.json", scan.id));
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(&name);
    let written = download.save_to(&path).await.expect("saved");
    let saved = std::fs::read(&path).expect("read back");
    assert_eq!(saved.len() as u64, written);
    assert_eq!(saved, client.scan_bom(scan.id, BomFormat::CycloneDx).await.expect("bytes"));
    let doc: serde_json::Value = serde_json::from_slice(&saved).expect("json");
    assert_eq!(doc["bomFormat"], "CycloneDX");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ci_conveniences_sqlite() {
    ci_conveniences(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ci_conveniences_postgres() {
    ci_conveniences(true).await;
}
