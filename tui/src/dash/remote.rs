//! `Remote<T>`: the state of data the screens asked the executor for.

use super::msg::{Failure, Loaded};

/// Data that comes from the daemon: not asked for yet, on its way, here, or failed.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Remote<T> {
    /// Nobody asked yet.
    #[default]
    NotAsked,
    /// Asked; the answer is on its way.
    Loading,
    /// Here.
    Loaded(T),
    /// The load failed.
    Failed(Failure),
}

impl<T> Remote<T> {
    /// The data, when loaded.
    pub fn get(&self) -> Option<&T> {
        match self {
            Remote::Loaded(v) => Some(v),
            _ => None,
        }
    }

    /// The data, mutably, when loaded.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Remote::Loaded(v) => Some(v),
            _ => None,
        }
    }

    /// True until something (data or failure) arrived.
    pub fn is_pending(&self) -> bool {
        matches!(self, Remote::NotAsked | Remote::Loading)
    }
}

impl<T> From<Loaded<T>> for Remote<T> {
    fn from(r: Loaded<T>) -> Self {
        match r {
            Ok(v) => Remote::Loaded(v),
            Err(f) => Remote::Failed(f),
        }
    }
}
