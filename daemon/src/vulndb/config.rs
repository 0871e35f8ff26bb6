//! `[vulndb]` settings: where updates come from, how often, and when data counts as stale.

use serde::Deserialize;

use crate::config::ConfigError;

/// OSV's public bucket: `{mirror}/{ecosystem}/all.zip`.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems Cairn catalogs, spelled as OSV does.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "crates.io",
    "npm",
    "PyPI",
    "Go",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Pub",
    "Hex",
    "SwiftURL",
    "ConanCenter",
];

/// Vulnerability data settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VulnDbConfig {
    /// Base URL of the OSV mirror (operator config: loopback and private addresses are allowed).
    pub mirror: String,
    /// Ecosystems fetched by `update`.
    pub ecosystems: Vec<String>,
    /// Seconds between scheduled updates; 0 = no schedule (run `cairnd vulndb update`).
    pub update_interval_secs: u64,
    /// Data older than this many seconds is stale (scans and status say so).
    pub stale_after_secs: u64,
    /// Seconds between checks whether another replica changed the data.
    pub reload_interval_secs: u64,
    /// Largest zip downloaded or uploaded, in bytes.
    pub max_download_bytes: u64,
    /// Seconds one download may take, in total.
    pub download_timeout_secs: u64,
}

impl Default for VulnDbConfig {
    fn default() -> Self {
        Self {
            mirror: DEFAULT_MIRROR.into(),
            ecosystems: DEFAULT_ECOSYSTEMS.iter().map(|s| (*s).to_owned()).collect(),
            update_interval_secs: 0,
            stale_after_secs: 7 * 24 * 3600,
            reload_interval_secs: 30,
            max_download_bytes: 2 << 30,
            download_timeout_secs: 1800,
        }
    }
}

impl VulnDbConfig {
    /// `CAIRN_VULNDB_*` variables.
    pub fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num(var: &'static str, v: &str) -> Result<u64, ConfigError> {
            v.parse().map_err(|e: std::num::ParseIntError| ConfigError::Env { var, message: e.to_string() })
        }
        if let Some(v) = env("CAIRN_VULNDB_MIRROR") {
            self.mirror = v;
        }
        if let Some(v) = env("CAIRN_VULNDB_ECOSYSTEMS") {
            self.ecosystems =
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        }
        if let Some(v) = env("CAIRN_VULNDB_UPDATE_INTERVAL_SECS") {
            self.update_interval_secs = num("CAIRN_VULNDB_UPDATE_INTERVAL_SECS", &v)?;
        }
        if let Some(v) = env("CAIRN_VULNDB_STALE_AFTER_SECS") {
            self.stale_after_secs = num("CAIRN_VULNDB_STALE_AFTER_SECS", &v)?;
        }
        if let Some(v) = env("CAIRN_VULNDB_RELOAD_INTERVAL_SECS") {
            self.reload_interval_secs = num("CAIRN_VULNDB_RELOAD_INTERVAL_SECS", &v)?;
        }
        Ok(())
    }

    /// The freshness window.
    pub fn stale_after(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.stale_after_secs).unwrap_or(i64::MAX))
    }

    /// The URL of an ecosystem's zip.
    pub fn zip_url(&self, ecosystem: &str) -> String {
        // Ecosystem names are plain words; a space ("GitHub Actions") is the one character to escape.
        format!("{}/{}/all.zip", self.mirror.trim_end_matches('/'), ecosystem.replace(' ', "%20"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_urls_follow_the_bucket_layout() {
        let c = VulnDbConfig { mirror: "http://127.0.0.1:9/osv/".into(), ..VulnDbConfig::default() };
        assert_eq!(c.zip_url("crates.io"), "http://127.0.0.1:9/osv/crates.io/all.zip");
        assert_eq!(c.zip_url("GitHub Actions"), "http://127.0.0.1:9/osv/GitHub%20Actions/all.zip");
    }

    #[test]
    fn env_overrides_and_rejects_bad_numbers() {
        let mut c = VulnDbConfig::default();
        let env = |k: &str| match k {
            "CAIRN_VULNDB_ECOSYSTEMS" => Some("npm, Go,".to_owned()),
            "CAIRN_VULNDB_STALE_AFTER_SECS" => Some("60".to_owned()),
            _ => None,
        };
        c.apply_env(&env).expect("valid");
        assert_eq!((c.ecosystems.clone(), c.stale_after_secs), (vec!["npm".to_owned(), "Go".to_owned()], 60));
        let bad = |k: &str| (k == "CAIRN_VULNDB_RELOAD_INTERVAL_SECS").then(|| "soon".to_owned());
        assert!(c.apply_env(&bad).is_err());
    }
}
