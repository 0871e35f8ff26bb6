//! `cairn projects ls`: every project, with its latest completed scan's risk when the daemon
//! reports it (`Project.risk`); `cairn projects create NAME`.

use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::types::{CreateProject, Project, ProjectKind};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::cli::ProjectsCommand;
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: ProjectsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    match cmd {
        ProjectsCommand::Ls { json } => super::lookup::with_client(profile, |client| async move {
            let projects: Vec<Project> =
                client.projects(ListQuery::limit(200)).try_collect().await.context("listing projects")?;
            if json {
                print_json(&projects)?;
            } else {
                table(&projects).print()?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        ProjectsCommand::Create { name, kind, json } => {
            super::lookup::with_client(profile, |client| async move {
                let project = create(&client, &name, kind).await?;
                if json {
                    print_json(&project)?;
                } else {
                    crate::outln!("{}", project.id);
                }
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

/// Creates the project `name` of `kind`; a name already taken says so (and where to look).
pub async fn create(client: &Client, name: &str, kind: ProjectKind) -> anyhow::Result<Project> {
    let body = CreateProject {
        name: name.to_owned(),
        kind,
        repo_url: None,
        default_ref: None,
        team_id: None,
        tags: Vec::new(),
    };
    match client.create_project(&body).await {
        Ok(p) => Ok(p),
        Err(e) if e.status() == Some(409) => {
            Err(anyhow::Error::from(e).context(format!("a project named {name:?} exists already")))
        }
        Err(e) => Err(super::lookup::explain(e, &format!("creating the project {name:?}"), false)),
    }
}

/// Name, kind, then the risk columns (`-` until a scan completes; the severity columns add up to
/// FINDINGS, NONE (CVSS 0.0) and UNKNOWN included; WARN counts informational advisories apart), then the id.
pub fn table(projects: &[Project]) -> Table {
    let mut t = Table::new(&[
        "NAME", "KIND", "FINDINGS", "CRIT", "HIGH", "MED", "LOW", "NONE", "UNKNOWN", "WARN", "OPEN", "PQC",
        "SCANNED", "ID",
    ]);
    for p in projects {
        let r = p.risk.as_ref();
        let sev = r.map(|r| &r.counts.severities);
        t.row(vec![
            p.name.clone(),
            p.kind.as_str().to_owned(),
            or_dash(r.map(|r| r.counts.findings)),
            or_dash(sev.map(|s| s.critical)),
            or_dash(sev.map(|s| s.high)),
            or_dash(sev.map(|s| s.medium)),
            or_dash(sev.map(|s| s.low)),
            or_dash(sev.map(|s| s.none)),
            or_dash(sev.map(|s| s.unknown)),
            or_dash(r.map(|r| r.counts.warnings)),
            or_dash(r.map(|r| r.open_findings)),
            or_dash(r.and_then(|r| r.pqc_score)),
            or_dash(r.map(|r| super::scans::date(r.scanned_at))),
            p.id.to_string(),
        ]);
    }
    t
}
