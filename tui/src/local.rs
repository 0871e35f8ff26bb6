//! Local mode: one per-user daemon on 127.0.0.1, run by this same binary (`cairn daemon run`),
//! started on demand and reused. A lock file makes concurrent `cairn` processes agree on one
//! daemon; a state file records its pid and URL. The daemon mints its administrator's API key
//! itself and hands it over in a 0600 file in the runtime directory (`cairnd.key`, written before
//! the daemon listens and kept while it runs); the client copies it into the keyring, and takes it
//! again when the keyring has none or the daemon rejects the one it has. This module never opens
//! the daemon's database.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    /// The file the daemon hands its administrator's API key over in (0600).
    pub fn key_file(&self) -> PathBuf {
        self.dirs.runtime.join("cairnd.key")
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
        if !process::alive(state.pid) {
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
        if !cfg!(feature = "local") {
            bail!(
                "this cairn was built without the `local` feature: there is no local daemon; \
                 use a profile for a server (`cairn login --server URL`)"
            );
        }
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
        let _ = std::fs::remove_file(self.address_file());
        let _ = std::fs::remove_file(self.state_file());
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_file())
            .with_context(|| format!("opening {}", self.log_file().display()))?;
        let exe = std::env::current_exe().context("finding the cairn executable")?;
        let mut command = Command::new(exe);
        command
            .args(["daemon", "run"])
            .env("CAIRN_LOG", std::env::var("CAIRN_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // The daemon's allocator settings (docs/daemon.md "Memory"), given at the start so
        // `daemon run` need not execute itself again to get them; the user's values win.
        #[cfg(feature = "local")]
        command.envs(cairn_daemon::allocator::missing(|name| std::env::var_os(name)));
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group: Ctrl-C in this terminal must not stop the shared daemon.
            command.process_group(0);
        }
        let mut child = command.spawn().context("starting the local daemon")?;
        // The daemon writes the address file once it listens (and the key file before that);
        // there is no event to wait on from here, so poll it with a deadline, watching for an
        // early exit.
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
        reap_in_background(child);
        Client::anonymous(&state.url)?.health().await.context("the local daemon does not answer")?;
        write_atomic(&self.state_file(), &serde_json::to_vec_pretty(&state)?)?;
        Ok((state, true))
    }

    /// The key the running daemon handed over, kept in the keyring for next time.
    fn take_handed_over_key(&self) -> anyhow::Result<String> {
        let path = self.key_file();
        let key = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the local daemon's key from {}", path.display()))?
            .trim()
            .to_owned();
        if key.is_empty() {
            bail!("the local daemon's key file {} is empty", path.display());
        }
        Secrets::new(&self.dirs.data).set(&self.secret_account(), &key)?;
        Ok(key)
    }

    /// A client of the local daemon, starting it if needed.
    pub async fn client(&self) -> anyhow::Result<Client> {
        let (state, _) = self.ensure_running().await?;
        let kept = Secrets::new(&self.dirs.data).get(&self.secret_account())?;
        if let Some(key) = &kept {
            let client = Client::new(&state.url, Credential::ApiKey(key.clone()))?;
            match client.me().await {
                // The keyring outlived the database (it was deleted or reset): take the key this
                // daemon minted for it.
                Err(e) if e.status() == Some(401) => {}
                _ => return Ok(client),
            }
        }
        let key = self.take_handed_over_key()?;
        if kept.as_ref() == Some(&key) {
            bail!(
                "the local daemon rejects its own key (was its data directory removed while it ran?); \
                 run `cairn daemon stop` and try again"
            );
        }
        Ok(Client::new(&state.url, Credential::ApiKey(key))?)
    }

    /// Stops the daemon: SIGTERM, then waits for the process to exit. Returns the stopped pid.
    pub async fn stop(&self) -> anyhow::Result<Option<u32>> {
        let _lock = self.lock()?;
        let Some(state) = self.read_state() else { return Ok(None) };
        if !process::alive(state.pid) {
            let _ = std::fs::remove_file(self.state_file());
            return Ok(None);
        }
        self.stop_locked(&state).await?;
        Ok(Some(state.pid))
    }

    /// SIGTERM and wait; the caller holds the lock.
    async fn stop_locked(&self, state: &DaemonState) -> anyhow::Result<()> {
        process::terminate(state.pid)
            .with_context(|| format!("could not signal the local daemon (pid {})", state.pid))?;
        // Not this process's child: no exit event to await, so poll with a deadline.
        let deadline = Instant::now() + STOP_TIMEOUT;
        while process::alive(state.pid) {
            if Instant::now() > deadline {
                bail!("the local daemon (pid {}) did not exit within {STOP_TIMEOUT:?}", state.pid);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = std::fs::remove_file(self.state_file());
        let _ = std::fs::remove_file(self.address_file());
        Ok(())
    }

    /// Runs the daemon in this process (the hidden `cairn daemon run`): it mints and hands over
    /// the key before it listens.
    #[cfg(feature = "local")]
    pub async fn run_here(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dirs.data)?;
        std::fs::create_dir_all(&self.dirs.runtime)?;
        let files =
            cairn_daemon::local::LocalFiles { address_file: self.address_file(), key_file: self.key_file() };
        let config = cairn_daemon::local::local_mode_config(&self.dirs.data, &files);
        cairn_daemon::server::run(config).await
    }

    /// Without the daemon library there is nothing to run.
    #[cfg(not(feature = "local"))]
    pub async fn run_here(&self) -> anyhow::Result<()> {
        bail!("this cairn was built without the `local` feature: it cannot run a local daemon")
    }
}

/// Waits for the daemon in a thread, so that while this process lives a stopped daemon does not
/// linger as a zombie (which would still look alive to a signal probe).
fn reap_in_background(mut child: Child) {
    std::thread::spawn(move || {
        let _ = child.wait();
    });
}

/// Signals and probes processes by pid: kill(2) through rustix.
#[cfg(unix)]
pub mod process {
    use rustix::process::{Pid, Signal, kill_process, test_kill_process};

    fn pid(raw: u32) -> Option<Pid> {
        i32::try_from(raw).ok().and_then(Pid::from_raw)
    }

    /// True while `pid` names a process this user may signal (a zombie not yet reaped counts).
    /// Another user's process (EPERM) is not our daemon.
    pub fn alive(raw: u32) -> bool {
        pid(raw).is_some_and(|p| test_kill_process(p).is_ok())
    }

    /// Sends SIGTERM.
    pub fn terminate(raw: u32) -> std::io::Result<()> {
        let p = pid(raw).ok_or_else(|| std::io::Error::other(format!("{raw} is not a process id")))?;
        kill_process(p, Signal::TERM).map_err(std::io::Error::from)
    }
}

/// Elsewhere local mode has no process control yet: the daemon is never seen as running, and
/// stopping one says why it cannot.
#[cfg(not(unix))]
pub mod process {
    /// Always false: no probe here.
    pub fn alive(_raw: u32) -> bool {
        false
    }

    /// Refuses.
    pub fn terminate(_raw: u32) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "stopping the local daemon needs a unix system",
        ))
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn alive_sees_this_process_and_not_a_reaped_one_and_terminate_stops_one() {
        assert!(process::alive(std::process::id()));
        let mut child = Command::new("sleep").arg("600").spawn().expect("spawn");
        let pid = child.id();
        assert!(process::alive(pid));
        process::terminate(pid).expect("SIGTERM");
        let status = child.wait().expect("wait");
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(15), "{status}");
        assert!(!process::alive(pid), "reaped");
    }
}
