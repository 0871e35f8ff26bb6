//! `[mail]` settings: the transport (an SMTP server, or a pickup directory) and how long a mail
//! that cannot be delivered is tried again.

use std::path::PathBuf;

use serde::Deserialize;

/// `[mail]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// `[mail.smtp]`: deliver through this SMTP server (it wins over `pickup_dir`).
    pub smtp: Option<SmtpConfig>,
    /// Directory mails are delivered to as `<id>.eml` files, for a local MTA or pickup agent.
    /// With neither this nor `smtp`, mail stays in the outbox and mails carrying a secret
    /// (password resets, registration tokens) reach no one.
    pub pickup_dir: Option<PathBuf>,
    /// Delay before the first retry of a failed delivery; it doubles per attempt, up to an hour.
    pub retry_base_secs: u64,
    /// How long after queueing a mail is tried before it is given up (it stays in the outbox).
    pub retry_for_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self { smtp: None, pickup_dir: None, retry_base_secs: 30, retry_for_secs: 24 * 3_600 }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required (default port 587).
    #[default]
    Starttls,
    /// TLS from the first byte ("SMTPS", default port 465).
    Tls,
    /// No encryption (default port 25): a relay on the same host or a trusted network only;
    /// credentials and mail (reset tokens included) cross the wire in clear.
    None,
}

/// `[mail.smtp]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Server host name (checked against its certificate with TLS).
    pub host: String,
    /// Port; by default 587 (`starttls`), 465 (`tls`) or 25 (`none`).
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: SmtpTls,
    /// User name to authenticate as; unset = no authentication.
    #[serde(default)]
    pub username: Option<String>,
    /// Environment variable holding the password (never the password itself in the file).
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (its first line).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The sender, `Cairn <cairn@example.com>` or a bare address.
    pub from: String,
    /// Seconds one SMTP conversation may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    30
}

impl SmtpConfig {
    /// The port in use.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        })
    }

    /// The password, read from `password_env` or `password_file`; an error names what is missing.
    pub fn password(&self, env: impl Fn(&str) -> Option<String>) -> Result<Option<String>, String> {
        match (&self.password_env, &self.password_file) {
            (Some(_), Some(_)) => Err("mail.smtp: set password_env or password_file, not both".into()),
            (Some(var), None) => env(var)
                .filter(|v| !v.is_empty())
                .map(Some)
                .ok_or_else(|| format!("mail.smtp.password_env: the variable {var} is unset or empty")),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("mail.smtp.password_file: cannot read {}: {e}", path.display()))?;
                let line = text.lines().next().unwrap_or("").to_owned();
                if line.is_empty() {
                    return Err(format!("mail.smtp.password_file: {} is empty", path.display()));
                }
                Ok(Some(line))
            }
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(toml_text: &str) -> SmtpConfig {
        let config: MailConfig = toml::from_str(toml_text).expect("parses");
        config.smtp.expect("smtp")
    }

    #[test]
    fn ports_follow_the_tls_mode_and_passwords_come_from_env_or_file() {
        let s = smtp("[smtp]\nhost = \"mail.example.com\"\nfrom = \"cairn@example.com\"\n");
        assert_eq!((s.tls, s.port()), (SmtpTls::Starttls, 587));
        assert_eq!(s.password(|_| None), Ok(None));
        let s = smtp("[smtp]\nhost = \"h\"\nfrom = \"f@x.test\"\ntls = \"tls\"\npassword_env = \"PW\"\n");
        assert_eq!(s.port(), 465);
        assert_eq!(s.password(|v| (v == "PW").then(|| "s3cret".into())), Ok(Some("s3cret".into())));
        assert!(s.password(|_| None).expect_err("unset").contains("PW"));
        let s = smtp("[smtp]\nhost = \"h\"\nfrom = \"f@x.test\"\ntls = \"none\"\nport = 2525\n");
        assert_eq!(s.port(), 2525);
        let bad: Result<MailConfig, _> =
            toml::from_str("[smtp]\nhost = \"h\"\nfrom = \"f@x.test\"\ntls = \"ssl\"\n");
        assert!(bad.is_err(), "an unknown tls mode is refused");
    }
}
