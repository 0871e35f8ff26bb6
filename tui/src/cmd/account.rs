//! `cairn login`, `cairn logout`: profiles and credentials (`cairn status` is in `status.rs`).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context, bail};
use cairn_sdk::{Client, Credential};

use crate::cli::LoginArgs;
use crate::connect::{StoredTokens, profile_client};
use crate::dirs::Dirs;
use crate::profile::{ConfigFile, CredentialKind, Profile, secret_account};
use crate::secrets::Secrets;

/// Reads a secret: prompted without echo on a terminal, else the first line of standard input.
fn read_secret(prompt: &str) -> anyhow::Result<String> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).context("reading from the terminal")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading standard input")?;
        line
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        bail!("nothing was entered");
    }
    Ok(value)
}

pub fn login(dirs: &Dirs, profile_flag: Option<&str>, args: LoginArgs) -> anyhow::Result<ExitCode> {
    let path = dirs.config_file();
    let mut config = ConfigFile::load(&path)?;
    let name = args.name.or(profile_flag.map(str::to_owned)).unwrap_or_else(|| "default".to_owned());
    let server = match (&args.server, config.profiles.get(&name)) {
        (Some(s), _) => s.clone(),
        (None, Some(p)) => p.server.clone(),
        (None, None) => bail!("give the server: cairn login --server URL (local mode needs no login)"),
    };
    let rt = super::runtime()?;
    let (kind, secret, me) = rt.block_on(async {
        if args.api_key {
            let key = read_secret("API key: ")?;
            let client = Client::new(&server, Credential::ApiKey(key.clone()))?;
            let me = client.me().await.context("checking the API key")?;
            anyhow::Ok((CredentialKind::ApiKey, key, me))
        } else if let Some(provider) = &args.oidc {
            let client = Client::anonymous(&server)?;
            let tokens = super::oidc_login::login(&client, provider).await?;
            let me = client.me().await?;
            let stored = StoredTokens { access: tokens.access_token, refresh: tokens.refresh_token };
            Ok((CredentialKind::Session, serde_json::to_string(&stored)?, me))
        } else {
            let email = args.email.clone().unwrap_or_default();
            let password = read_secret("Password: ")?;
            let client = Client::anonymous(&server)?;
            let tokens = client.login(&email, &password).await.context("logging in")?;
            let me = client.me().await?;
            let stored = StoredTokens { access: tokens.access_token, refresh: tokens.refresh_token };
            Ok((CredentialKind::Session, serde_json::to_string(&stored)?, me))
        }
    })?;
    Secrets::new(&dirs.data).set(&secret_account(&path, &name), &secret)?;
    config.profiles.insert(
        name.clone(),
        Profile { server: server.clone(), credential: kind, email: Some(me.user.email.clone()) },
    );
    config.default = Some(name.clone());
    config.save(&path)?;
    crate::outln!("logged in to {server} as {} (profile {name:?}, now the default)", me.user.email);
    Ok(ExitCode::SUCCESS)
}

pub fn logout(dirs: &Dirs, profile_flag: Option<&str>) -> anyhow::Result<ExitCode> {
    let path = dirs.config_file();
    let mut config = ConfigFile::load(&path)?;
    let Some((name, profile)) = config.active(profile_flag)? else {
        crate::outln!("no profile is active (local mode); nothing to log out of");
        return Ok(ExitCode::SUCCESS);
    };
    if profile.credential == CredentialKind::Session
        && let Ok(client) = profile_client(dirs, &name, &profile)
    {
        // Revoke the session server-side too; an unreachable server must not block logging out.
        let rt = super::runtime()?;
        if let Err(e) = rt.block_on(client.logout()) {
            eprintln!("cairn: warning: could not revoke the session on {}: {e}", profile.server);
        }
    }
    Secrets::new(&dirs.data).remove(&secret_account(&path, &name))?;
    config.profiles.remove(&name);
    if config.default.as_deref() == Some(name.as_str()) {
        config.default = None;
    }
    config.save(&path)?;
    crate::outln!("logged out of {} (profile {name:?} removed)", profile.server);
    Ok(ExitCode::SUCCESS)
}
