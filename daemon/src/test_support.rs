//! For test suites outside this crate that run the daemon in-process (the `cairn` and SDK
//! suites): the database chores an operator does by hand, so those suites need not reach into
//! [`crate::store`] themselves (a client never opens the daemon's database).

pub use crate::store::{create_postgres_database, drop_postgres_database};

use cairn_sdk::types::ScanId;

use crate::store::{Store, StoreResult};

/// Cancels a scan directly in the database at `database_url` (as an operator would while the
/// daemon is down).
pub async fn cancel_scan_offline(database_url: &str, scan: ScanId) -> StoreResult<()> {
    let store = Store::connect(database_url).await?;
    let result = store.scan_cancel(None, scan).await.map(|_| ());
    store.close().await;
    result
}

/// Creates a user in the database at `database_url` as `cairnd admin create-user` does.
pub async fn create_user_offline(
    database_url: &str,
    user: &crate::accounts::NewUser<'_>,
) -> Result<crate::accounts::CreatedUser, crate::accounts::AccountsError> {
    let store = Store::connect(database_url).await?;
    let result = crate::accounts::Accounts::new(&store, crate::accounts::Origin::Cli).create_user(user).await;
    store.close().await;
    result
}
