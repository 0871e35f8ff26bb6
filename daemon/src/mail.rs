//! Outgoing mail. Every message is recorded in the outbox (`GET /api/v1/admin/outbox`); when
//! `[mail] pickup_dir` is set it is also delivered there as an RFC 5322 `.eml` file (0600) for
//! the local MTA (or any pickup agent) to send. A one-time secret a mail carries (a password-reset
//! token) is stored apart from the body and only until delivery; the outbox shows
//! [`SECRET_PLACEHOLDER`] in its place.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::format_description::well_known::Rfc2822;

use crate::store::{Store, StoreResult};

/// What the stored body (and so the admin outbox) shows where the secret goes.
pub const SECRET_PLACEHOLDER: &str = "[withheld: delivered to the recipient only]";

/// `[mail]` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// Directory mails are delivered to as `<id>.eml` files; unset = mail stays in the outbox
    /// and mails carrying a secret (password resets) cannot reach anyone.
    pub pickup_dir: Option<PathBuf>,
}

/// A mail to send; `body` contains [`SECRET_PLACEHOLDER`] where `secret` belongs.
pub struct Mail<'a> {
    /// Recipient address.
    pub to: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
    /// The one-time secret substituted into the body only when delivering.
    pub secret: Option<&'a str>,
}

/// Records `mail` in the outbox and delivers it when a transport is configured. Returns whether
/// it was delivered. A failed delivery is logged and leaves the mail queued (its secret is
/// dropped when it expires, see [`Store::outbox_forget_secrets`]).
pub async fn send(store: &Store, config: &MailConfig, mail: &Mail<'_>) -> StoreResult<bool> {
    let id = store.outbox_push(mail.to, mail.subject, mail.body, mail.secret).await?;
    let Some(dir) = &config.pickup_dir else {
        return Ok(false);
    };
    let body = match mail.secret {
        Some(secret) => mail.body.replace(SECRET_PLACEHOLDER, secret),
        None => mail.body.to_owned(),
    };
    let dir = dir.clone();
    let (to, subject, file_id) = (mail.to.to_owned(), mail.subject.to_owned(), id.clone());
    let written = tokio::task::spawn_blocking(move || write_eml(&dir, &file_id, &to, &subject, &body)).await;
    match written {
        Ok(Ok(())) => {
            store.outbox_mark_sent(&id).await?;
            Ok(true)
        }
        Ok(Err(e)) => {
            tracing::error!(mail = %id, error = %e, "cannot deliver mail to the pickup directory");
            Ok(false)
        }
        Err(e) => {
            tracing::error!(mail = %id, error = %e, "mail delivery task failed");
            Ok(false)
        }
    }
}

/// Writes the message to `<dir>/<id>.eml` through a temporary name, so a pickup agent never
/// reads half a file; 0600 because it carries the secret.
fn write_eml(dir: &Path, id: &str, to: &str, subject: &str, body: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let date = time::OffsetDateTime::now_utc().format(&Rfc2822).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!(".{id}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    write!(
        file,
        "To: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@cairn>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        body.replace('\n', "\r\n")
    )?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join(format!("{id}.eml")))
}
