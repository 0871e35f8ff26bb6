//! Commands: each takes its parsed arguments and returns an exit code.

mod convert;
mod document;
mod scan;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Convert(args) => convert::run(args),
    }
}
