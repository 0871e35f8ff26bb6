//! The memory budget of this replica's scans (`[scans] memory_budget_mib`): besides the worker
//! count, a scan reserves its estimated memory before the engine runs and gives it back when it
//! ends, so two big scans never run at once past the budget. A scan whose estimate alone exceeds
//! the budget reserves all of it and runs alone. Reservations are granted in arrival order
//! (a big scan waiting is not overtaken forever by small ones).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// MiB, the budget's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mib(pub u32);

impl std::fmt::Display for Mib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} MiB", self.0)
    }
}

/// The budget: none (unbounded) or a semaphore of MiB.
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    total: Option<Mib>,
    free: Arc<Semaphore>,
}

impl Default for MemoryBudget {
    fn default() -> Self {
        Self::unbounded()
    }
}

/// A reservation, given back when dropped.
#[derive(Debug)]
pub struct Lease {
    /// What was reserved (the estimate, or the whole budget when it was larger).
    pub reserved: Mib,
    _permit: Option<OwnedSemaphorePermit>,
}

impl MemoryBudget {
    /// A budget of `total` MiB; 0 = unbounded.
    pub fn new(total: u32) -> Self {
        if total == 0 {
            return Self::unbounded();
        }
        Self { total: Some(Mib(total)), free: Arc::new(Semaphore::new(total as usize)) }
    }

    /// No budget: every reservation is granted at once.
    pub fn unbounded() -> Self {
        Self { total: None, free: Arc::new(Semaphore::new(0)) }
    }

    /// The budget, none when unbounded.
    pub fn total(&self) -> Option<Mib> {
        self.total
    }

    /// What is reserved now.
    pub fn in_use(&self) -> Mib {
        match self.total {
            Some(t) => Mib(t.0.saturating_sub(u32::try_from(self.free.available_permits()).unwrap_or(t.0))),
            None => Mib(0),
        }
    }

    /// What a reservation of `want` takes: at most the whole budget.
    fn clamp(&self, want: Mib) -> Mib {
        match self.total {
            Some(t) => Mib(want.0.clamp(1, t.0)),
            None => want,
        }
    }

    /// `want` now, or `None` when the budget has not that much free (or others wait first).
    pub fn try_reserve(&self, want: Mib) -> Option<Lease> {
        let reserved = self.clamp(want);
        if self.total.is_none() {
            return Some(Lease { reserved, _permit: None });
        }
        let permit = self.free.clone().try_acquire_many_owned(reserved.0).ok()?;
        Some(Lease { reserved, _permit: Some(permit) })
    }

    /// `want`, once that much is free.
    pub async fn reserve(&self, want: Mib) -> Lease {
        let reserved = self.clamp(want);
        if self.total.is_none() {
            return Lease { reserved, _permit: None };
        }
        // The semaphore is never closed, so acquiring only waits.
        match self.free.clone().acquire_many_owned(reserved.0).await {
            Ok(permit) => Lease { reserved, _permit: Some(permit) },
            Err(_) => Lease { reserved, _permit: None },
        }
    }
}
