//! `Principal`: the authenticated caller (a user via JWT, or a user's API key) and its tenant.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use cairn_sdk::types::{ApiKeyId, Role, Scope, TenantId, TenantMembership};

use super::access::Access;
use super::api_key;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{KeyPrincipal, StoreError, UserRecord};

/// How stale an API key's `last_used_at` may be before a use writes it again.
const LAST_USED_PRECISION: time::Duration = time::Duration::minutes(1);

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An access token.
    Jwt,
    /// An API key with these scopes.
    ApiKey {
        /// Key id.
        id: ApiKeyId,
        /// Its scopes.
        scopes: Vec<Scope>,
        /// When it stops working (keys it mints may not outlive it).
        expires_at: Option<time::OffsetDateTime>,
    },
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user (an API key acts as its owner).
    pub user: UserRecord,
    /// How they authenticated.
    pub credential: Credential,
    /// Every tenant the user belongs to.
    pub memberships: Vec<TenantMembership>,
    /// The tenant this request acts in, with the caller's role there.
    pub tenant: Option<(TenantId, Role)>,
}

/// The tenant a request acts in, after the access check.
#[derive(Debug, Clone, Copy)]
pub struct TenantContext {
    /// The tenant.
    pub tenant: TenantId,
    /// The caller's role in it.
    pub role: Role,
}

impl Principal {
    /// Checks `access` and returns the tenant when it requires one.
    pub fn check(&self, access: Access) -> Result<Option<TenantContext>, ApiError> {
        match access {
            Access::Public | Access::User | Access::Account { write: false } => {
                Ok(self.tenant.map(|(tenant, role)| TenantContext { tenant, role }))
            }
            Access::Account { write: true } => {
                if let Credential::ApiKey { scopes, .. } = &self.credential
                    && !scopes.contains(&Scope::Admin)
                {
                    return Err(ApiError::new(
                        Kind::InsufficientScope,
                        "changing your account with an API key needs the admin scope",
                    ));
                }
                Ok(self.tenant.map(|(tenant, role)| TenantContext { tenant, role }))
            }
            Access::Tenant { scope, role } => self.tenant_access(scope, role).map(Some),
            Access::SuperAdmin => {
                let scoped = match &self.credential {
                    Credential::Jwt => true,
                    Credential::ApiKey { scopes, .. } => scopes.contains(&Scope::Admin),
                };
                if self.user.super_admin && scoped {
                    Ok(self.tenant.map(|(tenant, role)| TenantContext { tenant, role }))
                } else {
                    Err(ApiError::bare(Kind::RouteNotFound))
                }
            }
        }
    }

    /// The current tenant if the caller's role and (for keys) scopes allow `scope` at `role`.
    pub fn tenant_access(&self, scope: Scope, role: Role) -> Result<TenantContext, ApiError> {
        let Some((tenant, held)) = self.tenant else {
            return Err(ApiError::new(Kind::Forbidden, "you belong to no tenant"));
        };
        if let Credential::ApiKey { scopes, .. } = &self.credential
            && !scopes.contains(&scope)
            && !scopes.contains(&Scope::Admin)
        {
            return Err(ApiError::new(
                Kind::InsufficientScope,
                format!("this API key lacks the {} scope", scope.as_str()),
            ));
        }
        if held < role {
            return Err(ApiError::new(
                Kind::Forbidden,
                format!("needs the {} role or higher", role.as_str()),
            ));
        }
        Ok(TenantContext { tenant, role: held })
    }

    /// The API key id, when the caller used one.
    pub fn api_key_id(&self) -> Option<ApiKeyId> {
        match &self.credential {
            Credential::ApiKey { id, .. } => Some(*id),
            Credential::Jwt => None,
        }
    }

    /// Resolves the caller from the request headers: `Ok(None)` when no credentials were sent.
    pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
        let value = value.to_str().map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("expected `Authorization: Bearer <token>`"))?;
        // The key or the user, with the memberships, in one statement: this runs on every request.
        let (user, credential, key_tenant, memberships, token_version) = if token.starts_with("crn_") {
            let (lookup, secret) =
                api_key::parse(token).ok_or_else(|| ApiError::unauthorized("malformed API key"))?;
            let KeyPrincipal { key, owner } = match state.store.principal_by_api_key(lookup).await {
                Ok(k) => k,
                Err(StoreError::NotFound) => return Err(ApiError::unauthorized("unknown API key")),
                Err(e) => return Err(e.into()),
            };
            if !api_key::secret_matches(secret, &key.secret_hash) {
                return Err(ApiError::unauthorized("unknown API key"));
            }
            if key.revoked_at.is_some() {
                return Err(ApiError::unauthorized("this API key was revoked"));
            }
            if key.expires_at.is_some_and(|t| t <= time::OffsetDateTime::now_utc()) {
                return Err(ApiError::unauthorized("this API key has expired"));
            }
            // A write per request would serialize every key's reads behind SQLite's write lock:
            // "last used" is recorded to the minute.
            let now = time::OffsetDateTime::now_utc();
            if key.wire.last_used_at.is_none_or(|t| now - t >= LAST_USED_PRECISION) {
                state.store.api_key_touch(key.tenant_id, key.id).await?;
            }
            let Some((user, memberships)) = owner else {
                return Err(ApiError::unauthorized("unknown user"));
            };
            let credential =
                Credential::ApiKey { id: key.id, scopes: key.scopes, expires_at: key.expires_at };
            (user, credential, Some(key.tenant_id), memberships, None)
        } else {
            let claims = state
                .jwt
                .verify(token)
                .ok_or_else(|| ApiError::unauthorized("invalid or expired access token"))?;
            let (user, memberships) = match state.store.principal_by_user(claims.user).await {
                Ok(u) => u,
                Err(StoreError::NotFound) => return Err(ApiError::unauthorized("unknown user")),
                Err(e) => return Err(e.into()),
            };
            (user, Credential::Jwt, None, memberships, Some(claims.version))
        };
        if !user.active {
            return Err(ApiError::unauthorized("this account is deactivated"));
        }
        // The user row is read on every request anyway, so the version check costs nothing and
        // is never stale, on any replica.
        if token_version.is_some_and(|v| v != user.token_version) {
            return Err(ApiError::unauthorized(
                "this session has ended (password changed or account deactivated)",
            ));
        }
        let wanted = match headers.get("x-tenant") {
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| ApiError::field("header.X-Tenant", "must be a tenant id or slug"))?
                    .trim()
                    .to_owned(),
            ),
            None => None,
        };
        let pick = |m: &&TenantMembership| match (&wanted, key_tenant) {
            (Some(w), Some(k)) => m.tenant_id == k && (m.tenant_id.to_string() == *w || m.slug == *w),
            (Some(w), None) => m.tenant_id.to_string() == *w || m.slug == *w,
            (None, Some(k)) => m.tenant_id == k,
            (None, None) => true,
        };
        let tenant = memberships.iter().find(pick).map(|m| (m.tenant_id, m.role));
        if wanted.is_some() && tenant.is_none() {
            return Err(ApiError::new(Kind::NotFound, "X-Tenant names no tenant you belong to"));
        }
        if key_tenant.is_some() && tenant.is_none() {
            return Err(ApiError::unauthorized("the key's owner no longer belongs to its tenant"));
        }
        Ok(Some(Principal { user, credential, memberships, tenant }))
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(p.clone());
        }
        let principal = Principal::authenticate(state, &parts.headers)
            .await?
            .ok_or_else(|| ApiError::unauthorized("authentication required"))?;
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}
