//! Stored policies: `cairn-policy/1` documents kept by the daemon with every revision, and which
//! policy a project's gate uses (the project's own, else the tenant default, else the built-in
//! default).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{PolicyId, ProjectId, UserId};

/// A stored policy at its current revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredPolicy {
    /// Id (stable across revisions).
    pub id: PolicyId,
    /// The document's own `id` (unique in the tenant; gates name it).
    pub key: String,
    /// The document's `name`, when it has one.
    pub name: Option<String>,
    /// The current revision: 1 on creation, one more per `PUT`; also the `ETag`.
    pub revision: u32,
    /// The document as submitted (TOML or JSON).
    pub document: String,
    /// Who made it (absent once that user is deleted).
    pub created_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Who wrote the current revision.
    pub updated_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One revision of a stored policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyRevision {
    /// The policy.
    pub policy_id: PolicyId,
    /// The revision.
    pub revision: u32,
    /// The document of that revision.
    pub document: String,
    /// Who wrote it.
    pub created_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `POST /policies` and `PUT /policies/{id}`: a `cairn-policy/1` document, TOML or JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// The document (docs/policies.md); checked by the engine, errors name the rule and field.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 262144))]
    pub document: String,
}

/// `PUT /projects/{id}/policy` and `PUT /default-policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignPolicy {
    /// The stored policy.
    pub policy_id: PolicyId,
}

/// Where the policy a gate uses comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PolicySource {
    /// Assigned to the project.
    Project,
    /// The tenant's default.
    TenantDefault,
    /// Nothing assigned: the built-in default (`config/policy.default.toml`).
    Builtin,
}

/// The policy a project's gate uses (or, for `/default-policy`, the tenant's default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyAssignment {
    /// The project (absent for the tenant default).
    pub project_id: Option<ProjectId>,
    /// Where the policy comes from.
    pub source: PolicySource,
    /// The stored policy; absent for the built-in default.
    pub policy: Option<StoredPolicy>,
}
