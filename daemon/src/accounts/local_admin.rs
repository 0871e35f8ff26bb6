//! The local-mode administrator: the account `cairn`'s local daemon creates for its user, and the
//! key it mints for them.

use cairn_sdk::types::{ApiKeyEnvironment, Scope};

use super::error::AccountsError;
use super::{Accounts, KeySpec, NewUser};
use crate::store::StoreError;

/// The local administrator's login name (the account owns the local tenant).
pub const LOCAL_ADMIN_EMAIL: &str = "admin@cairn.localhost";

/// The label of keys minted for local mode.
pub const LOCAL_KEY_NAME: &str = "cairn local mode";

impl Accounts<'_> {
    /// Mints a new API key with every scope for the local administrator, creating that account (a
    /// super admin owning the tenant `local`, with a random password nobody is shown) when it
    /// does not exist yet. Returns the key's secret.
    pub async fn mint_local_key(&self) -> Result<String, AccountsError> {
        match self.store.user_by_email(LOCAL_ADMIN_EMAIL).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                let password = crate::auth::secrets::random_alphanumeric(32);
                self.create_user(&NewUser {
                    email: LOCAL_ADMIN_EMAIL,
                    display_name: Some("Local administrator"),
                    password: &password,
                    super_admin: true,
                    tenant: Some("local"),
                })
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
        let spec = KeySpec {
            name: LOCAL_KEY_NAME,
            environment: ApiKeyEnvironment::Live,
            scopes: &Scope::ALL,
            expires_at: None,
            not_after: None,
        };
        Ok(self.issue_key_for(LOCAL_ADMIN_EMAIL, None, &spec).await?.secret)
    }

    /// True when `secret` is a key of the local administrator the daemon accepts now.
    pub async fn local_key_usable(&self, secret: &str) -> Result<bool, AccountsError> {
        let Some(owner) = self.key_owner(secret).await? else { return Ok(false) };
        match self.store.user_by_email(LOCAL_ADMIN_EMAIL).await {
            Ok(admin) => Ok(admin.id == owner),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Origin;
    use super::*;
    use crate::store::Store;

    async fn store(dir: &std::path::Path) -> Store {
        let store = Store::connect(&format!("sqlite://{}", dir.join("db").display())).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    #[tokio::test]
    async fn mints_a_working_key_and_reuses_the_account() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(dir.path()).await;
        let accounts = Accounts::new(&store, Origin::LocalMode);
        let first = accounts.mint_local_key().await.expect("first key");
        let second = accounts.mint_local_key().await.expect("second key");
        assert!(first.starts_with("crn_live_") && second.starts_with("crn_live_") && first != second);
        assert_eq!(store.user_count().await.expect("count"), 1, "one account, two keys");
        assert!(accounts.local_key_usable(&first).await.expect("check"));
        store.close().await;
    }

    #[tokio::test]
    async fn a_key_of_another_database_or_user_is_not_usable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(dir.path()).await;
        let accounts = Accounts::new(&store, Origin::Cli);
        assert!(!accounts.local_key_usable("crn_live_not_a_key").await.expect("malformed"));
        let other = tempfile::tempdir().expect("tempdir");
        let other_store = self::store(other.path()).await;
        let foreign = Accounts::new(&other_store, Origin::LocalMode).mint_local_key().await.expect("mint");
        assert!(!accounts.local_key_usable(&foreign).await.expect("foreign"), "unknown here");
        let password = "a long enough password";
        accounts
            .create_user(&NewUser {
                email: "ada@example.test",
                display_name: None,
                password,
                super_admin: false,
                tenant: None,
            })
            .await
            .expect("user");
        let spec = KeySpec {
            name: "ci",
            environment: ApiKeyEnvironment::Live,
            scopes: &[Scope::ProjectRead],
            expires_at: None,
            not_after: None,
        };
        let ada = accounts.issue_key_for("ada@example.test", None, &spec).await.expect("key").secret;
        assert!(accounts.key_owner(&ada).await.expect("owner").is_some());
        assert!(!accounts.local_key_usable(&ada).await.expect("ada's"), "not the local administrator's");
        store.close().await;
        other_store.close().await;
    }
}
