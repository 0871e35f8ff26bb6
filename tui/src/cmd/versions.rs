//! `cairn versions ls|create|release`: a project's versions and their release state.

use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use cairn_sdk::types::{CreateVersion, ProjectId, ReleaseStateChange, Version, VersionId};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::cli::VersionsCommand;
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: VersionsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            VersionsCommand::Ls { project, json } => {
                let project = super::lookup::project_id(&client, &project).await?;
                let versions = list(&client, project).await?;
                if json {
                    print_json(&versions)?;
                } else {
                    table(&versions).print()?;
                }
            }
            VersionsCommand::Create { name, project, support_until, json } => {
                let project = super::lookup::project_id(&client, &project).await?;
                let version = client
                    .create_version(project, &CreateVersion { name: name.clone(), support_until })
                    .await
                    .map_err(|e| match e.status() {
                        Some(409) => anyhow::Error::from(e)
                            .context(format!("the project has a version named {name:?} already")),
                        _ => super::lookup::explain(e, &format!("creating the version {name:?}"), false),
                    })?;
                if json {
                    print_json(&version)?;
                } else {
                    crate::outln!("{}", version.id);
                }
            }
            VersionsCommand::Release { version, project, state, json } => {
                let current = find(&client, &version, project.as_deref()).await?;
                let body = ReleaseStateChange { state, support_until: None };
                let moved =
                    client.set_release_state(current.id, current.version, &body).await.map_err(|e| {
                        let doing = format!(
                            "moving {} from {} to {}",
                            current.name,
                            current.release_state.as_str(),
                            state.as_str()
                        );
                        match e.status() {
                            Some(412) => anyhow::Error::from(e)
                                .context("someone changed the version meanwhile; run the command again")
                                .context(doing),
                            _ => super::lookup::explain(e, &doing, false),
                        }
                    })?;
                if json {
                    print_json(&moved)?;
                } else {
                    crate::outln!("{} is {}", moved.name, moved.release_state.as_str());
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Every version of `project`, newest first.
async fn list(client: &Client, project: ProjectId) -> anyhow::Result<Vec<Version>> {
    client
        .versions(project, ListQuery::limit(200).sort("-created_at"))
        .try_collect()
        .await
        .map_err(|e| super::lookup::explain(e, "listing versions", false))
}

/// The version `arg` names: an id, or an exact name within `project`.
pub(crate) async fn find(client: &Client, arg: &str, project: Option<&str>) -> anyhow::Result<Version> {
    if let Ok(id) = arg.parse::<VersionId>() {
        return match client.version(id).await {
            Ok(v) => Ok(v),
            Err(e) if e.is_not_found() => Err(anyhow!("no version with id {id}")),
            Err(e) => Err(e).context("reading the version"),
        };
    }
    let Some(project) = project else {
        return Err(crate::exit::usage(format!("--project is needed to find the version named {arg:?}")));
    };
    let id = super::lookup::project_id(client, project).await?;
    match list(client, id).await?.into_iter().find(|v| v.name == arg) {
        Some(v) => Ok(v),
        None => bail!(
            "project {project:?} has no version named {arg:?} (see `cairn versions ls --project {project}`)"
        ),
    }
}

/// Name, release state, dates, then the id.
fn table(versions: &[Version]) -> Table {
    let mut t = Table::new(&["NAME", "STATE", "RELEASED", "SUPPORT UNTIL", "CREATED", "ID"]);
    for v in versions {
        t.row(vec![
            v.name.clone(),
            v.release_state.as_str().to_owned(),
            or_dash(v.released_at.map(super::scans::date)),
            or_dash(v.support_until.map(super::scans::date)),
            super::scans::date(v.created_at),
            v.id.to_string(),
        ]);
    }
    t
}
