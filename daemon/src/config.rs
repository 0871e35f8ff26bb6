//! Configuration: defaults, then the TOML file, then `CAIRN_*` environment variables, then flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::sources::config::SourcesConfig;

/// How new accounts come to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistrationMode {
    /// Anyone may register; without an invitation they get a tenant of their own.
    Open,
    /// Registration needs an invitation token.
    InviteOnly,
    /// Only `cairnd admin create-user` makes accounts.
    Closed,
}

impl RegistrationMode {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "invite-only" => Self::InviteOnly,
            "closed" => Self::Closed,
            _ => return None,
        })
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Requests per minute per client, by class (uploads arrive with their endpoints).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Login, token and registration attempts per IP.
    pub login_per_minute: u32,
    /// GET/HEAD requests per credential (or IP when anonymous).
    pub reads_per_minute: u32,
    /// Other requests per credential (or IP when anonymous).
    pub writes_per_minute: u32,
    /// `/scans/upload` and `/sboms/ingest` per credential (or IP), per hour.
    pub uploads_per_hour: u32,
    /// `/api/health`, `/healthz` and `/readyz` per IP: generous, so an orchestrator probing every
    /// second never meets it, while a flood of probes cannot keep the database busy.
    pub health_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_minute: 5,
            reads_per_minute: 300,
            writes_per_minute: 60,
            uploads_per_hour: 50,
            health_per_minute: 1200,
        }
    }
}

/// `[quotas]`: what one tenant may hold of the shared daemon at once, so one team cannot starve
/// the others. A refusal is a 429 `QUOTA_EXCEEDED` naming the quota (`errors[0].field`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quotas {
    /// Scans of one tenant waiting in the queue (not yet running); 0 = no limit.
    pub queued_scans: u32,
    /// Uploads (`/scans/upload`, `/sboms/ingest`) of one tenant being received at once, per
    /// replica; 0 = no limit.
    pub concurrent_uploads: u32,
    /// Uploads of one tenant per hour, all its members and keys together (shared across replicas
    /// on Postgres); 0 = no limit.
    pub uploads_per_hour: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self { queued_scans: 100, concurrent_uploads: 4, uploads_per_hour: 200 }
    }
}

/// The daemon's settings after every source is applied.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (the bound address is printed).
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// `open`, `invite-only` or `closed`.
    pub registration: RegistrationMode,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Bearer token that may read `/metrics` (besides super admins); unset = super admins only.
    pub metrics_token: Option<String>,
    /// JWT signing secret (at least 32 bytes); see `jwt_secret_file` and [`crate::auth::jwt_secret`].
    pub jwt_secret: Option<String>,
    /// A file holding the JWT signing secret; unset with SQLite = a 0600 `jwt_secret` file
    /// generated beside the database; unset with Postgres = refuse to start.
    pub jwt_secret_file: Option<PathBuf>,
    /// A file holding the key that encrypts tenants' git credentials (32 raw bytes or 64 hex
    /// digits); unset = git credentials cannot be stored and clones are anonymous.
    pub git_credentials_key_file: Option<PathBuf>,
    /// Outgoing mail.
    pub mail: crate::mail::MailConfig,
    /// Rate limits.
    pub rate_limits: RateLimits,
    /// Per-tenant quotas.
    pub quotas: Quotas,
    /// If set, `serve` writes the bound address to this file once listening (for supervisors and tests).
    pub address_file: Option<PathBuf>,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_grace_secs: u64,
    /// Vulnerability data: mirror, schedule, freshness.
    pub vulndb: crate::vulndb::config::VulnDbConfig,
    /// OAuth / OIDC login providers.
    pub oauth: crate::auth::oauth::OAuthConfig,
    /// Where scans may come from and how big they may be.
    pub sources: SourcesConfig,
    /// Set by `cairn`'s local mode (never from the file): the per-user daemon may scan any path
    /// its user can read and loopback git URLs.
    #[serde(skip)]
    pub local_mode: bool,
    /// Local mode: the 0600 file the daemon hands its administrator's API key over in (see
    /// [`crate::local`]); not settable from the configuration file.
    #[serde(skip)]
    pub local_key_file: Option<PathBuf>,
    /// The scan queue.
    pub scans: crate::jobs::config::ScansConfig,
    /// The public CBOM demo (`POST /api/v1/cbom/demo`).
    pub cbom_demo: crate::demo::DemoConfig,
    /// Where uploads wait for their scan.
    pub uploads: crate::uploads::UploadsConfig,
    /// Outbound webhooks: targets allowed, retries, health.
    pub webhooks: crate::webhooks::config::WebhooksConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8440)),
            database_url: default_database_url(),
            registration: RegistrationMode::InviteOnly,
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            metrics_token: None,
            jwt_secret: None,
            jwt_secret_file: None,
            git_credentials_key_file: None,
            mail: Default::default(),
            rate_limits: RateLimits::default(),
            quotas: Quotas::default(),
            address_file: None,
            shutdown_grace_secs: 10,
            vulndb: Default::default(),
            oauth: Default::default(),
            sources: SourcesConfig::default(),
            local_mode: false,
            local_key_file: None,
            scans: Default::default(),
            cbom_demo: Default::default(),
            uploads: Default::default(),
            webhooks: Default::default(),
        }
    }
}

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}: {source}")]
    Parse {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: Box<toml::de::Error>,
    },
    /// The `[oauth]` settings are inconsistent.
    #[error("{0}")]
    OAuth(String),
    /// An environment variable has a bad value.
    #[error("{var}: {message}")]
    Env {
        /// Which variable.
        var: &'static str,
        /// Why.
        message: String,
    },
}

/// Values given on the command line (they win over everything).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `--address-file`.
    pub address_file: Option<PathBuf>,
}

