//! The daemon's tokio runtime. Its blocking threads (the engine, matching, rendering, file work of
//! every scan) are kept for [`BLOCKING_KEEP_ALIVE`] after their last task instead of tokio's 10
//! seconds: a thread that exits leaves what it allocated on pages of its own allocator heap, and a
//! new thread starts another heap, so a daemon scanning every so often made a fresh set of
//! threads (97 threads for 20 scans, 13 at once) and kept memory scattered over their heaps.
//! Kept threads reuse theirs.

use std::time::Duration;

/// How long an idle blocking thread waits for the next task before it exits.
pub const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(600);

/// The multi-threaded runtime `cairnd serve` (and the local daemon) runs on.
pub fn build() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_keep_alive(BLOCKING_KEEP_ALIVE).build()
}
