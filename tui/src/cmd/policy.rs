//! `cairn policy ls|show|push|assign|default`: the daemon's stored policies and which one a
//! project's gate uses. A document pushed is checked by the daemon with the engine's reader; its
//! error names the rule and the field.

use std::process::ExitCode;

use cairn_sdk::types::{PolicyAssignment, PolicyId, PolicySource, StoredPolicy};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::cli::PolicyCommand;
use crate::exit;

use super::lookup::explain;

pub fn run(cmd: PolicyCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    // Read before connecting: a missing file is a usage error, not a server one.
    let pushed = match &cmd {
        PolicyCommand::Push { file } => {
            Some(std::fs::read_to_string(file).map_err(|e| exit::usage(format!("{}: {e}", file.display())))?)
        }
        _ => None,
    };
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            PolicyCommand::Ls { json } => {
                let all = all(&client).await?;
                let default = client
                    .default_policy()
                    .await
                    .map_err(|e| explain(e, "reading the tenant default", false))?;
                if json {
                    crate::outln!(
                        "{}",
                        serde_json::to_string_pretty(
                            &serde_json::json!({"policies": all, "default": default})
                        )?
                    );
                } else {
                    for p in &all {
                        let mark = if default.policy.as_ref().is_some_and(|d| d.id == p.id) {
                            "  (tenant default)"
                        } else {
                            ""
                        };
                        crate::outln!("{}  revision {}  {}{mark}", p.key, p.revision, p.id);
                    }
                    if default.source == PolicySource::Builtin {
                        crate::outln!("tenant default: the built-in default policy");
                    }
                }
            }
            PolicyCommand::Show { policy, revision } => {
                let p = find(&client, &policy).await?;
                match revision {
                    Some(n) => {
                        let r = client
                            .policy_revision(p.id, n)
                            .await
                            .map_err(|e| explain(e, "reading the revision", false))?;
                        crate::outln!("{}", r.document.trim_end());
                    }
                    None => crate::outln!("{}", p.document.trim_end()),
                }
            }
            PolicyCommand::Push { .. } => {
                let text = pushed.unwrap_or_default();
                let key = cairn_engine::policy::Policy::parse(&text)
                    .map_err(|e| exit::usage(format!("the policy does not read: {e}")))?
                    .id;
                let existing = all(&client).await?.into_iter().find(|p| p.key == key);
                let stored = match existing {
                    Some(p) => client
                        .update_policy(p.id, p.revision, &text)
                        .await
                        .map_err(|e| explain(e, "storing the new revision", false))?,
                    None => client
                        .create_policy(&text)
                        .await
                        .map_err(|e| explain(e, "storing the policy", false))?,
                };
                crate::outln!("{}: revision {} stored ({})", stored.key, stored.revision, stored.id);
            }
            PolicyCommand::Assign { project, policy, clear } => {
                let pid = super::lookup::project_id(&client, &project).await?;
                if clear {
                    client
                        .clear_project_policy(pid)
                        .await
                        .map_err(|e| explain(e, "clearing the project's policy", false))?;
                    let now = client
                        .project_policy(pid)
                        .await
                        .map_err(|e| explain(e, "reading the project's policy", false))?;
                    crate::outln!("{project}: {}", describe(&now));
                } else {
                    let p = find(&client, policy.as_deref().unwrap_or_default()).await?;
                    let now = client
                        .assign_project_policy(pid, p.id)
                        .await
                        .map_err(|e| explain(e, "assigning the policy", false))?;
                    crate::outln!("{project}: {}", describe(&now));
                }
            }
            PolicyCommand::Default { policy, clear } => {
                let now = if clear {
                    client
                        .clear_default_policy()
                        .await
                        .map_err(|e| explain(e, "clearing the tenant default", false))?;
                    client
                        .default_policy()
                        .await
                        .map_err(|e| explain(e, "reading the tenant default", false))?
                } else {
                    let p = find(&client, policy.as_deref().unwrap_or_default()).await?;
                    client
                        .assign_default_policy(p.id)
                        .await
                        .map_err(|e| explain(e, "assigning the tenant default", false))?
                };
                crate::outln!("tenant default: {}", describe(&now));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn all(client: &Client) -> anyhow::Result<Vec<StoredPolicy>> {
    client
        .policies(ListQuery::limit(1000))
        .try_collect()
        .await
        .map_err(|e| explain(e, "listing policies", false))
}

/// The policy a user named: by document id, else by id.
async fn find(client: &Client, name: &str) -> anyhow::Result<StoredPolicy> {
    let all = all(client).await?;
    let id = name.parse::<PolicyId>().ok();
    all.into_iter()
        .find(|p| p.key == name || Some(p.id) == id)
        .ok_or_else(|| exit::usage(format!("no stored policy {name:?} (cairn policy ls lists them)")))
}

/// Which policy applies and where from, in words.
pub fn describe(a: &PolicyAssignment) -> String {
    match (&a.policy, a.source) {
        (Some(p), PolicySource::Project) => format!("{} revision {} (the project's own)", p.key, p.revision),
        (Some(p), _) => format!("{} revision {} (the tenant default)", p.key, p.revision),
        (None, _) => "the built-in default policy".to_owned(),
    }
}
