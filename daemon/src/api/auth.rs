//! `/auth/*`: register, login (JSON and the OAuth2 password form), refresh, logout, me, and
//! password reset by mailed token. Logins, failed logins, logouts, registrations and resets are
//! audited here.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{
    ForgotPasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest, RegisterRequest,
    RegistrationPending, ResetPasswordRequest, Role, TokenResponse, UserId, VerifyRegistrationRequest,
};
use serde::Deserialize;

use super::audit::record;
use super::conventions::RequestId;
use super::extract::{Form, Json};
use crate::accounts::{NewUser, normalize_email};
use crate::auth::principal::Credential;
use crate::auth::secrets::sha256_hex;
use crate::auth::tokens::{ACCESS_TTL_SECS, REFRESH_TTL, new_refresh_token};
use crate::auth::{Access, Principal, password, password_reset, registration};
use crate::config::RegistrationMode;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{AuditEvent, RefreshOutcome, StoreError};

/// A fresh access token and a new refresh family.
pub(crate) async fn issue(state: &AppState, user: UserId) -> Result<TokenResponse, ApiError> {
    let version = state.store.user_get(user).await?.token_version;
    let access = state.jwt.issue(user, version).map_err(ApiError::internal)?;
    let (refresh, hash) = new_refresh_token();
    state.store.refresh_issue(user, &hash, REFRESH_TTL).await?;
    state.store.user_touch_login(user).await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECS,
        refresh_token: refresh,
    })
}

