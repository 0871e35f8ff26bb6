//! `cairn status`: the server in use, who you are, the daemon's health and the vulnerability
//! data, as lines for people or (`--json`) one object for scripts. What was not looked at (a
//! local daemon that is not running) is `null` in JSON, never a made-up value.

use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::types::{Health, User, VulnDataState, VulnDbStatus};
use serde::Serialize;

use crate::connect::{Target, profile_client};
use crate::dirs::Dirs;
use crate::table::print_json;

/// `cairn status --json`.
#[derive(Debug, Serialize)]
struct Report {
    /// `local` (no server configured) or `profile`.
    mode: &'static str,
    /// The profile's name (`profile` mode).
    profile: Option<String>,
    /// The server's base URL: the profile's, or the running local daemon's.
    server: Option<String>,
    /// The local daemon (`local` mode).
    local_daemon: Option<LocalDaemon>,
    /// `GET /api/health`; `null` when no daemon was asked (a local daemon that is not running).
    daemon: Option<Health>,
    /// Who the credential belongs to; `null` when no daemon was asked.
    user: Option<User>,
    /// `GET /vulndb/status`; `null` when not asked or not answered (`vulndb_error` says why).
    vulndb: Option<VulnDbStatus>,
    /// Why `vulndb` is `null` although a daemon was asked.
    vulndb_error: Option<String>,
}

#[derive(Debug, Serialize)]
struct LocalDaemon {
    running: bool,
    url: Option<String>,
    pid: Option<u32>,
}

pub fn run(dirs: &Dirs, profile_flag: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let target = Target::resolve(dirs, profile_flag)?;
    let report = super::runtime()?.block_on(gather(dirs, &target))?;
    if json {
        print_json(&report)?;
    } else {
        print(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn gather(dirs: &Dirs, target: &Target) -> anyhow::Result<Report> {
    let (mut report, client) = match target {
        Target::Local(local) => {
            let state = local.running().await;
            let report = Report {
                mode: "local",
                profile: None,
                server: state.as_ref().map(|s| s.url.clone()),
                local_daemon: Some(LocalDaemon {
                    running: state.is_some(),
                    url: state.as_ref().map(|s| s.url.clone()),
                    pid: state.as_ref().map(|s| s.pid),
                }),
                daemon: None,
                user: None,
                vulndb: None,
                vulndb_error: None,
            };
            match state {
                None => return Ok(report),
                Some(_) => (report, local.client().await?),
            }
        }
        Target::Profile { name, profile } => {
            let report = Report {
                mode: "profile",
                profile: Some(name.clone()),
                server: Some(profile.server.clone()),
                local_daemon: None,
                daemon: None,
                user: None,
                vulndb: None,
                vulndb_error: None,
            };
            (report, profile_client(dirs, name, profile)?)
        }
    };
    report.daemon = Some(client.health().await.context("the daemon does not answer")?);
    report.user = Some(client.me().await.context("checking the credential")?.user);
    match client.vulndb_status().await {
        Ok(v) => report.vulndb = Some(v),
        Err(e) if e.is_not_found() && e.code() == Some("ROUTE_NOT_FOUND") => {
            report.vulndb_error = Some("this daemon has no /vulndb/status".into());
        }
        Err(e) => report.vulndb_error = Some(e.to_string()),
    }
    Ok(report)
}

fn print(r: &Report) -> anyhow::Result<()> {
    match (&r.local_daemon, &r.profile) {
        (Some(local), _) => {
            crate::outln!("mode: local (no server configured)");
            match (&local.url, local.pid) {
                (Some(url), Some(pid)) if local.running => {
                    crate::outln!("local daemon: running at {url} (pid {pid})")
                }
                _ => {
                    crate::outln!(
                        "local daemon: not running; `cairn daemon start` or any command that needs it starts it"
                    );
                    return Ok(());
                }
            }
        }
        (None, Some(name)) => crate::outln!("profile: {name} ({})", r.server.as_deref().unwrap_or("-")),
        (None, None) => {}
    }
    if let Some(h) = &r.daemon {
        crate::outln!(
            "daemon: {} {} (database {})",
            h.status,
            h.version.as_deref().unwrap_or("(version withheld)"),
            h.database
        );
    }
    if let Some(u) = &r.user {
        crate::outln!("user: {} ({})", u.email, u.display_name);
    }
    match (&r.vulndb, &r.vulndb_error) {
        (Some(v), _) => match v.state {
            VulnDataState::Unknown => crate::outln!(
                "vulnerability data: {} advisories, in a state this cairn does not know (a newer daemon?)",
                v.advisories
            ),
            VulnDataState::None => {
                crate::outln!(
                    "vulnerability data: NONE — scans cannot report vulnerabilities until some is imported"
                )
            }
            VulnDataState::Stale => crate::outln!(
                "vulnerability data: STALE — {} advisories, last updated {} s ago",
                v.advisories,
                v.age_seconds.map_or_else(|| "?".into(), |a| a.to_string())
            ),
            VulnDataState::Fresh => crate::outln!("vulnerability data: fresh, {} advisories", v.advisories),
        },
        (None, Some(why)) if why.contains("/vulndb/status") => crate::outln!("vulnerability data: {why}"),
        (None, Some(why)) => crate::outln!("vulnerability data: unknown ({why})"),
        (None, None) => {}
    }
    Ok(())
}
