//! `/auth/oauth/{provider}/authorize` and `/callback`: login, sign-up and account linking through
//! OIDC, GitHub and GitLab. The protocols live in `auth::oauth`; this file decides which Cairn
//! account a provider account becomes, and audits every login and link.
//!
//! The rule that matters: an identity is linked to an existing account only inside a link flow
//! started by that account's session. A matching email alone never links (account takeover).

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::UserId;
use serde::Deserialize;

use super::audit::record;
use super::auth::{issue, request_id};
use super::conventions::RequestId;
use super::extract::{Path, Query};
use super::validate::Check;
use crate::accounts::normalize_email;
use crate::auth::oauth::{self, ExternalIdentity, OAuthError, Pending, ProviderConfig};
use crate::auth::principal::Credential;
use crate::auth::secrets::{random_alphanumeric, sha256_hex};
use crate::auth::{Principal, oauth::OAuthConfig};
use crate::config::RegistrationMode;
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{AuditEvent, NewOAuthState, OAuthStateRecord, StoreError};

/// How long a started login may take.
const STATE_TTL: time::Duration = time::Duration::minutes(10);
/// How long the one-time code handed to `redirect_to` stays redeemable.
const CODE_TTL: time::Duration = time::Duration::seconds(120);

/// Query of `authorize`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// Where to send the one-time login code (`?code=`; redeem it at `/auth/token` with
    /// `grant_type=authorization_code`). Must be on this server's origin or in
    /// `oauth.redirect_allow_list`. Without it the callback answers with the tokens as JSON.
    pub redirect_to: Option<String>,
    /// `true` links the provider account to the caller (needs `Authorization: Bearer` with a session).
    pub link: Option<bool>,
    /// An invitation token, for sign-up when registration is invite-only.
    pub invite_token: Option<String>,
    /// A CLI login (RFC 8252): the PKCE challenge, base64url SHA-256 of a verifier only the CLI
    /// holds. `redirect_to` may then be a loopback `http://127.0.0.1:PORT/…`, and the one-time code
    /// sent there is redeemed at `/auth/token` only with `code_verifier`.
    pub code_challenge: Option<String>,
    /// `S256` (the only method; required with `code_challenge`).
    pub code_challenge_method: Option<String>,
}

/// Query of `callback` (what the provider appends).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<String>,
    /// The state given at `authorize`.
    pub state: Option<String>,
    /// The provider's error, when the login was refused.
    pub error: Option<String>,
    /// The provider's explanation of `error`.
    pub error_description: Option<String>,
}

fn provider<'a>(cfg: &'a OAuthConfig, name: &str) -> Result<&'a ProviderConfig, ApiError> {
    cfg.provider(name)
        .ok_or_else(|| ApiError::new(Kind::NotFound, "no OAuth provider of this name is configured"))
}

fn provider_error(e: OAuthError) -> ApiError {
    match e {
        OAuthError::Provider(m) => ApiError::new(Kind::OAuthProvider, m),
        OAuthError::IdToken(m) => ApiError::new(Kind::OAuthIdTokenInvalid, m),
        OAuthError::Client(m) => ApiError::internal(m),
    }
}

