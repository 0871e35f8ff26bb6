//! What the script commands share: a client of the active target, a project named by name or
//! id, and the daemon's errors said plainly.

use std::future::Future;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use cairn_sdk::Client;
use cairn_sdk::types::ProjectId;

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
    match find_project(client, arg).await? {
        Some(id) => Ok(id),
        None => match arg.parse::<ProjectId>() {
            Ok(id) => Err(anyhow!("no project with id {id}")),
            Err(_) => {
                Err(anyhow!("no project named {arg:?} (see `cairn projects ls`, or `cairn projects create`)"))
            }
        },
    }
}

/// The project `arg` names (an id, or an exact name), or `None` when there is none.
pub async fn find_project(client: &Client, arg: &str) -> anyhow::Result<Option<ProjectId>> {
    if let Ok(id) = arg.parse::<ProjectId>() {
        return match client.project(id).await {
            Ok(p) => Ok(Some(p.id)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e).context("reading the project"),
        };
    }
    Ok(client.project_by_name(arg).await.context("looking up the project")?.map(|p| p.id))
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
