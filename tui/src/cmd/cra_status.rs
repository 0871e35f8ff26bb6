//! `cairn cra-status VERSION`: a version's CRA checklist (`GET /versions/{id}/cra-status`), one
//! line per item with its reason; exit 1 when an item is not met or not evaluated (nothing proves
//! it), so CI can hold a release.

use std::process::ExitCode;

use cairn_sdk::types::CraItemStatus;

use crate::cli::CraStatusArgs;
use crate::table::{Table, print_json};

pub fn run(args: CraStatusArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let version = super::versions::find(&client, &args.version, args.project.as_deref()).await?;
        let status = client
            .version_cra_status(version.id)
            .await
            .map_err(|e| super::lookup::explain(e, "reading the CRA status", false))?;
        if args.json {
            print_json(&status)?;
        } else {
            crate::outln!(
                "{} {}: {} met, {} not met, {} not evaluated, {} not applicable",
                status.project_name,
                status.version_name,
                status.met,
                status.not_met,
                status.not_evaluated,
                status.not_applicable
            );
            let mut t = Table::new(&["REQUIREMENT", "STATUS", "REASON"]);
            for item in &status.items {
                t.row(vec![
                    item.requirement.as_str().to_owned(),
                    item.status.as_str().to_owned(),
                    item.reason.clone(),
                ]);
            }
            t.print()?;
        }
        let failed = status
            .items
            .iter()
            .any(|i| matches!(i.status, CraItemStatus::NotMet | CraItemStatus::NotEvaluated));
        Ok(if failed { ExitCode::from(crate::exit::GATE) } else { ExitCode::SUCCESS })
    })
}
