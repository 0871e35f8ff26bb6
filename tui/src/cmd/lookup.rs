//! What the script commands share: a client of the active target, a project named by name or
//! id, and the daemon's errors said plainly.

use std::future::Future;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use cairn_sdk::types::ProjectId;
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::connect::Target;
use crate::dirs::Dirs;

/// Runs `f` with a client of the active target (the profile's server, or the local daemon,
/// started on demand).
pub fn with_client<F, Fut>(profile: Option<&str>, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    let dirs = Dirs::new()?;
    let target = Target::resolve(&dirs, profile)?;
    super::runtime()?.block_on(async move {
        let client = target.client(&dirs).await?;
        f(client).await
    })
}

/// The project `arg` names: an id, or an exact name (names are unique within a tenant).
pub async fn project_id(client: &Client, arg: &str) -> anyhow::Result<ProjectId> {
    if let Ok(id) = arg.parse::<ProjectId>() {
        return match client.project(id).await {
            Ok(p) => Ok(p.id),
            Err(e) if e.is_not_found() => Err(anyhow!("no project with id {id}")),
            Err(e) => Err(e).context("reading the project"),
        };
    }
    // The daemon's `name` filter matches substrings: the exact name is picked from its answer.
    let found: Vec<_> = client
        .projects(ListQuery::limit(200).filter("name", arg))
        .try_collect()
        .await
        .context("listing projects")?;
    found.into_iter().find(|p| p.name == arg).map(|p| p.id).ok_or_else(|| anyhow!("no project named {arg:?}"))
}

/// An SDK error with a hint for the answers a script user meets: the admin routes a non-admin
/// cannot see (404 `ROUTE_NOT_FOUND`), a missing scope or role (403).
pub fn explain(e: cairn_sdk::Error, doing: &str, admin: bool) -> anyhow::Error {
    let hint = match (e.status(), e.code()) {
        (Some(404), Some("ROUTE_NOT_FOUND")) if admin => Some(
            "this needs a super admin of the server (and an API key with the `admin` scope); \
             in local mode it always works",
        ),
        (Some(403), _) if admin => {
            Some("this needs a super admin of the server (and an API key with the `admin` scope)")
        }
        (Some(403), _) => Some("your account or API key lacks the permission for this"),
        _ => None,
    };
    let e = anyhow::Error::from(e).context(doing.to_owned());
    match hint {
        Some(h) => e.context(h),
        None => e,
    }
}
