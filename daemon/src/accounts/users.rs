//! Users created from the server side (each owning a new tenant) and password resets.

use cairn_sdk::types::{TenantId, UserId};

use super::error::{AccountField, AccountsError, InvalidField};
use super::{Accounts, Email, event};
use crate::auth::password;
use crate::store::StoreError;

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name.
    pub email: &'a str,
    /// Display name (default: the email).
    pub display_name: Option<&'a str>,
    /// Password (checked against the policy).
    pub password: &'a str,
    /// Operator of the whole installation.
    pub super_admin: bool,
    /// Name of the tenant the user will own (default: the email's local part).
    pub tenant: Option<&'a str>,
}

/// A created user.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    /// Id.
    pub user_id: UserId,
    /// Normalised email.
    pub email: Email,
    /// Their tenant.
    pub tenant_id: TenantId,
    /// Its slug.
    pub tenant_slug: String,
}

fn check_password(pw: &str) -> Result<(), InvalidField> {
    password::check_policy(pw).map_err(|m| InvalidField::new(AccountField::Password, m))
}

impl Accounts<'_> {
    /// Creates a user who owns a new tenant.
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<CreatedUser, AccountsError> {
        let email = Email::parse(new.email);
        let pw = check_password(new.password);
        let (email, ()) = match (email, pw) {
            (Ok(e), Ok(())) => (e, ()),
            (e, p) => return Err(AccountsError::Invalid(e.err().into_iter().chain(p.err()).collect())),
        };
        let hash = password::hash(new.password).map_err(AccountsError::Hash)?;
        let display = new.display_name.map_or_else(|| email.to_string(), str::to_owned);
        let user = self.store.user_create(email.as_str(), &display, Some(&hash), new.super_admin).await?;
        let tenant_name = new.tenant.unwrap_or_else(|| email.local_part());
        let tenant_id = self.store.tenant_create(tenant_name, user.id).await?;
        let slug = self
            .store
            .memberships_of(user.id)
            .await?
            .into_iter()
            .find(|m| m.tenant_id == tenant_id)
            .map(|m| m.slug)
            .unwrap_or_default();
        self.audit(event(
            "user.create",
            "user",
            user.id.to_string(),
            Some(tenant_id.to_string()),
            serde_json::json!({"email": email.as_str(), "super_admin": new.super_admin}),
        ))
        .await?;
        Ok(CreatedUser { user_id: user.id, email, tenant_id, tenant_slug: slug })
    }

    /// Sets a user's password (which revokes their sessions).
    pub async fn reset_password(&self, email: &str, pw: &str) -> Result<(), AccountsError> {
        let email = Email::parse(email);
        let policy = check_password(pw);
        let email = match (email, policy) {
            (Ok(e), Ok(())) => e,
            (e, p) => return Err(AccountsError::Invalid(e.err().into_iter().chain(p.err()).collect())),
        };
        let user = match self.store.user_by_email(email.as_str()).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Err(AccountsError::UnknownUser(email.to_string())),
            Err(e) => return Err(e.into()),
        };
        let hash = password::hash(pw).map_err(AccountsError::Hash)?;
        self.store.user_set_password(user.id, &hash).await?;
        self.audit(event("user.password_set", "user", user.id.to_string(), None, serde_json::json!({}))).await
    }
}
