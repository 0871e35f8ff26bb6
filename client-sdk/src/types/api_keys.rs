//! API keys: scoped, hashed at rest, shown once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ApiKeyId;
use super::time_fmt::{rfc3339, rfc3339_opt};

/// What an API key may do. A key acts with the intersection of its scopes and its owner's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read projects and versions.
    #[serde(rename = "project:read")]
    ProjectRead,
    /// Create, edit and delete projects and versions.
    #[serde(rename = "project:write")]
    ProjectWrite,
    /// Read scans and their results.
    #[serde(rename = "scan:read")]
    ScanRead,
    /// Start and cancel scans.
    #[serde(rename = "scan:write")]
    ScanWrite,
    /// Triage findings.
    #[serde(rename = "finding:triage")]
    FindingTriage,
    /// Download BOMs.
    #[serde(rename = "bom:read")]
    BomRead,
    /// Upload SBOMs.
    #[serde(rename = "sbom:write")]
    SbomWrite,
    /// Manage webhooks.
    #[serde(rename = "webhook:write")]
    WebhookWrite,
    /// Everything the owner's role allows, including administration.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 9] = [
        Scope::ProjectRead,
        Scope::ProjectWrite,
        Scope::ScanRead,
        Scope::ScanWrite,
        Scope::FindingTriage,
        Scope::BomRead,
        Scope::SbomWrite,
        Scope::WebhookWrite,
        Scope::Admin,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ProjectRead => "project:read",
            Scope::ProjectWrite => "project:write",
            Scope::ScanRead => "scan:read",
            Scope::ScanWrite => "scan:write",
            Scope::FindingTriage => "finding:triage",
            Scope::BomRead => "bom:read",
            Scope::SbomWrite => "sbom:write",
            Scope::WebhookWrite => "webhook:write",
            Scope::Admin => "admin",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// Live keys are for production; test keys are marked so they are easy to tell apart in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyEnvironment {
    /// `crn_live_…`
    #[default]
    Live,
    /// `crn_test_…`
    Test,
}

/// `POST /api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// A label for the owner.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub name: String,
    /// At least one scope.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<Scope>,
    /// Optional expiry (RFC 3339, in the future).
    #[serde(default, with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<OffsetDateTime>,
    /// `live` (default) or `test`.
    #[serde(default)]
    pub environment: ApiKeyEnvironment,
}

/// An API key without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Label.
    pub name: String,
    /// The public part, `crn_live_<lookup>`, to recognise the key.
    pub prefix: String,
    /// Scopes.
    pub scopes: Vec<Scope>,
    /// Created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Expiry, if any.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<OffsetDateTime>,
    /// Last successful use.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The answer to `POST /api-keys`: the only time the full key is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    /// The stored key.
    pub key: ApiKey,
    /// The full secret `crn_live_<16>_<32>`; not retrievable later.
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn scope_wire_names_match_as_str_and_parse() {
        for scope in Scope::ALL {
            let wire = serde_json::to_value(scope).expect("serialize");
            assert_eq!(wire, scope.as_str());
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("root"), None);
        assert!(serde_json::from_str::<Scope>("\"project:delete\"").is_err());
    }
}
