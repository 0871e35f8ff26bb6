//! Local mode: the settings of the per-user daemon `cairn` starts on 127.0.0.1, and the admin
//! account and API key it mints before the daemon first serves.

use std::net::SocketAddr;
use std::path::Path;

use cairn_sdk::types::Scope;

use crate::admin_cli::{self, AdminError};
use crate::config::{Config, RegistrationMode};
use crate::store::{Store, StoreError};

/// The local administrator's login name (the account owns the local tenant).
pub const LOCAL_ADMIN_EMAIL: &str = "admin@cairn.localhost";

/// The label of keys minted for local mode.
pub const LOCAL_KEY_NAME: &str = "cairn local mode";

/// Settings of a local-mode daemon keeping its data in `data_dir`: SQLite there, a free port on
/// 127.0.0.1 written to `address_file`, registration closed, `local_mode` on (any path the user
/// can read, loopback git URLs).
pub fn local_mode_config(data_dir: &Path, address_file: &Path) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: format!("sqlite://{}", data_dir.join("cairnd.db").display()),
        registration: RegistrationMode::Closed,
        address_file: Some(address_file.to_path_buf()),
        local_mode: true,
        ..Config::default()
    }
}

/// Mints a new API key with every scope for the local administrator, creating that account (a
/// super admin owning its own tenant, with a random password nobody is shown) when it does not
/// exist yet. Returns the key's secret. Called before the daemon serves, and again when the
/// keyring lost the previous key (the kernel keyring does not survive a reboot).
pub async fn mint_local_key(store: &Store) -> Result<String, AdminError> {
    match store.user_by_email(LOCAL_ADMIN_EMAIL).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            let password = crate::auth::secrets::random_alphanumeric(32);
            admin_cli::create_user(
                store,
                LOCAL_ADMIN_EMAIL,
                Some("Local administrator"),
                &password,
                true,
                Some("local"),
            )
            .await?;
        }
        Err(e) => return Err(e.into()),
    }
    let scopes: Vec<String> = Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    admin_cli::create_key(store, LOCAL_ADMIN_EMAIL, LOCAL_KEY_NAME, &scopes, None, None, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn mints_a_working_key_and_reuses_the_account() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = local_mode_config(dir.path(), &dir.path().join("addr"));
        assert!(config.local_mode && config.listen.ip().is_loopback() && config.listen.port() == 0);
        let store = Store::connect(&config.database_url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let first = mint_local_key(&store).await.expect("first key");
        let second = mint_local_key(&store).await.expect("second key");
        assert!(first.starts_with("crn_live_") && second.starts_with("crn_live_") && first != second);
        assert_eq!(store.user_count().await.expect("count"), 1, "one account, two keys");
        store.close().await;
    }
}
