//! `cairn webhooks ls|add|rm|ping|deliveries|redeliver|rotate-secret`: the tenant's outbound
//! webhooks. The signing secret is printed once, by `add` and `rotate-secret`.

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::{CreateWebhook, Webhook, WebhookDelivery, WebhookId};
use futures_util::TryStreamExt;

use crate::cli::WebhooksCommand;
use crate::table::{Table, or_dash, print_json};

fn explain(doing: &'static str) -> impl Fn(cairn_sdk::Error) -> anyhow::Error {
    move |e| super::lookup::explain(e, doing, false)
}

pub fn run(cmd: WebhooksCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            WebhooksCommand::Ls { json } => {
                let hooks: Vec<Webhook> = client
                    .webhooks(ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing webhooks"))?;
                if json {
                    print_json(&hooks)?;
                } else {
                    table(&hooks).print()?;
                }
            }
            WebhooksCommand::Add { url, events, projects, min_severity, json } => {
                let body = CreateWebhook {
                    url,
                    events,
                    projects: (!projects.is_empty()).then_some(projects),
                    min_severity,
                    secret: None,
                };
                let created = client.create_webhook(&body).await.map_err(explain("adding the webhook"))?;
                if json {
                    print_json(&created)?;
                } else {
                    // The secret alone on stdout, so `SECRET=$(cairn webhooks add …)` captures it.
                    crate::outln!("{}", created.secret);
                }
                secret_notice(created.webhook.id);
            }
            WebhooksCommand::Rm { id } => {
                client.delete_webhook(id).await.map_err(explain("removing the webhook"))?;
                crate::outln!("removed webhook {id}");
            }
            WebhooksCommand::Ping { id } => {
                let queued = client.ping_webhook(id).await.map_err(explain("pinging the webhook"))?;
                crate::outln!("{}", queued.id);
                eprintln!("cairn: ping queued; `cairn webhooks deliveries {id}` shows how it went");
            }
            WebhooksCommand::Deliveries { id, json } => {
                let list: Vec<WebhookDelivery> = client
                    .webhook_deliveries(id, ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing the deliveries"))?;
                if json {
                    print_json(&list)?;
                } else {
                    deliveries(&list).print()?;
                }
            }
            WebhooksCommand::Redeliver { id, delivery } => {
                let queued = client.redeliver_webhook(id, delivery).await.map_err(explain("redelivering"))?;
                crate::outln!("{}", queued.id);
            }
            WebhooksCommand::RotateSecret { id } => {
                let rotated =
                    client.rotate_webhook_secret(id).await.map_err(explain("rotating the secret"))?;
                crate::outln!("{}", rotated.secret);
                secret_notice(id);
                if let Some(until) = rotated.webhook.previous_secret_until {
                    eprintln!("cairn: the previous secret still signs until {}", super::scans::date(until));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn secret_notice(id: WebhookId) {
    eprintln!("cairn: this is the signing secret of webhook {id}; it will not be shown again: store it now");
}

fn table(hooks: &[Webhook]) -> Table {
    let mut t = Table::new(&["URL", "EVENTS", "HEALTHY", "FAILURES", "CREATED", "ID"]);
    for w in hooks {
        t.row(vec![
            w.url.clone(),
            w.events.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
            if w.healthy { "yes".into() } else { "no".into() },
            w.consecutive_failures.to_string(),
            super::scans::date(w.created_at),
            w.id.to_string(),
        ]);
    }
    t
}

/// One row per delivery with its latest attempt.
fn deliveries(list: &[WebhookDelivery]) -> Table {
    let mut t = Table::new(&["TYPE", "STATE", "ATTEMPTS", "LAST STATUS", "LAST ERROR", "CREATED", "ID"]);
    for d in list {
        let last = d.attempts.last();
        t.row(vec![
            d.kind.as_str().to_owned(),
            d.state.as_str().to_owned(),
            d.attempts.len().to_string(),
            or_dash(last.and_then(|a| a.status_code).map(|c| c.to_string())),
            or_dash(last.and_then(|a| a.error.clone())),
            super::scans::date(d.created_at),
            d.id.to_string(),
        ]);
    }
    t
}