/// Creates an account (see the `registration` setting). With an invitation the account is made
/// and logged in at once (201). Open registration without one is verified by mail (202, the same
/// answer whether or not the address has an account; see [`registration`]).
#[utoipa::path(post, operation_id = "auth_register", path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, description = "Registered with an invitation and logged in", body = TokenResponse),
        (status = 202, description = "Open registration: a token was mailed to the address (or its owner was told of the attempt)", body = RegistrationPending),
        (status = 400, description = "Invalid fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Registration closed or invitation needed", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken (invitations only: the inviter named the address)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<RegisterRequest>,
) -> Result<Response, ApiError> {
    // The same checks as `cairnd admin create-user`.
    let email = NewUser {
        email: &req.email,
        display_name: req.display_name.as_deref(),
        password: &req.password,
        super_admin: false,
        tenant: req.tenant_name.as_deref(),
    }
    .check()?
    .as_str()
    .to_owned();
    let mode = state.config.registration;
    if mode == RegistrationMode::Closed {
        return Err(ApiError::new(Kind::RegistrationClosed, "accounts are created by an administrator"));
    }
    let invite = match &req.invite_token {
        Some(token) => match state.store.invite_by_token(&sha256_hex(token.as_bytes())).await {
            Ok(inv) if inv.email == email => inv,
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(ApiError::field(
                    "body.invite_token",
                    "unknown, expired, used, or for another email",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        None if mode == RegistrationMode::InviteOnly => {
            return Err(ApiError::new(
                Kind::RegistrationClosed,
                "registration needs an invitation (invite_token)",
            ));
        }
        None => {
            // Hashed on both paths (new and taken address), so both cost one argon2 run.
            let hash = password::hash_async(req.password.clone()).await.map_err(ApiError::internal)?;
            let pending = crate::store::PendingRegistration {
                email,
                display_name: req.display_name.clone(),
                tenant_name: req.tenant_name.clone(),
                password_hash: hash,
            };
            registration::start(&state.store, &state.mailer, &pending).await?;
            let answer = RegistrationPending {
                token_expires_in: registration::REGISTRATION_TTL.whole_seconds() as u64,
            };
            return Ok((StatusCode::ACCEPTED, axum::Json(answer)).into_response());
        }
    };
    let hash = password::hash_async(req.password.clone()).await.map_err(ApiError::internal)?;
    let display = req.display_name.clone().unwrap_or_else(|| email.clone());
    let user = state.store.user_create(&email, &display, Some(&hash), false).await?;
    state.store.invite_accept(invite.id).await?;
    state.store.membership_set(invite.tenant_id, user.id, invite.role).await?;
    let tokens = issue(&state, user.id).await?;
    audit_registration(&state, &user, true, request_id(rid)).await;
    Ok((StatusCode::CREATED, axum::Json(tokens)).into_response())
}

/// Completes an open registration with the mailed token: the account and its personal tenant are
/// created and logged in.
#[utoipa::path(post, operation_id = "auth_register_verify", path = "/auth/register/verify", tag = "auth", request_body = VerifyRegistrationRequest,
    responses((status = 201, description = "Registered and logged in", body = TokenResponse),
        (status = 400, description = "Unknown, used or expired token, or the address has an account by now", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Open registration is off", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn register_verify(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<VerifyRegistrationRequest>,
) -> Result<Response, ApiError> {
    if state.config.registration != RegistrationMode::Open {
        return Err(ApiError::new(Kind::RegistrationClosed, "open registration is off"));
    }
    let pending = match registration::consume(&state.store, &req.token).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => {
            return Err(ApiError::field("body.token", "unknown, used or expired registration token"));
        }
        Err(e) => return Err(e.into()),
    };
    let display = pending.display_name.clone().unwrap_or_else(|| pending.email.clone());
    let user = match state
        .store
        .user_create(&pending.email, &display, Some(&pending.password_hash), false)
        .await
    {
        Ok(u) => u,
        // Registered meanwhile (another token, an invitation): only the mailbox's owner sees this.
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::field("body.token", "this address has an account now: sign in instead"));
        }
        Err(e) => return Err(e.into()),
    };
    let name = pending
        .tenant_name
        .clone()
        .unwrap_or_else(|| pending.email.split('@').next().unwrap_or("tenant").to_owned());
    state.store.tenant_create_kind(&name, user.id, cairn_sdk::types::TenantKind::Personal).await?;
    let tokens = issue(&state, user.id).await?;
    audit_registration(&state, &user, false, request_id(rid)).await;
    Ok((StatusCode::CREATED, axum::Json(tokens)).into_response())
}

async fn audit_registration(
    state: &AppState,
    user: &crate::store::UserRecord,
    invited: bool,
    request_id: Option<String>,
) {
    let tenant = match state.store.memberships_of(user.id).await {
        Ok(m) => m.first().map(|m| m.tenant_id.to_string()),
        Err(_) => None,
    };
    record(
        state,
        AuditEvent {
            tenant_id: tenant,
            actor_user_id: Some(user.id.to_string()),
            action: "user.register".into(),
            object_type: "user".into(),
            object_id: Some(user.id.to_string()),
            detail: serde_json::json!({"email": user.email, "invited": invited}),
            request_id,
            ..AuditEvent::default()
        },
    )
    .await;
}

pub(crate) fn request_id(rid: Option<Extension<RequestId>>) -> Option<String> {
    rid.map(|Extension(r)| r.0)
}

/// Checks a password login and audits its outcome (`auth.login` or `auth.login_failed`).
async fn check_credentials(
    state: &AppState,
    email: &str,
    pw: &str,
    request_id: Option<String>,
) -> Result<UserId, ApiError> {
    let result = verify_credentials(state, email, pw).await;
    let (action, user) = match &result {
        Ok(id) => ("auth.login", Some(id.to_string())),
        Err(e) if e.kind == Kind::Unauthorized => ("auth.login_failed", None),
        Err(_) => return result,
    };
    // The attempted email (bounded) helps spot guessing; a password never enters the log.
    let shown: String = email.chars().take(320).collect();
    record(
        state,
        AuditEvent {
            actor_user_id: user.clone(),
            action: action.into(),
            object_type: "user".into(),
            object_id: user,
            detail: serde_json::json!({"email": shown}),
            request_id,
            ..AuditEvent::default()
        },
    )
    .await;
    result
}

async fn verify_credentials(state: &AppState, email: &str, pw: &str) -> Result<UserId, ApiError> {
    let bad = || ApiError::unauthorized("wrong email or password");
    let email = normalize_email(email).map_err(|_| bad())?;
    if pw.len() > password::MAX_LEN {
        return Err(bad());
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            // Spend the same time as a real check, so timing does not reveal which emails exist.
            let _ = password::verify_async(pw.to_owned(), password::dummy_hash().to_owned()).await;
            return Err(bad());
        }
        Err(e) => return Err(e.into()),
    };
    let ok = match &user.password_hash {
        Some(h) => password::verify_async(pw.to_owned(), h.clone()).await,
        None => {
            // An OAuth-only account has no password, but answering faster would tell it apart.
            let _ = password::verify_async(pw.to_owned(), password::dummy_hash().to_owned()).await;
            false
        }
    };
    if !ok || !user.active {
        return Err(bad());
    }
    Ok(user.id)
}

/// Logs in with email and password.
#[utoipa::path(post, operation_id = "auth_login", path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong credentials", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let user = check_credentials(&state, &req.email, &req.password, request_id(rid)).await?;
    Ok(axum::Json(issue(&state, user).await?))
}

