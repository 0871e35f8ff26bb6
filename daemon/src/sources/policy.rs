//! `SourcePolicy`: what may be obtained and how big it may be, derived once from the configuration.

use std::path::PathBuf;
use std::time::Duration;

use cairn_sdk::types::TenantId;

use super::config::SourcesConfig;

/// Caps on an uploaded archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Entries of any kind.
    pub max_entries: u64,
    /// Bytes extracted in total (declared sizes of skipped entries count too).
    pub max_total_bytes: u64,
    /// Bytes of one file.
    pub max_entry_bytes: u64,
    /// Extracted-to-compressed ratio, enforced once more than [`RATIO_GRACE_BYTES`] came out.
    pub max_ratio: u64,
}

/// Output below this never trips the ratio check: small files compress far better than 100:1.
pub const RATIO_GRACE_BYTES: u64 = 1024 * 1024;

/// What may be obtained, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePolicy {
    /// Directories under which `path` sources and `file://` git URLs may point, for the tenant
    /// this policy was made for (see `roots.rs`); empty = none. Local mode does not consult them.
    pub path_roots: Vec<PathBuf>,
    /// Local mode (a daemon the CLI started for one user on loopback): any path and `file://`
    /// URL that user can read, private hosts.
    pub local_mode: bool,
    /// Git URLs may reach private, loopback and link-local addresses.
    pub allow_private_hosts: bool,
    /// Plain `http://` git URLs are accepted.
    pub allow_http: bool,
    /// How long a clone may take, name resolution included.
    pub git_timeout: Duration,
    /// Bytes a clone may write.
    pub max_clone_bytes: u64,
    /// Caps on uploaded archives.
    pub archive: ArchiveLimits,
    /// Bytes an uploaded SBOM may hold.
    pub max_sbom_bytes: u64,
    /// Where work directories are made.
    pub work_dir: PathBuf,
    /// The ssh program git runs.
    pub ssh_program: PathBuf,
    /// The known-hosts file ssh checks servers against; `None` refuses ssh URLs (outside local mode).
    pub ssh_known_hosts: Option<PathBuf>,
    /// ssh may use the daemon user's agent.
    pub ssh_agent: bool,
    /// git may use the proxy from the daemon's environment.
    pub allow_proxy: bool,
}

impl Default for SourcePolicy {
    fn default() -> Self {
        Self::from_config(&SourcesConfig::default(), false)
    }
}

impl SourcePolicy {
    /// The policy for `tenant` under `config`: its own roots, plus the global ones on a
    /// single-tenant install.
    pub fn for_tenant(config: &SourcesConfig, local_mode: bool, tenant: TenantId) -> Self {
        Self { path_roots: config.roots_of(tenant), ..Self::from_config(config, local_mode) }
    }

    /// The policy for `config` outside any tenant: only the global roots of a single-tenant
    /// install. Local mode accepts any path and `file://` URL its user can read and lets git
    /// reach private and loopback hosts.
    pub fn from_config(config: &SourcesConfig, local_mode: bool) -> Self {
        Self {
            path_roots: config.global_roots().to_vec(),
            local_mode,
            allow_private_hosts: config.allow_private_hosts || local_mode,
            allow_http: config.allow_http,
            git_timeout: Duration::from_secs(config.git_timeout_secs),
            max_clone_bytes: config.max_clone_bytes,
            archive: ArchiveLimits {
                max_entries: config.max_archive_entries,
                max_total_bytes: config.max_extracted_bytes,
                max_entry_bytes: config.max_entry_bytes,
                max_ratio: config.max_compression_ratio,
            },
            max_sbom_bytes: config.max_sbom_bytes,
            work_dir: config.work_dir(),
            ssh_program: config.ssh_program.clone(),
            ssh_known_hosts: config.ssh_known_hosts.clone(),
            ssh_agent: config.ssh_agent,
            allow_proxy: config.allow_proxy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_mode_allows_private_hosts_and_keeps_the_roots() {
        let config = SourcesConfig {
            path_roots: vec![PathBuf::from("/srv/code")],
            single_tenant: true,
            ..SourcesConfig::default()
        };
        let server = SourcePolicy::from_config(&config, false);
        assert_eq!(server.path_roots, vec![PathBuf::from("/srv/code")]);
        assert!(!server.allow_private_hosts && !server.local_mode);
        let local = SourcePolicy::from_config(&config, true);
        assert!(local.allow_private_hosts && local.local_mode);
        assert_eq!(local.path_roots, server.path_roots);
    }

    /// Issue 16 point 3: a tenant's policy holds its own roots only; global roots reach every
    /// tenant only on a single-tenant install.
    #[test]
    fn a_tenants_policy_holds_its_roots_only() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let mut config = SourcesConfig {
            path_roots: vec![PathBuf::from("/srv/all")],
            tenant_roots: [(a.to_string(), vec![PathBuf::from("/srv/a")])].into(),
            ..SourcesConfig::default()
        };
        assert_eq!(SourcePolicy::for_tenant(&config, false, a).path_roots, vec![PathBuf::from("/srv/a")]);
        assert!(SourcePolicy::for_tenant(&config, false, b).path_roots.is_empty());
        assert!(SourcePolicy::from_config(&config, false).path_roots.is_empty());
        config.single_tenant = true;
        assert_eq!(SourcePolicy::for_tenant(&config, false, b).path_roots, vec![PathBuf::from("/srv/all")]);
    }
}
