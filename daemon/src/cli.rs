//! The `cairnd` command line: `serve`, `migrate`, `admin …` and `vulndb …`, mapped onto library calls.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::admin_cli::{self, AdminCommand};
use crate::config::{Config, LogFormat, Overrides};

/// cairnd: Cairn's daemon.
#[derive(Debug, Parser)]
#[command(name = "cairnd", version, about)]
pub struct Cli {
    /// Configuration file (TOML; see config/cairnd.example.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (also CAIRN_LISTEN).
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// sqlite://PATH or postgres://… (also CAIRN_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format (also CAIRN_LOG_FORMAT).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the API until Ctrl-C or SIGTERM.
    Serve {
        /// Write the bound address to this file once listening.
        #[arg(long, value_name = "PATH")]
        address_file: Option<PathBuf>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administration from the server's shell (bootstrap, recovery).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Vulnerability data: import, update from the mirror, status (works while no daemon runs).
    #[command(subcommand)]
    Vulndb(crate::vulndb::cli::VulndbCommand),
}

/// Runs the command line; exit 0 on success, 1 on failure, 2 on usage errors (clap).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // A server runs for long: with the allocator's settings (this returns only without them).
    let reexec_failed = if matches!(cli.command, Command::Serve { .. }) {
        crate::allocator::reexec_with_settings()
    } else {
        None
    };
    let overrides = Overrides {
        listen: cli.listen,
        database_url: cli.database_url.clone(),
        log_format: cli.log_format,
        address_file: match &cli.command {
            Command::Serve { address_file } => address_file.clone(),
            _ => None,
        },
    };
    let config = match Config::load(cli.config.as_deref(), |k| std::env::var(k).ok(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cairnd: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    if let Some(e) = reexec_failed {
        tracing::warn!(error = %e, "could not restart with the allocator's settings; memory freed by scans may stay resident");
    }
    let runtime = match crate::runtime::build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cairnd: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { .. } => crate::server::run(config).await,
            Command::Migrate => {
                let store = crate::store::Store::connect(&config.database_url).await?;
                store.migrate().await?;
                println!("migrations applied ({})", store.backend().name());
                Ok(())
            }
            Command::Admin(cmd) => admin_cli::run(config, cmd).await,
            Command::Vulndb(cmd) => crate::vulndb::cli::run(config, cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cairnd: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CAIRN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        // Span fields (request_id) go on every line in both formats.
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
        // Colour codes only on a terminal: a redirected log (a file, journald) stays plain.
        LogFormat::Text => builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
    }
}
