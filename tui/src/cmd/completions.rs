//! `cairn completions SHELL`: the shell's completion script, generated from the argument
//! definitions.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    // Generated into memory: clap_complete panics when its writer fails (`| head` closes the pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cairn", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script).context("writing to standard output")?;
    out.flush().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
