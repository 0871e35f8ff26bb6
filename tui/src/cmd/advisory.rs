//! `cairn advisory ID`: an advisory by id or alias (`GET /vulnerabilities/{id}`): its summary,
//! aliases and references, and every project it affects now with the triage.

use std::process::ExitCode;

use crate::cli::AdvisoryArgs;
use crate::table::{Table, or_dash, print_json};

pub fn run(args: AdvisoryArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let a = match client.vulnerability(&args.id).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => {
                anyhow::bail!(
                    "no advisory or finding is known by {:?} (is the vulnerability data loaded? cairn db status)",
                    args.id
                )
            }
            Err(e) => return Err(super::lookup::explain(e, "reading the advisory", false)),
        };
        if args.json {
            print_json(&a)?;
            return Ok(ExitCode::SUCCESS);
        }
        crate::outln!("{}: {}", a.id, a.summary.as_deref().unwrap_or("(no summary)"));
        if !a.ids.is_empty() && a.ids != [a.id.clone()] {
            crate::outln!("records: {}", a.ids.join(", "));
        }
        if !a.aliases.is_empty() {
            crate::outln!("aliases: {}", a.aliases.join(", "));
        }
        if !a.in_vulnerability_data {
            crate::outln!("(not in the loaded vulnerability data; known from findings only)");
        }
        for r in &a.references {
            crate::outln!("  {r}");
        }
        if a.affected.is_empty() {
            crate::outln!("affects no project's latest completed scan");
            return Ok(ExitCode::SUCCESS);
        }
        crate::outln!("");
        let mut t = Table::new(&["PROJECT", "PACKAGE", "SEVERITY", "FIXED IN", "TRIAGE", "FINDING"]);
        for p in &a.affected {
            t.row(vec![
                or_dash(p.project_name.clone()),
                p.purl.clone(),
                p.severity.to_string(),
                or_dash(p.fixed_version.clone()),
                p.triage.map_or_else(|| "untriaged".to_owned(), |s| s.as_str().to_owned()),
                p.finding_id.clone(),
            ]);
        }
        t.print()?;
        Ok(ExitCode::SUCCESS)
    })
}
