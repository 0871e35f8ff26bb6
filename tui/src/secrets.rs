//! Secrets (API keys, session tokens): in the OS keyring (on Linux the kernel keyutils store, the
//! session keyring joined at start-up since headless sessions start without one); when no keyring
//! works, or `CAIRN_NO_KEYRING=1`, in a 0600 JSON file in the data dir, with a warning.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context;

const SERVICE: &str = "cairn";

/// Where secrets go.
#[derive(Debug, Clone)]
pub struct Secrets {
    file: PathBuf,
    keyring: bool,
}

/// Sets the keyutils store as keyring-core's default once; false when the kernel store is unusable.
fn keyring_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        if std::env::var_os("CAIRN_NO_KEYRING").is_some_and(|v| !v.is_empty() && v != "0") {
            return false;
        }
        init_platform_store()
    })
}

#[cfg(target_os = "linux")]
fn init_platform_store() -> bool {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    // Headless processes (ssh without PAM, containers, CI) have no session keyring: join one, or
    // the store cannot save anything a later process reads.
    if let Err(e) = KeyRing::from_special_id(KeyRingIdentifier::Session, true) {
        tracing::debug!(error = ?e, "no session keyring");
        return false;
    }
    match linux_keyutils_keyring_store::Store::new() {
        Ok(store) => {
            keyring_core::set_default_store(store);
            true
        }
        Err(e) => {
            tracing::debug!(error = %e, "keyutils store unavailable");
            false
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn init_platform_store() -> bool {
    false
}

impl Secrets {
    /// Secrets for this user; the fallback file lives in `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self { file: data_dir.join("credentials.json"), keyring: keyring_ready() }
    }

    /// Stores `secret` under `account`.
    pub fn set(&self, account: &str, secret: &str) -> anyhow::Result<()> {
        if self.keyring {
            match keyring_core::Entry::new(SERVICE, account).and_then(|e| e.set_password(secret)) {
                Ok(()) => {
                    // A stale copy in the file must not shadow the keyring's.
                    let _ = self.file_remove(account);
                    return Ok(());
                }
                Err(e) => tracing::debug!(error = %e, "keyring write failed; using the file"),
            }
        }
        eprintln!(
            "cairn: warning: no usable OS keyring; keeping the credential in {} (mode 0600)",
            self.file.display()
        );
        let mut all = self.file_read()?;
        all.insert(account.to_owned(), secret.to_owned());
        self.file_write(&all)
    }

    /// The secret under `account`, if any.
    pub fn get(&self, account: &str) -> anyhow::Result<Option<String>> {
        if self.keyring
            && let Ok(s) = keyring_core::Entry::new(SERVICE, account).and_then(|e| e.get_password())
        {
            return Ok(Some(s));
        }
        Ok(self.file_read()?.remove(account))
    }

    /// Forgets the secret under `account` (wherever it is).
    pub fn remove(&self, account: &str) -> anyhow::Result<()> {
        if self.keyring
            && let Ok(entry) = keyring_core::Entry::new(SERVICE, account)
        {
            let _ = entry.delete_credential();
        }
        self.file_remove(account)
    }

    fn file_remove(&self, account: &str) -> anyhow::Result<()> {
        let mut all = self.file_read()?;
        if all.remove(account).is_some() {
            self.file_write(&all)?;
        }
        Ok(())
    }

    fn file_read(&self) -> anyhow::Result<BTreeMap<String, String>> {
        match std::fs::read(&self.file) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).with_context(|| format!("reading {}", self.file.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.file.display())),
        }
    }

    fn file_write(&self, all: &BTreeMap<String, String>) -> anyhow::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // Written to a 0600 temp file then renamed: never a moment with the secret world-readable.
        let tmp = self.file.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Elsewhere the file inherits the profile directory's access (no mode bits to set).
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(&serde_json::to_vec_pretty(all)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.file).with_context(|| format!("writing {}", self.file.display()))?;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_fallback_is_private_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Secrets { file: dir.path().join("credentials.json"), keyring: false };
        assert_eq!(s.get("a").expect("get"), None);
        s.set("a", "one").expect("set");
        s.set("b", "two").expect("set");
        assert_eq!(s.get("a").expect("get").as_deref(), Some("one"));
        let mode = std::fs::metadata(dir.path().join("credentials.json")).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        s.remove("a").expect("remove");
        assert_eq!(s.get("a").expect("get"), None);
        assert_eq!(s.get("b").expect("get").as_deref(), Some("two"));
    }

    #[test]
    fn the_keyring_round_trips_when_the_kernel_has_one() {
        if !init_platform_store() {
            eprintln!("no usable keyring here: keyring variant not run");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Secrets { file: dir.path().join("credentials.json"), keyring: true };
        let account = format!("test:{}", dir.path().display());
        s.set(&account, "secret-1").expect("set");
        assert!(!dir.path().join("credentials.json").exists(), "the keyring took it, not the file");
        assert_eq!(s.get(&account).expect("get").as_deref(), Some("secret-1"));
        s.remove(&account).expect("remove");
        assert_eq!(s.get(&account).expect("get"), None);
    }
}
