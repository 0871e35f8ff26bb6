//! What the accounts service refuses, by field, and how that becomes a problem+json.

use crate::error::ApiError;
use crate::store::StoreError;

/// An input of an account operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountField {
    /// The login email.
    Email,
    /// The password.
    Password,
    /// A key's label.
    Name,
    /// A key's scopes.
    Scopes,
    /// A key's expiry.
    ExpiresAt,
    /// The tenant a key is for.
    Tenant,
    /// A user's display name.
    DisplayName,
    /// The name of the tenant a new user owns.
    TenantName,
}

impl AccountField {
    /// The field's name in request bodies and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Password => "password",
            Self::Name => "name",
            Self::Scopes => "scopes",
            Self::ExpiresAt => "expires_at",
            Self::Tenant => "tenant",
            Self::DisplayName => "display_name",
            Self::TenantName => "tenant_name",
        }
    }
}

/// One refused input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    /// Which.
    pub field: AccountField,
    /// Why.
    pub message: String,
}

impl InvalidField {
    /// `field` is refused because `message`.
    pub fn new(field: AccountField, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

/// Errors of account operations.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Bad input, every refused field named.
    #[error("{}", describe(.0))]
    Invalid(Vec<InvalidField>),
    /// No user has that email.
    #[error("no user {0}")]
    UnknownUser(String),
    /// The password could not be hashed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<InvalidField> for AccountsError {
    fn from(f: InvalidField) -> Self {
        Self::Invalid(vec![f])
    }
}

fn describe(fields: &[InvalidField]) -> String {
    fields.iter().map(|f| format!("{} {}", f.field.as_str(), f.message)).collect::<Vec<_>>().join("; ")
}

impl From<AccountsError> for ApiError {
    fn from(e: AccountsError) -> Self {
        match e {
            AccountsError::Invalid(fields) => ApiError::fields(
                fields
                    .into_iter()
                    .map(|f| cairn_sdk::types::FieldError {
                        field: format!("body.{}", f.field.as_str()),
                        message: f.message,
                    })
                    .collect(),
            ),
            AccountsError::UnknownUser(_) => StoreError::NotFound.into(),
            AccountsError::Hash(m) => ApiError::internal(m),
            AccountsError::Store(e) => e.into(),
        }
    }
}

/// A name-like input: not blank, at most `max` characters, no control characters, no outer
/// whitespace (the rule of every name the API takes: [`cairn_sdk::types::check_text`]).
pub(super) fn check_text(field: AccountField, value: &str, max: usize) -> Result<(), InvalidField> {
    match cairn_sdk::types::check_text(value, max) {
        Some(message) => Err(InvalidField::new(field, message)),
        None => Ok(()),
    }
}
