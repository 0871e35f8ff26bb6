//! `cairn findings ls`: findings with their triage, through `GET /findings` and its filters.

use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::ListQuery;
use cairn_sdk::types::Finding;
use futures_util::TryStreamExt;

use crate::cli::{FindingsCommand, FindingsLsArgs};
use crate::table::{Table, or_dash, print_json};

pub fn run(cmd: FindingsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let FindingsCommand::Ls(args) = cmd;
    super::lookup::with_client(profile, |client| async move { ls(&client, args).await })
}

async fn ls(client: &cairn_sdk::Client, args: FindingsLsArgs) -> anyhow::Result<ExitCode> {
    let mut q = ListQuery::limit(500);
    if let Some(p) = &args.project {
        q = q.filter("project", super::lookup::project_id(client, p).await?.to_string());
    }
    if let Some(s) = args.scan {
        q = q.filter("scan", s.to_string());
    }
    if let Some(s) = &args.severity {
        q = q.filter("severity", s.to_string());
    }
    if let Some(s) = &args.state {
        q = q.filter("state", s.clone());
    }
    let mut findings: Vec<Finding> = client.findings(q).try_collect().await.context("listing findings")?;
    findings.sort_by(Finding::worst_first);
    if args.json {
        print_json(&findings)?;
    } else {
        table(&findings).print()?;
        if findings.is_empty() && args.scan.is_none() {
            eprintln!(
                "cairn: no findings in the projects' latest completed scans; a scan without a project is listed with --scan ID"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One row per finding: the id to triage with, the advisory, the component, the severity, the
/// triage state (`untriaged` when none), the fix, and what set the triage when no person did
/// (`by rule R`, `by VEX D (statement)`).
pub fn table(findings: &[Finding]) -> Table {
    let mut t = Table::new(&["ID", "SEVERITY", "VULNERABILITY", "PURL", "STATE", "FIXED IN", "SET"]);
    for f in findings {
        t.row(vec![
            f.finding.id.clone(),
            f.finding.severity.to_string(),
            f.finding.vulnerability_id.clone(),
            f.finding.purl.clone(),
            f.triage.as_ref().map_or("untriaged", |t| t.state.as_str()).to_owned(),
            or_dash(f.finding.fixed_version.as_deref()),
            f.triage
                .as_ref()
                .and_then(|t| t.source.as_ref())
                .map_or_else(|| "-".to_owned(), ToString::to_string),
        ]);
    }
    t
}
