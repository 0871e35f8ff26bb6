//! `cairn vex import FILE --project P`: the document's bytes to `POST /projects/{id}/vex`; prints
//! what it set (or confirmed) and every statement that set nothing, with the reason.

use std::process::ExitCode;

use cairn_sdk::types::{UnmatchedReason, VexImport};

use crate::cli::VexCommand;
use crate::exit;

pub fn run(cmd: VexCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let VexCommand::Import { file, project, json } = cmd;
    let bytes = std::fs::read(&file).map_err(|e| exit::usage(format!("{}: {e}", file.display())))?;
    super::lookup::with_client(profile, |client| async move {
        let pid = super::lookup::project_id(&client, &project).await?;
        let done = client
            .import_vex(pid, bytes)
            .await
            .map_err(|e| super::lookup::explain(e, "importing the VEX document", false))?;
        if json {
            crate::outln!("{}", serde_json::to_string_pretty(&done)?);
        } else {
            for line in summary(&done) {
                crate::outln!("{line}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// What the import did, one line each: the totals, each change, each unmatched statement.
pub fn summary(done: &VexImport) -> Vec<String> {
    let changed = done.applied.iter().filter(|a| a.changed).count();
    let mut lines = vec![format!(
        "{} ({}): {} statement(s); {} finding(s) triaged, {} changed, {} already so; {} statement(s) set nothing",
        done.document,
        serde_json::to_value(done.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        done.statements,
        done.applied.len(),
        changed,
        done.applied.len() - changed,
        done.unmatched.len()
    )];
    for a in done.applied.iter().filter(|a| a.changed) {
        lines.push(format!("set {} {} {} ({})", a.vulnerability_id, a.purl, a.state.as_str(), a.at));
    }
    for u in &done.unmatched {
        let why = match u.reason {
            UnmatchedReason::NoPackageUrl => "names no product by package URL",
            UnmatchedReason::NoFinding => "no finding of the project's latest scan matches",
            UnmatchedReason::NoJustification => "not_affected without a justification or impact statement",
        };
        lines.push(format!(
            "unmatched {} {} [{}]: {why}",
            u.at,
            u.vulnerability.join(","),
            u.products.join(" ")
        ));
    }
    lines
}
