//! OAuth / OIDC identities: the provider accounts a user can log in with.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::OAuthIdentityId;
use super::time_fmt::rfc3339;

/// One provider account linked to the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthIdentity {
    /// Id (for unlinking).
    pub id: OAuthIdentityId,
    /// The configured provider name (the `{provider}` of the login URL).
    pub provider: String,
    /// The provider's stable id of the account (`sub`, or GitHub's numeric id).
    pub subject: String,
    /// The email the provider reported when the identity was linked.
    pub email: Option<String>,
    /// When it was linked.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}
