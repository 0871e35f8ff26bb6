//! `cairn where PACKAGE`: every project whose latest completed scan has the package, with the
//! version, the scan and each file and line that declares it (`GET /components/search`).

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::ComponentUsage;
use futures_util::TryStreamExt;

use crate::cli::WhereArgs;
use crate::table::{Table, or_dash, print_json};

pub fn run(args: WhereArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let key = if args.package.starts_with("pkg:") { "purl" } else { "name" };
    let mut q = ListQuery::limit(200).filter(key, args.package.clone());
    if let Some(v) = &args.version {
        q = q.filter("version", v.clone());
    }
    if let Some(e) = &args.ecosystem {
        q = q.filter("ecosystem", e.clone());
    }
    super::lookup::with_client(profile, |client| async move {
        let found: Vec<ComponentUsage> = client
            .components_search(q)
            .try_collect()
            .await
            .map_err(|e| super::lookup::explain(e, "searching the components", false))?;
        if args.json {
            print_json(&found)?;
            return Ok(ExitCode::SUCCESS);
        }
        if found.is_empty() {
            crate::outln!("{} is in no project's latest completed scan", args.package);
            return Ok(ExitCode::SUCCESS);
        }
        let mut t = Table::new(&["PROJECT", "VERSION", "PACKAGE", "FILE", "SCAN"]);
        for u in &found {
            let files: Vec<String> = u
                .locations
                .iter()
                .map(|l| match l.line {
                    Some(n) => format!("{}:{n}", l.path),
                    None => l.path.clone(),
                })
                .collect();
            t.row(vec![
                u.project_name.clone(),
                or_dash(u.version_name.clone()),
                format!("{}@{}", u.name, u.version.as_deref().unwrap_or("?")),
                files.join(", "),
                u.scan_id.to_string(),
            ]);
        }
        t.print()?;
        Ok(ExitCode::SUCCESS)
    })
}
