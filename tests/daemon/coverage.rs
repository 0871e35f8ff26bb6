//! Issue 14 in the daemon: a scan's counts carry the per-ecosystem coverage and the warnings, and
//! informational advisories are not stored as findings. vaultwarden's Cargo.lock and playwright
//! package-lock.json with the seven RustSec records that apply (tests/fixtures/vaultwarden): five
//! vulnerabilities, two `unmaintained` notices, 200 npm packages with no npm data.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{FindingFilter, NewScan};
use cairn_daemon::vulndb::Snapshot;
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions};
use cairn_sdk::types::{GapReason, ScanSource, ScanStatus, WarningKind};

use crate::both;
use crate::harness::in_process_state;
use crate::scans::copy_dir;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/vaultwarden")
}

both!(scan_counts_carry_coverage_and_warnings, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("vaultwarden");
    copy_dir(&fixture().join("tree"), &tree);
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let db = load_paths(&[fixture().join("osv")]).expect("OSV fixtures");
    let count = db.info().advisories as u64;
    let updated_at = time::OffsetDateTime::now_utc();
    state.vulndb.install(Snapshot {
        database: db.into(),
        id: "vaultwarden-1".into(),
        updated_at,
        advisories: count,
    });

    let user = state.store.user_create("c@example.test", "C", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("coverage", user.id).await.expect("tenant");
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
    let outcome = pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await;
    assert_eq!(outcome, Outcome::Completed);

    let done = state.store.scan_get(tenant, scan.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed);
    // Before issue 14 the two unmaintained notices were stored as findings of unknown severity.
    assert_eq!((done.counts.findings, done.counts.warnings), (5, 2));
    assert_eq!(done.counts.severities.unknown, 4);
    let (_, total) = state
        .store
        .scan_findings(tenant, scan.id, &FindingFilter::default(), -1, 1000)
        .await
        .expect("findings");
    assert_eq!(total, 5);
    // The stored list is the engine's own: the same advisories on the same packages, in its order.
    let engine_scan =
        cairn_engine::scan_path(&tree, &ScanOptions::default(), &NoProgress).expect("engine scan");
    let engine_db = load_paths(&[fixture().join("osv")]).expect("OSV fixtures");
    let expected: Vec<_> = match_inventory(&engine_scan.inventory, &engine_db)
        .warnings
        .into_iter()
        .map(|w| (w.kind.as_str().to_owned(), w.advisory, w.purl, w.version, w.summary, w.url))
        .collect();
    assert_eq!(expected.len(), 2);
    // Paged one at a time, so the cursor is exercised too.
    let mut stored = Vec::new();
    let mut after = -1;
    loop {
        let (rows, total) = state.store.scan_warnings(tenant, scan.id, after, 1).await.expect("warnings");
        assert_eq!(total, 2);
        let Some((ord, w)) = rows.into_iter().next() else { break };
        after = ord;
        stored.push(w);
    }
    let got: Vec<_> = stored
        .iter()
        .map(|w| {
            (
                w.kind.as_str().to_owned(),
                w.advisory_id.clone(),
                w.purl.clone(),
                w.version.clone(),
                w.summary.clone(),
                w.url.clone(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(
        stored.iter().all(|w| w.kind == WarningKind::Unmaintained && w.ecosystem == "cargo"),
        "{stored:?}"
    );
    // The advisory's page is its ADVISORY reference, not the crate's PACKAGE or WEB one.
    for w in &stored {
        let page = format!("https://rustsec.org/advisories/{}.html", w.advisory_id);
        assert_eq!(w.url.as_deref(), Some(page.as_str()), "{w:?}");
    }
    let lines: Vec<String> = done.counts.coverage.iter().flat_map(|c| c.lines()).collect();
    assert_eq!(
        lines,
        ["crates.io 621 evaluated against 7 advisories", "npm 200 not evaluated — no advisories loaded"]
    );
    assert_eq!(done.counts.coverage[1].not_evaluated[0].reason, GapReason::NoAdvisories);
    // The completed event's message never says a bare "5 findings" over unchecked components.
    let events = state.store.scan_events(tenant, scan.id, -1, 100).await.expect("events");
    let last = events.last().expect("events");
    assert!(
        last.message
            .as_deref()
            .is_some_and(|m| m.contains("(200 components not evaluated)") && m.contains("2 warnings")),
        "{last:?}"
    );
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
