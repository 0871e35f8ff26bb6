//! Local mode: one per-user daemon on 127.0.0.1, run by this same binary (`cairn daemon run`),
//! started on demand and reused. A lock file makes concurrent `cairn` processes agree on one
//! daemon; a state file records its pid and URL; its API key is minted before it first serves and
//! kept in the keyring.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cairn_sdk::{Client, Credential};
use serde::{Deserialize, Serialize};

use crate::dirs::Dirs;
use crate::secrets::Secrets;

/// What the state file records about a running daemon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonState {
    /// Process id.
    pub pid: u32,
    /// Base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The `cairn` version that started it.
    pub version: String,
}

/// The local daemon's files.
#[derive(Debug, Clone)]
pub struct Local {
    dirs: Dirs,
}

/// How long a starting daemon gets to write its address (migrations on a big database take a while).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stopping daemon gets to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

impl Local {
    /// The local daemon of these directories.
    pub fn new(dirs: Dirs) -> Self {
        Self { dirs }
    }

    fn state_file(&self) -> PathBuf {
        self.dirs.runtime.join("cairnd.json")
    }
    fn lock_file(&self) -> PathBuf {
        self.dirs.runtime.join("cairnd.lock")
    }
    /// The file the daemon writes its bound address to.
    pub fn address_file(&self) -> PathBuf {
        self.dirs.runtime.join("cairnd.addr")
    }
    /// The daemon's log (stdout and stderr).
    pub fn log_file(&self) -> PathBuf {
        self.dirs.data.join("cairnd.log")
    }
    /// The daemon's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.dirs.data
    }
    fn secret_account(&self) -> String {
        format!("local:{}", self.dirs.data.display())
    }

    fn read_state(&self) -> Option<DaemonState> {
        let bytes = std::fs::read(self.state_file()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The running daemon, if the state file names a live process that answers its health check.
    pub async fn running(&self) -> Option<DaemonState> {
        let state = self.read_state()?;
        if !pid_alive(state.pid) {
            return None;
        }
        let client = Client::anonymous(&state.url).ok()?;
        client.health().await.ok().map(|_| state)
    }

    /// Takes the start/stop lock (blocks while another `cairn` holds it).
    fn lock(&self) -> anyhow::Result<File> {
        std::fs::create_dir_all(&self.dirs.runtime)
            .with_context(|| format!("creating {}", self.dirs.runtime.display()))?;
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.lock_file())
            .with_context(|| format!("opening {}", self.lock_file().display()))?;
        f.lock().with_context(|| format!("locking {}", self.lock_file().display()))?;
        Ok(f)
    }

    /// Starts the daemon unless one runs; returns its state and whether this call started it.
    pub async fn ensure_running(&self) -> anyhow::Result<(DaemonState, bool)> {
        if let Some(s) = self.running().await
            && s.version == env!("CARGO_PKG_VERSION")
        {
            return Ok((s, false));
        }
        let lock = self.lock()?;
        // Another process may have started it while this one waited for the lock.
        if let Some(s) = self.running().await {
            if s.version == env!("CARGO_PKG_VERSION") {
                return Ok((s, false));
            }
            // Started by another cairn version (an upgrade): replace it, as its schema and API
            // may differ from what this binary expects.
            tracing::info!(old = %s.version, "restarting a local daemon of another version");
            self.stop_locked(&s).await?;
        }
        let _lock = lock;
        std::fs::create_dir_all(&self.dirs.data)
            .with_context(|| format!("creating {}", self.dirs.data.display()))?;
        self.ensure_key().await?;
        let _ = std::fs::remove_file(self.address_file());
        let _ = std::fs::remove_file(self.state_file());
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_file())
            .with_context(|| format!("opening {}", self.log_file().display()))?;
        let exe = std::env::current_exe().context("finding the cairn executable")?;
        let mut child = {
            use std::os::unix::process::CommandExt;
            Command::new(exe)
                .args(["daemon", "run"])
                .env("CAIRN_LOG", std::env::var("CAIRN_LOG").unwrap_or_else(|_| "info".into()))
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                // Its own process group: Ctrl-C in this terminal must not stop the shared daemon.
                .process_group(0)
                .spawn()
                .context("starting the local daemon")?
        };
        // The daemon writes the address file once it listens; there is no event to wait on from
        // here, so poll it with a deadline, watching for an early exit.
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = loop {
            if let Ok(text) = std::fs::read_to_string(self.address_file())
                && !text.trim().is_empty()
            {
                break text.trim().to_owned();
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "the local daemon exited ({status}) before listening; see {}",
                    self.log_file().display()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "the local daemon did not start within {START_TIMEOUT:?}; see {}",
                    self.log_file().display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let state = DaemonState {
            pid: child.id(),
            url: format!("http://{addr}"),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        Client::anonymous(&state.url)?.health().await.context("the local daemon does not answer")?;
        write_atomic(&self.state_file(), &serde_json::to_vec_pretty(&state)?)?;
        Ok((state, true))
    }

    /// Makes sure the keyring holds a working key for the local daemon: mints one (and the local
    /// admin account on first start) through the daemon library when it does not.
    async fn ensure_key(&self) -> anyhow::Result<String> {
        let secrets = Secrets::new(&self.dirs.data);
        if let Some(key) = secrets.get(&self.secret_account())? {
            return Ok(key);
        }
        self.mint_key().await
    }

    /// Mints a new key for the local daemon through the daemon library and keeps it.
    async fn mint_key(&self) -> anyhow::Result<String> {
        let secrets = Secrets::new(&self.dirs.data);
        let config = cairn_daemon::local::local_mode_config(&self.dirs.data, &self.address_file());
        let store = cairn_daemon::store::Store::connect(&config.database_url).await?;
        store.migrate().await?;
        let minted = cairn_daemon::local::mint_local_key(&store).await;
        store.close().await;
        let key = minted?;
        secrets.set(&self.secret_account(), &key)?;
        Ok(key)
    }

    /// A client of the local daemon, starting it if needed.
    pub async fn client(&self) -> anyhow::Result<Client> {
        let (state, _) = self.ensure_running().await?;
        let key = self.ensure_key().await?;
        let client = Client::new(&state.url, Credential::ApiKey(key))?;
        match client.me().await {
            // The keyring outlived the database (it was deleted or reset): mint a key for this one.
            Err(e) if e.status() == Some(401) => {
                let key = self.mint_key().await?;
                Ok(Client::new(&state.url, Credential::ApiKey(key))?)
            }
            _ => Ok(client),
        }
    }

    /// Stops the daemon: SIGTERM, then waits for the process to exit. Returns the stopped pid.
    pub async fn stop(&self) -> anyhow::Result<Option<u32>> {
        let _lock = self.lock()?;
        let Some(state) = self.read_state() else { return Ok(None) };
        if !pid_alive(state.pid) {
            let _ = std::fs::remove_file(self.state_file());
            return Ok(None);
        }
        self.stop_locked(&state).await?;
        Ok(Some(state.pid))
    }

    /// SIGTERM and wait; the caller holds the lock.
    async fn stop_locked(&self, state: &DaemonState) -> anyhow::Result<()> {
        let status =
            Command::new("kill").arg("-TERM").arg(state.pid.to_string()).status().context("running kill")?;
        if !status.success() {
            bail!("could not signal the local daemon (pid {})", state.pid);
        }
        // Not this process's child: no exit event to await, so poll with a deadline.
        let deadline = Instant::now() + STOP_TIMEOUT;
        while pid_alive(state.pid) {
            if Instant::now() > deadline {
                bail!("the local daemon (pid {}) did not exit within {STOP_TIMEOUT:?}", state.pid);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = std::fs::remove_file(self.state_file());
        let _ = std::fs::remove_file(self.address_file());
        Ok(())
    }

    /// Runs the daemon in this process (the hidden `cairn daemon run`).
    pub async fn run_here(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dirs.data)?;
        std::fs::create_dir_all(&self.dirs.runtime)?;
        let config = cairn_daemon::local::local_mode_config(&self.dirs.data, &self.address_file());
        cairn_daemon::server::run(config).await
    }
}

/// True while `pid` names a process that has not exited (a zombie counts as exited).
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the parenthesised command name, which may itself hold spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|s| s != "Z"),
        Err(_) => false,
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_alive_sees_this_process_and_not_a_reaped_one() {
        assert!(pid_alive(std::process::id()));
        let mut child = Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        child.wait().expect("wait");
        assert!(!pid_alive(pid));
    }
}
