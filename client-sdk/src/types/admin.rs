//! Administration wire types: users as operators see them, teams and team members.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::{TeamId, UserId};

/// A user with the fields an operator needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserAdmin {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Operator of the installation.
    pub super_admin: bool,
    /// Can log in.
    pub active: bool,
    /// Created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last login.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_login_at: Option<OffsetDateTime>,
}

/// A team inside the current tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    /// Id.
    pub id: TeamId,
    /// Unique within the tenant.
    pub name: String,
    /// Number of members.
    pub member_count: i64,
    /// Row version (`ETag`).
    pub version: i64,
    /// Created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `POST /admin/teams`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    /// 1-100 characters.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub name: String,
}

/// `PATCH /admin/teams/{id}` (needs `If-Match`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    /// New name.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 100))]
    pub name: String,
}

/// `POST /admin/teams/{id}/members`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTeamMember {
    /// A member of the team's tenant.
    pub user_id: UserId,
}

/// A member of a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// The user.
    pub user_id: UserId,
    /// Their login name.
    pub email: String,
    /// Added.
    #[serde(with = "rfc3339")]
    pub added_at: OffsetDateTime,
}

/// `PATCH /admin/users/{id}/role`: grant or withdraw the installation operator flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRole {
    /// Operator of the installation.
    pub super_admin: bool,
}

/// `POST /admin/users/{id}/password-reset`: a reset link was mailed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetIssued {
    /// Where the link went.
    pub email: String,
    /// When the link stops working.
    #[serde(with = "rfc3339")]
    pub expires_at: OffsetDateTime,
}
