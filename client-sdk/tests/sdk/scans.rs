//! cairn-sdk's scan endpoints against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL is
//! set, Postgres) with the OSV fixture advisories imported: create, get, list with filters,
//! components and findings streamed over several cursor pages, events, BOM download, a 409 before
//! completion, cancel, vulndb status, licenses and crypto assets, an uploaded archive and an
//! ingested SBOM, and `ScanWatcher` following a real scan to `completed`.

use std::collections::BTreeSet;

use crate::common::{Daemon, Opts, copy_dir, corpus, osv, tarball};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{BomFormat, CreateScan, RegisterRequest, ScanStatus, SubmitSource, VulnDataState};
use cairn_sdk::{Client, ListQuery, ScanWatcher, Upload, WatchEvent};
use futures_util::{StreamExt, TryStreamExt};

const WEB_LOCK: &str = r#"{"name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
 "packages": {"": {"name": "web", "version": "1.0.0", "license": "MIT", "dependencies": {"left-pad": "1.3.0"}},
  "node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
   "license": "WTFPL"}}}"#;

async fn registered(daemon: &Daemon, email: &str) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: Some(format!("t-{email}")),
                invite_token: None,
            },
        )
        .await;
    client
}

fn path_scan(path: &std::path::Path) -> CreateScan {
    CreateScan {
        source: SubmitSource::Path { path: path.display().to_string() },
        project: None,
        version: None,
        crypto: false,
    }
}

