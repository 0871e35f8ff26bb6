//! What `cairnd admin …` does, as functions over the store (so tests and `cairn` can call them).

use cairn_sdk::types::{ApiKeyEnvironment, Scope, TenantId, UserId};

use crate::auth::{api_key, password};
use crate::store::{AuditEvent, NewApiKey, Store};

/// Errors of admin commands.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A created user.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    /// Id.
    pub user_id: UserId,
    /// Normalised email.
    pub email: String,
    /// Their tenant.
    pub tenant_id: TenantId,
    /// Its slug.
    pub tenant_slug: String,
}

/// Trims and lower-cases an email, and checks its shape.
pub fn normalize_email(email: &str) -> Result<String, String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid { Ok(e) } else { Err("must be an email address".into()) }
}

/// Creates a user who owns a new tenant.
pub async fn create_user(
    store: &Store,
    email: &str,
    display_name: Option<&str>,
    pw: &str,
    super_admin: bool,
    tenant: Option<&str>,
) -> Result<CreatedUser, AdminError> {
    let email = normalize_email(email).map_err(|m| AdminError::Invalid(format!("email {m}")))?;
    password::check_policy(pw).map_err(|m| AdminError::Invalid(format!("password {m}")))?;
    let hash = password::hash(pw).map_err(AdminError::Invalid)?;
    let display = display_name.map(str::to_owned).unwrap_or_else(|| email.clone());
    let user = store.user_create(&email, &display, Some(&hash), super_admin).await?;
    let tenant_name =
        tenant.map(str::to_owned).unwrap_or_else(|| email.split('@').next().unwrap_or("tenant").to_owned());
    let tenant_id = store.tenant_create(&tenant_name, user.id).await?;
    let slug = store
        .memberships_of(user.id)
        .await?
        .into_iter()
        .find(|m| m.tenant_id == tenant_id)
        .map(|m| m.slug)
        .unwrap_or_default();
    store
        .audit_append(&cli_event(
            "user.create",
            "user",
            user.id.to_string(),
            Some(tenant_id.to_string()),
            serde_json::json!({"via": "cli", "email": email, "super_admin": super_admin}),
        ))
        .await?;
    Ok(CreatedUser { user_id: user.id, email, tenant_id, tenant_slug: slug })
}

/// Creates an API key for a user; returns the full secret.
pub async fn create_key(
    store: &Store,
    email: &str,
    name: &str,
    scopes: &[String],
    tenant: Option<&str>,
    expires_days: Option<u32>,
    test: bool,
) -> Result<String, AdminError> {
    let email = normalize_email(email).map_err(|m| AdminError::Invalid(format!("email {m}")))?;
    let user = store.user_by_email(&email).await?;
    let scopes = scopes
        .iter()
        .map(|s| Scope::parse(s).ok_or_else(|| AdminError::Invalid(format!("unknown scope {s:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let memberships = store.memberships_of(user.id).await?;
    let membership = memberships
        .iter()
        .find(|m| tenant.is_none_or(|t| m.slug == t || m.tenant_id.to_string() == t))
        .ok_or_else(|| AdminError::Invalid("the user belongs to no such tenant".into()))?;
    let env = if test { ApiKeyEnvironment::Test } else { ApiKeyEnvironment::Live };
    let minted = api_key::mint(env);
    let key = store
        .api_key_create(
            membership.tenant_id,
            user.id,
            NewApiKey {
                name,
                environment: env,
                lookup: &minted.lookup,
                secret_hash: &minted.secret_hash,
                scopes: &scopes,
                expires_at: expires_days.map(|d| crate::store::now() + time::Duration::days(i64::from(d))),
            },
        )
        .await?;
    let mut event = cli_event(
        "api_key.create",
        "api_key",
        key.id.to_string(),
        Some(membership.tenant_id.to_string()),
        serde_json::json!({"via": "cli"}),
    );
    event.actor_user_id = Some(user.id.to_string());
    store.audit_append(&event).await?;
    Ok(minted.full)
}

/// Sets a user's password.
pub async fn reset_password(store: &Store, email: &str, pw: &str) -> Result<(), AdminError> {
    let email = normalize_email(email).map_err(|m| AdminError::Invalid(format!("email {m}")))?;
    password::check_policy(pw).map_err(|m| AdminError::Invalid(format!("password {m}")))?;
    let user = store.user_by_email(&email).await?;
    let hash = password::hash(pw).map_err(AdminError::Invalid)?;
    store.user_set_password(user.id, &hash).await?;
    store
        .audit_append(&cli_event(
            "user.password_set",
            "user",
            user.id.to_string(),
            None,
            serde_json::json!({"via": "cli"}),
        ))
        .await?;
    Ok(())
}

/// An audit event of the server's shell (no request, no authenticated actor).
fn cli_event(
    action: &str,
    object_type: &str,
    object_id: String,
    tenant_id: Option<String>,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        tenant_id,
        action: action.into(),
        object_type: object_type.into(),
        object_id: Some(object_id),
        detail,
        ..AuditEvent::default()
    }
}
