//! Cancel flags of the scans running on this replica: set by the API (at once) or by the worker's
//! heartbeat when another replica recorded the request; read between steps and by the engine's sink.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use cairn_sdk::types::ScanId;

/// The flags, one per running scan.
#[derive(Debug, Default)]
pub struct Cancels {
    flags: Mutex<HashMap<ScanId, Arc<AtomicBool>>>,
}

impl Cancels {
    /// A flag for a scan starting here; removed by [`Cancels::finish`].
    pub fn start(&self, scan: ScanId) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.with(|m| m.insert(scan, flag.clone()));
        flag
    }

    /// Asks the scan to stop, if it runs here.
    pub fn signal(&self, scan: ScanId) {
        self.with(|m| {
            if let Some(f) = m.get(&scan) {
                f.store(true, Ordering::SeqCst);
            }
        });
    }

    /// Forgets the scan's flag.
    pub fn finish(&self, scan: ScanId) {
        self.with(|m| m.remove(&scan));
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<ScanId, Arc<AtomicBool>>) -> R) -> R {
        match self.flags.lock() {
            Ok(mut g) => f(&mut g),
            // A panic elsewhere left the map as it was; keep using it.
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}
