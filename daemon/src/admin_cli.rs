//! `cairnd admin …`: administration from the server's shell (bootstrap, recovery), a thin command
//! line over the [`accounts`](crate::accounts) service.

use std::io::BufRead;

use cairn_sdk::types::{ApiKeyEnvironment, Scope};
use clap::Subcommand;

use crate::accounts::{Accounts, KeySpec, NewUser, Origin};
use crate::config::Config;

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

/// Runs one admin command against the configured database (migrated first).
pub async fn run(config: Config, cmd: AdminCommand) -> anyhow::Result<()> {
    let state = crate::server::prepare(config).await?;
    let result = execute(&Accounts::new(&state.store, Origin::Cli), cmd).await;
    state.store.close().await;
    result
}

async fn execute(accounts: &Accounts<'_>, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser { email, display_name, super_admin, tenant, password_stdin } => {
            let (password, generated) = password_from(password_stdin)?;
            let out = accounts
                .create_user(&NewUser {
                    email: &email,
                    display_name: display_name.as_deref(),
                    password: &password,
                    super_admin,
                    tenant: tenant.as_deref(),
                })
                .await?;
            println!("created user {} ({}) in tenant {}", out.email, out.user_id, out.tenant_slug);
            if generated {
                println!("password (shown once): {password}");
            }
        }
        AdminCommand::CreateKey { email, name, scopes, tenant, expires_days, test } => {
            let scopes = scopes
                .iter()
                .map(|s| Scope::parse(s).ok_or_else(|| anyhow::anyhow!("unknown scope {s:?}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let spec = KeySpec {
                name: &name,
                environment: if test { ApiKeyEnvironment::Test } else { ApiKeyEnvironment::Live },
                scopes: &scopes,
                expires_at: expires_days.map(|d| crate::store::now() + time::Duration::days(i64::from(d))),
                not_after: None,
            };
            println!("{}", accounts.issue_key_for(&email, tenant.as_deref(), &spec).await?.secret);
        }
        AdminCommand::ResetPassword { email, password_stdin } => {
            let (password, generated) = password_from(password_stdin)?;
            accounts.reset_password(&email, &password).await?;
            println!("password of {email} reset; their sessions were revoked");
            if generated {
                println!("password (shown once): {password}");
            }
        }
    }
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
