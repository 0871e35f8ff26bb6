//! The exit codes of `cairn`, in one place (README.md's "Exit codes" lists them for scripts).

use std::process::ExitCode;

/// Success; for `cairn scan --fail-on`, also "no finding at or above the threshold".
pub const OK: u8 = 0;
/// The command failed: an error from the daemon or the machine, a scan that failed, a triage
/// conflict (someone changed the finding in between), or findings at or above `--fail-on`.
pub const FAILURE: u8 = 1;
/// Usage error: bad arguments or a combination of them that cannot work; nothing was done.
pub const USAGE: u8 = 2;

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
