//! `cairn controls [--framework F]`: controls of frameworks judged from the tenant's data
//! (`GET /frameworks`, `GET /controls`), one line per control with its status, evidence count and
//! the kinds of evidence behind it. Informational: the exit code does not depend on the statuses.

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::Control;
use futures_util::TryStreamExt;

use crate::cli::ControlsArgs;
use crate::table::{Table, print_json};

pub fn run(args: ControlsArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let controls: Vec<Control> = client
            .controls(args.framework, ListQuery::limit(1000))
            .try_collect()
            .await
            .map_err(|e| super::lookup::explain(e, "reading the controls", false))?;
        if args.json {
            print_json(&controls)?;
            return Ok(ExitCode::SUCCESS);
        }
        let frameworks: Vec<_> = client
            .frameworks(ListQuery::limit(1000))
            .try_collect()
            .await
            .map_err(|e| super::lookup::explain(e, "reading the frameworks", false))?;
        for f in frameworks.iter().filter(|f| args.framework.is_none_or(|want| want == f.id)) {
            crate::outln!(
                "{} ({}): {} met, {} partially met, {} not met, {} not assessed of {}",
                f.name,
                f.edition,
                f.met,
                f.partially_met,
                f.not_met,
                f.not_assessed,
                f.controls
            );
        }
        let mut t = Table::new(&["FRAMEWORK", "CONTROL", "STATUS", "EVIDENCE", "REASON"]);
        for c in &controls {
            let kinds: Vec<String> = c
                .evidence
                .iter()
                .map(|e| format!("{} {} ({})", e.kind.as_str(), e.count, e.status.as_str()))
                .collect();
            let reason = if kinds.is_empty() {
                c.reason.clone()
            } else {
                format!("{}; {}", c.reason, kinds.join(", "))
            };
            t.row(vec![
                c.framework.as_str().to_owned(),
                format!("{} {}", c.id, c.title),
                c.status.as_str().to_owned(),
                c.evidence_count.to_string(),
                reason,
            ]);
        }
        t.print()?;
        Ok(ExitCode::SUCCESS)
    })
}
