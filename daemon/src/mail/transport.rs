//! The configured way out: an SMTP server (lettre, over rustls) or a pickup directory.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox, header::ContentTransferEncoding};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{MailConfig, SmtpTls};

/// Where mail goes.
pub enum Transport {
    /// An SMTP server.
    Smtp {
        /// The client (it pools connections).
        client: AsyncSmtpTransport<Tokio1Executor>,
        /// The sender.
        from: Mailbox,
    },
    /// `<id>.eml` files in a directory.
    Pickup(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The client holds the credentials: never print it.
            Transport::Smtp { from, .. } => f.debug_struct("Smtp").field("from", &from.to_string()).finish(),
            Transport::Pickup(dir) => f.debug_tuple("Pickup").field(dir).finish(),
        }
    }
}

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug)]
pub struct DeliveryError {
    /// What went wrong, for the outbox (no secret in it).
    pub reason: String,
    /// The server refused the mail for good (a 5xx answer, an address it cannot take).
    pub permanent: bool,
}

impl Transport {
    /// The transport `config` names (SMTP over the pickup directory), `None` for neither.
    pub fn from_config(
        config: &MailConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(smtp) = &config.smtp else {
            return Ok(config.pickup_dir.clone().map(Transport::Pickup));
        };
        let from: Mailbox = smtp
            .from
            .parse()
            .with_context(|| format!("mail.smtp.from: {:?} is not a mail address", smtp.from))?;
        let builder = match smtp.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)),
        }
        .with_context(|| format!("mail.smtp.host: cannot set up TLS for {:?}", smtp.host))?;
        let mut builder =
            builder.port(smtp.port()).timeout(Some(Duration::from_secs(smtp.timeout_secs.max(1))));
        let password = smtp.password(env).map_err(anyhow::Error::msg)?;
        match (&smtp.username, password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password))
            }
            (Some(_), None) => {
                anyhow::bail!("mail.smtp.username is set: set password_env or password_file too")
            }
            (None, Some(_)) => anyhow::bail!("mail.smtp: a password is set without username"),
            (None, None) => {}
        }
        Ok(Some(Transport::Smtp { client: builder.build(), from }))
    }

    /// Delivers one mail; `id` names its file or Message-ID.
    pub async fn deliver(
        &self,
        id: &str,
        to: &str,
        subject: &str,
        body: String,
    ) -> Result<(), DeliveryError> {
        match self {
            Transport::Smtp { client, from } => {
                let permanent = |reason: String| DeliveryError { reason, permanent: true };
                let to: Mailbox = to.parse().map_err(|e| permanent(format!("recipient {to:?}: {e}")))?;
                // 8bit keeps the text (and a token in it) readable as sent; lines too long for
                // 8bit fall back to lettre's choice of encoding.
                let body = Body::new_with_encoding(body, ContentTransferEncoding::EightBit)
                    .unwrap_or_else(Body::new);
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .message_id(Some(format!("<{id}@cairn>")))
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)
                    .map_err(|e| permanent(format!("cannot build the message: {e}")))?;
                client
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| DeliveryError { permanent: e.is_permanent(), reason: format!("SMTP: {e}") })
            }
            Transport::Pickup(dir) => {
                let (dir, id, to, subject) = (dir.clone(), id.to_owned(), to.to_owned(), subject.to_owned());
                match tokio::task::spawn_blocking(move || {
                    super::pickup::write_eml(&dir, &id, &to, &subject, &body)
                })
                .await
                {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => {
                        Err(DeliveryError { reason: format!("pickup directory: {e}"), permanent: false })
                    }
                    Err(e) => Err(DeliveryError { reason: format!("pickup task: {e}"), permanent: false }),
                }
            }
        }
    }
}
