//! Users created from the server side (each owning a new tenant) and password resets.

use cairn_sdk::types::{TenantId, UserId};

use super::error::{AccountField, AccountsError, InvalidField, check_text};
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

/// Longest display or tenant name.
const NAME_MAX: usize = 200;

fn check_password(pw: &str) -> Result<(), InvalidField> {
    password::check_policy(pw).map_err(|m| InvalidField::new(AccountField::Password, m))
}

impl NewUser<'_> {
    /// The normalised email, or every refused field (what registration and `cairnd admin
    /// create-user` both check).
    pub fn check(&self) -> Result<Email, AccountsError> {
        let email = Email::parse(self.email);
        let mut refused: Vec<InvalidField> = email.as_ref().err().cloned().into_iter().collect();
        refused.extend(check_password(self.password).err());
        if let Some(d) = self.display_name {
            refused.extend(check_text(AccountField::DisplayName, d, NAME_MAX).err());
        }
        if let Some(t) = self.tenant {
            refused.extend(check_text(AccountField::TenantName, t, NAME_MAX).err());
        }
        match email {
            Ok(e) if refused.is_empty() => Ok(e),
            _ => Err(AccountsError::Invalid(refused)),
        }
    }
}

impl Accounts<'_> {
    /// Creates a user who owns a new tenant.
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<CreatedUser, AccountsError> {
        let email = new.check()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_user_names_every_refused_field() {
        let new = NewUser {
            email: "not an address",
            display_name: Some(" padded "),
            password: "short",
            super_admin: false,
            tenant: Some(""),
        };
        let Err(AccountsError::Invalid(fields)) = new.check() else { panic!("refused") };
        let names: Vec<_> = fields.iter().map(|f| f.field).collect();
        assert_eq!(
            names,
            [
                AccountField::Email,
                AccountField::Password,
                AccountField::DisplayName,
                AccountField::TenantName
            ]
        );
        let ok = NewUser {
            email: "Ada@Example.test",
            display_name: None,
            password: "long enough pw",
            super_admin: false,
            tenant: None,
        };
        assert_eq!(ok.check().expect("valid").as_str(), "ada@example.test");
    }
}
