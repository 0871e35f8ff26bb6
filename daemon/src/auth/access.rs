//! What an endpoint requires: the one table handlers and the authorization matrix test share.

use cairn_sdk::types::{Role, Scope};

/// The requirement of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Public,
    /// Any authenticated caller, tenant or not.
    User,
    /// The caller's own account (linked identities, notification preferences). Reads take any
    /// credential; writes take an access token or an API key with the `admin` scope, so a
    /// narrow key (`bom:read` in CI) cannot change the account that owns it.
    Account {
        /// The route changes the account.
        write: bool,
    },
    /// A member of the current tenant with at least `role`; an API key also needs `scope`
    /// (or `admin`).
    Tenant {
        /// Scope an API key needs.
        scope: Scope,
        /// Least role needed.
        role: Role,
    },
    /// An installation operator (others get 404, so the admin surface is not discoverable).
    SuperAdmin,
}

impl Access {
    /// Tenant access at `role` with `scope`.
    pub const fn tenant(scope: Scope, role: Role) -> Self {
        Access::Tenant { scope, role }
    }
}
