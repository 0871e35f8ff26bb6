//! Registry credentials: per-tenant logins for pulling private container images. Write-only:
//! the daemon keeps the password sealed and never returns it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{RegistryCredentialId, UserId};

/// A stored registry credential as the API shows it: never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryCredential {
    /// Id.
    pub id: RegistryCredentialId,
    /// The registry it is used for, `host[:port]` as image references name it (`ghcr.io`,
    /// `registry.example.com:5000`, `docker.io`).
    pub registry: String,
    /// The user name.
    pub username: String,
    /// When it was added.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Who added it (`None` once that account is gone).
    pub created_by: Option<UserId>,
}

/// Body of `POST /registry-credentials`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRegistryCredential {
    /// `host[:port]` as image references name the registry.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub registry: String,
    /// The user name (`docker login`'s; cloud registries name a fixed one, e.g. `AWS`).
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 256))]
    pub username: String,
    /// The password or access token.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 16384))]
    pub password: String,
}

// The password never reaches a log through Debug.
impl std::fmt::Debug for CreateRegistryCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateRegistryCredential")
            .field("registry", &self.registry)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}
