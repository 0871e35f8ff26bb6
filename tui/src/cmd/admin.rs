//! `cairn admin users|teams|audit`: the installation as its operator sees it. The daemon hides
//! `/admin` from everyone but super admins (a 404), and refuses a super admin's API key without
//! the `admin` scope (a 403); both are said as "needs a super-admin account".

use std::process::ExitCode;

use cairn_sdk::types::{AuditEntry, Team, UserAdmin};
use cairn_sdk::{Client, ListQuery};
use futures_util::{StreamExt, TryStreamExt};

use crate::cli::{AdminAuditArgs, AdminCommand};
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: AdminCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            AdminCommand::Users { json } => {
                let users: Vec<UserAdmin> = client
                    .admin_users(ListQuery::limit(200).sort("email"))
                    .try_collect()
                    .await
                    .map_err(|e| refused(e, "listing users"))?;
                if json { print_json(&users)? } else { users_table(&users).print()? }
            }
            AdminCommand::Teams { json } => {
                let teams: Vec<Team> = client
                    .admin_teams(ListQuery::limit(200).sort("name"))
                    .try_collect()
                    .await
                    .map_err(|e| refused(e, "listing teams"))?;
                if json { print_json(&teams)? } else { teams_table(&teams).print()? }
            }
            AdminCommand::Audit(args) => {
                let json = args.json;
                let entries = audit(&client, args).await?;
                if json { print_json(&entries)? } else { audit_table(&entries).print()? }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The daemon's refusal said as what the caller lacks.
fn refused(e: cairn_sdk::Error, doing: &str) -> anyhow::Error {
    let hidden = e.status() == Some(404) && e.code() == Some("ROUTE_NOT_FOUND");
    if hidden || e.status() == Some(403) {
        return anyhow::Error::from(e).context(doing.to_owned()).context(
            "this needs a super-admin account (an API key also needs the `admin` scope); \
             in local mode it always works",
        );
    }
    super::lookup::explain(e, doing, true)
}

/// The newest entries first, a page at a time, until `--limit` entries are kept or an entry is
/// older than `--since`. The daemon's list has no filters: `--since` and `--action` are applied
/// here, on every entry read.
async fn audit(client: &Client, args: AdminAuditArgs) -> anyhow::Result<Vec<AuditEntry>> {
    let page = if args.limit == 0 { 200 } else { args.limit.clamp(1, 200) as u32 };
    let take = if args.limit == 0 { usize::MAX } else { args.limit };
    let since = args.since;
    let action = args.action;
    client
        .admin_audit(ListQuery::limit(page).sort("-created_at"))
        .try_take_while(move |e| std::future::ready(Ok(since.is_none_or(|s| e.created_at >= s))))
        .try_filter(move |e| std::future::ready(action.as_ref().is_none_or(|a| &e.action == a)))
        .take(take)
        .try_collect()
        .await
        .map_err(|e| refused(e, "reading the audit log"))
}

fn users_table(users: &[UserAdmin]) -> Table {
    let mut t = Table::new(&["EMAIL", "NAME", "SUPER ADMIN", "ACTIVE", "CREATED", "LAST LOGIN", "ID"]);
    for u in users {
        t.row(vec![
            u.email.clone(),
            u.display_name.clone(),
            yes_no(u.super_admin),
            yes_no(u.active),
            super::scans::date(u.created_at),
            or_dash(u.last_login_at.map(super::scans::date)),
            u.id.to_string(),
        ]);
    }
    t
}

fn teams_table(teams: &[Team]) -> Table {
    let mut t = Table::new(&["NAME", "MEMBERS", "CREATED", "ID"]);
    for team in teams {
        t.row(vec![
            team.name.clone(),
            team.member_count.to_string(),
            super::scans::date(team.created_at),
            team.id.to_string(),
        ]);
    }
    t
}

/// One row per entry; the detail as compact JSON (the chain's hashes only in `--json`).
fn audit_table(entries: &[AuditEntry]) -> Table {
    let mut t = Table::new(&["SEQ", "TIME", "ACTION", "OBJECT", "ACTOR", "DETAIL"]);
    for e in entries {
        let object = match &e.object_id {
            Some(id) => format!("{}:{id}", e.object_type),
            None => e.object_type.clone(),
        };
        let actor = e.actor_user_id.as_deref().or(e.actor_api_key_id.as_deref());
        t.row(vec![
            e.seq.to_string(),
            super::scans::date(e.created_at),
            e.action.clone(),
            object,
            or_dash(actor),
            e.detail.to_string(),
        ]);
    }
    t
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}