fn found(location: &str) -> Result<Response, ApiError> {
    let value = HeaderValue::from_str(location).map_err(ApiError::internal)?;
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, value);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Starts a login: redirects (302) to the provider.
#[utoipa::path(get, operation_id = "oauth_authorize", path = "/auth/oauth/{provider}/authorize", tag = "auth",
    params(("provider" = String, Path, description = "Configured provider name"), AuthorizeParams),
    responses((status = 302, description = "To the provider's login page (`Location`); sets the HttpOnly cookie the callback requires"),
        (status = 400, description = "Invalid redirect_to", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "link=true without a session", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider's discovery failed", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn authorize(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, ApiError> {
    let cfg = &state.config.oauth;
    let p = provider(cfg, &name)?;
    let link_user = if params.link == Some(true) {
        let principal = Principal::authenticate(&state, &headers)
            .await?
            .ok_or_else(|| ApiError::unauthorized("link=true needs the session of the account to link"))?;
        if !matches!(principal.credential, Credential::Jwt) {
            return Err(ApiError::new(Kind::Forbidden, "API keys cannot link identities; use a session"));
        }
        Some(principal.user.id)
    } else {
        None
    };
    let mut check = Check::new();
    let challenge = params.code_challenge.as_deref();
    if let Some(c) = challenge {
        // S256 of a 32-byte or longer verifier: 43 base64url characters.
        if c.len() != 43 || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            check.fail("query.code_challenge", "must be the 43-character base64url SHA-256 of the verifier");
        }
        if params.code_challenge_method.as_deref() != Some("S256") {
            check.fail("query.code_challenge_method", "must be S256");
        }
        if params.redirect_to.is_none() {
            check.fail("query.redirect_to", "a CLI login (code_challenge) needs its loopback redirect_to");
        }
    } else if params.code_challenge_method.is_some() {
        check.fail("query.code_challenge", "required with code_challenge_method");
    }
    if let Some(target) = &params.redirect_to {
        let allowed =
            if challenge.is_some() { cfg.cli_redirect_target(target) } else { cfg.redirect_target(target) };
        if let Err(m) = allowed {
            check.fail("query.redirect_to", m);
        }
    }
    if params.invite_token.as_ref().is_some_and(|t| t.is_empty() || t.len() > 256) {
        check.fail("query.invite_token", "must be 1-256 characters");
    }
    check.finish()?;
    let pending = Pending::new();
    let url = oauth::authorize_url(cfg, p, &pending).await.map_err(provider_error)?;
    let invite_hash = params.invite_token.as_ref().map(|t| sha256_hex(t.as_bytes()));
    state
        .store
        .oauth_state_create(NewOAuthState {
            state_hash: &sha256_hex(pending.state.as_bytes()),
            provider: &p.name,
            pkce_verifier: &pending.verifier,
            nonce: &pending.nonce,
            redirect_to: params.redirect_to.as_deref(),
            link_user,
            invite_token_hash: invite_hash.as_deref(),
            code_challenge: challenge,
            ttl: STATE_TTL,
        })
        .await?;
    let mut resp = found(&url)?;
    let secure = cfg.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    if let Some(cookie) = oauth::browser::set_cookie(&pending.state, STATE_TTL, secure) {
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(resp)
}

/// Where the provider sends the browser back: finishes the login, sign-up or link.
#[utoipa::path(get, operation_id = "oauth_callback", path = "/auth/oauth/{provider}/callback", tag = "auth",
    params(("provider" = String, Path, description = "Configured provider name"), CallbackParams),
    responses((status = 200, description = "Logged in (no redirect_to was given)", body = cairn_sdk::types::TokenResponse),
        (status = 302, description = "To redirect_to with `?code=` (a one-time code for /auth/token)"),
        (status = 400, description = "Unknown, used or expired state, or a browser without the state's cookie (OAUTH_STATE_INVALID), or no code", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "The ID token did not verify", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Refused: by the provider, the email rules or registration", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An unlinked account has this email, or the identity belongs to another account", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider failed", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn callback(
    State(state): State<AppState>,
    Path(name): Path<String>,
    rid: Option<Extension<RequestId>>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, ApiError> {
    let cfg = &state.config.oauth;
    let p = provider(cfg, &name)?;
    let rid = request_id(rid);
    let stale =
        || ApiError::new(Kind::OAuthStateInvalid, "unknown, used or expired state; start the login again");
    let presented = params.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 256).ok_or_else(stale)?;
    // Checked before the state is spent: a forged callback does not burn the real login.
    if !oauth::browser::carries(&headers, presented) {
        return Err(ApiError::new(
            Kind::OAuthStateInvalid,
            "this login was not started in this browser (its cookie is missing); start the login again",
        ));
    }
    let pending = match state.store.oauth_state_consume(&sha256_hex(presented.as_bytes())).await {
        Ok(s) if s.provider == p.name => s,
        Ok(_) | Err(StoreError::NotFound) => return Err(stale()),
        Err(e) => return Err(e.into()),
    };
    let result = finish(&state, p, &params, &pending, rid.clone()).await;
    if let Err(e) = &result {
        // Refusals are worth an audit line (someone tried); provider outages are in the log.
        if matches!(
            e.kind,
            Kind::OAuthIdTokenInvalid
                | Kind::OAuthDenied
                | Kind::OAuthAccountExists
                | Kind::RegistrationClosed
                | Kind::Conflict
        ) {
            let detail = e.detail.clone().unwrap_or_default();
            record(
                &state,
                AuditEvent {
                    actor_user_id: pending.link_user.map(|u| u.to_string()),
                    action: "auth.login_failed".into(),
                    object_type: "user".into(),
                    detail: serde_json::json!({"method": "oauth", "provider": p.name, "reason": detail}),
                    request_id: rid,
                    ..AuditEvent::default()
                },
            )
            .await;
        }
    }
    let user = result?;
    let mut resp = match &pending.redirect_to {
        None => axum::Json(issue(&state, user).await?).into_response(),
        Some(target) => {
            // Re-checked: the allow-list may have changed since authorize.
            let challenge = pending.code_challenge.as_deref();
            let allowed = if challenge.is_some() {
                cfg.cli_redirect_target(target)
            } else {
                cfg.redirect_target(target)
            };
            let mut url = allowed.map_err(|m| ApiError::field("query.redirect_to", m))?;
            let code = format!("coc_{}", random_alphanumeric(43));
            state.store.oauth_code_create(&sha256_hex(code.as_bytes()), user, challenge, CODE_TTL).await?;
            url.query_pairs_mut().append_pair("code", &code);
            found(url.as_str())?
        }
    };
    if let Some(cookie) = oauth::browser::clear_cookie(presented) {
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(resp)
}

/// Exchanges the code and picks (or creates, or links) the account.
async fn finish(
    state: &AppState,
    p: &ProviderConfig,
    params: &CallbackParams,
    pending: &OAuthStateRecord,
    rid: Option<String>,
) -> Result<UserId, ApiError> {
    if let Some(err) = &params.error {
        let clip = |s: &str| s.chars().take(300).collect::<String>();
        let desc = params.error_description.as_deref().map(|d| format!(": {}", clip(d))).unwrap_or_default();
        return Err(ApiError::new(
            Kind::OAuthDenied,
            format!("the provider refused the login: {}{desc}", clip(err)),
        ));
    }
    let code = params
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| ApiError::field("query.code", "the callback carries no authorization code"))?;
    let cfg = &state.config.oauth;
    let id = oauth::exchange(cfg, p, code, &pending.pkce_verifier, &pending.nonce)
        .await
        .map_err(provider_error)?;
    let email = verified_email(p, &id)?;
    let audit = |action: &str, user: UserId, detail: serde_json::Value| AuditEvent {
        actor_user_id: Some(user.to_string()),
        action: action.into(),
        object_type: "user".into(),
        object_id: Some(user.to_string()),
        detail,
        request_id: rid.clone(),
        ..AuditEvent::default()
    };
    let about = serde_json::json!({"method": "oauth", "provider": p.name, "subject": id.subject});
    let existing = match state.store.oauth_identity_user(&p.name, &id.subject).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let user = match (existing, pending.link_user) {
        (Some(owner), Some(linker)) if owner != linker => {
            return Err(ApiError::new(
                Kind::Conflict,
                "this provider account is linked to another Cairn account",
            ));
        }
        (Some(owner), _) => owner,
        (None, Some(linker)) => {
            let linked =
                state.store.oauth_identity_link(linker, &p.name, &id.subject, email.as_deref()).await?;
            let mut detail = about.clone();
            detail["identity_id"] = serde_json::json!(linked.id.to_string());
            record(state, audit("oauth.link", linker, detail)).await;
            linker
        }
        (None, None) => signup(state, p, &id, email.as_deref(), pending, &audit).await?,
    };
    let record_user = state.store.user_get(user).await?;
    if !record_user.active {
        return Err(ApiError::unauthorized("this account is deactivated"));
    }
    record(state, audit("auth.login", user, about)).await;
    Ok(user)
}

/// The normalised email if the provider verified it; enforces `allowed_email_domains`.
fn verified_email(p: &ProviderConfig, id: &ExternalIdentity) -> Result<Option<String>, ApiError> {
    let email = match (&id.email, id.email_verified) {
        (Some(e), true) => normalize_email(e).ok(),
        _ => None,
    };
    if !p.allowed_email_domains.is_empty() {
        let domain = email.as_deref().and_then(|e| e.rsplit_once('@')).map(|(_, d)| d.to_owned());
        if !domain.is_some_and(|d| p.allowed_email_domains.contains(&d)) {
            return Err(ApiError::new(
                Kind::OAuthDenied,
                "this provider admits only verified emails of the allowed domains",
            ));
        }
    }
    Ok(email)
}

/// A first login: a new account, if the provider and the registration rules allow it.
async fn signup(
    state: &AppState,
    p: &ProviderConfig,
    id: &ExternalIdentity,
    email: Option<&str>,
    pending: &OAuthStateRecord,
    audit: &impl Fn(&str, UserId, serde_json::Value) -> AuditEvent,
) -> Result<UserId, ApiError> {
    let Some(email) = email else {
        return Err(ApiError::new(
            Kind::OAuthDenied,
            "the provider shared no verified email, which an account needs",
        ));
    };
    match state.store.user_by_email(email).await {
        Ok(_) => {
            return Err(ApiError::new(
                Kind::OAuthAccountExists,
                "an account with this email exists; log in to it and link this provider from there",
            ));
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    if !p.allow_signup {
        return Err(ApiError::new(
            Kind::RegistrationClosed,
            "this provider does not create accounts (allow_signup)",
        ));
    }
    let mode = state.config.registration;
    if mode == RegistrationMode::Closed {
        return Err(ApiError::new(Kind::RegistrationClosed, "accounts are created by an administrator"));
    }
    let invite = match &pending.invite_token_hash {
        Some(hash) => match state.store.invite_by_token(hash).await {
            Ok(inv) if inv.email == email => Some(inv),
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(ApiError::new(
                    Kind::RegistrationClosed,
                    "the invitation is unknown, expired, used, or for another email",
                ));
            }
            Err(e) => return Err(e.into()),
        },
        None if mode == RegistrationMode::InviteOnly => {
            return Err(ApiError::new(
                Kind::RegistrationClosed,
                "registration needs an invitation (invite_token on authorize)",
            ));
        }
        None => None,
    };
    let display = id.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| email.to_owned());
    let display: String = display.chars().take(200).collect();
    let user = match state.store.oauth_signup(email, &display, &p.name, &id.subject).await {
        Ok(u) => u,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                Kind::OAuthAccountExists,
                "an account with this email or identity exists",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let tenant = match invite {
        Some(inv) => {
            state.store.invite_accept(inv.id).await?;
            state.store.membership_set(inv.tenant_id, user.id, inv.role).await?;
            inv.tenant_id
        }
        None => {
            let name = email.split('@').next().unwrap_or("tenant").to_owned();
            state.store.tenant_create_kind(&name, user.id, cairn_sdk::types::TenantKind::Personal).await?
        }
    };
    let mut event = audit(
        "user.register",
        user.id,
        serde_json::json!({"email": email, "method": "oauth", "provider": p.name, "invited": pending.invite_token_hash.is_some()}),
    );
    event.tenant_id = Some(tenant.to_string());
    record(state, event).await;
    Ok(user.id)
}
