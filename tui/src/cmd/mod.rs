//! Commands: each takes its parsed arguments and returns an exit code.

mod account;
mod convert;
mod daemon;
mod dashboard;
mod document;
mod remote_scan;
mod scan;

use crate::cli::{Cli, Command};
use crate::dirs::Dirs;
use std::process::ExitCode;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let profile = cli.profile.as_deref();
    let Some(command) = cli.command else {
        return dashboard::run(&Dirs::new()?, profile, cli.readonly);
    };
    match command {
        Command::Scan(args) if args.offline => scan::run(args),
        Command::Scan(args) => remote_scan::run(args, &Dirs::new()?, profile),
        Command::Convert(args) => convert::run(args),
        Command::Login(args) => account::login(&Dirs::new()?, profile, args),
        Command::Logout => account::logout(&Dirs::new()?, profile),
        Command::Status => account::status(&Dirs::new()?, profile),
        Command::Daemon(cmd) => daemon::run(cmd),
    }
}

/// A runtime for the commands that talk to a daemon (the in-process scan needs none).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
