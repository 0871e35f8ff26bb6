//! Reserving memory: what the scan will hold is estimated from its input (the bytes of the files
//! the catalogers read, an SBOM's components) and reserved in the replica's budget before the
//! engine runs; a scan that does not fit waits, saying so in its events, until running scans
//! give theirs back. The lease lives until the scan's results are stored.

use cairn_sdk::types::ScanStatus;

use super::{Job, Stop, cancelled};
use crate::jobs::budget::{Lease, Mib};
use crate::jobs::progress::Reporter;
use crate::sources::Obtained;

/// What any scan holds besides its input's share: the engine's tables, the documents being
/// rendered one at a time, the rows of a batch.
const BASE: u64 = 48 * 1024 * 1024;
/// Resident bytes per byte of lockfile or manifest: the parsed inventory, the match, the
/// documents' input and the largest rendered document (measured on the corpus lockfiles, see
/// docs/benchmarks.md "Daemon memory").
const PER_INPUT_BYTE: u64 = 16;
/// Resident bytes per component of an SBOM read (its inventory is already in memory).
const PER_COMPONENT: u64 = 12 * 1024;

/// The step at which a scan waits for memory (the event's `step`).
pub const WAITING_STEP: &str = "waiting-for-memory";

/// The estimate of a scan of `obtained`, in MiB (rounded up).
pub(super) async fn estimate(obtained: &Obtained) -> Mib {
    let bytes = match obtained {
        Obtained::Tree { root, .. } => {
            let root = root.clone();
            let input = tokio::task::spawn_blocking(move || cataloged_bytes(&root)).await.unwrap_or(0);
            input.saturating_mul(PER_INPUT_BYTE)
        }
        Obtained::Sbom(read) => (read.inventory.components.len() as u64).saturating_mul(PER_COMPONENT),
        // An image's layers are streamed through the engine; its package databases are small.
        Obtained::Image { .. } => 0,
    };
    let mib = BASE.saturating_add(bytes).div_ceil(1024 * 1024);
    Mib(u32::try_from(mib).unwrap_or(u32::MAX))
}

/// The bytes of the files the catalogers would read under `root` (a file named as the root:
/// its own size), each counted up to the walk's size cap like the engine reads them.
fn cataloged_bytes(root: &std::path::Path) -> u64 {
    use cairn_engine::walk::{WalkOptions, walk, walk_file};
    let opts = WalkOptions::default();
    let wanted = |rel: &str| cairn_engine::catalog::listed(rel);
    let found = if root.is_file() {
        walk_file(root, &opts, &wanted).map(|(_, w)| w)
    } else {
        walk(root, &opts, &wanted, &|_| true)
    };
    // A tree that cannot be walked fails in the engine with its reason; here it counts as empty.
    found.map(|w| w.files.iter().map(|f| f.size.min(opts.max_file_size)).sum()).unwrap_or(0)
}

/// Reserves `want` in the replica's budget, waiting (and saying so) while it is used; a cancel
/// stops the wait.
pub(super) async fn reserve(ctx: &Job<'_>, want: Mib, reporter: &mut Reporter) -> Result<Lease, Stop> {
    let budget = &ctx.state.jobs.budget;
    if let Some(lease) = budget.try_reserve(want) {
        return Ok(lease);
    }
    let total = budget.total().unwrap_or(want);
    let message = format!(
        "waiting for memory: this scan needs about {want}, {} of the {total} budget are in use",
        budget.in_use()
    );
    reporter.state(ScanStatus::Fetching, Some(WAITING_STEP), 4, Some(message)).await?;
    tokio::select! {
        lease = budget.reserve(want) => Ok(lease),
        _ = cancelled(ctx.cancel) => Err(Stop::Cancelled),
    }
}
