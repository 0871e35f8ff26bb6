//! Profiles in `config.toml`: a server URL and a reference to a credential kept in the keyring.
//! Never a secret in this file.
//!
//! ```toml
//! default = "work"
//! [profiles.work]
//! server = "https://cairn.example.com"
//! credential = "api-key"   # or "session"
//!
//! [keys]                    # the dashboard's keys (docs/dashboard.md)
//! cancel-scan = "ctrl-x"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What kind of secret a profile's credential reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// An API key.
    ApiKey,
    /// Access and refresh tokens from an email login (stored as JSON).
    Session,
}

/// One server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Base URL of the daemon.
    pub server: String,
    /// Which kind of secret the keyring holds for it.
    pub credential: CredentialKind,
    /// Who logged in (shown by `cairn status`; not a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when none is named; absent = local mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// The dashboard's keys replacing its built-in ones, by action (checked when it starts).
    #[serde(default, skip_serializing_if = "crate::dash::keys::KeyOverrides::is_empty")]
    pub keys: crate::dash::keys::KeyOverrides,
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("reading {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes the file (through a temp file and a rename).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, toml::to_string_pretty(self)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }

    /// The profile named `name`, or the default one; `None` means local mode.
    pub fn active(&self, name: Option<&str>) -> anyhow::Result<Option<(String, Profile)>> {
        match name.or(self.default.as_deref()) {
            None => Ok(None),
            Some(n) => match self.profiles.get(n) {
                Some(p) => Ok(Some((n.to_owned(), p.clone()))),
                None => anyhow::bail!("no profile named {n:?} (see `cairn login`)"),
            },
        }
    }
}

/// The keyring account of a profile's secret: unique per configuration file and profile.
pub fn secret_account(config_file: &Path, profile: &str) -> String {
    format!("profile:{profile}@{}", config_file.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_without_secrets_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        assert_eq!(ConfigFile::load(&path).expect("missing = empty"), ConfigFile::default());
        let mut c = ConfigFile::default();
        c.profiles.insert(
            "work".into(),
            Profile {
                server: "https://cairn.example.com".into(),
                credential: CredentialKind::ApiKey,
                email: None,
            },
        );
        c.default = Some("work".into());
        c.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("credential = \"api-key\"") && !text.contains("crn_"), "{text}");
        let back = ConfigFile::load(&path).expect("load");
        assert_eq!(back, c);
        assert_eq!(back.active(None).expect("active").map(|(n, _)| n).as_deref(), Some("work"));
        assert!(back.active(Some("nope")).is_err());
        std::fs::write(&path, "token = \"crn_live_x\"\n").expect("write");
        assert!(ConfigFile::load(&path).is_err(), "unknown keys (a pasted secret) are refused");
    }

    #[test]
    fn the_dashboards_keys_survive_a_save() {
        // `cairn login` rewrites the file: a [keys] table must come back as written.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[keys]\ncancel-scan = \"ctrl-x\"\ndown = [\"j\", \"ctrl-n\"]\n")
            .expect("write");
        let c = ConfigFile::load(&path).expect("load");
        assert_eq!(c.keys.0.len(), 2);
        c.save(&path).expect("save");
        assert_eq!(ConfigFile::load(&path).expect("reload"), c);
    }
}
