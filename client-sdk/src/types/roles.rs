//! Roles a user holds in a tenant, from most to least powerful.

use serde::{Deserialize, Serialize};

/// A tenant membership role. `Owner` > `Admin` > `Member` > `Viewer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything in the tenant.
    Viewer,
    /// Also creates and edits projects, versions and scans.
    Member,
    /// Also deletes, manages teams, invitations and settings.
    Admin,
    /// Also owns the tenant itself.
    Owner,
}

impl Role {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "viewer" => Role::Viewer,
            "member" => Role::Member,
            "admin" => Role::Admin,
            "owner" => Role::Owner,
            _ => return None,
        })
    }
}
