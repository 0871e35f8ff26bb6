//! Typed ids: one newtype per resource, so a project id cannot be passed where a user id goes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A tenant (an organisation; every row belongs to one).
    TenantId,
    /// A user account.
    UserId,
    /// A team inside a tenant.
    TeamId,
    /// An API key.
    ApiKeyId,
    /// A project.
    ProjectId,
    /// A version (release) of a project.
    VersionId,
    /// A scan.
    ScanId,
    /// An invitation to join a tenant.
    InviteId,
    /// A link between a user and an account at an OAuth / OIDC provider.
    OAuthIdentityId,
    /// A tenant's git credential (for cloning private repositories).
    GitCredentialId,
    /// A tenant's registry credential (for pulling private images).
    RegistryCredentialId,
    /// An event (receivers of webhooks and notifications dedupe on it).
    EventId,
    /// A triage rule (triage applied to matching findings across projects).
    TriageRuleId,
    /// One import of a VEX document into a project.
    VexImportId,
    /// A notification.
    NotificationId,
    /// A tenant's outbound webhook.
    WebhookId,
    /// A stored policy (its revisions share the id).
    PolicyId,
    /// An approval: a request for an exception to a gate's violation.
    ApprovalId,
    /// One event (or ping) queued for one webhook; sent again with the same id on each retry.
    WebhookDeliveryId,
    /// A CVE watch (an advisory or package watched across the tenant's projects).
    CveWatchId,
    /// One hit of a CVE watch.
    CveWatchHitId,
    /// A feature request (feedback to the operators).
    FeatureRequestId,
);
