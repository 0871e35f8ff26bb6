//! API keys: one validation and one minting path for the API, `cairnd admin create-key` and the
//! local-mode bootstrap.

use cairn_sdk::types::{ApiKey, ApiKeyEnvironment, Scope, TenantId, UserId};
use time::OffsetDateTime;

use super::error::{AccountField, AccountsError, InvalidField, check_text};
use super::{Accounts, Email, event};
use crate::auth::api_key;
use crate::store::{NewApiKey, StoreError};

/// Longest key label.
const NAME_MAX: usize = 100;

/// What a new key is.
#[derive(Debug, Clone)]
pub struct KeySpec<'a> {
    /// Label.
    pub name: &'a str,
    /// `crn_live_` or `crn_test_`.
    pub environment: ApiKeyEnvironment,
    /// What it may do (at least one).
    pub scopes: &'a [Scope],
    /// When it stops working (in the future), or never.
    pub expires_at: Option<OffsetDateTime>,
    /// The latest expiry allowed: the expiry of the API key minting this one, so an expiring
    /// admin key cannot extend itself with keys that outlive it. `None` when a session, the
    /// command line or local mode mints it.
    pub not_after: Option<OffsetDateTime>,
}

impl KeySpec<'_> {
    /// Every refused field, or nothing.
    pub fn check(&self) -> Result<(), AccountsError> {
        let mut refused = Vec::new();
        refused.extend(check_text(AccountField::Name, self.name, NAME_MAX).err());
        if self.scopes.is_empty() {
            refused.push(InvalidField::new(AccountField::Scopes, "needs at least one scope"));
        }
        if self.expires_at.is_some_and(|t| t <= OffsetDateTime::now_utc()) {
            refused.push(InvalidField::new(AccountField::ExpiresAt, "must be in the future"));
        }
        if let Some(limit) = self.not_after
            && self.expires_at.is_none_or(|t| t > limit)
        {
            refused.push(InvalidField::new(
                AccountField::ExpiresAt,
                format!(
                    "must be at or before {}, when the API key making it expires",
                    crate::store::ts(limit)
                ),
            ));
        }
        if refused.is_empty() { Ok(()) } else { Err(AccountsError::Invalid(refused)) }
    }
}

/// A key just made: its record and its secret, which is never retrievable again.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The stored key (without secret).
    pub key: ApiKey,
    /// The full `crn_…` secret.
    pub secret: String,
}

impl Accounts<'_> {
    /// Checks `spec` and stores a new key for `user` in `tenant`.
    pub async fn issue_key(
        &self,
        tenant: TenantId,
        user: UserId,
        spec: &KeySpec<'_>,
    ) -> Result<IssuedKey, AccountsError> {
        spec.check()?;
        let mut scopes = spec.scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let minted = api_key::mint(spec.environment);
        let key = self
            .store
            .api_key_create(
                tenant,
                user,
                NewApiKey {
                    name: spec.name,
                    environment: spec.environment,
                    lookup: &minted.lookup,
                    secret_hash: &minted.secret_hash,
                    scopes: &scopes,
                    expires_at: spec.expires_at,
                },
            )
            .await?;
        let mut audit = event(
            "api_key.create",
            "api_key",
            key.id.to_string(),
            Some(tenant.to_string()),
            serde_json::json!({}),
        );
        audit.actor_user_id = Some(user.to_string());
        self.audit(audit).await?;
        Ok(IssuedKey { key, secret: minted.full })
    }

    /// A new key for the user with this email, in `tenant` (slug or id; default their first).
    pub async fn issue_key_for(
        &self,
        email: &str,
        tenant: Option<&str>,
        spec: &KeySpec<'_>,
    ) -> Result<IssuedKey, AccountsError> {
        let email = Email::parse(email)?;
        let user = match self.store.user_by_email(email.as_str()).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Err(AccountsError::UnknownUser(email.to_string())),
            Err(e) => return Err(e.into()),
        };
        let memberships = self.store.memberships_of(user.id).await?;
        let membership = memberships
            .iter()
            .find(|m| tenant.is_none_or(|t| m.slug == t || m.tenant_id.to_string() == t))
            .ok_or_else(|| InvalidField::new(AccountField::Tenant, "names no tenant the user belongs to"))?;
        self.issue_key(membership.tenant_id, user.id, spec).await
    }

    /// The key's owner if `secret` is a key the daemon accepts now (known, matching, neither
    /// revoked nor expired, its owner active) — what authentication checks, without a request.
    pub async fn key_owner(&self, secret: &str) -> Result<Option<UserId>, AccountsError> {
        let Some((lookup, secret)) = api_key::parse(secret) else { return Ok(None) };
        let key = match self.store.api_key_by_lookup(lookup).await {
            Ok(k) => k,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let usable = api_key::secret_matches(secret, &key.secret_hash)
            && key.revoked_at.is_none()
            && key.expires_at.is_none_or(|t| t > OffsetDateTime::now_utc());
        if !usable {
            return Ok(None);
        }
        match self.store.user_get(key.user_id).await {
            Ok(u) if u.active => Ok(Some(u.id)),
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_names_every_refused_field() {
        let past = OffsetDateTime::now_utc() - time::Duration::days(1);
        let spec = KeySpec {
            name: " ",
            environment: ApiKeyEnvironment::Live,
            scopes: &[],
            expires_at: Some(past),
            not_after: None,
        };
        let Err(AccountsError::Invalid(fields)) = spec.check() else { panic!("refused") };
        let names: Vec<_> = fields.iter().map(|f| f.field).collect();
        assert_eq!(names, [AccountField::Name, AccountField::Scopes, AccountField::ExpiresAt]);
        let ok = KeySpec {
            name: "ci",
            environment: ApiKeyEnvironment::Test,
            scopes: &[Scope::ScanRead],
            expires_at: None,
            not_after: None,
        };
        assert!(ok.check().is_ok());
    }

    #[test]
    fn a_key_cannot_outlive_the_key_minting_it() {
        let limit = OffsetDateTime::now_utc() + time::Duration::hours(1);
        let spec = |expires_at| KeySpec {
            name: "ci",
            environment: ApiKeyEnvironment::Live,
            scopes: &[Scope::ScanRead],
            expires_at,
            not_after: Some(limit),
        };
        for refused in [None, Some(limit + time::Duration::minutes(1))] {
            let Err(AccountsError::Invalid(fields)) = spec(refused).check() else {
                panic!("refused: {refused:?}")
            };
            assert_eq!(fields.iter().map(|f| f.field).collect::<Vec<_>>(), [AccountField::ExpiresAt]);
        }
        assert!(spec(Some(limit)).check().is_ok());
        assert!(spec(Some(limit - time::Duration::minutes(1))).check().is_ok());
    }
}
