//! Issue 22: scans are bounded by a memory budget as well as by the worker count. While the
//! replica's budget is held (here by a reservation standing for a first scan's), a second scan
//! says it waits for memory and does not scan; once the holder lets go it runs to completion and
//! gives its share back. Awaited on the scan's events, never timed. On the old code there was no
//! budget: the scan ran at once.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use cairn_daemon::jobs::budget::{MemoryBudget, Mib};
use cairn_daemon::jobs::pipeline::memory::WAITING_STEP;
use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::NewScan;
use cairn_sdk::types::{ScanSource, ScanStatus};

use crate::both;
use crate::harness::in_process_state;
use crate::scans::tree_root;

both!(a_scan_waits_for_memory_while_the_budget_is_held, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let budget = state.jobs.budget.clone();
    let total = budget.total().expect("a budget by default");

    let user = state.store.user_create("m@example.test", "M", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("memory", user.id).await.expect("tenant");
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

    // The first holder takes the whole budget.
    let first = budget.reserve(total).await;
    let mut events = state.jobs.bus.subscribe();
    let running = {
        let state = state.clone();
        tokio::spawn(async move { pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await })
    };
    let waiting = loop {
        let e = events.recv().await.expect("bus").event;
        assert_ne!(e.status, ScanStatus::Scanning, "scanned while the budget was held");
        if e.scan_id == scan.id && e.step.as_deref() == Some(WAITING_STEP) {
            break e;
        }
    };
    assert_eq!(waiting.status, ScanStatus::Fetching);
    let message = waiting.message.expect("a message");
    assert!(message.starts_with("waiting for memory"), "{message}");
    assert!(message.contains(&format!("{total} budget")), "{message}");
    assert!(!running.is_finished());
    assert_eq!(state.store.scan_get(tenant, scan.id).await.expect("scan").status, ScanStatus::Fetching);

    drop(first);
    assert_eq!(running.await.expect("task"), Outcome::Completed);
    let done = state.store.scan_get(tenant, scan.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed);
    assert!(done.counts.components > 0);
    // The scan gave its share back when it ended.
    assert_eq!(budget.in_use(), Mib(0));

    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});

#[test]
fn reservations_past_the_budget_wait_and_an_oversized_one_takes_it_all() {
    let b = MemoryBudget::new(100);
    let first = b.try_reserve(Mib(60)).expect("fits");
    assert_eq!(b.in_use(), Mib(60));
    assert!(b.try_reserve(Mib(50)).is_none(), "60 + 50 > 100");
    let second = b.try_reserve(Mib(40)).expect("60 + 40 fits");
    drop((first, second));
    assert_eq!(b.in_use(), Mib(0));
    let big = b.try_reserve(Mib(500)).expect("clamped to the budget");
    assert_eq!(big.reserved, Mib(100));
    assert!(b.try_reserve(Mib(1)).is_none());
}

#[test]
fn no_budget_grants_everything() {
    let b = MemoryBudget::new(0);
    let _a = b.try_reserve(Mib(10_000)).expect("granted");
    let _b = b.try_reserve(Mib(10_000)).expect("granted");
    assert_eq!((b.total(), b.in_use()), (None, Mib(0)));
}

#[tokio::test]
async fn a_waiting_reservation_is_granted_when_the_holder_lets_go() {
    let b = MemoryBudget::new(100);
    let first = b.reserve(Mib(80)).await;
    let waiting = {
        let b = b.clone();
        tokio::spawn(async move { b.reserve(Mib(50)).await })
    };
    // The budget is held: the reservation cannot be had now, and the waiter gets it once the
    // holder lets go (awaited, not timed).
    assert!(b.try_reserve(Mib(50)).is_none());
    drop(first);
    let second = waiting.await.expect("task");
    assert_eq!((second.reserved, b.in_use()), (Mib(50), Mib(50)));
}
