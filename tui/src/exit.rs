//! The exit codes of `cairn`, in one place (README.md's and docs/cli.md's "Exit codes" list them
//! for scripts): 0 clean, 1 gate failed, 2 usage, 3 errors — so a CI job tells "findings" from
//! "could not check".

use std::process::ExitCode;

/// Success; for `cairn scan` with a gate flag, also "nothing the gate counts".
pub const OK: u8 = 0;
/// `cairn scan`'s gate failed: open findings at or above `--fail-on` (or of unknown severity with
/// `--fail-on-unknown`, or warnings with `--fail-on-warnings`). The same offline and through a
/// daemon.
pub const GATE: u8 = 1;
/// Usage error: bad arguments or a combination of them that cannot work; nothing was done.
pub const USAGE: u8 = 2;
/// The command failed: an error from the daemon or the machine, a scan that failed, a triage
/// conflict (someone changed the finding in between).
pub const FAILURE: u8 = 3;

/// A usage error found after parsing (a combination clap cannot express); exits [`USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// Returns a [`Usage`] error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(message.into()))
}

/// The process exit code of a command's error: [`USAGE`] for [`Usage`], else [`FAILURE`].
pub fn of_error(e: &anyhow::Error) -> ExitCode {
    if e.downcast_ref::<Usage>().is_some() { ExitCode::from(USAGE) } else { ExitCode::from(FAILURE) }
}
