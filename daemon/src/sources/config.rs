//! The `[sources]` section of the configuration: where scans may come from and how big they may be.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// Settings for obtaining what to scan (git clones, server paths, uploads, SBOMs).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourcesConfig {
    /// Directories that every tenant's `path` sources and `file://` git URLs may point under;
    /// honoured only when `single_tenant` is set (see `roots.rs`), else the daemon refuses to start.
    pub path_roots: Vec<PathBuf>,
    /// This install serves one team: the global `path_roots` apply to every tenant on it.
    pub single_tenant: bool,
    /// Per tenant (keyed by tenant id): the directories its `path` sources and `file://` git URLs
    /// may point under.
    pub tenant_roots: BTreeMap<String, Vec<PathBuf>>,
    /// Where clones and extracted uploads live while scanned; unset = `work` under the data
    /// directory, or the system temp directory when no data directory is known.
    pub work_dir: Option<PathBuf>,
    /// Let git URLs reach private, loopback and link-local addresses (local mode always may).
    pub allow_private_hosts: bool,
    /// Accept plain `http://` git URLs (credentials and code travel unencrypted).
    pub allow_http: bool,
    /// Seconds a clone may take.
    pub git_timeout_secs: u64,
    /// Bytes a clone may write (objects plus checkout).
    pub max_clone_bytes: u64,
    /// Entries (files, directories, links) an uploaded archive may hold.
    pub max_archive_entries: u64,
    /// Bytes an archive may extract to, in total.
    pub max_extracted_bytes: u64,
    /// Bytes one extracted file may hold.
    pub max_entry_bytes: u64,
    /// Largest extracted-to-compressed ratio accepted (zip bombs), checked past the first MiB.
    pub max_compression_ratio: u64,
    /// Bytes an uploaded SBOM may hold.
    pub max_sbom_bytes: u64,
    /// The ssh program git runs for ssh URLs.
    pub ssh_program: PathBuf,
    /// The known-hosts file ssh checks servers against (StrictHostKeyChecking); unset = ssh URLs
    /// are refused, since no server could be verified.
    pub ssh_known_hosts: Option<PathBuf>,
    /// Let ssh use the daemon user's agent (`SSH_AUTH_SOCK`): single-tenant installs only, since
    /// every tenant's clones would authenticate as the daemon.
    pub ssh_agent: bool,
    /// Let git use the proxy named by `https_proxy`, `http_proxy` or `all_proxy` in the daemon's
    /// environment. The proxy resolves names itself, so the address check no longer binds; without
    /// this, such an environment makes https/http clones refused.
    pub allow_proxy: bool,
}

impl Default for SourcesConfig {
    fn default() -> Self {
        Self {
            path_roots: Vec::new(),
            single_tenant: false,
            tenant_roots: BTreeMap::new(),
            work_dir: None,
            allow_private_hosts: false,
            allow_http: false,
            git_timeout_secs: 300,
            max_clone_bytes: 2 * 1024 * 1024 * 1024,
            max_archive_entries: 100_000,
            max_extracted_bytes: 1024 * 1024 * 1024,
            max_entry_bytes: 256 * 1024 * 1024,
            max_compression_ratio: 100,
            max_sbom_bytes: 256 * 1024 * 1024,
            ssh_program: PathBuf::from("ssh"),
            ssh_known_hosts: None,
            ssh_agent: false,
            allow_proxy: false,
        }
    }
}

impl SourcesConfig {
    /// The work directory: the configured one, else `work` under the daemon's data directory,
    /// else `cairn-work` in the system temp directory.
    pub fn work_dir(&self) -> PathBuf {
        self.durable_work_dir().unwrap_or_else(|| std::env::temp_dir().join("cairn-work"))
    }

    /// The work directory when it survives a restart: the configured one, else `work` under the
    /// daemon's data directory (none when there is no data directory, only the temp fallback).
    pub fn durable_work_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = &self.work_dir {
            return Some(dir.clone());
        }
        directories::ProjectDirs::from("", "", "cairn").map(|d| d.data_dir().join("work"))
    }
}
