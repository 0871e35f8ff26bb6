//! Outgoing mail. Every message is queued in the outbox (`GET /api/v1/admin/outbox` shows it with
//! its delivery state) and delivered from there by this replica's sender ([`worker`]) through the
//! configured transport: an SMTP server (`[mail.smtp]`) or a pickup directory (`[mail]
//! pickup_dir`). A failed delivery stays queued with its error and is tried again with growing
//! delays; one that cannot be delivered within the retry period is marked failed, never dropped.
//! A one-time secret a mail carries (a password-reset or registration token) is stored apart from
//! the body and only until delivery; the outbox shows [`SECRET_PLACEHOLDER`] in its place.
//!
//! Requests only queue (a database insert) and never wait for delivery, so an answer takes the
//! same time whether or not it made a mail (forgotten passwords, registration).

pub mod config;
mod pickup;
mod transport;
pub mod worker;

use std::sync::Arc;

pub use config::{MailConfig, SmtpConfig, SmtpTls};
pub use transport::Transport;

use crate::store::{MailSchedule, NewMail, Store, StoreResult};

/// What the stored body (and so the admin outbox) shows where the secret goes.
pub const SECRET_PLACEHOLDER: &str = "[withheld: delivered to the recipient only]";

/// Why a mail was only recorded.
const NO_TRANSPORT: &str = "no mail transport is configured ([mail.smtp] or [mail] pickup_dir)";

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

impl<'a> Mail<'a> {
    fn as_new(&self) -> NewMail<'a> {
        NewMail { to: self.to, subject: self.subject, body: self.body, secret: self.secret }
    }
}

/// The daemon's mail: its transport and the wake-up of this replica's sender.
#[derive(Debug, Clone)]
pub struct Mailer {
    store: Store,
    transport: Option<Arc<Transport>>,
    config: MailConfig,
    wake: Arc<tokio::sync::Notify>,
}

impl Mailer {
    /// Builds the transport `config` names (reading the SMTP password); an error says which
    /// setting is wrong.
    pub fn new(store: Store, config: &MailConfig) -> anyhow::Result<Self> {
        let transport = Transport::from_config(config, |var| std::env::var(var).ok())?;
        Ok(Self {
            store,
            transport: transport.map(Arc::new),
            config: config.clone(),
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Queues `mail` and wakes the sender; returns the outbox id.
    pub async fn send(&self, mail: &Mail<'_>) -> StoreResult<String> {
        let id = self.store.outbox_push(&mail.as_new(), self.schedule()).await?;
        self.wake();
        Ok(id)
    }

    /// How a new mail is scheduled under this configuration.
    pub fn schedule(&self) -> MailSchedule {
        if self.transport.is_some() { MailSchedule::Now } else { MailSchedule::NoTransport(NO_TRANSPORT) }
    }

    /// Wakes the sender (mails were queued, possibly in another transaction that has committed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The body as the recipient gets it: the secret in place of the placeholder.
fn recipient_body(body: &str, secret: Option<&str>) -> String {
    match secret {
        Some(secret) => body.replace(SECRET_PLACEHOLDER, secret),
        None => body.to_owned(),
    }
}
