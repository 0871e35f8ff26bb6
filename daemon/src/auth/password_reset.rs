//! Password-reset tokens: `cpr_` plus 43 random characters, mailed once, stored as SHA-256,
//! single use, valid one hour.

use time::{Duration, OffsetDateTime};

use super::secrets::{random_alphanumeric, sha256_hex};
use crate::mail::{Mail, Mailer};
use crate::store::{Store, StoreResult, UserRecord};

/// How long a reset token works.
pub const RESET_TTL: Duration = Duration::hours(1);

/// Makes a token for `user`, stores its hash (voiding earlier ones) and mails it; the token is
/// never part of the stored body (see [`crate::mail`]).
pub async fn issue(store: &Store, mailer: &Mailer, user: &UserRecord) -> StoreResult<OffsetDateTime> {
    let token = format!("cpr_{}", random_alphanumeric(43));
    let expires = store.password_reset_issue(user.id, &sha256_hex(token.as_bytes()), RESET_TTL).await?;
    let body = format!(
        "Someone (hopefully you) asked to reset the password of your Cairn account {email}.\n\n\
         Reset token: {placeholder}\n\n\
         Send it with your new password to POST /api/v1/auth/reset-password \
         {{\"token\": \"…\", \"password\": \"…\"}} before {expires}. It works once.\n\
         If you did not ask for this, ignore this mail; your password is unchanged.\n",
        email = user.email,
        placeholder = crate::mail::SECRET_PLACEHOLDER,
        expires = crate::store::ts(expires),
    );
    let message =
        Mail { to: &user.email, subject: "Reset your Cairn password", body: &body, secret: Some(&token) };
    mailer.send(&message).await?;
    Ok(expires)
}

/// The hash under which a presented token is stored.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}
