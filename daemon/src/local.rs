//! Local mode: the settings of the per-user daemon `cairn` runs on 127.0.0.1 (`cairn daemon
//! run`), and the handover of its administrator's API key to the client.
//!
//! The handover: before it listens, the local daemon makes sure the key file in the runtime
//! directory holds a key it accepts — keeping the one there, or minting a new one (creating the
//! local administrator on first start) when the file is missing or its key is unknown to this
//! database (a wiped data directory). The file is created with mode 0600 and renamed into place,
//! so it is never readable by others, never half-written, and present for as long as the daemon
//! runs. Clients read it, never consume it: any number of them, starting at once or later, with
//! no key or a rejected one, all find the same working key. The client never opens the database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::accounts::{Accounts, AccountsError, Origin};
use crate::config::{Config, RegistrationMode};
use crate::store::Store;

pub use crate::accounts::{LOCAL_ADMIN_EMAIL, LOCAL_KEY_NAME};

/// The files a local daemon shares with its clients.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    /// Where the daemon writes its bound address once it listens.
    pub address_file: PathBuf,
    /// Where the daemon hands over its administrator's API key (mode 0600).
    pub key_file: PathBuf,
}

/// Settings of a local-mode daemon keeping its data in `data_dir`: SQLite there, a free port on
/// 127.0.0.1 written to the address file, the key handed over in the key file, registration
/// closed, `local_mode` on (any path the user can read, loopback git URLs).
pub fn local_mode_config(data_dir: &Path, files: &LocalFiles) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: format!("sqlite://{}", data_dir.join("cairnd.db").display()),
        registration: RegistrationMode::Closed,
        address_file: Some(files.address_file.clone()),
        local_key_file: Some(files.key_file.clone()),
        local_mode: true,
        ..Config::default()
    }
}

/// What [`hand_over_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// The key file already held a key this database accepts.
    Kept,
    /// A new key was minted and written.
    Minted,
}

/// Errors of the key handover.
#[derive(Debug, thiserror::Error)]
pub enum HandoverError {
    /// Minting failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// The key file could not be written.
    #[error("cannot write the key file {path}: {source}")]
    Write {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Makes sure `key_file` holds a key of the local administrator this store accepts.
pub async fn hand_over_key(store: &Store, key_file: &Path) -> Result<Handover, HandoverError> {
    let accounts = Accounts::new(store, Origin::LocalMode);
    if let Some(current) = read_key_file(key_file)
        && accounts.local_key_usable(&current).await?
    {
        return Ok(Handover::Kept);
    }
    let secret = accounts.mint_local_key().await?;
    write_private(key_file, secret.as_bytes())
        .map_err(|source| HandoverError::Write { path: key_file.to_path_buf(), source })?;
    Ok(Handover::Minted)
}

/// The key in a handover file, if there is one.
pub fn read_key_file(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let key = text.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

/// Writes `bytes` to `path` through a temporary file created with mode 0600 (so the secret is
/// never readable by others, not even for an instant) and renamed into place (so a reader sees
/// the old or the new key, never a torn one).
#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("key-tmp");
    // A leftover of a crash: create_new below must not follow or reuse it.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Without unix permissions there is no private file to hand a key over in: refuse rather than
/// write a secret others may read.
#[cfg(not(unix))]
fn write_private(_path: &Path, _bytes: &[u8]) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "the local key handover needs a unix system"))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[tokio::test]
    async fn hands_over_a_0600_key_kept_across_restarts_and_replaced_for_a_new_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files =
            LocalFiles { address_file: dir.path().join("addr"), key_file: dir.path().join("run.key") };
        let config = local_mode_config(&dir.path().join("data"), &files);
        assert!(config.local_mode && config.listen.ip().is_loopback() && config.listen.port() == 0);
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        let store = Store::connect(&config.database_url).await.expect("connect");
        store.migrate().await.expect("migrate");
        assert_eq!(hand_over_key(&store, &files.key_file).await.expect("first"), Handover::Minted);
        let first = read_key_file(&files.key_file).expect("a key");
        let mode = std::fs::metadata(&files.key_file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(hand_over_key(&store, &files.key_file).await.expect("again"), Handover::Kept);
        assert_eq!(read_key_file(&files.key_file).as_deref(), Some(first.as_str()));
        store.close().await;

        // Another database (the data directory wiped): the old key means nothing there.
        let other = Store::connect(&format!("sqlite://{}", dir.path().join("other.db").display()))
            .await
            .expect("connect");
        other.migrate().await.expect("migrate");
        assert_eq!(hand_over_key(&other, &files.key_file).await.expect("new db"), Handover::Minted);
        let second = read_key_file(&files.key_file).expect("a key");
        assert_ne!(first, second);
        assert!(Accounts::new(&other, Origin::Cli).local_key_usable(&second).await.expect("usable"));
        other.close().await;
    }
}
