//! Accounts: creating users (each owning a new tenant), API keys and passwords, with one
//! validation, for `cairnd admin`, the local-mode bootstrap and the API handlers.
//!
//! The service works over the [`Store`]; the callers differ only in how they take input (flags,
//! JSON bodies) and how they report a [`AccountsError`] (a message, a problem+json naming the
//! field).

mod email;
mod error;
mod keys;
mod local_admin;
mod users;

pub use email::{Email, normalize_email};
pub use error::{AccountField, AccountsError, InvalidField};
pub use keys::{IssuedKey, KeySpec};
pub use local_admin::{LOCAL_ADMIN_EMAIL, LOCAL_KEY_NAME};
pub use users::{CreatedUser, NewUser};

use crate::store::{AuditEvent, Store};

/// Who asks, recorded in the audit trail (`detail.via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `cairnd admin …` from the server's shell.
    Cli,
    /// The local-mode daemon bootstrapping its administrator.
    LocalMode,
    /// An API request (its handler audits it; the service adds nothing).
    Api,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::LocalMode => "local",
            Self::Api => "api",
        }
    }
}

/// The accounts service over one store.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'s> {
    store: &'s Store,
    origin: Origin,
}

impl<'s> Accounts<'s> {
    /// The service acting for `origin`.
    pub fn new(store: &'s Store, origin: Origin) -> Self {
        Self { store, origin }
    }

    /// Appends an audit event of a request without an authenticated actor (the shell, the local
    /// bootstrap); API requests are audited by their handlers.
    async fn audit(&self, mut event: AuditEvent) -> Result<(), AccountsError> {
        if self.origin == Origin::Api {
            return Ok(());
        }
        if let serde_json::Value::Object(detail) = &mut event.detail {
            detail.insert("via".into(), self.origin.as_str().into());
        }
        self.store.audit_append(&event).await?;
        Ok(())
    }
}

/// An audit event about `object_type` `object_id`, in `tenant_id` if any.
fn event(
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
