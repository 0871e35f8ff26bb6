//! The notification consumer: each event becomes a notification for every member of its tenant
//! (every role reads every project) whose preferences subscribe to it — the event's kind in the
//! app, its project among theirs, its severity at least their minimum. Written in the consumer's
//! batch, one per user and event, so an event handled again after a crash adds nothing. Kinds
//! that are the admins' to act on (`webhook.unhealthy`) go to admins and owners only. Kinds a
//! user's preferences send by mail are queued in the mail outbox in the same batch (see
//! [`super::notification_mail`]); the mail sender delivers them after the batch commits.

use cairn_sdk::types::{
    CveWatchHitData, Event, EventKind, FindingEventData, NotificationPrefs, Role, ScanEventData,
    VulndbUpdatedData, WebhookUnhealthyData,
};

use super::{Consumer, ConsumerFuture};
use crate::mail::Mailer;
use crate::store::{EventBatch, MailSchedule, NewMail, NewNotification, Store};

/// Makes in-app notifications (and notification mail) from events.
#[derive(Debug)]
pub struct Notifier {
    /// Queues notification mail and wakes its sender.
    pub mailer: Mailer,
    /// The daemon's external origin, for links in mail.
    pub public_url: Option<String>,
}

impl Consumer for Notifier {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn handle<'a>(&'a self, _store: &'a Store, batch: &'a mut EventBatch) -> ConsumerFuture<'a> {
        Box::pin(async move {
            let recipients = batch.notification_recipients().await?;
            let prefs: Vec<(cairn_sdk::types::UserId, Role, NotificationPrefs)> = recipients
                .iter()
                .map(|r| {
                    let saved =
                        r.prefs.as_deref().and_then(|p| serde_json::from_str::<NotificationPrefs>(p).ok());
                    let prefs =
                        saved.map_or_else(NotificationPrefs::defaults, NotificationPrefs::over_defaults);
                    (r.user, r.role, prefs)
                })
                .collect();
            let mut mailed = false;
            let events = batch.events.clone();
            for event in &events {
                let rows: Vec<NewNotification> = prefs
                    .iter()
                    .filter(|(_, role, _)| reaches(event, *role))
                    .filter(|(_, _, p)| p.wants_in_app(event))
                    .map(|(user, _, _)| NewNotification { user: *user, title: title(event) })
                    .collect();
                if !rows.is_empty() {
                    batch.notifications_insert(event, &rows).await?;
                }
                mailed |= self.queue_mail(batch, event, &recipients, &prefs).await?;
            }
            if mailed {
                // The sender finds them once the batch commits (at the latest on its next poll).
                self.mailer.wake();
            }
            Ok(())
        })
    }

    fn wakes_readers(&self) -> bool {
        true
    }
}

impl Notifier {
    /// Queues `event`'s mail for the recipients whose preferences choose mail for it; returns
    /// whether any was queued.
    async fn queue_mail(
        &self,
        batch: &mut EventBatch,
        event: &Event,
        recipients: &[crate::store::Recipient],
        prefs: &[(cairn_sdk::types::UserId, Role, NotificationPrefs)],
    ) -> crate::store::StoreResult<bool> {
        let to: Vec<&str> = recipients
            .iter()
            .zip(prefs)
            .filter(|(_, (_, role, _))| reaches(event, *role))
            .filter(|(_, (_, _, p))| p.wants_email(event))
            .map(|(r, _)| r.email.as_str())
            .collect();
        if to.is_empty() {
            return Ok(false);
        }
        let project = match event.project {
            Some(p) => batch.project_name(p).await?,
            None => None,
        };
        let (subject, body) =
            super::notification_mail::compose(event, project.as_deref(), self.public_url.as_deref());
        let schedule: MailSchedule = self.mailer.schedule();
        for address in to {
            let mail = NewMail { to: address, subject: &subject, body: &body, secret: None };
            batch.outbox_queue(&mail, schedule).await?;
        }
        Ok(true)
    }
}

/// Whether a member with `role` hears of `event` at all (in the app or by mail): kinds that are
/// the admins' to act on reach admins and owners only.
fn reaches(event: &Event, role: Role) -> bool {
    !event.kind.admins_only() || role >= Role::Admin
}

/// One line saying what happened.
pub fn title(e: &Event) -> String {
    let finding = || e.data_as::<FindingEventData>().ok();
    match e.kind {
        EventKind::FindingNew | EventKind::FindingResolved | EventKind::FindingTriaged => match finding() {
            Some(f) => {
                let what = match e.kind {
                    EventKind::FindingNew => "New finding".to_owned(),
                    EventKind::FindingResolved => "Resolved".to_owned(),
                    _ => format!("Triaged ({})", f.state.map_or("cleared", |s| s.as_str())),
                };
                format!("{what}: {} ({}) in {}", f.advisory, f.severity.as_str(), f.purl)
            }
            None => e.kind.as_str().to_owned(),
        },
        EventKind::ScanCompleted | EventKind::ScanFailed => match e.data_as::<ScanEventData>() {
            Ok(s) if e.kind == EventKind::ScanFailed => {
                format!("Scan {} failed: {}", s.scan, s.error.unwrap_or_default())
            }
            Ok(s) => format!("Scan {} completed", s.scan),
            Err(_) => e.kind.as_str().to_owned(),
        },
        EventKind::VulndbUpdated => match e.data_as::<VulndbUpdatedData>() {
            Ok(v) if v.removed => format!("Vulnerability data source {} removed", v.source),
            Ok(v) => format!("Vulnerability data source {} updated ({} records)", v.source, v.records),
            Err(_) => e.kind.as_str().to_owned(),
        },
        EventKind::CveWatchHit => match e.data_as::<CveWatchHitData>() {
            Ok(h) => match &h.hit.advisory {
                Some(a) => format!("Watch {} hit: {a} in {}", h.target, h.hit.purl),
                None => format!("Watch {} hit: {}", h.target, h.hit.purl),
            },
            Err(_) => e.kind.as_str().to_owned(),
        },
        EventKind::WebhookUnhealthy => match e.data_as::<WebhookUnhealthyData>() {
            Ok(w) => format!(
                "Webhook {} unhealthy after {} failed deliveries{}",
                w.url,
                w.consecutive_failures,
                w.last_error.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            Err(_) => e.kind.as_str().to_owned(),
        },
        _ => e.kind.as_str().to_owned(),
    }
}
