//! `cairn notifications ls|read`: the caller's notifications through `/notifications`.

use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::types::Notification;
use time::format_description::well_known::Rfc3339;

use crate::cli::{NotificationsCommand, NotificationsLsArgs, NotificationsReadArgs};
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: NotificationsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            NotificationsCommand::Ls(args) => ls(&client, args).await,
            NotificationsCommand::Read(args) => read(&client, args).await,
        }
    })
}

async fn ls(client: &cairn_sdk::Client, args: NotificationsLsArgs) -> anyhow::Result<ExitCode> {
    let page =
        client.notifications(args.unread, Some(args.limit), None).await.context("listing notifications")?;
    if args.json {
        print_json(&page.items)?;
    } else {
        table(&page.items).print()?;
        let unread = client.notifications_unread_count().await.context("counting unread notifications")?;
        eprintln!("cairn: {} shown of {}; {} unread", page.items.len(), page.total, unread.unread);
    }
    Ok(ExitCode::SUCCESS)
}

async fn read(client: &cairn_sdk::Client, args: NotificationsReadArgs) -> anyhow::Result<ExitCode> {
    match args.id {
        Some(id) => {
            client.notification_read(id).await.with_context(|| format!("marking notification {id} read"))?;
        }
        None => {
            client.notifications_read_all().await.context("marking every notification read")?;
        }
    }
    let unread = client.notifications_unread_count().await.context("counting unread notifications")?;
    println!("{} unread", unread.unread);
    Ok(ExitCode::SUCCESS)
}

/// One row per notification: the id to mark read with, when, the kind, what happened, read or not.
pub fn table(items: &[Notification]) -> Table {
    let mut t = Table::new(&["ID", "CREATED", "TYPE", "SEVERITY", "TITLE", "READ"]);
    for n in items {
        t.row(vec![
            n.id.to_string(),
            n.created_at.format(&Rfc3339).unwrap_or_default(),
            n.kind.as_str().to_owned(),
            or_dash(n.severity),
            n.title.clone(),
            if n.read_at.is_some() { "read".to_owned() } else { "unread".to_owned() },
        ]);
    }
    t
}
