//! `cairn licenses PROJECT`, `cairn obligations PROJECT` and `cairn notice PROJECT`: a project's
//! licenses, the obligations they carry and its NOTICE, from its latest completed scan
//! (`GET /projects/{id}/licenses`, `/obligations`, `/notice`).

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::{LicensedComponent, ProjectLicense, ProjectObligation};
use futures_util::TryStreamExt;

use crate::cli::{NoticeArgs, ProjectViewArgs};
use crate::table::{Table, print_json};

/// Components named per row before "… and N more".
const SHOWN: usize = 5;

fn wire_word<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The first components as `name@version`, and how many more.
fn some_components(listed: &[LicensedComponent], total: u64) -> String {
    let mut names: Vec<String> = listed
        .iter()
        .take(SHOWN)
        .map(|c| if c.version.is_empty() { c.name.clone() } else { format!("{}@{}", c.name, c.version) })
        .collect();
    let rest = total.saturating_sub(names.len() as u64);
    if rest > 0 {
        names.push(format!("… and {rest} more"));
    }
    names.join(", ")
}

/// Groups list `SHOWN` components each; `--json` lists them all.
fn query(json: bool) -> ListQuery {
    ListQuery::limit(200).filter("components_limit", if json { "1000" } else { "5" })
}

pub fn licenses(args: ProjectViewArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let id = super::lookup::project_id(&client, &args.project).await?;
        let groups: Vec<ProjectLicense> =
            client
                .project_licenses(id, query(args.json))
                .try_collect()
                .await
                .map_err(|e| super::lookup::explain(e, "reading the project's licenses", false))?;
        if args.json {
            print_json(&groups)?;
            return Ok(ExitCode::SUCCESS);
        }
        if groups.is_empty() {
            crate::outln!("{}'s latest scan has no third-party components", args.project);
            return Ok(ExitCode::SUCCESS);
        }
        let mut t = Table::new(&["LICENSE", "CATEGORY", "COMPONENTS", "EXAMPLES"]);
        for g in &groups {
            let (license, category) = match (&g.expression, g.category) {
                (Some(e), Some(c)) => (e.clone(), wire_word(c)),
                (Some(e), None) => (e.clone(), "-".to_owned()),
                // Not determined is no category: say why instead.
                (None, _) => (
                    format!("not determined: {}", g.not_determined.as_deref().unwrap_or("no reason given")),
                    "-".to_owned(),
                ),
            };
            t.row(vec![
                license,
                category,
                g.components_total.to_string(),
                some_components(&g.components, g.components_total),
            ]);
        }
        t.print()?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn obligations(args: ProjectViewArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let id = super::lookup::project_id(&client, &args.project).await?;
        let found: Vec<ProjectObligation> = client
            .project_obligations(id, query(args.json))
            .try_collect()
            .await
            .map_err(|e| super::lookup::explain(e, "reading the project's obligations", false))?;
        if args.json {
            print_json(&found)?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut t = Table::new(&["OBLIGATION", "LICENSES", "COMPONENTS", "EXAMPLES"]);
        for o in &found {
            t.row(vec![
                wire_word(o.obligation),
                o.licenses.join(", "),
                o.components_total.to_string(),
                some_components(&o.components, o.components_total),
            ]);
        }
        if !found.is_empty() {
            t.print()?;
        }
        // What no group covers is not "no obligation": its license is unknown.
        let undetermined: u64 = client
            .project_licenses(id, ListQuery::limit(200).filter("components_limit", "1"))
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| super::lookup::explain(e, "reading the project's licenses", false))?
            .iter()
            .filter(|g| g.expression.is_none())
            .map(|g| g.components_total)
            .sum();
        if found.is_empty() {
            crate::outln!("no obligations for the components whose license is known");
        }
        if undetermined > 0 {
            crate::outln!(
                "{undetermined} component(s) have no determined license: their obligations are NOT known \
                 (see `cairn licenses {}`)",
                args.project
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn notice(args: NoticeArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let id = super::lookup::project_id(&client, &args.project).await?;
        let text = client
            .project_notice(id)
            .await
            .map_err(|e| super::lookup::explain(e, "reading the project's NOTICE", false))?;
        match &args.output {
            Some(path) => super::export::write_atomically(path, text.as_bytes())?,
            None => crate::outln!("{}", text.trim_end()),
        }
        Ok(ExitCode::SUCCESS)
    })
}
