//! `cairn scans ls`: scans, newest first, filtered by project and status (`cairn scans cancel` is
//! in `scan_cancel.rs`).

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::ListQuery;
use cairn_sdk::types::{Scan, ScanSource};
use futures_util::{StreamExt, TryStreamExt};
use time::OffsetDateTime;

use crate::cli::{ScansCommand, ScansLsArgs};
use crate::table::{Table, print_json};

pub fn run(cmd: ScansCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    match cmd {
        ScansCommand::Ls(args) => {
            super::lookup::with_client(profile, |client| async move { ls(&client, args).await })
        }
        ScansCommand::Cancel { scan, json } => super::lookup::with_client(profile, |client| async move {
            super::scan_cancel::cancel(&client, scan, json).await
        }),
    }
}

async fn ls(client: &cairn_sdk::Client, args: ScansLsArgs) -> anyhow::Result<ExitCode> {
    let page = if args.limit == 0 { 200 } else { args.limit.min(200) as u32 };
    let mut q = ListQuery::limit(page).sort("-created_at");
    if let Some(p) = &args.project {
        q = q.filter("project", super::lookup::project_id(client, p).await?.to_string());
    }
    if let Some(s) = args.status {
        q = q.filter("status", s.as_str());
    }
    let take = if args.limit == 0 { usize::MAX } else { args.limit };
    let scans: Vec<Scan> = client.scans(q).take(take).try_collect().await.context("listing scans")?;
    if args.json {
        print_json(&scans)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Project names for the table (one list call, only when a scan has a project).
    let mut names = HashMap::new();
    if scans.iter().any(|s| s.project_id.is_some()) {
        let projects: Vec<_> =
            client.projects(ListQuery::limit(200)).try_collect().await.context("listing projects")?;
        names = projects.into_iter().map(|p| (p.id, p.name)).collect();
    }
    let mut t = Table::new(&[
        "ID",
        "STATUS",
        "PROJECT",
        "SOURCE",
        "CREATED",
        "COMPONENTS",
        "FINDINGS",
        "CRIT",
        "HIGH",
        "MED",
        "LOW",
        "NONE",
        "UNKNOWN",
        "WARN",
    ]);
    for s in &scans {
        let c = &s.counts;
        t.row(vec![
            s.id.to_string(),
            s.status.as_str().to_owned(),
            s.project_id
                .map_or_else(|| "-".to_owned(), |p| names.get(&p).cloned().unwrap_or_else(|| p.to_string())),
            source(&s.source),
            date(s.created_at),
            c.components.to_string(),
            c.findings.to_string(),
            c.severities.critical.to_string(),
            c.severities.high.to_string(),
            c.severities.medium.to_string(),
            c.severities.low.to_string(),
            c.severities.none.to_string(),
            c.severities.unknown.to_string(),
            c.warnings.to_string(),
        ]);
    }
    t.print()?;
    Ok(ExitCode::SUCCESS)
}

/// A scan's source in a few words.
fn source(s: &ScanSource) -> String {
    match s {
        ScanSource::Git { url, reference: Some(r) } => format!("{url}@{r}"),
        ScanSource::Git { url, reference: None } => url.clone(),
        ScanSource::Path { path } => path.clone(),
        ScanSource::Upload { filename, .. } => format!("upload:{filename}"),
        ScanSource::Sbom { filename, .. } => format!("sbom:{filename}"),
        ScanSource::Image { reference, platform: Some(p) } => format!("image:{reference} ({p})"),
        ScanSource::Image { reference, platform: None } => format!("image:{reference}"),
    }
}

/// UTC to the second: `2026-01-02 03:04:05`.
pub fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
