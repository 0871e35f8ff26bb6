//! Issue 16 point 5: the job queue is fair across tenants. Tenant A queues 20 scans, then tenant B
//! one: B's job is among the first two claimed with two workers, and right after A's first with
//! one. On the old code (oldest first) B waited behind all of A's.

use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{JobEnd, NewScan};
use cairn_sdk::types::{ScanSource, TenantId};

use crate::both;
use crate::harness::in_process_state;

both!(a_flooding_tenant_does_not_starve_another, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (state, pg) = in_process_state(db, dir.path(), &[]).await;
    let mut tenants = Vec::new();
    for name in ["flood", "quiet"] {
        let user =
            state.store.user_create(&format!("{name}@example.test"), name, None, false).await.expect("user");
        tenants.push((state.store.tenant_create(name, user.id).await.expect("tenant"), user.id));
    }
    let queue = |tenant: TenantId, user, n: usize| {
        let state = state.clone();
        async move {
            let path = std::path::PathBuf::from("/nonexistent");
            for _ in 0..n {
                let new = NewScan {
                    project: None,
                    version: None,
                    source: ScanSource::Path { path: path.display().to_string() },
                    requested_by: Some(user),
                    crypto: false,
                };
                let payload = JobPayload { source: JobSource::Path { path: path.clone() }, crypto: false };
                enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
            }
        }
    };
    let ((flood, flood_user), (quiet, quiet_user)) = (tenants[0], tenants[1]);
    queue(flood, flood_user, 20).await;
    queue(quiet, quiet_user, 1).await;

    // Two workers: the second claim goes to the tenant with nothing running.
    let first = state.store.job_claim("w/0").await.expect("claim").expect("a job");
    let second = state.store.job_claim("w/1").await.expect("claim").expect("a job");
    assert_eq!((first.tenant, second.tenant), (flood, quiet));

    // One worker: after A's job ends, B's next job (queued behind A's 19) goes before them.
    queue(quiet, quiet_user, 1).await;
    for (job, worker) in [(&first, "w/0"), (&second, "w/1")] {
        assert!(state.store.job_finish(&job.id, worker, JobEnd::Done, None).await.expect("finish"));
    }
    let next = state.store.job_claim("w/0").await.expect("claim").expect("a job");
    assert_eq!(next.tenant, flood, "both idle: the one served longest ago");
    assert!(state.store.job_finish(&next.id, "w/0", JobEnd::Done, None).await.expect("finish"));
    let next = state.store.job_claim("w/0").await.expect("claim").expect("a job");
    assert_eq!(next.tenant, quiet, "round robin with one worker");

    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