/// The OAuth2 token endpoint form (`grant_type=password`, `refresh_token` or `authorization_code`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenForm {
    /// `password`, `refresh_token` or `authorization_code`.
    pub grant_type: GrantType,
    /// Email (password grant).
    pub username: Option<String>,
    /// Password (password grant).
    pub password: Option<String>,
    /// Refresh token (refresh grant).
    pub refresh_token: Option<String>,
    /// One-time code from an OAuth login's `redirect_to` (authorization_code grant).
    pub code: Option<String>,
    /// Ignored (authorization_code grant; the code is bound to its login already).
    pub redirect_uri: Option<String>,
    /// The PKCE verifier of a CLI login (authorization_code grant; required when the login was
    /// started with a `code_challenge`).
    pub code_verifier: Option<String>,
    /// Ignored; scopes belong to API keys.
    pub scope: Option<String>,
    /// Ignored (public client).
    pub client_id: Option<String>,
}

/// OAuth2 grant types.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// Resource owner password credentials.
    Password,
    /// Refresh token rotation.
    RefreshToken,
    /// The one-time code an OAuth login sent to its `redirect_to`.
    AuthorizationCode,
}

/// OAuth2 token endpoint (RFC 6749 §4.1.3, §4.3 and §6), form-encoded.
#[utoipa::path(post, operation_id = "auth_token", path = "/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "Missing fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn token(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Form(form): Form<TokenForm>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    match form.grant_type {
        GrantType::Password => {
            let (Some(user), Some(pw)) = (&form.username, &form.password) else {
                return Err(ApiError::field(
                    "body.username",
                    "username and password are required for grant_type=password",
                ));
            };
            let id = check_credentials(&state, user, pw, request_id(rid)).await?;
            Ok(axum::Json(issue(&state, id).await?))
        }
        GrantType::RefreshToken => {
            let Some(t) = &form.refresh_token else {
                return Err(ApiError::field("body.refresh_token", "required for grant_type=refresh_token"));
            };
            Ok(axum::Json(rotate(&state, t).await?))
        }
        GrantType::AuthorizationCode => {
            let Some(code) = form.code.as_deref().filter(|c| c.len() <= 256) else {
                return Err(ApiError::field("body.code", "required for grant_type=authorization_code"));
            };
            // RFC 7636 verifiers are 43-128 characters; S256 of one is what the login stored.
            let presented = form
                .code_verifier
                .as_deref()
                .filter(|v| (43..=128).contains(&v.len()))
                .map(crate::auth::oauth::pkce_challenge);
            let user = match state
                .store
                .oauth_code_consume(&sha256_hex(code.as_bytes()), presented.as_deref())
                .await
            {
                Ok(u) => u,
                Err(StoreError::NotFound) => {
                    return Err(ApiError::unauthorized(
                        "unknown, used or expired login code, or not this login's code_verifier",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            if !state.store.user_get(user).await?.active {
                return Err(ApiError::unauthorized("this account is deactivated"));
            }
            Ok(axum::Json(issue(&state, user).await?))
        }
    }
}

async fn rotate(state: &AppState, presented: &str) -> Result<TokenResponse, ApiError> {
    if presented.len() > 256 {
        return Err(ApiError::unauthorized("invalid refresh token"));
    }
    let (fresh, fresh_hash) = new_refresh_token();
    match state.store.refresh_rotate(&sha256_hex(presented.as_bytes()), &fresh_hash, REFRESH_TTL).await? {
        RefreshOutcome::Rotated { user } => {
            let record = state.store.user_get(user).await?;
            if !record.active {
                return Err(ApiError::unauthorized("this account is deactivated"));
            }
            let access = state.jwt.issue(user, record.token_version).map_err(ApiError::internal)?;
            Ok(TokenResponse {
                access_token: access,
                token_type: "Bearer".into(),
                expires_in: ACCESS_TTL_SECS,
                refresh_token: fresh,
            })
        }
        RefreshOutcome::Reused => Err(ApiError::bare(Kind::TokenReused)),
        RefreshOutcome::Invalid => Err(ApiError::unauthorized("invalid or expired refresh token")),
    }
}

/// Trades a refresh token for a new pair; reusing a token revokes its whole family.
#[utoipa::path(post, operation_id = "auth_refresh", path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Invalid, expired or reused token", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    Ok(axum::Json(rotate(&state, &req.refresh_token).await?))
}

/// Revokes the refresh token's family (this login on every device that shares it).
#[utoipa::path(post, operation_id = "auth_logout", path = "/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses((status = 204, description = "Logged out (also when the token was unknown)")))]
pub async fn logout(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<LogoutRequest>,
) -> Result<Response, ApiError> {
    match state.store.refresh_revoke(&sha256_hex(req.refresh_token.as_bytes())).await {
        Ok(user) => {
            record(
                &state,
                AuditEvent {
                    actor_user_id: Some(user.to_string()),
                    action: "auth.logout".into(),
                    object_type: "user".into(),
                    object_id: Some(user.to_string()),
                    request_id: request_id(rid),
                    ..AuditEvent::default()
                },
            )
            .await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(StoreError::NotFound) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The caller, their tenants and the tenant this request acts in.
#[utoipa::path(get, operation_id = "auth_me", path = "/auth/me", tag = "auth", security(("bearer" = [])),
    params(("X-Tenant" = Option<String>, Header, description = "Tenant id or slug to act in")),
    responses((status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not authenticated", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn me(principal: Principal) -> Result<axum::Json<Me>, ApiError> {
    let ctx = principal.check(Access::User)?;
    let api_key_scopes = match &principal.credential {
        Credential::ApiKey { scopes, .. } => Some(scopes.clone()),
        Credential::Jwt => None,
    };
    Ok(axum::Json(Me {
        user: principal.user.to_wire(),
        tenants: principal.memberships.clone(),
        current_tenant: ctx.map(|c| c.tenant),
        api_key_scopes,
    }))
}

/// Mails a single-use reset token if an active account has this email. The answer is the same
/// either way, so it does not reveal which emails exist.
#[utoipa::path(post, operation_id = "auth_forgot_password", path = "/auth/forgot-password", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, description = "If the account exists, a reset token was mailed"),
        (status = 400, description = "Not an email address", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn forgot_password(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<ForgotPasswordRequest>,
) -> Result<Response, ApiError> {
    let email = normalize_email(&req.email).map_err(|m| ApiError::field("body.email", m))?;
    match state.store.user_by_email(&email).await {
        Ok(user) if user.active => {
            password_reset::issue(&state.store, &state.mailer, &user).await?;
            record(
                &state,
                AuditEvent {
                    action: "auth.password_reset_request".into(),
                    object_type: "user".into(),
                    object_id: Some(user.id.to_string()),
                    request_id: request_id(rid),
                    ..AuditEvent::default()
                },
            )
            .await;
        }
        Ok(_) | Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Sets a new password with a mailed token (once; within the hour). Every login of the account
/// is revoked.
#[utoipa::path(post, operation_id = "auth_reset_password", path = "/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = 400, description = "Weak password, or unknown, used or expired token", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    State(state): State<AppState>,
    rid: Option<Extension<RequestId>>,
    Json(req): Json<ResetPasswordRequest>,
) -> Result<Response, ApiError> {
    password::check_policy(&req.password).map_err(|m| ApiError::field("body.password", m))?;
    let bad = || ApiError::field("body.token", "unknown, used or expired reset token");
    if req.token.len() > 256 {
        return Err(bad());
    }
    let user = match state.store.password_reset_consume(&password_reset::token_hash(&req.token)).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(bad()),
        Err(e) => return Err(e.into()),
    };
    let record_user = state.store.user_get(user).await?;
    if !record_user.active {
        return Err(bad());
    }
    let hash = password::hash_async(req.password.clone()).await.map_err(ApiError::internal)?;
    state.store.user_set_password(user, &hash).await?;
    state.sockets.close_user(user);
    record(
        &state,
        AuditEvent {
            actor_user_id: Some(user.to_string()),
            action: "auth.password_reset".into(),
            object_type: "user".into(),
            object_id: Some(user.to_string()),
            request_id: request_id(rid),
            ..AuditEvent::default()
        },
    )
    .await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Roles an inviter may hand out: never above their own, never owner.
pub fn may_grant(inviter: Role, role: Role) -> bool {
    role != Role::Owner && role <= inviter
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::password::test_hook;
    use crate::auth::secrets::random_alphanumeric;

    /// No timing oracle: a wrong password costs an argon2 verification whether the account
    /// exists, has a password, or only logs in through OAuth (the last skipped it before).
    #[tokio::test]
    async fn argon2_runs_for_unknown_and_oauth_only_accounts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let database_url = format!("sqlite://{}", dir.path().join("cairnd.db").display());
        let state = crate::server::prepare(crate::config::Config { database_url, ..Default::default() })
            .await
            .expect("state");
        state.store.user_create("oauth-only@example.test", "O", None, false).await.expect("user");
        let hash = password::hash("a real password here").expect("hash");
        state.store.user_create("pw@example.test", "P", Some(&hash), false).await.expect("user");
        for email in ["ghost@example.test", "oauth-only@example.test", "pw@example.test"] {
            let attempt = random_alphanumeric(24);
            assert!(verify_credentials(&state, email, &attempt).await.is_err());
            assert!(test_hook::verified(&attempt), "no argon2 verification for {email}");
        }
        state.store.close().await;
    }
}
