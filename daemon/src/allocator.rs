//! The allocator's settings for a long-running daemon. mimalloc (cairnd's global allocator) and
//! glibc malloc (which SQLite uses) read their options from the environment when the process
//! starts, before any of our code runs, and the workspace forbids the unsafe FFI that would set
//! them later. So `cairnd serve` (and `cairn daemon run`, the local daemon) started without them
//! executes itself again, same pid and arguments, with them added; a value the environment
//! already gives is kept: the operator's wins. Why each setting: see [`SETTINGS`] and
//! docs/daemon.md "Memory".

use std::ffi::OsString;

/// Environment variables the daemon runs with unless the environment sets them already.
pub const SETTINGS: [(&str, &str); 3] = [
    // Commit arena memory as it is used instead of all at once: idle 39 MiB instead of 83.
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    // Give freed memory back to the system at once instead of a second later.
    ("MIMALLOC_PURGE_DELAY", "0"),
    // One glibc arena for SQLite's connections (each runs on a thread of its own, and glibc gave
    // each thread an arena that kept what it freed): 9 MiB after 6 scans instead of 20 after 5.
    ("MALLOC_ARENA_MAX", "1"),
];

/// The settings `get` (an environment lookup) does not give.
pub fn missing(get: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, &'static str)> {
    SETTINGS.iter().copied().filter(|(name, _)| get(name).is_none()).collect()
}

/// Executes this program again with the missing settings added to its environment. Returns only
/// when nothing was missing (`None`) or the program could not be executed (the error: the caller
/// goes on without them).
#[cfg(unix)]
pub fn reexec_with_settings() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    let missing = missing(|name| std::env::var_os(name));
    if missing.is_empty() {
        return None;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Some(e),
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    // `exec` replaces this process: the pid, open files and arguments stay.
    Some(command.args(args).envs(missing).exec())
}

/// Elsewhere the settings are left to the environment.
#[cfg(not(unix))]
pub fn reexec_with_settings() -> Option<std::io::Error> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_settings_the_environment_lacks_are_added() {
        let none = missing(|_| None);
        assert_eq!(none, SETTINGS.to_vec());
        let operator = missing(|name| (name == "MIMALLOC_PURGE_DELAY").then(|| OsString::from("250")));
        assert_eq!(operator, vec![("MIMALLOC_ARENA_EAGER_COMMIT", "0"), ("MALLOC_ARENA_MAX", "1")]);
        assert!(missing(|_| Some(OsString::new())).is_empty());
    }
}
