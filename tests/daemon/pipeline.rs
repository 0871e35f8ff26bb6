//! The scan pipeline in-process (the daemon as a library), with real OSV advisories installed as
//! the vulnerability snapshot: its stored findings equal `match_inventory` on the engine's own
//! inventory of the same tree, and the scan records the data it used.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use cairn_daemon::config::Config;
use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{FindingFilter, NewScan};
use cairn_daemon::vulndb::Snapshot;
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{ScanSource, ScanStatus, VulnDataState};

use crate::both;
use crate::harness::{Db, postgres_server, server_with_db, uuid_simple};
use crate::scans::tree_root;

fn advisories() -> cairn_engine::vuln::Database {
    load_paths(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/osv-scan")])
        .expect("OSV fixtures")
}

both!(pipeline_findings_equal_the_engines_match, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let (database_url, pg) = match db {
        Db::Sqlite => (format!("sqlite://{}", dir.path().join("cairnd.db").display()), None),
        Db::Postgres => {
            let server = postgres_server().expect("server");
            let name = format!("cairn_p_{}", uuid_simple());
            cairn_daemon::store::create_postgres_database(&server, &name).await.expect("create database");
            (server_with_db(&server, &name), Some((server, name)))
        }
    };
    // Postgres needs a configured signing secret (SQLite would generate one beside the database).
    let mut config = Config {
        database_url,
        jwt_secret: Some("pipeline-test-signing-secret-0123456789".into()),
        ..Config::default()
    };
    config.sources.path_roots = vec![root.path().to_path_buf()];
    let state = cairn_daemon::server::prepare(config).await.expect("state");
    let db = advisories();
    let count = db.info().advisories as u64;
    assert!(count > 5, "fixtures loaded: {count}");
    let updated_at = time::OffsetDateTime::now_utc();
    state.vulndb.install(Snapshot { database: db, id: "fixture-1".into(), updated_at, advisories: count });

    let user = state.store.user_create("p@example.test", "P", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("pipeline", user.id).await.expect("tenant");
    let new = NewScan {
        project: None,
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user.id),
        crypto: false,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: false };
    let scan = enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
    assert_eq!(job.scan, scan.id);
    let outcome = pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await;
    assert_eq!(outcome, Outcome::Completed);

    let engine = scan_path(&tree, &ScanOptions::default(), &NoProgress).expect("engine scan");
    let expected = match_inventory(&engine.inventory, &advisories());
    assert!(!expected.findings.is_empty(), "the fixture tree has a known vulnerable pin");
    let want: BTreeSet<(String, String, Option<String>)> =
        expected.findings.iter().map(|f| (f.id.clone(), f.purl.clone(), f.nearest_fixed.clone())).collect();
    let (rows, total) = state
        .store
        .scan_findings(tenant, scan.id, &FindingFilter::default(), -1, 1000)
        .await
        .expect("findings");
    let got: BTreeSet<(String, String, Option<String>)> = rows
        .iter()
        .map(|(_, f)| (f.vulnerability_id.clone(), f.purl.clone(), f.fixed_version.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(total as usize, expected.findings.len());

    let done = state.store.scan_get(tenant, scan.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed);
    let used = done.vulndb.expect("vulndb recorded");
    assert_eq!(
        (used.state, used.snapshot.as_deref(), used.advisories),
        (VulnDataState::Fresh, Some("fixture-1"), count)
    );
    assert_eq!(done.counts.findings, expected.findings.len() as u64);
    assert_eq!(done.counts.components, engine.inventory.components.len() as u64);
    // With findings there is something to state: the OpenVEX document exists.
    state.store.scan_document(tenant, scan.id, "openvex").await.expect("openvex stored");
    let vulnerable: Vec<_> = state
        .store
        .scan_components(tenant, scan.id, -1, 1000)
        .await
        .expect("components")
        .0
        .into_iter()
        .filter(|(_, c)| c.findings > 0)
        .map(|(_, c)| c.purl)
        .collect();
    let want_purls: BTreeSet<String> = expected.findings.iter().map(|f| f.purl.clone()).collect();
    assert_eq!(vulnerable.into_iter().collect::<BTreeSet<_>>(), want_purls);
    // The job is done; nothing is left to claim.
    assert!(state.store.job_claim("test/0").await.expect("claim").is_none());
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
