//! `cairn`: the terminal dashboard (no subcommand), or scan from the command line, in-process
//! (`--offline`) or through a daemon (local or configured). Parses arguments, runs the command,
//! maps the outcome to an exit code (`cairn_tui::exit`: 0 ok, 1 failure, 2 usage error).

use cairn_tui::{cli, cmd, exit};
use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

// Measured against glibc's malloc on the corpus lockfiles (docs/benchmarks.md): less time in
// allocation and freeing, and a lower peak, for a scan that builds 11k components.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAIRN_LOG").unwrap_or_else(|_| "warn".into());
    if args.command.is_none() {
        // The dashboard owns the terminal: a log line on stderr would tear its frame.
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(dashboard_log())
            .with_ansi(false)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            // The local daemon's stderr is a log file: colour codes only on a terminal.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`cairn scan . | head`) is not a failure worth a message.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("cairn: error: {e:#}");
            exit::of_error(&e)
        }
    }
}

/// Where the dashboard's own log lines go: `dashboard.log` in the data dir, else nowhere.
fn dashboard_log() -> BoxMakeWriter {
    let file = cairn_tui::dirs::Dirs::new().ok().and_then(|d| {
        std::fs::create_dir_all(&d.data).ok()?;
        std::fs::OpenOptions::new().create(true).append(true).open(d.data.join("dashboard.log")).ok()
    });
    match file {
        Some(f) => BoxMakeWriter::new(std::sync::Mutex::new(f)),
        None => BoxMakeWriter::new(std::io::sink),
    }
}
