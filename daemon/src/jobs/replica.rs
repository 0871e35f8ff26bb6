//! Who holds a job: each process's default replica name is `host:boot:pid.n` (`n` counts the
//! daemons one process runs, as tests and local mode do), so a replica that
//! starts after a crash (or a neighbour on the same machine) can tell at once that a job's holder
//! is dead — same host, and another boot or a process that no longer exists — instead of waiting
//! for its heartbeat to lapse. Holders on other hosts are judged by their heartbeat only.

use std::fmt;

/// A replica's name, parsed from `locked_by` (`{replica}/{worker}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaId {
    host: String,
    boot: String,
    pid: u32,
    instance: u32,
}

/// Daemons started in this process so far.
static INSTANCES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl ReplicaId {
    /// A new name for a daemon starting in this process.
    pub fn current() -> Self {
        let instance = INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self { host: hostname(), boot: boot_id(), pid: std::process::id(), instance }
    }

    /// The replica part of a job's `locked_by`, when it is a default name (a configured
    /// `replica_id` is not, and is never judged dead by this rule).
    pub fn of_holder(locked_by: &str) -> Option<Self> {
        let replica = locked_by.rsplit_once('/').map_or(locked_by, |(r, _)| r);
        let mut parts = replica.rsplitn(3, ':');
        let (pid, instance) = parts.next()?.split_once('.')?;
        let (pid, instance) = (pid.parse().ok()?, instance.parse().ok()?);
        let boot = parts.next()?.to_owned();
        let host = parts.next()?.to_owned();
        (!host.is_empty() && !boot.is_empty()).then_some(Self { host, boot, pid, instance })
    }

    /// Whether `holder` is certainly not running: on this host, and from an earlier boot, or a
    /// process that no longer exists, or this very name from an earlier life (a restarted
    /// container's pid 1: this daemon holds nothing yet when it asks at start). False when only
    /// its heartbeat can tell (another host; another daemon of this live process).
    pub fn holder_is_dead(&self, holder: &ReplicaId, at_start: bool) -> bool {
        if holder.host != self.host {
            return false;
        }
        if holder.boot != self.boot {
            return true;
        }
        if holder.pid == self.pid {
            return at_start && holder.instance == self.instance;
        }
        !process_exists(holder.pid)
    }
}

impl fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}.{}", self.host, self.boot, self.pid, self.instance)
    }
}

/// The machine's name (`/` and `:` would confuse the parse, so they become `-`).
fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    name.replace(['/', ':'], "-")
}

/// This boot of the machine (Linux); elsewhere a fixed word, so only pids tell.
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().replace('-', ""))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "boot".to_owned())
}

/// Whether a process with this pid exists (a signal-0 probe; "not permitted" means it exists).
#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH))
}

#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_configured_names_are_not_judged() {
        let me = ReplicaId::current();
        let holder = format!("{me}/1");
        assert_eq!(ReplicaId::of_holder(&holder), Some(me.clone()));
        assert_eq!(ReplicaId::of_holder("replica-a/0"), None);
        assert_eq!(ReplicaId::of_holder("a:b:notapid.0/0"), None);
        assert_eq!(ReplicaId::of_holder("a:b:12/0"), None);
    }

    #[test]
    fn dead_holders_on_this_host_are_known_at_once() {
        let me = ReplicaId::current();
        // A process that cannot exist (pids are far below this on every system).
        let gone = ReplicaId { pid: 2_000_000_000, ..me.clone() };
        assert!(me.holder_is_dead(&gone, false));
        // A live neighbour (pid 1 always exists) is not dead.
        let init = ReplicaId { pid: 1, ..me.clone() };
        assert!(!me.holder_is_dead(&init, false));
        // An earlier boot is dead; another host only its heartbeat can tell.
        assert!(me.holder_is_dead(&ReplicaId { boot: "earlier".into(), ..init.clone() }, false));
        assert!(!me.holder_is_dead(&ReplicaId { host: "elsewhere".into(), ..gone }, false));
        // My own name: a previous life at start, myself afterwards; another daemon of this
        // process is alive.
        assert!(me.holder_is_dead(&me, true));
        assert!(!me.holder_is_dead(&me, false));
        assert!(!me.holder_is_dead(&ReplicaId::current(), true));
    }
}