impl Config {
    /// Defaults, then `file`, then the environment (`env` looks variables up), then `flags`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source: Box::new(source),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(&env)?;
        config.oauth.finish(&env).map_err(ConfigError::OAuth)?;
        if let Some(listen) = flags.listen {
            config.listen = listen;
        }
        if let Some(url) = &flags.database_url {
            config.database_url = url.clone();
        }
        if let Some(format) = flags.log_format {
            config.log_format = format;
        }
        if let Some(path) = &flags.address_file {
            config.address_file = Some(path.clone());
        }
        Ok(config)
    }

    fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(var: &'static str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env { var, message: e.to_string() })
        }
        if let Some(v) = env("CAIRN_LISTEN") {
            self.listen = parse("CAIRN_LISTEN", &v)?;
        }
        if let Some(v) = env("CAIRN_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = env("CAIRN_REGISTRATION") {
            self.registration = RegistrationMode::parse(&v).ok_or(ConfigError::Env {
                var: "CAIRN_REGISTRATION",
                message: "expected open, invite-only or closed".into(),
            })?;
        }
        if let Some(v) = env("CAIRN_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Env {
                        var: "CAIRN_LOG_FORMAT",
                        message: "expected text or json".into(),
                    });
                }
            };
        }
        if let Some(v) = env("CAIRN_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("CAIRN_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = env("CAIRN_METRICS_TOKEN") {
            self.metrics_token = Some(v);
        }
        if let Some(v) = env("CAIRN_JWT_SECRET") {
            self.jwt_secret = Some(v);
        }
        if let Some(v) = env("CAIRN_JWT_SECRET_FILE") {
            self.jwt_secret_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("CAIRN_GIT_CREDENTIALS_KEY_FILE") {
            self.git_credentials_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("CAIRN_MAIL_PICKUP_DIR") {
            self.mail.pickup_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("CAIRN_RATE_LIMITS_LOGIN_PER_MINUTE") {
            self.rate_limits.login_per_minute = parse("CAIRN_RATE_LIMITS_LOGIN_PER_MINUTE", &v)?;
        }
        if let Some(v) = env("CAIRN_RATE_LIMITS_READS_PER_MINUTE") {
            self.rate_limits.reads_per_minute = parse("CAIRN_RATE_LIMITS_READS_PER_MINUTE", &v)?;
        }
        if let Some(v) = env("CAIRN_RATE_LIMITS_WRITES_PER_MINUTE") {
            self.rate_limits.writes_per_minute = parse("CAIRN_RATE_LIMITS_WRITES_PER_MINUTE", &v)?;
        }
        if let Some(v) = env("CAIRN_RATE_LIMITS_UPLOADS_PER_HOUR") {
            self.rate_limits.uploads_per_hour = parse("CAIRN_RATE_LIMITS_UPLOADS_PER_HOUR", &v)?;
        }
        if let Some(v) = env("CAIRN_SHUTDOWN_GRACE_SECS") {
            self.shutdown_grace_secs = parse("CAIRN_SHUTDOWN_GRACE_SECS", &v)?;
        }
        if let Some(v) = env("CAIRN_WEBHOOKS_ALLOW_PRIVATE_TARGETS") {
            self.webhooks.allow_private_targets = parse("CAIRN_WEBHOOKS_ALLOW_PRIVATE_TARGETS", &v)?;
        }
        self.vulndb.apply_env(&env)?;
        Ok(())
    }
}

/// `sqlite://<XDG data dir>/cairn/cairnd.db`, or `./cairnd.db` when no home is known.
pub fn default_database_url() -> String {
    let dir = directories::ProjectDirs::from("", "", "cairn")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    format!("sqlite://{}", dir.join("cairnd.db").display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_file_then_env_then_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:1\"\ndatabase_url = \"sqlite://file.db\"\nregistration = \"open\"\n",
        )
        .expect("write");
        let env = |k: &str| match k {
            "CAIRN_DATABASE_URL" => Some("sqlite://env.db".to_string()),
            "CAIRN_LISTEN" => Some("127.0.0.1:2".to_string()),
            _ => None,
        };
        let flags = Overrides { listen: Some("127.0.0.1:3".parse().expect("addr")), ..Overrides::default() };
        let c = Config::load(Some(&file), env, &flags).expect("config");
        assert_eq!(c.listen.port(), 3);
        assert_eq!(c.database_url, "sqlite://env.db");
        assert_eq!(c.registration, RegistrationMode::Open);
    }

    #[test]
    fn unknown_keys_and_bad_env_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "listne = \"x\"\n").expect("write");
        assert!(Config::load(Some(&file), |_| None, &Overrides::default()).is_err());
        let env = |k: &str| (k == "CAIRN_REGISTRATION").then(|| "sometimes".to_string());
        assert!(Config::load(None, env, &Overrides::default()).is_err());
    }

    #[test]
    fn the_git_credentials_key_file_comes_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "git_credentials_key_file = \"/etc/cairn/git.key\"\n").expect("write");
        let c = Config::load(Some(&file), |_| None, &Overrides::default()).expect("config");
        assert_eq!(c.git_credentials_key_file.as_deref(), Some(Path::new("/etc/cairn/git.key")));
        let env = |k: &str| (k == "CAIRN_GIT_CREDENTIALS_KEY_FILE").then(|| "/run/git.key".to_string());
        let c = Config::load(Some(&file), env, &Overrides::default()).expect("config");
        assert_eq!(c.git_credentials_key_file.as_deref(), Some(Path::new("/run/git.key")));
    }

    #[test]
    fn example_config_parses() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/cairnd.example.toml");
        Config::load(Some(&example), |_| None, &Overrides::default()).expect("example config");
    }
}
