//! The `cairnd` command line: `serve`, `migrate`, `admin …` and `vulndb …`, mapped onto library calls.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::admin_cli;
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

/// `cairnd admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user (the first one is how a server is bootstrapped).
    CreateUser {
        /// Login name.
        #[arg(long)]
        email: String,
        /// Display name (defaults to the email).
        #[arg(long)]
        display_name: Option<String>,
        /// Make the user an operator of the whole installation.
        #[arg(long)]
        super_admin: bool,
        /// Tenant to create with the user as its owner (default: the email's name part).
        #[arg(long)]
        tenant: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an API key for a user and print it (once).
    CreateKey {
        /// The key's owner.
        #[arg(long)]
        email: String,
        /// Label.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Scopes (repeatable): project:read, project:write, scan:read, scan:write,
        /// finding:triage, bom:read, sbom:write, webhook:write, admin.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Tenant slug or id (default: the user's first tenant).
        #[arg(long)]
        tenant: Option<String>,
        /// Days until the key expires (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
        /// Make a `crn_test_` key.
        #[arg(long)]
        test: bool,
    },
    /// Set a new password (revokes the user's sessions).
    ResetPassword {
        /// Whose.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs the command line; exit 0 on success, 1 on failure, 2 on usage errors (clap).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
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
            Command::Admin(cmd) => admin(config, cmd).await,
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

async fn admin(config: Config, cmd: AdminCommand) -> anyhow::Result<()> {
    let state = crate::server::prepare(config).await?;
    match cmd {
        AdminCommand::CreateUser { email, display_name, super_admin, tenant, password_stdin } => {
            let (password, generated) = password_from(password_stdin)?;
            let out = admin_cli::create_user(
                &state.store,
                &email,
                display_name.as_deref(),
                &password,
                super_admin,
                tenant.as_deref(),
            )
            .await?;
            println!("created user {} ({}) in tenant {}", out.email, out.user_id, out.tenant_slug);
            if generated {
                println!("password (shown once): {password}");
            }
        }
        AdminCommand::CreateKey { email, name, scopes, tenant, expires_days, test } => {
            let secret = admin_cli::create_key(
                &state.store,
                &email,
                &name,
                &scopes,
                tenant.as_deref(),
                expires_days,
                test,
            )
            .await?;
            println!("{secret}");
        }
        AdminCommand::ResetPassword { email, password_stdin } => {
            let (password, generated) = password_from(password_stdin)?;
            admin_cli::reset_password(&state.store, &email, &password).await?;
            println!("password of {email} reset; their sessions were revoked");
            if generated {
                println!("password (shown once): {password}");
            }
        }
    }
    state.store.close().await;
    Ok(())
}

fn password_from(stdin: bool) -> anyhow::Result<(String, bool)> {
    if stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((crate::auth::secrets::random_alphanumeric(20), true))
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
