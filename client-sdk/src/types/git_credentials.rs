//! Git credentials: per-tenant secrets for cloning private repositories. Write-only: the
//! daemon keeps them encrypted and never returns the token or key.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{GitCredentialId, UserId};

/// What a credential holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GitCredentialKind {
    /// An https token, sent as HTTP basic authentication.
    Token,
    /// An OpenSSH private key, offered to ssh.
    SshKey,
}

impl GitCredentialKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::SshKey => "ssh_key",
        }
    }

    /// The kind named `word`, if any.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "token" => Some(Self::Token),
            "ssh_key" => Some(Self::SshKey),
            _ => None,
        }
    }
}

/// A stored credential as the API shows it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GitCredential {
    /// Id.
    pub id: GitCredentialId,
    /// The host it is used for: an exact host name or address, or `*.example.com` (any
    /// subdomain). The longest matching pattern wins.
    pub host_pattern: String,
    /// Token or ssh key.
    pub kind: GitCredentialKind,
    /// The user name sent with a token (`None` for ssh keys).
    pub username: Option<String>,
    /// When it was added.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Who added it (`None` once that account is gone).
    pub created_by: Option<UserId>,
}

/// Body of `POST /git-credentials`: a host pattern and exactly one of `token` or `ssh_private_key`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateGitCredential {
    /// An exact host (`git.example.com`, `127.0.0.1`) or `*.example.com`.
    pub host: String,
    /// An https token (a personal access token, a deploy token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The user name sent with `token`; default `x-access-token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An OpenSSH private key (PEM, `-----BEGIN OPENSSH PRIVATE KEY-----`), without a passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_private_key: Option<String>,
}

// The secret never reaches a log through Debug.
impl std::fmt::Debug for CreateGitCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateGitCredential")
            .field("host", &self.host)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("username", &self.username)
            .field("ssh_private_key", &self.ssh_private_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}
