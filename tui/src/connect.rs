//! Which daemon a command talks to: the active profile's server with its keyring credential, or,
//! with no profile, the local daemon (started on demand).

use std::sync::Arc;

use anyhow::Context;
use cairn_sdk::types::TokenResponse;
use cairn_sdk::{Client, Credential};
use serde::{Deserialize, Serialize};

use crate::dirs::Dirs;
use crate::local::Local;
use crate::profile::{ConfigFile, CredentialKind, Profile, secret_account};
use crate::secrets::Secrets;

/// A session's tokens as kept in the keyring.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredTokens {
    /// Access token.
    pub access: String,
    /// Refresh token.
    pub refresh: String,
}

/// The daemon in use.
pub enum Target {
    /// The per-user local daemon.
    Local(Local),
    /// A configured server.
    Profile {
        /// Profile name.
        name: String,
        /// Its settings.
        profile: Profile,
    },
}

impl Target {
    /// The active target: `--profile`, else the default profile, else local mode.
    pub fn resolve(dirs: &Dirs, profile: Option<&str>) -> anyhow::Result<Self> {
        let config = ConfigFile::load(&dirs.config_file())?;
        Ok(match config.active(profile)? {
            Some((name, profile)) => Target::Profile { name, profile },
            None => Target::Local(Local::new(dirs.clone())),
        })
    }

    /// True for the local daemon (which can read paths on this machine).
    pub fn is_local(&self) -> bool {
        matches!(self, Target::Local(_))
    }

    /// A client, starting the local daemon if that is the target.
    pub async fn client(&self, dirs: &Dirs) -> anyhow::Result<Client> {
        match self {
            Target::Local(local) => local.client().await,
            Target::Profile { name, profile } => profile_client(dirs, name, profile),
        }
    }
}

/// A client of a profile's server with the credential from the keyring; refreshed tokens are saved back.
pub fn profile_client(dirs: &Dirs, name: &str, profile: &Profile) -> anyhow::Result<Client> {
    let secrets = Secrets::new(&dirs.data);
    let account = secret_account(&dirs.config_file(), name);
    let secret = secrets
        .get(&account)?
        .with_context(|| format!("no credential for profile {name:?} in the keyring; run `cairn login`"))?;
    let builder = Client::builder(&profile.server);
    let client = match profile.credential {
        CredentialKind::ApiKey => builder.credential(Credential::ApiKey(secret)).build()?,
        CredentialKind::Session => {
            let t: StoredTokens = serde_json::from_str(&secret).with_context(|| {
                format!("the keyring's session for profile {name:?} is unreadable; run `cairn login`")
            })?;
            let save = move |tokens: &TokenResponse| {
                let stored = StoredTokens {
                    access: tokens.access_token.clone(),
                    refresh: tokens.refresh_token.clone(),
                };
                // The old refresh token is spent: losing the new one would log the user out.
                match serde_json::to_string(&stored)
                    .map_err(anyhow::Error::from)
                    .and_then(|s| secrets.set(&account, &s))
                {
                    Ok(()) => {}
                    Err(e) => eprintln!("cairn: warning: could not save the renewed session: {e:#}"),
                }
            };
            builder
                .credential(Credential::Tokens { access: t.access, refresh: t.refresh })
                .on_token_refresh(Arc::new(save))
                .build()?
        }
    };
    Ok(client)
}
