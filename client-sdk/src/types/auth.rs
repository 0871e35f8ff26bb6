//! Identity: registration, login, tokens and the current user.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{InviteId, Role, TenantId, UserId};

/// `POST /auth/register`. With `invite_token` the user joins the inviting tenant; without it (open
/// registration only) a new tenant named `tenant_name` is created with the user as its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Login name; compared case-insensitively.
    pub email: String,
    /// 12 to 1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub password: String,
    /// Shown in the UI; defaults to the email.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub display_name: Option<String>,
    /// Name of the tenant to create (open registration without an invitation).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub tenant_name: Option<String>,
    /// Invitation token from `POST /invites`.
    #[serde(default)]
    pub invite_token: Option<String>,
}

/// `POST /auth/register` answered 202: a registration token was mailed to the address if it has
/// no account yet (its owner was told of the attempt otherwise). The answer is the same either
/// way, so it does not reveal which addresses have accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationPending {
    /// Seconds the mailed token works (`POST /auth/register/verify`).
    pub token_expires_in: u64,
}

/// `POST /auth/register/verify`: completes an open registration with the mailed token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyRegistrationRequest {
    /// The token from the mail (`crg_…`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
}

/// `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `POST /auth/refresh`: trade a refresh token for a new pair (the old one stops working).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// `POST /auth/logout`: revoke the refresh token's whole family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token to revoke.
    pub refresh_token: String,
}

/// Tokens after login, register or refresh (OAuth2 token response shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use refresh token.
    pub refresh_token: String,
}

/// A user account as others see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Operator of the whole installation.
    pub super_admin: bool,
    /// Deactivated users cannot log in and their keys stop working.
    pub active: bool,
    /// When the account was created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A tenant the user belongs to and the role held there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantMembership {
    /// Tenant id (the value for `X-Tenant`).
    pub tenant_id: TenantId,
    /// Tenant slug (also accepted by `X-Tenant`).
    pub slug: String,
    /// Tenant display name.
    pub name: String,
    /// Role in that tenant.
    pub role: Role,
}

/// `GET /auth/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The caller.
    pub user: User,
    /// Every tenant the caller belongs to.
    pub tenants: Vec<TenantMembership>,
    /// The tenant this request acted in (from `X-Tenant`, else the only or first membership).
    pub current_tenant: Option<TenantId>,
    /// Scopes when the caller authenticated with an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_scopes: Option<Vec<super::Scope>>,
}

/// `POST /invites`: invite an email address into the current tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvite {
    /// Who may accept it.
    pub email: String,
    /// Role granted on acceptance (not `owner`).
    pub role: Role,
}

/// A created invitation; `token` is shown only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvite {
    /// Id.
    pub id: InviteId,
    /// Invited address.
    pub email: String,
    /// Role granted.
    pub role: Role,
    /// The secret to pass as `invite_token` to `/auth/register`.
    pub token: String,
    /// When it stops working.
    #[serde(with = "rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `POST /auth/forgot-password`: mail a reset token if the account exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// Login name.
    pub email: String,
}

/// `POST /auth/reset-password`: set a new password with a mailed token (single use).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the mail.
    pub token: String,
    /// The new password, 12 to 1024 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub password: String,
}
