//! Mail-verified open registration (issue 16, point 13): a request answers the same whether or
//! not the address has an account, and only the mailbox's owner learns which. A new address gets
//! a one-time token (`crg_` plus 43 random characters, stored as SHA-256, valid one hour) that
//! completes the account at `POST /auth/register/verify`; an existing account's owner gets a note
//! that someone tried to register with the address.

use time::Duration;

use super::secrets::{random_alphanumeric, sha256_hex};
use crate::mail::{Mail, Mailer, SECRET_PLACEHOLDER};
use crate::store::{PendingRegistration, Store, StoreError, StoreResult};

/// How long a registration token works.
pub const REGISTRATION_TTL: Duration = Duration::hours(1);

/// Starts a registration for `request.email`: either a verification mail (new address) or a
/// warning to the owner (taken address). Both paths make the same writes (a request row — spent at
/// once for a taken address — and a mail), so neither the answer nor its cost tells them apart.
pub async fn start(store: &Store, mailer: &Mailer, request: &PendingRegistration) -> StoreResult<()> {
    let taken = match store.user_by_email(&request.email).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e),
    };
    let token = format!("crg_{}", random_alphanumeric(43));
    let hash = sha256_hex(token.as_bytes());
    if taken {
        store.registration_request_create(&hash, request, Duration::ZERO).await?;
        let body = format!(
            "Someone asked to register a Cairn account with your address {email}, which already has \
             an account. Nothing was changed.\n\n\
             If it was you: sign in instead, or ask for a password reset at \
             POST /api/v1/auth/forgot-password. If it was not you, ignore this mail.\n",
            email = request.email,
        );
        let mail =
            Mail { to: &request.email, subject: "Cairn registration attempt", body: &body, secret: None };
        mailer.send(&mail).await?;
    } else {
        let expires = store.registration_request_create(&hash, request, REGISTRATION_TTL).await?;
        let body = format!(
            "Someone (hopefully you) asked to register a Cairn account with the address {email}.\n\n\
             Registration token: {SECRET_PLACEHOLDER}\n\n\
             Send it to POST /api/v1/auth/register/verify {{\"token\": \"…\"}} before {expires}. It works once.\n\
             If you did not ask for this, ignore this mail; no account is created.\n",
            email = request.email,
            expires = crate::store::ts(expires),
        );
        let mail = Mail {
            to: &request.email,
            subject: "Confirm your Cairn registration",
            body: &body,
            secret: Some(&token),
        };
        mailer.send(&mail).await?;
    }
    Ok(())
}

/// The pending registration a presented token completes (once). `NotFound` when unknown, used or
/// expired.
pub async fn consume(store: &Store, token: &str) -> StoreResult<PendingRegistration> {
    store.registration_request_consume(&sha256_hex(token.as_bytes())).await
}
