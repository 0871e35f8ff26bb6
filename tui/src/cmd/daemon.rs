//! `cairn daemon start|stop|status|logs` (and the hidden `run`): the local daemon's life.

use std::io::{BufRead, BufReader};
use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::Client;

use crate::cli::DaemonCommand;
use crate::dirs::Dirs;
use crate::local::Local;

/// The process set-up of the daemon `cairn daemon run` is: the allocator's settings (the process
/// executes itself again with them when they are missing, see `cairn_daemon::allocator`) and the
/// daemon's own runtime (blocking threads kept, see `cairn_daemon::runtime`); the commands'
/// runtime without the daemon library.
fn daemon_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    #[cfg(feature = "local")]
    let rt = {
        if let Some(e) = cairn_daemon::allocator::reexec_with_settings() {
            eprintln!(
                "cairn: could not restart with the allocator's settings ({e}); memory freed by scans may stay resident"
            );
        }
        cairn_daemon::runtime::build()?
    };
    #[cfg(not(feature = "local"))]
    let rt = super::runtime()?;
    Ok(rt)
}

pub fn run(cmd: DaemonCommand) -> anyhow::Result<ExitCode> {
    let local = Local::new(Dirs::new()?);
    let rt = if matches!(cmd, DaemonCommand::Run) { daemon_runtime()? } else { super::runtime()? };
    match cmd {
        DaemonCommand::Run => {
            rt.block_on(local.run_here())?;
            Ok(ExitCode::SUCCESS)
        }
        DaemonCommand::Start => rt.block_on(async {
            let (state, started) = local.ensure_running().await?;
            let verb = if started { "started" } else { "already running" };
            crate::outln!("local daemon {verb}: {} (pid {})", state.url, state.pid);
            Ok(ExitCode::SUCCESS)
        }),
        DaemonCommand::Stop => rt.block_on(async {
            match local.stop().await? {
                Some(pid) => crate::outln!("local daemon stopped (pid {pid})"),
                None => crate::outln!("local daemon not running"),
            }
            Ok(ExitCode::SUCCESS)
        }),
        DaemonCommand::Status => rt.block_on(async {
            let Some(state) = local.running().await else {
                crate::outln!("local daemon: not running (data in {})", local.data_dir().display());
                return Ok(ExitCode::from(crate::exit::FAILURE));
            };
            // With the local administrator's key the daemon also tells its version and backend;
            // without it (the key lost) the anonymous answer still says whether it is healthy.
            let client = match local.client().await {
                Ok(c) => c,
                Err(_) => Client::anonymous(&state.url)?,
            };
            let health = client.health().await?;
            crate::outln!("local daemon: running at {} (pid {})", state.url, state.pid);
            crate::outln!(
                "version: {}; database: {}; status: {}",
                health.version.as_deref().unwrap_or("shown to authenticated callers"),
                health.database,
                health.status
            );
            crate::outln!("data: {}; log: {}", local.data_dir().display(), local.log_file().display());
            Ok(ExitCode::SUCCESS)
        }),
        DaemonCommand::Logs { lines } => {
            let path = local.log_file();
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    crate::outln!("no log yet ({})", path.display());
                    return Ok(ExitCode::SUCCESS);
                }
                Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            };
            let mut tail = std::collections::VecDeque::with_capacity(lines.min(10_000));
            for line in BufReader::new(file).lines() {
                // A line that is not UTF-8 (a torn write) is skipped, not fatal.
                let Ok(line) = line else { continue };
                if tail.len() == lines {
                    tail.pop_front();
                }
                if lines > 0 {
                    tail.push_back(line);
                }
            }
            for line in tail {
                crate::outln!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