async fn scans_through_the_sdk(postgres: bool) {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    copy_dir(&corpus("cargo/atuinsh__atuin"), &tree.join("atuin"));
    copy_dir(&corpus("pip/pallets__flask"), &tree.join("flask"));
    copy_dir(&corpus("go/prometheus__prometheus"), &tree.join("prometheus"));
    // A lockfile that declares licenses (the corpus lockfiles above carry none).
    std::fs::create_dir_all(tree.join("web")).expect("mkdir");
    std::fs::write(tree.join("web/package-lock.json"), WEB_LOCK).expect("write lockfile");
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 2, vulndb: true };
    let Some(daemon) = Daemon::start(opts).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let client = registered(&daemon, "scans@example.test").await;

    let status = client.vulndb_status().await.expect("vulndb status");
    assert_eq!(status.state, VulnDataState::Fresh);
    let snapshot = status.snapshot.clone().expect("snapshot id");
    assert!(status.advisories > 100, "{status:?}");

    let scan = client.create_scan(&path_scan(&tree)).await.expect("create");
    assert_eq!(scan.status, ScanStatus::Queued);

    // The watcher: a sync first, then events in order to the terminal one, then the end.
    let mut events = Vec::new();
    let mut stream = ScanWatcher::new(&client, scan.id).stream();
    match stream.next().await {
        Some(Ok(WatchEvent::Sync { scan: s, events: e })) => {
            assert_eq!(s.id, scan.id);
            events.extend(e);
        }
        other => panic!("expected a sync first, got {other:?}"),
    }
    while let Some(item) = stream.next().await {
        match item.expect("watch") {
            WatchEvent::Event(e) => events.push(e),
            other => panic!("no reconnect expected: {other:?}"),
        }
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>(), "in order, no gaps");
    assert!(events.windows(2).all(|w| w[0].percent <= w[1].percent), "percent never goes back");
    assert_eq!(events.last().map(|e| (e.status, e.percent)), Some((ScanStatus::Completed, 100)));

    let done = client.scan(scan.id).await.expect("get");
    assert_eq!(done.status, ScanStatus::Completed);
    let used = done.vulndb.clone().expect("vulndb used");
    assert_eq!((used.state, used.snapshot.as_deref()), (VulnDataState::Fresh, Some(snapshot.as_str())));

    // Components and findings, several pages each, equal to the engine's.
    let engine = scan_path(&tree, &ScanOptions::default(), &NoProgress).expect("engine");
    let expected = match_inventory(&engine.inventory, &load_paths(&[osv()]).expect("advisories"));
    let components: Vec<_> =
        client.scan_components(scan.id, ListQuery::limit(40)).try_collect().await.expect("components");
    assert!(components.len() > 40, "more than a page: {}", components.len());
    let got: BTreeSet<String> = components.iter().map(|c| c.purl.clone()).collect();
    let want: BTreeSet<String> = engine.inventory.components.iter().map(|c| c.purl.clone()).collect();
    assert_eq!((got, components.len()), (want, engine.inventory.components.len()));
    let findings: Vec<_> =
        client.scan_findings(scan.id, ListQuery::limit(3)).try_collect().await.expect("findings");
    assert!(findings.len() > 3, "more than a page: {}", findings.len());
    let got: BTreeSet<(String, String)> =
        findings.iter().map(|f| (f.purl.clone(), f.vulnerability_id.clone())).collect();
    let want: BTreeSet<(String, String)> =
        expected.findings.iter().map(|f| (f.purl.clone(), f.id.clone())).collect();
    assert_eq!(got, want);
    assert_eq!(done.counts.findings, findings.len() as u64);
    // Filters reach the daemon under their names.
    let high: Vec<_> = client
        .scan_findings(scan.id, ListQuery::limit(2).filter("severity", "high"))
        .try_collect()
        .await
        .expect("high findings");
    assert_eq!(high.len() as u64, done.counts.severities.high);
    assert!(high.iter().all(|f| f.severity == cairn_sdk::types::Severity::High) && !high.is_empty());
    let listed: Vec<_> =
        client.scan_events(scan.id, ListQuery::limit(2)).try_collect().await.expect("events");
    assert_eq!(listed.iter().map(|e| e.seq).collect::<Vec<_>>(), seqs);

    // Documents.
    let bom = client.scan_bom(scan.id, BomFormat::CycloneDx).await.expect("bom");
    let doc: serde_json::Value = serde_json::from_slice(&bom).expect("json");
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["vulnerabilities"].as_array().map(Vec::len), Some(findings.len()));
    let vex = client.scan_bom(scan.id, BomFormat::OpenVex).await.expect("openvex");
    assert!(!vex.is_empty());

    // License rows and crypto assets (crypto off here: none, as the counts say).
    let licenses: Vec<_> =
        client.scan_licenses(scan.id, ListQuery::limit(25)).try_collect().await.expect("licenses");
    assert_eq!(licenses.len() as u64, done.counts.licensed_components);
    let component_purls: BTreeSet<&str> = components.iter().map(|c| c.purl.as_str()).collect();
    assert!(licenses.iter().all(|l| component_purls.contains(l.purl.as_str())));
    let left_pad =
        licenses.iter().find(|l| l.purl == "pkg:npm/left-pad@1.3.0").expect("left-pad's license row");
    assert_eq!(left_pad.declared.as_deref(), Some("WTFPL"));
    let crypto: Vec<_> =
        client.scan_crypto_assets(scan.id, ListQuery::default()).try_collect().await.expect("crypto");
    assert_eq!(crypto.len() as u64, done.counts.crypto_assets);

    // An uploaded archive and an ingested SBOM run through the same queue.
    let archive = tarball(&tree.join("flask"));
    let upload = Upload { file_name: "flask.tar.gz".into(), bytes: archive };
    let uploaded = client.upload_scan(upload, None, None).await.expect("upload");
    let ingested = client
        .ingest_sbom(Upload { file_name: "tree.cdx.json".into(), bytes: bom.clone() })
        .await
        .expect("ingest");
    for (id, want) in [(uploaded.id, None), (ingested.id, Some(components.len() as u64))] {
        let mut watch = ScanWatcher::new(&client, id).stream();
        while let Some(item) = watch.next().await {
            item.expect("watch");
        }
        let ended = client.scan(id).await.expect("get");
        assert_eq!(ended.status, ScanStatus::Completed, "{:?}", ended.error);
        assert!(ended.counts.components > 0);
        if let Some(n) = want {
            assert_eq!(ended.counts.components, n, "the SBOM's components, matched again");
        }
    }

    // Lists with filters.
    let completed: Vec<_> = client
        .scans(ListQuery::limit(1).filter("status", "completed").filter("source", "path"))
        .try_collect()
        .await
        .expect("scans");
    assert_eq!(completed.iter().map(|s| s.id).collect::<Vec<_>>(), [scan.id]);
    let failed = client.scans_page(&ListQuery::limit(10).filter("status", "failed")).await.expect("page");
    assert_eq!(failed.total, 0);
    daemon.shutdown().await;

    // A daemon without workers: the scan stays queued, its documents are a 409, cancel ends it.
    let opts = Opts { postgres, path_roots: vec![root.path().to_path_buf()], workers: 0, vulndb: false };
    let daemon = Daemon::start(opts).await.expect("second daemon");
    let client = registered(&daemon, "queued@example.test").await;
    let queued = client.create_scan(&path_scan(&tree)).await.expect("create");
    let err = client.scan_bom(queued.id, BomFormat::CycloneDx).await.expect_err("not completed");
    assert_eq!((err.status(), err.code()), (Some(409), Some("SCAN_NOT_COMPLETED")));
    let cancelled = client.cancel_scan(queued.id).await.expect("cancel");
    assert_eq!((cancelled.id, cancelled.status), (queued.id, ScanStatus::Cancelled));
    assert!(cancelled.finished_at.is_some());
    assert_eq!(client.scan(queued.id).await.expect("get").status, ScanStatus::Cancelled);
    let none = client.vulndb_status().await.expect("status");
    assert_eq!((none.state, none.advisories), (VulnDataState::None, 0));
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_through_the_sdk_sqlite() {
    scans_through_the_sdk(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_through_the_sdk_postgres() {
    scans_through_the_sdk(true).await;
}
