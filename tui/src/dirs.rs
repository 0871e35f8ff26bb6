//! Where `cairn` keeps things: the XDG config dir (profiles), data dir (local daemon's database,
//! log, fallback secrets), cache dir (parsed vulnerability data) and runtime dir (the local
//! daemon's state, address and lock files).

use std::path::PathBuf;

use anyhow::Context;

/// The directories of this user.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// `$XDG_CONFIG_HOME/cairn`: `config.toml`.
    pub config: PathBuf,
    /// `$XDG_DATA_HOME/cairn`: `cairnd.db`, `cairnd.log`, `credentials.json` (fallback).
    pub data: PathBuf,
    /// `$XDG_RUNTIME_DIR/cairn`, else the data dir: `cairnd.json`, `cairnd.addr`, `cairnd.lock`.
    pub runtime: PathBuf,
    /// `$XDG_CACHE_HOME/cairn`: `vulndb/`, what `scan --offline --vulndb` parsed, by data revision.
    pub cache: PathBuf,
}

impl Dirs {
    /// This user's directories (not created).
    pub fn new() -> anyhow::Result<Self> {
        let p = directories::ProjectDirs::from("", "", "cairn")
            .context("cannot find a home directory for cairn's configuration and data")?;
        let data = p.data_dir().to_path_buf();
        let runtime = p.runtime_dir().map(|d| d.to_path_buf()).unwrap_or_else(|| data.clone());
        Ok(Self { config: p.config_dir().to_path_buf(), data, runtime, cache: p.cache_dir().to_path_buf() })
    }

    /// The profiles file.
    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }
}
