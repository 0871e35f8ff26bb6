//! Issue 22: a team daemon (`cairnd serve`, started by an operator or a service manager, not by
//! `cairn`) runs with the allocator settings that give scans' memory back (docs/daemon.md
//! "Memory"), keeping any value its environment already gives. On the old code only the local
//! daemon had them: `cairnd serve` ran with mimalloc's defaults.

use cairn_daemon::allocator::SETTINGS;

use crate::both;
use crate::harness::Daemon;

both!(a_served_daemon_runs_with_the_allocator_settings, |db| async move {
    let d = Daemon::start(db).await;
    let environ = std::fs::read(format!("/proc/{}/environ", d.pid())).expect("the daemon's environment");
    let environ = String::from_utf8_lossy(&environ);
    for (name, value) in SETTINGS {
        let want = std::env::var(name).unwrap_or_else(|_| value.into());
        assert!(environ.split('\0').any(|kv| kv == format!("{name}={want}")), "{name}: {environ}");
    }
    // Still the daemon the harness started and talks to (the same pid after executing itself).
    let health = d.http.get(d.url("/api/health")).send().await.expect("health");
    assert_eq!(health.status(), 200);
});
